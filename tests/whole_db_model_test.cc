// The whole-database operations against a std::map model (tests/support/whole_db_model.h):
// ingestion, MultiGet and checkpoints in random interleavings with writes, flushes,
// compactions, reopens and a held snapshot; without merges, and with string-append merges
// at a few seeds (more in tests/long/whole_db_model_long_test.cc).
#include <gtest/gtest.h>

#include "support/test_util.h"
#include "support/whole_db_model.h"

namespace strata::test {
namespace {

TEST(WholeDbModelTest, RandomizedIngestMultiGetAndCheckpoints) {
  TempDir dir;
  RunWholeDbModel(dir.path(), WholeDbModelOptions());
}

class WholeDbMergeModelTest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(WholeDbMergeModelTest, RandomizedWithMerges) {
  TempDir dir;
  WholeDbModelOptions o;
  o.seed = GetParam();
  o.merge_percent = 40;
  o.key_space = 1000;
  RunWholeDbModel(dir.path(), o);
}

INSTANTIATE_TEST_SUITE_P(Seeds, WholeDbMergeModelTest, ::testing::Values(1, 2, 3));

}  // namespace
}  // namespace strata::test
