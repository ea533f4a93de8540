// The long torn-and-reordered power-loss runs (ctest -L long): random crash states at many
// cuts of the power-loss workload (tests/support/power_loss_workload.h with torn on;
// STRATA_POWER_LOSS_CUTS overrides the cuts per seed, default 500, four seeds), and the
// exhaustive crash states of a larger small workload (tests/support/exhaustive_crash_states.h).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>

#include "support/exhaustive_crash_states.h"
#include "support/power_loss_workload.h"
#include "support/test_util.h"

namespace strata::test {
namespace {

class TornPowerLossLongTest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(TornPowerLossLongTest, RecoveredStateIsADurablePrefix) {
  TempDir dir;
  PowerLossOptions options;
  const char* env = std::getenv("STRATA_POWER_LOSS_CUTS");
  options.cuts = env ? std::atoi(env) : 500;
  options.seed = GetParam();
  options.torn = true;
  const auto start = std::chrono::steady_clock::now();
  PowerLossResult r = RunPowerLossCycles(dir.path(), options);
  PrintPowerLossResult(
      r, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  EXPECT_EQ(0u, r.violations);
  EXPECT_EQ(static_cast<uint64_t>(options.cuts), r.cuts);
}

INSTANTIATE_TEST_SUITE_P(Seeds, TornPowerLossLongTest, ::testing::Values(505, 606, 707, 808));

TEST(TornPowerLossLongTest, EveryCrashStateOfASmallWorkload) {
  TempDir dir;
  const auto start = std::chrono::steady_clock::now();
  ExhaustiveCrashResult r = RunExhaustiveCrashStates(dir.path(), 40, 1024);
  PrintExhaustiveCrashResult(
      r, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  EXPECT_EQ(0u, r.violations);
}

}  // namespace
}  // namespace strata::test
