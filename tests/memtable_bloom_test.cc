#include "memtable/memtable_bloom.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>

#include "support/test_util.h"
#include "util/checksum.h"

namespace strata {
namespace {

uint64_t KeyHash(int i) { return Hash64(test::NumberKey(i)); }

TEST(MemTableBloomTest, EveryAddedKeyMayBeThere) {
  auto bloom = MemTableBloom::Create(64 << 10);
  ASSERT_NE(bloom, nullptr);
  EXPECT_EQ(bloom->size(), 64u << 10);
  for (int i = 0; i < 50000; i++) bloom->Add(KeyHash(i));
  for (int i = 0; i < 50000; i++) ASSERT_TRUE(bloom->MayContain(KeyHash(i))) << i;
}

TEST(MemTableBloomTest, AnEmptyFilterRulesOutEverything) {
  auto bloom = MemTableBloom::Create(4096);
  ASSERT_NE(bloom, nullptr);
  for (int i = 0; i < 1000; i++) ASSERT_FALSE(bloom->MayContain(KeyHash(i)));
}

// At 10 bits a key the table filter's kind-1 layout gives about 1% false positives; the
// memtable's uses the same positions.
TEST(MemTableBloomTest, FalsePositivesAtTenBitsAKey) {
  const int kKeys = 100000;
  auto bloom = MemTableBloom::Create(kKeys * 10 / 8);
  ASSERT_NE(bloom, nullptr);
  for (int i = 0; i < kKeys; i++) bloom->Add(KeyHash(i));
  int positives = 0;
  for (int i = kKeys; i < 2 * kKeys; i++) positives += bloom->MayContain(KeyHash(i)) ? 1 : 0;
  const double rate = static_cast<double>(positives) / kKeys;
  EXPECT_GT(rate, 0.002);
  EXPECT_LT(rate, 0.02);
}

TEST(MemTableBloomTest, SizeRoundsDownToWholeLinesAndIsCapped) {
  EXPECT_EQ(MemTableBloom::Create(64)->size(), 64u);
  EXPECT_EQ(MemTableBloom::Create(200)->size(), 192u);
  EXPECT_EQ(MemTableBloom::Create(0), nullptr);
  EXPECT_EQ(MemTableBloom::Create(63), nullptr);
  // A write buffer of a terabyte at the largest ratio asks for 256 GiB: it gets the cap.
  EXPECT_EQ(MemTableBloom::Create(size_t{1} << 38)->size(), MemTableBloom::kMaxBytes);
}

// A reader that learns of a key through a release/acquire pair after Add finds it.
TEST(MemTableBloomTest, AReaderSeesWhatWasPublished) {
  auto bloom = MemTableBloom::Create(16 << 10);
  ASSERT_NE(bloom, nullptr);
  const int kKeys = 20000;
  std::atomic<int> published{0};
  std::thread reader([&] {
    int seen = 0;
    while (seen < kKeys) {
      seen = published.load(std::memory_order_acquire);
      for (int i = std::max(0, seen - 64); i < seen; i++) {
        ASSERT_TRUE(bloom->MayContain(KeyHash(i))) << i;
      }
    }
  });
  for (int i = 0; i < kKeys; i++) {
    bloom->Add(KeyHash(i));
    published.store(i + 1, std::memory_order_release);
  }
  reader.join();
}

}  // namespace
}  // namespace strata
