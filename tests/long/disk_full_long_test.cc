// The long disk-full run (ctest -L long): many fill-and-free cycles on one database, which
// resumes by itself after each (tests/support/disk_full_workload.h). STRATA_DISK_FULL_CYCLES
// overrides the cycles per seed (default 250; four seeds).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>

#include "support/disk_full_workload.h"
#include "support/test_util.h"

namespace strata::test {
namespace {

class DiskFullLongTest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(DiskFullLongTest, ResumesAfterEveryFullDiskAndLosesNothing) {
  TempDir dir;
  DiskFullOptions options;
  const char* env = std::getenv("STRATA_DISK_FULL_CYCLES");
  options.cycles = env ? std::atoi(env) : 250;
  options.reopen_every = 10;
  options.seed = GetParam();
  const auto start = std::chrono::steady_clock::now();
  DiskFullResult r = RunDiskFullCycles(dir.path(), options);
  PrintDiskFullResult(
      r, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  EXPECT_EQ(0u, r.violations);
  EXPECT_EQ(static_cast<uint64_t>(options.cycles), r.cycles);
}

INSTANTIATE_TEST_SUITE_P(Seeds, DiskFullLongTest, ::testing::Values(11, 22, 33, 44));

}  // namespace
}  // namespace strata::test
