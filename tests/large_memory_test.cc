// AllocateLarge / FreeLarge: usable, aligned memory on both sides of the mapping threshold, and
// a freed buffer's memory goes back to the system at once (the reason it exists).
#include "util/large_memory.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "support/resident_pages.h"
#include "util/sanitizers.h"

namespace strata {
namespace {

TEST(LargeMemoryTest, EverySizeIsUsableAndAligned) {
  for (size_t n : {size_t{1}, size_t{64}, size_t{4097}, kMinMappedBytes - 1, kMinMappedBytes,
                   kMinMappedBytes + 1, size_t{3} << 20}) {
    char* p = AllocateLarge(n);
    ASSERT_NE(p, nullptr) << n;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % kLargeAlignment, 0u) << n;
    std::memset(p, 0xab, n);
    EXPECT_EQ(static_cast<unsigned char>(p[0]), 0xab);
    EXPECT_EQ(static_cast<unsigned char>(p[n - 1]), 0xab);
    FreeLarge(p, n);
  }
  FreeLarge(nullptr, kMinMappedBytes);  // a no-op, like free(nullptr)
}

TEST(LargeMemoryTest, AFreedLargeBufferGoesBackToTheSystem) {
  if (STRATA_ASAN) GTEST_SKIP() << "under AddressSanitizer every size comes from operator new";
  const size_t n = kMinMappedBytes * 4 + 100;
  // What a long-running process has done by now: freed a large malloc chunk, which (with
  // glibc, unless MALLOC_MMAP_THRESHOLD_ is set) raises the size malloc maps on its own above
  // n, so that malloc would now keep a buffer of n bytes in an arena after it is freed.
  // Through a volatile pointer: a compiler may drop an allocation nobody reads.
  {
    void* volatile big = std::malloc(size_t{8} << 20);
    std::free(big);
  }
#if defined(__GLIBC__) && !STRATA_TSAN
  {
    void* volatile control = std::malloc(n);
    ASSERT_NE(control, nullptr);
    std::memset(control, 1, n);
    std::free(control);
    EXPECT_TRUE(test::PageResident(static_cast<char*>(control)))
        << "malloc now keeps such a buffer: the case this guards";
  }
#endif
  char* p = AllocateLarge(n);
  ASSERT_NE(p, nullptr);
  std::memset(p, 1, n);
  char* last = p + n - 1;
  ASSERT_TRUE(test::PageResident(p));
  ASSERT_TRUE(test::PageResident(last));
  FreeLarge(p, n);
  // malloc would have kept the memory in an arena; these pages are the system's again.
  EXPECT_FALSE(test::PageResident(p));
  EXPECT_FALSE(test::PageResident(last));
}

TEST(LargeMemoryTest, HugePagesOnlyOnceTurnedOn) {
  if (STRATA_ASAN) GTEST_SKIP() << "under AddressSanitizer every size comes from operator new";
  if (!test::KernelCollapsesHugePages()) {
    GTEST_SKIP() << "this kernel does not collapse on request (MADV_COLLAPSE, Linux 6.1)";
  }
  SetLargeMemoryHugePages(false);
  const size_t n = size_t{6} << 20;  // holds at least two whole 2 MiB spans wherever it lands
  char* off = AllocateLarge(n);
  ASSERT_NE(off, nullptr);
  std::memset(off, 7, n);
  EXPECT_EQ(test::AnonHugePagesKiBAt(off), 0);
  SetLargeMemoryHugePages(true);
  char* on = AllocateLarge(n);
  ASSERT_NE(on, nullptr);
  EXPECT_GE(LargeMemoryHugeSpans(), 2u);
  std::memset(on, 7, n);
  EXPECT_EQ(on[n - 1], 7);
  EXPECT_GT(test::AnonHugePagesKiBAt(on), 0);
  FreeLarge(on, n);
  FreeLarge(off, n);
  EXPECT_EQ(LargeMemoryHugeSpans(), 0u);
  SetLargeMemoryHugePages(false);
}

}  // namespace
}  // namespace strata
