// The long range deletion model run (ctest -L long): the randomized workload of
// tests/support/range_del_model.h over more seeds and steps than the default suite.
// STRATA_RANGE_DEL_STEPS overrides the steps per seed (default 3000).
#include <gtest/gtest.h>

#include <cstdlib>

#include "support/range_del_model.h"
#include "support/test_util.h"

namespace strata::test {
namespace {

class RangeDelModelLongTest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(RangeDelModelLongTest, MatchesModel) {
  TempDir dir;
  RangeDelModelOptions o;
  o.seed = GetParam();
  const char* env = std::getenv("STRATA_RANGE_DEL_STEPS");
  o.steps = env ? std::atoi(env) : 3000;
  o.key_space = 2000;
  RunRangeDelModel(dir.Child("db"), o);
}

INSTANTIATE_TEST_SUITE_P(Seeds, RangeDelModelLongTest,
                         ::testing::Values(11, 12, 13, 14, 15, 16, 17, 18));

}  // namespace
}  // namespace strata::test
