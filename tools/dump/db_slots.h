// The change-feed view of a database directory for strata_dump db: each log's first
// sequence (what history it holds), and every log slot with its position, the log it holds
// from and its lag (bytes of logs it holds). Read from the files, like the rest of the dump.
//
// Thread safety: pure functions of the directory's contents.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "strata/file_system.h"

namespace strata::dump {

struct SlotView {
  std::string name;
  uint64_t sequence = 0;
  bool invalidated = false;
  std::string invalidation;
  uint64_t held_from_log = 0;  // 0: holds nothing (invalidated, or no log)
  uint64_t lag_bytes = 0;
};

struct LogHistoryView {
  struct Log {
    uint64_t number = 0;
    uint64_t size = 0;
    bool has_first = false;
    uint64_t first = 0;
  };
  std::vector<Log> logs;  // ascending
  std::vector<SlotView> slots;
  std::string slots_error;  // the slots could not be read
};

// logs: (number, size) of each log, ascending.
LogHistoryView ReadLogHistory(FileSystem* fs, const std::string& dir,
                              const std::vector<std::pair<uint64_t, uint64_t>>& logs);

}  // namespace strata::dump
