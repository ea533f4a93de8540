// DBImpl::ReplayResult: what replaying write-ahead logs produced, shared by the read-write
// open (db_impl_open.cc) and the read-only one (db_impl_read_only.cc).
//
// Thread safety: a value owned by the thread opening the database.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "db/db_impl.h"

namespace strata {

struct DBImpl::ReplayResult {
  std::unique_ptr<VersionEdit> edit;  // tables written when the memtable filled up
  SequenceNumber max_sequence = 0;
  bool dropped_data = false;  // something other than a torn tail was left out
  bool stop = false;          // damage or a hole ends the history: ignore later logs
  uint64_t stop_log = 0;      // with stop: the log where the history ended
  uint64_t records = 0;
  uint64_t logs = 0;  // logs replayed so far
  // Where a hole at the start of a log stopped a tolerate-tail replay as unsynced records left
  // by a power loss (empty if none): Open then fails if a sync marker proves it damage.
  std::string unsynced_hole;
};

}  // namespace strata
