// The engine's Loggers (the interface is public: include/strata/logger.h): a LOG file in the
// database directory, and one that discards everything (when no LOG file could be created).
// Logging is best-effort: a failed write to the LOG never fails the operation that logged.
//
// Thread safety: Logv may be called from any thread.
#pragma once

#include <memory>

#include "strata/file_system.h"
#include "strata/logger.h"
#include "util/mutex.h"

namespace strata {

// Timestamped lines appended to a file, one write per line.
class FileLogger final : public Logger {
 public:
  explicit FileLogger(std::unique_ptr<WritableFile> file) : file_(std::move(file)) {}
  void Logv(const char* format, va_list ap) override;

 private:
  Mutex mu_;
  std::unique_ptr<WritableFile> file_ GUARDED_BY(mu_);
};

class NullLogger final : public Logger {
 public:
  void Logv(const char*, va_list) override {}
};

}  // namespace strata
