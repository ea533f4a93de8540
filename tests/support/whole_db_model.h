// The whole-database operations against a std::map model, in random interleavings with
// writes (puts, deletions, range deletions and, if asked, string-append merges), flushes,
// compactions, reopens and a snapshot held across them: ingesting TableWriter files (which
// shadow older values and operands), MultiGet (which must answer like the model for every
// key asked, now and at the snapshot), and checkpoints (which must open, read-write and
// read-only, to exactly the model as of the checkpoint). Shared by whole_db_model_test and
// the long suite.
#pragma once

#include <cstdint>
#include <string>

namespace strata::test {

struct WholeDbModelOptions {
  uint64_t seed = 1601;
  int steps = 1500;
  int key_space = 3000;
  // Percent of single writes that are merge operands (ModelMergeOperator) instead of puts,
  // half of them on a few hot keys. 0: no merges, and the database has no merge operator.
  int merge_percent = 0;
};

// Runs the workload in fresh databases under dir; gtest failures on any difference.
void RunWholeDbModel(const std::string& dir, const WholeDbModelOptions& options);

}  // namespace strata::test
