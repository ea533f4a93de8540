// HugePagePool: blocks put back come out again (up to the bound; beyond it they leave the
// address space), a fresh block is faulted in ahead, and an arena returns its blocks to it.
#include "util/huge_page_pool.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <set>

#include "util/arena.h"
#include "util/large_memory.h"
#include "util/sanitizers.h"

namespace strata {
namespace {

// True if the page at p is part of the address space (mincore fails with ENOMEM on a range
// that is not mapped).
bool Mapped(const char* p) {
  unsigned char vec = 0;
  return ::mincore(const_cast<char*>(p), 1, &vec) == 0 || errno != ENOMEM;
}

TEST(HugePagePoolTest, ABlockPutBackComesOutAgain) {
  HugePagePool pool(4);
  char* a = pool.Get();
  if (a == nullptr) GTEST_SKIP() << "no huge-page mappings on this system";
  char* b = pool.Get();
  ASSERT_NE(b, nullptr);
  EXPECT_NE(a, b);
  for (char* block : {a, b}) {
    EXPECT_EQ(reinterpret_cast<uintptr_t>(block) % kHugePageBytes, 0u);
    std::memset(block, 0x5a, kHugePageBytes);  // all of it is usable
  }
  pool.Put(a);
  EXPECT_EQ(pool.pooled(), 1u);
  EXPECT_EQ(pool.Get(), a) << "the pooled block before a fresh one";
  EXPECT_EQ(static_cast<unsigned char>(a[kHugePageBytes - 1]), 0x5a) << "not remapped";
  EXPECT_EQ(pool.pooled(), 0u);
  pool.Put(a);
  pool.Put(b);
}

TEST(HugePagePoolTest, BeyondItsBoundABlockIsUnmapped) {
  HugePagePool pool(1);
  char* a = pool.Get();
  if (a == nullptr) GTEST_SKIP() << "no huge-page mappings on this system";
  char* b = pool.Get();
  ASSERT_NE(b, nullptr);
  pool.Put(a);
  pool.Put(b);
  EXPECT_EQ(pool.pooled(), 1u);
  EXPECT_TRUE(Mapped(a));
  EXPECT_FALSE(Mapped(b)) << "put back beyond the bound";
}

// The reason for the prefaulter: a fresh block's pages are already there when it is taken.
TEST(HugePagePoolTest, AFreshBlockIsFaultedInAhead) {
  if (STRATA_TSAN) GTEST_SKIP() << "ThreadSanitizer's shadow pages fault on the writer's thread";
  HugePagePool pool(0);
  char* first = pool.Get();  // asks the prefaulter for the next
  if (first == nullptr) GTEST_SKIP() << "no huge-page mappings on this system";
  pool.WaitUntilPrepared();
  char* prepared = pool.Get();
  ASSERT_NE(prepared, nullptr);
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  auto faults_of_filling = [&](char* p) {
    rusage before{};
    ::getrusage(RUSAGE_THREAD, &before);
    for (size_t i = 0; i < kHugePageBytes; i += page) p[i] = 1;
    rusage after{};
    ::getrusage(RUSAGE_THREAD, &after);
    return after.ru_minflt - before.ru_minflt;
  };
  const long prepared_faults = faults_of_filling(prepared);
  char* fresh = MapHugePage();  // the control: mapped here, not faulted in
  ASSERT_NE(fresh, nullptr);
  const long fresh_faults = faults_of_filling(fresh);
  UnmapHugePage(fresh);
  EXPECT_EQ(prepared_faults, 0) << "the control took " << fresh_faults;
  EXPECT_GE(fresh_faults, 1) << "the control must fault";
  pool.Put(first);
  pool.Put(prepared);
}

TEST(HugePagePoolTest, AnArenaReturnsItsBlocks) {
  char* probe = MapHugePage();
  if (probe == nullptr) GTEST_SKIP() << "no huge-page mappings on this system";
  UnmapHugePage(probe);
  auto pool = std::make_shared<HugePagePool>(8);
  auto block_of = [](const char* p) {
    return reinterpret_cast<uintptr_t>(p) & ~(uintptr_t{kHugePageBytes} - 1);
  };
  std::set<uintptr_t> blocks;
  {
    Arena arena(Arena::kDefaultBlockSize, Arena::Blocks::kHugePages, pool);
    char* p = arena.Allocate(100);
    blocks.insert(block_of(p));
    while (arena.MemoryUsage() < 2 * Arena::kHugePageSize) p = arena.Allocate(100000);
    blocks.insert(block_of(p));
  }
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(pool->pooled(), 2u) << "both blocks came back";
  Arena next(Arena::kDefaultBlockSize, Arena::Blocks::kHugePages, pool);
  EXPECT_EQ(blocks.count(block_of(next.Allocate(100))), 1u) << "a block of the first arena";
  EXPECT_EQ(pool->pooled(), 1u);
}

}  // namespace
}  // namespace strata
