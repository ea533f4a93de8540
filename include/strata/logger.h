// Logger: where the engine writes its human-readable event log (opens, recoveries, flushes,
// compactions, errors). By default each database writes the file LOG in its directory; set
// Options::info_log to route the lines to the application's own logging instead.
//
// Thread safety: the engine calls Logv from its foreground and background threads at once,
// so an implementation must be safe to call concurrently. Logging is best-effort: a Logger
// cannot fail an operation, and it may be called with the database's mutex held, so it must
// not call back into the database and should return quickly.
#pragma once

#include <cstdarg>

namespace strata {

class Logger {
 public:
  Logger() = default;
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;
  virtual ~Logger() = default;

  // One event, printf-style, without a trailing newline.
  virtual void Logv(const char* format, va_list ap) = 0;

  // Formats and forwards to Logv.
  void Log(const char* format, ...) __attribute__((format(printf, 2, 3)));
};

}  // namespace strata
