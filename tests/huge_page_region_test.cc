// HugePageRegion: first-fit placement in whole pages with free neighbours merged, a full region
// that says so, freed pages going back to the system, wholly used 2 MiB spans collapsed into
// huge pages (and only those) that stay whole until wholly free, and threads that never share
// a buffer.
#include "util/huge_page_region.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include "support/resident_pages.h"
#include "util/page_size.h"

namespace strata {
namespace {

constexpr size_t kKiB = 1024;
constexpr size_t kMiB = 1024 * kKiB;

TEST(HugePageRegionTest, PlacesFirstFitAndMergesFreeNeighbours) {
  if (PageSize() != 4096) GTEST_SKIP() << "the sizes below are whole 4 KiB pages";
  HugePageRegion region(64 * kMiB);
  ASSERT_EQ(region.reserved(), 64 * kMiB);
  char* a = region.Allocate(300 * kKiB);
  char* b = region.Allocate(300 * kKiB + 1);  // rounds up to whole pages
  char* c = region.Allocate(300 * kKiB);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a) % kHugePageSize, 0u) << "the region starts aligned";
  EXPECT_EQ(b, a + 300 * kKiB);
  EXPECT_EQ(c, b + 300 * kKiB + PageSize());
  EXPECT_EQ(region.allocated_bytes(), 900 * kKiB + PageSize());

  region.Free(a, 300 * kKiB);
  EXPECT_EQ(region.holes(), 1u);
  region.Free(b, 300 * kKiB + 1);
  EXPECT_EQ(region.holes(), 1u) << "b's run joined a's";
  // a and b merged: a buffer of both their sizes fits where a was, below c.
  char* ab = region.Allocate(600 * kKiB);
  EXPECT_EQ(ab, a);
  region.Free(ab, 600 * kKiB);
  region.Free(c, 300 * kKiB);
  EXPECT_EQ(region.allocated_bytes(), 0u);
  EXPECT_EQ(region.holes(), 0u) << "the last buffer's run brought the top down";
  // Everything free again: the next buffer starts at the region's start.
  char* again = region.Allocate(kMiB);
  EXPECT_EQ(again, a);
  region.Free(again, kMiB);
}

TEST(HugePageRegionTest, AFullRegionSaysSo) {
  HugePageRegion region(4 * kMiB);
  char* big = region.Allocate(3 * kMiB);
  ASSERT_NE(big, nullptr);
  EXPECT_EQ(region.Allocate(2 * kMiB), nullptr);
  EXPECT_EQ(region.Allocate(5 * kMiB), nullptr) << "larger than the whole region";
  char* small = region.Allocate(kMiB);
  EXPECT_NE(small, nullptr) << "the last MiB still fits";
  EXPECT_EQ(region.Allocate(1), nullptr);
  region.Free(big, 3 * kMiB);
  region.Free(small, kMiB);
  char* all = region.Allocate(4 * kMiB);
  EXPECT_NE(all, nullptr);
  region.Free(all, 4 * kMiB);
}

TEST(HugePageRegionTest, FreedPagesGoBackToTheSystem) {
  HugePageRegion region(16 * kMiB);
  const size_t n = 3 * kMiB + 100;
  char* p = region.Allocate(n);
  ASSERT_NE(p, nullptr);
  std::memset(p, 0x5a, n);
  for (size_t at = 0; at < n; at += 256 * kKiB) ASSERT_TRUE(test::PageResident(p + at)) << at;
  region.Free(p, n);
  for (size_t at = 0; at < n; at += 256 * kKiB) EXPECT_FALSE(test::PageResident(p + at)) << at;
}

TEST(HugePageRegionTest, OnlyWhollyUsedSpansBecomeHugePages) {
  if (!test::KernelCollapsesHugePages()) {
    GTEST_SKIP() << "this kernel does not collapse on request (MADV_COLLAPSE, Linux 6.1)";
  }
  HugePageRegion region(16 * kMiB);
  // Two buffers of 1 MiB: the first leaves its span half free.
  char* first = region.Allocate(kMiB);
  ASSERT_NE(first, nullptr);
  std::memset(first, 1, kMiB);
  EXPECT_EQ(region.huge_spans(), 0u);
  char* second = region.Allocate(kMiB);
  ASSERT_EQ(second, first + kMiB);
  ASSERT_EQ(region.huge_spans(), 1u) << "the span is wholly in use now";
  EXPECT_EQ(test::AnonHugePagesKiBAt(first), 2048);
  std::memset(second, 2, kMiB);
  EXPECT_EQ(first[0], 1) << "collapsing kept what the first buffer held";
  EXPECT_EQ(first[kMiB - 1], 1);

  // Freeing half the span keeps it whole: the freed pages stay in the huge page (no split)
  // and serve the next buffer that fits there.
  region.Free(first, kMiB);
  EXPECT_EQ(region.huge_spans(), 1u);
  EXPECT_EQ(test::AnonHugePagesKiBAt(second), 2048);
  EXPECT_EQ(second[0], 2);
  EXPECT_EQ(second[kMiB - 1], 2);
  char* refill = region.Allocate(kMiB / 2);
  EXPECT_EQ(refill, first);

  // A buffer over 1.5 spans: only its whole span is collapsed.
  char* wide = region.Allocate(3 * kMiB);
  ASSERT_NE(wide, nullptr);
  EXPECT_EQ(wide, second + kMiB) << "the free half MiB below is too small";
  EXPECT_EQ(region.huge_spans(), 2u);

  // Once the whole span is free it goes back, huge page and all.
  region.Free(refill, kMiB / 2);
  region.Free(second, kMiB);
  EXPECT_EQ(region.huge_spans(), 1u) << "the wide buffer's span stays";
  EXPECT_FALSE(test::PageResident(first));
  EXPECT_FALSE(test::PageResident(second));
  EXPECT_EQ(test::AnonHugePagesKiBAt(wide), 2048);
  region.Free(wide, 3 * kMiB);
  EXPECT_EQ(region.huge_spans(), 0u);
  EXPECT_FALSE(test::PageResident(wide));
  EXPECT_FALSE(test::PageResident(wide + 2 * kMiB));
}

TEST(HugePageRegionTest, APlainRegionHasNoHugePages) {
  HugePageRegion region(16 * kMiB, /*collapse=*/false);
  char* p = region.Allocate(6 * kMiB);  // two whole spans and more
  ASSERT_NE(p, nullptr);
  std::memset(p, 3, 6 * kMiB);
  EXPECT_EQ(region.huge_spans(), 0u);
  EXPECT_EQ(test::AnonHugePagesKiBAt(p), 0) << "not even where huge pages are always on";
  region.Free(p, 6 * kMiB);
  EXPECT_FALSE(test::PageResident(p));
  EXPECT_FALSE(test::PageResident(p + 4 * kMiB));
}

TEST(HugePageRegionTest, FreedPagesOfAHugePageAreReusedFirst) {
  if (!test::KernelCollapsesHugePages()) {
    GTEST_SKIP() << "this kernel does not collapse on request (MADV_COLLAPSE, Linux 6.1)";
  }
  HugePageRegion region(16 * kMiB);
  // A hole in the first span, which therefore stays in 4 KiB pages...
  char* a = region.Allocate(kMiB / 2);
  char* b = region.Allocate(kMiB / 2);
  region.Free(a, kMiB / 2);
  // ...and a huge second span, half of which is freed (something above keeps it off the top).
  char* c1 = region.Allocate(2 * kMiB);
  char* c2 = region.Allocate(kMiB);
  char* d = region.Allocate(kMiB);
  ASSERT_NE(d, nullptr);
  ASSERT_EQ(region.huge_spans(), 1u);
  region.Free(c2, kMiB);
  EXPECT_TRUE(test::PageResident(c2)) << "kept inside the huge page";
  // First fit would take the lower hole and commit new memory; the huge page's pages go first.
  char* small = region.Allocate(kMiB / 4);
  EXPECT_EQ(small, c2);
  char* another = region.Allocate(kMiB / 4);
  EXPECT_EQ(another, c2 + kMiB / 4);
  char* third = region.Allocate(kMiB);
  EXPECT_EQ(third, d + kMiB) << "neither hole is large enough";
  for (auto [p, n] : {std::pair{b, kMiB / 2},
                      {c1, 2 * kMiB},
                      {d, kMiB},
                      {small, kMiB / 4},
                      {another, kMiB / 4},
                      {third, kMiB}}) {
    region.Free(p, n);
  }
  EXPECT_EQ(region.allocated_bytes(), 0u);
  EXPECT_EQ(region.huge_spans(), 0u);
}

TEST(HugePageRegionTest, ThreadsNeverShareABuffer) {
  HugePageRegion region(64 * kMiB);
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&region, &failures, t] {
      std::mt19937 rng(t);
      std::vector<std::pair<char*, size_t>> held;
      for (int i = 0; i < 300; i++) {
        if (!held.empty() && (held.size() >= 4 || rng() % 2 == 0)) {
          auto [p, n] = held[rng() % held.size()];
          // Every byte still this thread's: no other buffer overlapped it meanwhile.
          for (size_t at = 0; at < n; at += 4096) failures[t] += p[at] != static_cast<char>(t + 1);
          failures[t] += p[n - 1] != static_cast<char>(t + 1);
          region.Free(p, n);
          std::erase(held, std::pair<char*, size_t>(p, n));
          continue;
        }
        const size_t n = 128 * kKiB + rng() % (2 * kMiB);
        char* p = region.Allocate(n);
        if (p == nullptr) continue;  // full for now
        std::memset(p, t + 1, n);
        held.emplace_back(p, n);
      }
      for (auto [p, n] : held) region.Free(p, n);
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; t++) EXPECT_EQ(failures[t], 0) << "thread " << t;
  EXPECT_EQ(region.allocated_bytes(), 0u);
}

}  // namespace
}  // namespace strata
