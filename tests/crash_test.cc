// A child process writing to the database is killed with SIGKILL at random moments; every
// acknowledged batch must survive and no batch may be half applied. A short run here; the
// "long" label runs many more cycles (tests/long/crash_long_test.cc).
#include <gtest/gtest.h>

#include "support/crash_workload.h"
#include "support/test_util.h"

namespace strata::test {
namespace {

TEST(CrashTest, SyncWritesSurviveKill) {
  TempDir dir;
  CrashOptions options;
  options.sync = true;
  options.cycles = 8;
  options.min_kill_ms = 20;
  options.max_kill_ms = 120;
  EXPECT_GT(RunCrashCycles(dir.Child("db"), options), 0u);
}

TEST(CrashTest, UnsyncedWritesSurviveProcessKill) {
  TempDir dir;
  CrashOptions options;
  options.sync = false;
  options.cycles = 12;
  options.seed = 7;
  // Up to 80 ms (the default) was too short under AddressSanitizer on a loaded machine:
  // every kill landed before the child's first acknowledged batch, so nothing was checked.
  options.min_kill_ms = 20;
  options.max_kill_ms = 250;
  EXPECT_GT(RunCrashCycles(dir.Child("db"), options), 0u);
}

// Small memtables: kills land while memtables switch, tables are written and the MANIFEST
// and logs change.
TEST(CrashTest, WritesSurviveKillDuringFlushes) {
  TempDir dir;
  CrashOptions options;
  options.sync = false;
  options.cycles = 12;
  options.seed = 11;
  options.min_kill_ms = 50;
  options.max_kill_ms = 250;
  options.write_buffer_size = 64 << 10;
  EXPECT_GT(RunCrashCycles(dir.Child("db"), options), 0u);
}

}  // namespace
}  // namespace strata::test
