#include "util/arena.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "util/page_size.h"
#include "util/random.h"

namespace strata {
namespace {

TEST(ArenaTest, EmptyUsesNothing) {
  Arena arena;
  EXPECT_EQ(arena.MemoryUsage(), 0u);
}

TEST(ArenaTest, AlignedAllocationsAreAlignedAndDisjoint) {
  Arena arena;
  Random rnd(301);
  std::vector<std::pair<char*, size_t>> allocated;
  for (int i = 0; i < 5000; i++) {
    size_t bytes = 1 + rnd.Uniform(i % 50 == 0 ? 3000 : 40);
    char* p;
    if (rnd.OneIn(2)) {
      p = arena.Allocate(bytes);  // leaves the bump pointer at odd offsets
    } else {
      size_t alignment = size_t{1} << rnd.Uniform(5);  // 1 .. 16
      p = i % 3 == 0 ? arena.AllocateAligned(bytes) : arena.AllocateAligned(bytes, alignment);
      size_t want = i % 3 == 0 ? alignof(std::max_align_t) : alignment;
      ASSERT_EQ(reinterpret_cast<uintptr_t>(p) % want, 0u) << "bytes " << bytes;
    }
    // Fill with a per-allocation pattern; overlapping allocations would clobber each other.
    for (size_t b = 0; b < bytes; b++) p[b] = static_cast<char>(i + b);
    allocated.emplace_back(p, bytes);
  }
  for (size_t i = 0; i < allocated.size(); i++) {
    auto [p, bytes] = allocated[i];
    for (size_t b = 0; b < bytes; b++) {
      ASSERT_EQ(p[b], static_cast<char>(i + b)) << "allocation " << i << " byte " << b;
    }
  }
}

#if defined(__linux__)
#include <sys/prctl.h>
#include <unistd.h>

// The "THPeligible:" line of the mapping of /proc/self/smaps that holds p, or "" if none.
std::string HugePageEligibility(const void* p) {
  std::ifstream smaps("/proc/self/smaps");
  const auto addr = reinterpret_cast<uintptr_t>(p);
  bool inside = false;
  for (std::string line; std::getline(smaps, line);) {
    unsigned long lo = 0, hi = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx ", &lo, &hi) == 2) {  // a mapping's first line
      inside = lo <= addr && addr < hi;
    } else if (inside && line.rfind("THPeligible:", 0) == 0) {
      return line;
    }
  }
  return "";
}
#endif

TEST(ArenaTest, HugePageBlocksAreAlignedAccountedAndAdvised) {
  Arena arena(Arena::kDefaultBlockSize, Arena::Blocks::kHugePages);
  char* first = arena.Allocate(100);
  EXPECT_EQ(arena.MemoryUsage(), Arena::kHugePageSize + sizeof(char*));
#if defined(__linux__)
  EXPECT_EQ(reinterpret_cast<uintptr_t>(first) % Arena::kHugePageSize, 0u)
      << "a block starts on a huge-page boundary, or the kernel cannot back it with one";
#endif
  // Fill past the first block: the second is a huge-page block too, and nothing overlaps.
  std::vector<char*> entries{first};
  while (arena.MemoryUsage() < 2 * Arena::kHugePageSize) entries.push_back(arena.Allocate(100));
  for (size_t i = 0; i < entries.size(); i++) std::memset(entries[i], static_cast<int>(i), 100);
  for (size_t i = 0; i < entries.size(); i++) {
    ASSERT_EQ(entries[i][0], static_cast<char>(i));
    ASSERT_EQ(entries[i][99], static_cast<char>(i));
  }
#if defined(__linux__)
  EXPECT_EQ(reinterpret_cast<uintptr_t>(entries.back()) % Arena::kHugePageSize, 0u);
#endif
  // A request the current block cannot hold gets a block of exactly its size.
  const size_t before = arena.MemoryUsage();
  arena.Allocate(Arena::kHugePageSize);
  EXPECT_EQ(arena.MemoryUsage(), before + Arena::kHugePageSize + sizeof(char*));
#if defined(__linux__)
  std::ifstream thp("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string mode;
  std::getline(thp, mode);
  const std::string eligible = HugePageEligibility(first);
  // Whether the kernel may back the block with a huge page at all: THP built in and not
  // off, not disabled for this process, 4 KiB base pages (2 MiB is then a huge page), and
  // a kernel that reports eligibility.
  if (mode.empty() || mode.find("[never]") != std::string::npos ||
      prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) == 1 || PageSize() != 4096 || eligible.empty()) {
    GTEST_SKIP() << "transparent huge pages unavailable here (" << mode << ")";
  }
  EXPECT_NE(eligible.find('1'), std::string::npos) << eligible;
#endif
}

TEST(ArenaTest, LargeAllocationGetsItsOwnBlock) {
  Arena arena;
  char* small = arena.Allocate(10);
  size_t one_block = arena.MemoryUsage();
  EXPECT_GE(one_block, Arena::kDefaultBlockSize);

  const size_t large = 3 * Arena::kDefaultBlockSize;
  char* big = arena.AllocateAligned(large);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(big) % alignof(std::max_align_t), 0u);
  for (size_t i = 0; i < large; i++) big[i] = 'x';
  size_t with_large = arena.MemoryUsage();
  EXPECT_GE(with_large, one_block + large);

  // The current block is kept: the next small request is served from it, right after `small`.
  char* next = arena.Allocate(10);
  EXPECT_EQ(next, small + 10);
  EXPECT_EQ(arena.MemoryUsage(), with_large);

  // Whatever fits in the current block is carved from it, large or not.
  const size_t fill = Arena::kDefaultBlockSize - 20 - 100;
  char* filler = arena.Allocate(fill);
  EXPECT_EQ(filler, next + 10);
  EXPECT_EQ(arena.MemoryUsage(), with_large);

  // 100 bytes remain. Just over a quarter block does not fit and gets a block of its own...
  arena.Allocate(Arena::kDefaultBlockSize / 4 + 1);
  size_t with_second_large = arena.MemoryUsage();
  EXPECT_GE(with_second_large, with_large + Arena::kDefaultBlockSize / 4 + 1);
  EXPECT_LT(with_second_large, with_large + Arena::kDefaultBlockSize);
  EXPECT_EQ(arena.Allocate(1), filler + fill);

  // ...while a small request that does not fit abandons the remainder for a new block.
  arena.Allocate(Arena::kDefaultBlockSize / 4);
  EXPECT_GE(arena.MemoryUsage(), with_second_large + Arena::kDefaultBlockSize);
}

TEST(ArenaTest, UsageTracksAllocatedBytes) {
  Arena arena;
  Random rnd(7);
  size_t bytes = 0;
  const int kCount = 100000;
  for (int i = 0; i < kCount; i++) {
    size_t s;
    if (i % (kCount / 10) == 0) {
      s = i;
    } else {
      s = rnd.OneIn(4000) ? rnd.Uniform(6000)
                          : (rnd.OneIn(10) ? rnd.Uniform(100) : rnd.Uniform(20));
    }
    if (s == 0) s = 1;  // the arena requires a positive size
    char* p = rnd.OneIn(10) ? arena.AllocateAligned(s) : arena.Allocate(s);
    p[0] = 1;
    p[s - 1] = 2;
    bytes += s;
    ASSERT_GE(arena.MemoryUsage(), bytes);
    if (i > kCount / 10) {
      // Waste is bounded: at most a quarter block per block, plus alignment and bookkeeping.
      ASSERT_LE(arena.MemoryUsage(), bytes * 1.10) << "after " << i << " allocations";
    }
  }
}

TEST(ArenaTest, CustomBlockSize) {
  Arena arena(64 * 1024);
  arena.Allocate(100);
  EXPECT_GE(arena.MemoryUsage(), 64u * 1024);
  EXPECT_LT(arena.MemoryUsage(), 64u * 1024 + 64);
  arena.Allocate(20000);  // under a quarter of 64 KiB: same block
  EXPECT_LT(arena.MemoryUsage(), 64u * 1024 + 64);
}

TEST(ArenaTest, UsageReadableWhileAllocating) {
  Arena arena;
  std::atomic<bool> done{false};
  std::thread reader([&] {
    size_t last = 0;
    while (!done.load(std::memory_order_acquire)) {
      size_t now = arena.MemoryUsage();
      EXPECT_GE(now, last);  // one writer: the count never goes down
      last = now;
    }
  });
  for (int i = 0; i < 20000; i++) arena.Allocate(1 + i % 100);
  done.store(true, std::memory_order_release);
  reader.join();
  EXPECT_GE(arena.MemoryUsage(), 20000u);
}

}  // namespace
}  // namespace strata
