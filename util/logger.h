// Logger: appends human-readable, timestamped event lines (opens, recoveries, flushes,
// errors) to the database's LOG file. Logging is best-effort: a failed write to the LOG
// never fails the operation that logged.
//
// Thread safety: Log may be called from any thread.
#pragma once

#include <memory>

#include "strata/file_system.h"
#include "util/mutex.h"

namespace strata {

class Logger {
 public:
  // A logger that discards everything (when no LOG file could be created).
  Logger() = default;
  explicit Logger(std::unique_ptr<WritableFile> file) : file_(std::move(file)) {}

  void Log(const char* format, ...) __attribute__((format(printf, 2, 3)));

 private:
  Mutex mu_;
  std::unique_ptr<WritableFile> file_ GUARDED_BY(mu_);
};

}  // namespace strata
