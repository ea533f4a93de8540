// The long merge model run (ctest -L long): the randomized workload of
// tests/support/range_del_model.h with merge operands among its writes, over more seeds and
// steps than merge_test, at a few shares of merges. STRATA_MERGE_MODEL_STEPS overrides the
// steps per seed (default 3000).
#include <gtest/gtest.h>

#include <cstdlib>
#include <tuple>

#include "support/range_del_model.h"
#include "support/test_util.h"

namespace strata::test {
namespace {

// (seed, merge percent)
class MergeModelLongTest : public ::testing::TestWithParam<std::tuple<uint64_t, int>> {};

TEST_P(MergeModelLongTest, MatchesModel) {
  TempDir dir;
  RangeDelModelOptions o;
  o.seed = std::get<0>(GetParam());
  o.merge_percent = std::get<1>(GetParam());
  const char* env = std::getenv("STRATA_MERGE_MODEL_STEPS");
  o.steps = env ? std::atoi(env) : 3000;
  o.key_space = 1000;
  RunRangeDelModel(dir.Child("db"), o);
}

INSTANTIATE_TEST_SUITE_P(Seeds, MergeModelLongTest,
                         ::testing::Combine(::testing::Range<uint64_t>(101, 117),
                                            ::testing::Values(20, 60)));

}  // namespace
}  // namespace strata::test
