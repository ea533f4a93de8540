// BlockBuffer: sizes, reuse through the freeing thread's list, the list's bounds, and (under
// AddressSanitizer) poisoning of the bytes nobody asked for. Each case runs on a fresh thread
// so it starts with an empty list.
#include "sstable/block_buffer.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "util/sanitizers.h"
#if STRATA_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace strata {
namespace {

template <class F>
void OnFreshThread(F f) {
  std::thread t(f);
  t.join();
}

TEST(BlockBufferTest, CapacityCoversTheRequestRoundedUp) {
  OnFreshThread([] {
    EXPECT_FALSE(BlockBuffer());
    BlockBuffer empty = BlockBuffer::Allocate(0);
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty.capacity(), BlockBuffer::kGranularity);
    EXPECT_EQ(BlockBuffer::Allocate(256).capacity(), 256u);
    EXPECT_EQ(BlockBuffer::Allocate(4097).capacity(), 4352u);
    EXPECT_EQ(BlockBuffer::Allocate(1 << 20).capacity(), size_t{1} << 20);
  });
}

TEST(BlockBufferTest, AFreedBufferServesTheThreadsNextBlock) {
  OnFreshThread([] {
    EXPECT_EQ(BlockBuffer::SparesOnThisThread(), 0u);
    char* first;
    {
      BlockBuffer b = BlockBuffer::Allocate(4100);
      first = b.data();
    }
    EXPECT_EQ(BlockBuffer::SparesOnThisThread(), 1u);
    // A slightly larger block fits the same rounded capacity.
    BlockBuffer again = BlockBuffer::Allocate(4200);
    EXPECT_EQ(again.data(), first);
    EXPECT_EQ(again.capacity(), 4352u);
    EXPECT_EQ(BlockBuffer::SparesOnThisThread(), 0u);
  });
}

TEST(BlockBufferTest, ASmallBlockDoesNotTakeALargeSpare) {
  OnFreshThread([] {
    { BlockBuffer big = BlockBuffer::Allocate(16 * 1024); }
    BlockBuffer small = BlockBuffer::Allocate(1000);
    EXPECT_EQ(small.capacity(), 1024u);
    EXPECT_EQ(BlockBuffer::SparesOnThisThread(), 1u);    // the 16 KiB one is still spare
    BlockBuffer fits = BlockBuffer::Allocate(9 * 1024);  // at most half of it wasted
    EXPECT_EQ(fits.capacity(), 16u * 1024);
    EXPECT_EQ(BlockBuffer::SparesOnThisThread(), 0u);
  });
}

TEST(BlockBufferTest, TheListIsBoundedAndLargeBuffersAreNotKept) {
  OnFreshThread([] {
    { BlockBuffer huge = BlockBuffer::Allocate(BlockBuffer::kMaxPooledCapacity + 1); }
    EXPECT_EQ(BlockBuffer::SparesOnThisThread(), 0u);
    {
      std::vector<BlockBuffer> many;
      for (size_t i = 0; i < 3 * BlockBuffer::kPooledPerThread; i++) {
        many.push_back(BlockBuffer::Allocate(4096));
      }
    }
    EXPECT_EQ(BlockBuffer::SparesOnThisThread(), BlockBuffer::kPooledPerThread);
  });
}

TEST(BlockBufferTest, ABufferFreedOnAnotherThreadJoinsThatThreadsList) {
  OnFreshThread([] {
    BlockBuffer b = BlockBuffer::Allocate(4096);
    char* p = b.data();
    size_t spares_there = 0;
    char* reused_there = nullptr;
    std::thread other([&] {
      { BlockBuffer moved = std::move(b); }
      spares_there = BlockBuffer::SparesOnThisThread();
      reused_there = BlockBuffer::Allocate(4096).data();
    });
    other.join();
    EXPECT_FALSE(b);
    EXPECT_EQ(spares_there, 1u);
    EXPECT_EQ(reused_there, p);
    EXPECT_EQ(BlockBuffer::SparesOnThisThread(), 0u);
  });
}

TEST(BlockBufferTest, MoveAssignmentReleasesTheOldBuffer) {
  OnFreshThread([] {
    BlockBuffer a = BlockBuffer::Allocate(100);
    BlockBuffer b = BlockBuffer::Allocate(5000);
    char* bp = b.data();
    a = std::move(b);
    EXPECT_EQ(a.data(), bp);
    EXPECT_EQ(a.capacity(), 5120u);
    EXPECT_FALSE(b);
    EXPECT_EQ(b.capacity(), 0u);
    EXPECT_EQ(BlockBuffer::SparesOnThisThread(), 1u);  // a's first buffer
  });
}

TEST(BlockBufferTest, BytesNobodyAskedForArePoisonedUnderAddressSanitizer) {
#if !STRATA_ASAN
  GTEST_SKIP() << "needs AddressSanitizer";
#else
  OnFreshThread([] {
    char* p;
    {
      BlockBuffer b = BlockBuffer::Allocate(4100);
      p = b.data();
      EXPECT_FALSE(__asan_address_is_poisoned(p + 4099));
      EXPECT_TRUE(__asan_address_is_poisoned(p + 4100));  // past the block, within capacity
    }
    EXPECT_TRUE(__asan_address_is_poisoned(p));  // spare: any use is a use after free
    BlockBuffer again = BlockBuffer::Allocate(4000);
    ASSERT_EQ(again.data(), p);
    EXPECT_FALSE(__asan_address_is_poisoned(p + 3999));
    EXPECT_TRUE(__asan_address_is_poisoned(p + 4000));
  });
#endif
}

}  // namespace
}  // namespace strata
