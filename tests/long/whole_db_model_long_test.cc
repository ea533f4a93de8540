// The long whole-database model run (ctest -L long): the workload of
// tests/support/whole_db_model.h (ingestion, MultiGet, checkpoints, snapshots, reopens) over
// more seeds and steps than whole_db_model_test, without merges and with string-append
// merges. STRATA_WHOLE_DB_MODEL_STEPS overrides the steps per seed (default 5000).
#include <gtest/gtest.h>

#include <cstdlib>
#include <tuple>

#include "support/test_util.h"
#include "support/whole_db_model.h"

namespace strata::test {
namespace {

// (seed, merge percent)
class WholeDbModelLongTest : public ::testing::TestWithParam<std::tuple<uint64_t, int>> {};

TEST_P(WholeDbModelLongTest, MatchesModel) {
  TempDir dir;
  WholeDbModelOptions o;
  o.seed = std::get<0>(GetParam());
  o.merge_percent = std::get<1>(GetParam());
  const char* env = std::getenv("STRATA_WHOLE_DB_MODEL_STEPS");
  o.steps = env ? std::atoi(env) : 5000;
  RunWholeDbModel(dir.path(), o);
}

INSTANTIATE_TEST_SUITE_P(Seeds, WholeDbModelLongTest,
                         ::testing::Combine(::testing::Range<uint64_t>(201, 209),
                                            ::testing::Values(0, 40)));

}  // namespace
}  // namespace strata::test
