// DBImpl::ReplayResult: what replaying write-ahead logs produced, shared by the read-write
// open (db_impl_open.cc) and the read-only one (db_impl_read_only.cc).
//
// Thread safety: a value owned by the thread opening the database.
#pragma once

#include <cstdint>
#include <memory>

#include "db/db_impl.h"

namespace strata {

struct DBImpl::ReplayResult {
  std::unique_ptr<VersionEdit> edit;  // tables written when the memtable filled up
  SequenceNumber max_sequence = 0;
  bool dropped_data = false;  // something other than a torn tail was left out
  bool stop = false;          // point-in-time recovery reached damage: ignore later logs
  uint64_t records = 0;
};

}  // namespace strata
