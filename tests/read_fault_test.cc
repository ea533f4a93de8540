// Read-side faults (EIO on open, read, file size and directory listing) met by Open, Gets,
// scans, flushes and compactions: a clear IOError from the call that met it, never a wrong
// value, and the right data once the fault is gone (tests/support/read_fault_battery.h). This
// run tries the first 30 fault positions (Open's) and every 29th after; the long run
// (tests/long/read_fault_long_test.cc) tries every one.
#include <gtest/gtest.h>

#include <chrono>

#include "support/read_fault_battery.h"
#include "support/test_util.h"

namespace strata::test {
namespace {

TEST(ReadFaultTest, EveryReadFaultIsReportedAndLeavesNoTrace) {
  TempDir dir;
  ReadFaultOptions options;
  options.stride = 29;
  const auto start = std::chrono::steady_clock::now();
  ReadFaultResult r = RunReadFaultBattery(dir.path(), options);
  PrintReadFaultResult(
      r, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  EXPECT_EQ(0u, r.violations);
  EXPECT_GT(r.reads, 100u);
  EXPECT_GT(r.reported, r.runs / 2) << "most faults must reach a caller";
  uint64_t tables = 0, logs = 0;
  for (const auto& [where, count] : r.landed) {
    if (where.ends_with(" table")) tables += count;
    if (where.ends_with(" log")) logs += count;
  }
  EXPECT_GT(tables, 10u);
  EXPECT_GT(logs, 0u);
}

}  // namespace
}  // namespace strata::test
