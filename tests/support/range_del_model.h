// A randomized run of puts, merges (string append: the model appends "," and the operand),
// deletes, range deletions (alone and inside batches), snapshots held across flushes and
// compactions, and reopens, checked against std::map models after every step that may
// change what a read sees: Get, MultiGet, full forward and backward scans, Seek and
// SeekForPrev with and without iterate bounds, for the current state and for every held
// snapshot. Shared by range_del_test (a few seeds), merge_test and the long suite.
#pragma once

#include <cstdint>
#include <string>

namespace strata::test {

struct RangeDelModelOptions {
  uint64_t seed = 1;
  int steps = 600;
  int key_space = 400;
  size_t write_buffer_size = 64 << 10;  // small: many flushes and compactions
  // Percent of single writes that are merge operands instead of puts, half of them on a few
  // hot keys (long runs of operands across tables and snapshots). 0: no merges, and the
  // database has no merge operator.
  int merge_percent = 0;
};

// Runs the workload in a fresh database under dir; gtest failures on any difference.
void RunRangeDelModel(const std::string& dir, const RangeDelModelOptions& options);

}  // namespace strata::test
