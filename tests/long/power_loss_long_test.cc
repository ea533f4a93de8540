// The long power-loss run (ctest -L long): many power cuts at random points of workloads
// with flushes and compactions running, each followed by recovery and an exact check
// against the model (tests/support/power_loss_workload.h). STRATA_POWER_LOSS_CUTS overrides
// the number of cuts per seed (default 500; four seeds).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>

#include "support/power_loss_workload.h"
#include "support/test_util.h"

namespace strata::test {
namespace {

int Cuts() {
  const char* env = std::getenv("STRATA_POWER_LOSS_CUTS");
  return env ? std::atoi(env) : 500;
}

class PowerLossLongTest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(PowerLossLongTest, RecoveredStateIsADurablePrefix) {
  TempDir dir;
  PowerLossOptions options;
  options.cuts = Cuts();
  options.seed = GetParam();
  const auto start = std::chrono::steady_clock::now();
  PowerLossResult r = RunPowerLossCycles(dir.path(), options);
  PrintPowerLossResult(
      r, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  EXPECT_EQ(0u, r.violations);
  EXPECT_EQ(static_cast<uint64_t>(options.cuts), r.cuts);
}

INSTANTIATE_TEST_SUITE_P(Seeds, PowerLossLongTest, ::testing::Values(101, 202, 303, 404));

}  // namespace
}  // namespace strata::test
