// The long kill-and-verify run (ctest -L long). STRATA_CRASH_CYCLES overrides the count.
#include <gtest/gtest.h>

#include <cstdlib>

#include "support/crash_workload.h"
#include "support/test_util.h"

namespace strata::test {
namespace {

int Cycles() {
  const char* env = std::getenv("STRATA_CRASH_CYCLES");
  return env ? std::atoi(env) : 200;
}

TEST(CrashLongTest, SyncWrites) {
  TempDir dir;
  CrashOptions options;
  options.sync = true;
  options.cycles = Cycles();
  options.min_kill_ms = 5;
  options.max_kill_ms = 150;
  options.seed = 1234;
  EXPECT_GT(RunCrashCycles(dir.Child("db"), options), 0u);
}

TEST(CrashLongTest, UnsyncedWrites) {
  TempDir dir;
  CrashOptions options;
  options.sync = false;
  options.cycles = Cycles();
  options.min_kill_ms = 1;
  options.max_kill_ms = 60;
  options.seed = 4321;
  EXPECT_GT(RunCrashCycles(dir.Child("db"), options), 0u);
}

TEST(CrashLongTest, WritesDuringFlushes) {
  TempDir dir;
  CrashOptions options;
  options.sync = false;
  options.cycles = Cycles();
  options.min_kill_ms = 20;
  options.max_kill_ms = 300;
  options.seed = 777;
  options.write_buffer_size = 64 << 10;
  EXPECT_GT(RunCrashCycles(dir.Child("db"), options), 0u);
}

}  // namespace
}  // namespace strata::test
