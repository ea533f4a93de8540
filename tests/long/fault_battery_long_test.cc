// The long failing-file-system battery (ctest -L long): every fault position of the
// workload in every mode, for several workloads (seeds), with and without background
// compactions. STRATA_FAULT_SEEDS overrides the number of workloads (default 3).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>

#include "support/fault_battery.h"
#include "support/test_util.h"

namespace strata::test {
namespace {

uint64_t Seeds() {
  const char* env = std::getenv("STRATA_FAULT_SEEDS");
  return env ? std::strtoull(env, nullptr, 10) : 3;
}

void RunEveryPosition(FaultMode mode, bool automatic_compaction) {
  const auto start = std::chrono::steady_clock::now();
  uint64_t runs = 0, fired = 0;
  for (uint64_t seed = 1; seed <= Seeds() && !::testing::Test::HasFailure(); seed++) {
    TempDir dir;
    FaultBatteryOptions options;
    options.mode = mode;
    options.seed = seed;
    options.automatic_compaction = automatic_compaction;
    FaultBatteryResult r = RunFaultBattery(dir.path(), options);
    PrintFaultBatteryResult(options, r);
    // Background work moves the count from run to run: a few positions fall past the end of
    // the workload (more with background compactions).
    EXPECT_GE(r.fired * 10, (r.runs - r.past_end) * 9);
    runs += r.runs;
    fired += r.fired;
  }
  std::printf("%s%s: %llu positions, %llu faults fired, in %.1f s\n", FaultModeName(mode),
              automatic_compaction ? " (background compactions)" : "",
              static_cast<unsigned long long>(runs), static_cast<unsigned long long>(fired),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

TEST(FaultBatteryLongTest, EioOnce) { RunEveryPosition(FaultMode::kEioOnce, false); }
TEST(FaultBatteryLongTest, EnospcUntilCleared) {
  RunEveryPosition(FaultMode::kEnospcUntilCleared, false);
}
TEST(FaultBatteryLongTest, EioAfterTheChange) {
  RunEveryPosition(FaultMode::kEioAfterTheChange, false);
}
TEST(FaultBatteryLongTest, CloseFails) { RunEveryPosition(FaultMode::kCloseFails, false); }
TEST(FaultBatteryLongTest, EioOnceWithBackgroundCompactions) {
  RunEveryPosition(FaultMode::kEioOnce, true);
}
TEST(FaultBatteryLongTest, EnospcUntilClearedWithBackgroundCompactions) {
  RunEveryPosition(FaultMode::kEnospcUntilCleared, true);
}
TEST(FaultBatteryLongTest, EioAfterTheChangeWithBackgroundCompactions) {
  RunEveryPosition(FaultMode::kEioAfterTheChange, true);
}

}  // namespace
}  // namespace strata::test
