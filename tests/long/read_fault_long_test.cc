// The long read-fault run (ctest -L long): a read fault at every reading file operation of
// the workload (tests/support/read_fault_battery.h).
#include <gtest/gtest.h>

#include <chrono>

#include "support/read_fault_battery.h"
#include "support/test_util.h"

namespace strata::test {
namespace {

TEST(ReadFaultLongTest, EveryPosition) {
  TempDir dir;
  ReadFaultOptions options;
  const auto start = std::chrono::steady_clock::now();
  ReadFaultResult r = RunReadFaultBattery(dir.path(), options);
  PrintReadFaultResult(
      r, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  EXPECT_EQ(0u, r.violations);
  EXPECT_GE(r.runs, r.reads);
}

}  // namespace
}  // namespace strata::test
