// ProcessStatusKiB: a field of /proc/self/status follows the memory the process touches, and a
// field that is not there (or only a prefix of one) is -1.
#include "util/process_status.h"

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cstring>

namespace strata {
namespace {

TEST(ProcessStatusTest, AnonymousMemoryFollowsTouchedPages) {
  EXPECT_EQ(ProcessStatusKiB("NoSuchField"), -1);
  EXPECT_EQ(ProcessStatusKiB("RssAn"), -1) << "a prefix of a field is not the field";
  const int64_t before = ProcessStatusKiB("RssAnon");
  if (before < 0) GTEST_SKIP() << "no RssAnon in /proc/self/status";
  constexpr size_t kBytes = 64 << 20;
  void* p = ::mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(p, MAP_FAILED);
  std::memset(p, 1, kBytes);
  const int64_t touched = ProcessStatusKiB("RssAnon");
  ASSERT_EQ(::munmap(p, kBytes), 0);
  const int64_t after = ProcessStatusKiB("RssAnon");
  EXPECT_GE(touched - before, int64_t{56} << 10) << "64 MiB touched";
  EXPECT_GE(touched - after, int64_t{56} << 10) << "64 MiB unmapped";
}

}  // namespace
}  // namespace strata
