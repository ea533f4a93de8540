#include "util/logger.h"

#include <sys/time.h>

#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <string>

namespace strata {

void Logger::Log(const char* format, ...) {
  va_list ap;
  va_start(ap, format);
  Logv(format, ap);
  va_end(ap);
}

void FileLogger::Logv(const char* format, va_list ap) {
  char buf[1024];
  timeval now;
  gettimeofday(&now, nullptr);
  tm t;
  localtime_r(&now.tv_sec, &t);
  int n = std::snprintf(buf, sizeof buf, "%04d/%02d/%02d-%02d:%02d:%02d.%06ld ", t.tm_year + 1900,
                        t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
                        static_cast<long>(now.tv_usec));
  std::string line(buf, n);
  va_list copy;
  va_copy(copy, ap);
  int len = std::vsnprintf(buf, sizeof buf, format, ap);
  if (len >= static_cast<int>(sizeof buf)) {
    std::string big(len + 1, '\0');
    std::vsnprintf(big.data(), big.size(), format, copy);
    big.resize(len);
    line += big;
  } else if (len > 0) {
    line.append(buf, len);
  }
  va_end(copy);
  line.push_back('\n');

  MutexLock lock(&mu_);
  if (file_) file_->Append(line).PermitUncheckedError();
}

}  // namespace strata
