#include "strata/cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "util/checksum.h"
#include "util/coding.h"
#include "util/random.h"

namespace strata {
namespace {

// Records every deleter call: (key, value number) in call order.
class DeleteLog {
 public:
  void Add(std::string_view key, int value) {
    std::lock_guard<std::mutex> lock(mu_);
    entries_.emplace_back(std::string(key), value);
  }
  std::vector<std::pair<std::string, int>> entries() const {
    std::lock_guard<std::mutex> lock(mu_);
    return entries_;
  }
  size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return entries_.size();
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::pair<std::string, int>> entries_;
};

// A cached value: a number, and the log its deletion goes to.
struct TestValue {
  int number;
  DeleteLog* log;
};

void DeleteTestValue(std::string_view key, void* value) {
  auto* v = static_cast<TestValue*>(value);
  v->log->Add(key, v->number);
  delete v;
}

using Entries = std::vector<std::pair<std::string, int>>;

class CacheTest : public ::testing::Test {
 protected:
  // One shard unless a test says otherwise, so that eviction order is global.
  void Reset(size_t capacity, int shard_bits = 0) { cache_ = NewLRUCache(capacity, shard_bits); }

  Cache::Handle* InsertHandle(std::string_view key, int number, size_t charge = 1) {
    return cache_->Insert(key, new TestValue{number, &log_}, charge, &DeleteTestValue);
  }
  void Insert(std::string_view key, int number, size_t charge = 1) {
    cache_->Release(InsertHandle(key, number, charge));
  }
  // The number cached for key, or -1.
  int Lookup(std::string_view key) {
    Cache::Handle* h = cache_->Lookup(key);
    if (h == nullptr) return -1;
    const int number = Number(h);
    cache_->Release(h);
    return number;
  }
  int Number(Cache::Handle* h) { return static_cast<TestValue*>(cache_->Value(h))->number; }

  DeleteLog log_;  // declared first: outlives the cache, whose destruction logs into it
  std::shared_ptr<Cache> cache_ = NewLRUCache(1000, 0);
};

TEST_F(CacheTest, HitAndMiss) {
  EXPECT_EQ(Lookup("a"), -1);
  Insert("a", 1);
  EXPECT_EQ(Lookup("a"), 1);
  EXPECT_EQ(Lookup("b"), -1);
  Insert("b", 2);
  EXPECT_EQ(Lookup("a"), 1);
  EXPECT_EQ(Lookup("b"), 2);
  EXPECT_EQ(cache_->hits(), 3u);
  EXPECT_EQ(cache_->misses(), 2u);
  EXPECT_EQ(log_.size(), 0u);
}

TEST_F(CacheTest, KeysWithAnyBytes) {
  const std::string zero("\0", 1), zeros("\0\0", 2), high("\xff\x00\xff", 3);
  Insert("", 1);
  Insert(zero, 2);
  Insert(zeros, 3);
  Insert(high, 4);
  EXPECT_EQ(Lookup(""), 1);
  EXPECT_EQ(Lookup(zero), 2);
  EXPECT_EQ(Lookup(zeros), 3);
  EXPECT_EQ(Lookup(high), 4);
  EXPECT_EQ(Lookup(std::string("\xff\x00", 2)), -1);
}

TEST_F(CacheTest, ManyEntriesGrowTheTable) {
  Reset(100000, 2);
  std::string key(8, '\0');
  for (int i = 0; i < 20000; i++) {
    EncodeFixed64(key.data(), i);
    Insert(key, i);
  }
  for (int i = 0; i < 20000; i++) {
    EncodeFixed64(key.data(), i);
    ASSERT_EQ(Lookup(key), i);
  }
  EXPECT_EQ(cache_->usage(), 20000u);
}

// Removal from the open-addressing table moves later entries of a probe run back: whatever
// order entries leave in (erased, or evicted), every other one stays findable and none comes
// back. 4,096 keys in one shard fill its table to one half, the most it holds.
TEST_F(CacheTest, EntriesLeavingInAnyOrderKeepTheRestFindable) {
  constexpr int kKeys = 4096;
  Reset(kKeys, 0);
  std::string key(8, '\0');
  auto key_of = [&](int i) {
    EncodeFixed64(key.data(), static_cast<uint64_t>(i));
    return std::string_view(key);
  };
  for (int i = 0; i < kKeys; i++) Insert(key_of(i), i);
  std::vector<int> order(kKeys);
  for (int i = 0; i < kKeys; i++) order[i] = i;
  Random rnd(301);
  for (int i = kKeys - 1; i > 0; i--) std::swap(order[i], order[rnd.Uniform(i + 1)]);
  std::vector<int> expected(kKeys);  // the number cached for each key, -1 once erased
  for (int i = 0; i < kKeys; i++) expected[i] = i;
  for (int n = 0; n < kKeys; n++) {
    const int victim = order[n];
    if (n % 3 == 2) {
      expected[victim] = victim + kKeys;  // replaced in place
      Insert(key_of(victim), expected[victim]);
    } else {
      expected[victim] = -1;
      cache_->Erase(key_of(victim));
    }
    if (n % 250 == 0 || n == kKeys - 1) {
      for (int i = 0; i < kKeys; i++) {
        ASSERT_EQ(Lookup(key_of(i)), expected[i]) << "key " << i << " after " << n + 1;
      }
    }
  }
  // Overfill: every older entry is evicted, the new ones stay findable.
  for (int i = 0; i < kKeys; i++) Insert(key_of(kKeys * 2 + i), i);
  for (int i = 0; i < kKeys; i++) ASSERT_EQ(Lookup(key_of(kKeys * 2 + i)), i);
  for (int i = 0; i < kKeys; i++) ASSERT_EQ(Lookup(key_of(i)), -1) << "key " << i;
  EXPECT_EQ(cache_->usage(), static_cast<size_t>(kKeys));
}

// A probe run that wraps from the table's last slot to its first: the entry moved back across
// the end when the run's head is erased. A new shard's table has 32 slots, so keys are chosen
// by the low five bits of their hash (the home slot): three at slot 31, two at slot 0.
TEST_F(CacheTest, ARemovalMovesEntriesBackAcrossTheTablesEnd) {
  Reset(16, 0);
  std::vector<std::string> at_end, at_start;
  for (uint64_t i = 0; at_end.size() < 3 || at_start.size() < 2; i++) {
    std::string k(8, '\0');
    EncodeFixed64(k.data(), i);
    const uint64_t home = Hash64(k) & 31;
    if (home == 31 && at_end.size() < 3) at_end.push_back(k);
    if (home == 0 && at_start.size() < 2) at_start.push_back(k);
  }
  // Slots 31, 0, 1 for the first three, 2 and 3 for the other two.
  const std::vector<std::string> keys = {at_end[0], at_end[1], at_end[2], at_start[0], at_start[1]};
  for (size_t i = 0; i < keys.size(); i++) Insert(keys[i], static_cast<int>(i));
  for (size_t gone = 0; gone < keys.size(); gone++) {
    cache_->Erase(keys[gone]);
    for (size_t i = 0; i < keys.size(); i++) {
      ASSERT_EQ(Lookup(keys[i]), i <= gone ? -1 : static_cast<int>(i))
          << "key " << i << " after erasing " << gone + 1;
    }
  }
}

TEST_F(CacheTest, EvictsLeastRecentlyUsed) {
  Reset(3);
  Insert("a", 1);
  Insert("b", 2);
  Insert("c", 3);
  EXPECT_EQ(Lookup("a"), 1);  // order, coldest first: b c a
  Insert("d", 4);             // evicts b
  EXPECT_EQ(log_.entries(), (Entries{{"b", 2}}));
  EXPECT_EQ(Lookup("c"), 3);  // a d c
  Insert("e", 5);             // evicts a
  Insert("f", 6);             // evicts d
  EXPECT_EQ(log_.entries(), (Entries{{"b", 2}, {"a", 1}, {"d", 4}}));
  EXPECT_EQ(Lookup("a"), -1);
  EXPECT_EQ(Lookup("b"), -1);
  EXPECT_EQ(Lookup("c"), 3);
  EXPECT_EQ(Lookup("d"), -1);
  EXPECT_EQ(Lookup("e"), 5);
  EXPECT_EQ(Lookup("f"), 6);
  EXPECT_EQ(cache_->usage(), 3u);
}

TEST_F(CacheTest, ChargeDecidesHowManyGo) {
  Reset(10);
  Insert("a", 1, 4);
  Insert("b", 2, 4);
  Insert("c", 3, 2);
  EXPECT_EQ(cache_->usage(), 10u);
  Insert("big", 4, 7);  // a and b must both go to fit: 2 + 7 <= 10
  EXPECT_EQ(log_.entries(), (Entries{{"a", 1}, {"b", 2}}));
  EXPECT_EQ(cache_->usage(), 9u);
  EXPECT_EQ(Lookup("c"), 3);
  EXPECT_EQ(Lookup("big"), 4);
}

TEST_F(CacheTest, InsertIfRoomNeverEvicts) {
  Reset(3);
  auto insert_if_room = [&](std::string_view key, int number) {
    auto* value = new TestValue{number, &log_};
    Cache::Handle* h = cache_->InsertIfRoom(key, value, 1, &DeleteTestValue);
    if (h == nullptr) {
      delete value;  // refused: still the caller's
      return false;
    }
    cache_->Release(h);
    return true;
  };
  EXPECT_TRUE(insert_if_room("a", 1));
  Insert("b", 2);
  EXPECT_TRUE(insert_if_room("c", 3));
  EXPECT_FALSE(insert_if_room("d", 4));  // full: a, b and c stay
  EXPECT_EQ(log_.size(), 0u);
  EXPECT_EQ(Lookup("a"), 1);
  EXPECT_EQ(Lookup("d"), -1);
  Insert("e", 5);  // an ordinary insert still evicts (b, the coldest)
  EXPECT_EQ(log_.entries(), (Entries{{"b", 2}}));
  cache_->Erase("a");
  EXPECT_TRUE(insert_if_room("d", 4));  // room again
  EXPECT_EQ(Lookup("d"), 4);
  EXPECT_EQ(cache_->usage(), 3u);
}

// Writers racing for the last rooms: the check and the insert are one step, so exactly the
// capacity's worth of entries get in and none is ever evicted to make room.
TEST(CacheConcurrencyTest, RacingInsertIfRoomFillsExactlyAndNeverEvicts) {
  constexpr size_t kCapacity = 64;
  constexpr int kThreads = 4;
  for (int round = 0; round < 50; round++) {
    // Declared before the cache: its destructor runs the deleters of what it still holds.
    std::atomic<int> admitted{0}, deleted{0};
    static std::atomic<int>* deleted_counter;
    deleted_counter = &deleted;
    std::shared_ptr<Cache> cache = NewLRUCache(kCapacity, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; t++) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 40; i++) {
          const std::string key = std::to_string(t) + "/" + std::to_string(i);
          Cache::Handle* h = cache->InsertIfRoom(
              key, nullptr, 1, [](std::string_view, void*) { deleted_counter->fetch_add(1); });
          if (h != nullptr) {
            admitted.fetch_add(1);
            cache->Release(h);
          }
        }
      });
    }
    for (auto& t : threads) t.join();
    ASSERT_EQ(static_cast<int>(kCapacity), admitted.load()) << "round " << round;
    ASSERT_EQ(0, deleted.load()) << "round " << round;
    ASSERT_EQ(kCapacity, cache->usage());
  }
}

// A Cache of its own that leaves InsertIfRoom to the interface's default.
class ForwardingCache final : public Cache {
 public:
  explicit ForwardingCache(std::shared_ptr<Cache> base) : base_(std::move(base)) {}
  Handle* Insert(std::string_view key, void* value, size_t charge, Deleter deleter) override {
    return base_->Insert(key, value, charge, deleter);
  }
  Handle* Lookup(std::string_view key) override { return base_->Lookup(key); }
  void Release(Handle* handle) override { base_->Release(handle); }
  void* Value(Handle* handle) override { return base_->Value(handle); }
  void Erase(std::string_view key) override { base_->Erase(key); }
  uint64_t NewId() override { return base_->NewId(); }
  size_t capacity() const override { return base_->capacity(); }
  size_t usage() const override { return base_->usage(); }
  uint64_t hits() const override { return base_->hits(); }
  uint64_t misses() const override { return base_->misses(); }

 private:
  std::shared_ptr<Cache> base_;
};

TEST_F(CacheTest, InsertIfRoomByDefaultAsksUsageAndCapacity) {
  ForwardingCache cache(NewLRUCache(10, 0));
  TestValue a{1, &log_}, b{2, &log_};
  Cache::Handle* h = cache.InsertIfRoom("a", &a, 8, nullptr);
  ASSERT_NE(h, nullptr);
  cache.Release(h);
  EXPECT_EQ(cache.InsertIfRoom("b", &b, 3, nullptr), nullptr);
  EXPECT_EQ(cache.usage(), 8u);
  h = cache.InsertIfRoom("b", &b, 2, nullptr);
  ASSERT_NE(h, nullptr);
  cache.Release(h);
  EXPECT_EQ(cache.usage(), 10u);
}

TEST_F(CacheTest, PinnedEntriesAreNotEvicted) {
  Reset(2);
  Cache::Handle* a = InsertHandle("a", 1);
  Insert("b", 2);
  Insert("c", 3);  // over capacity: b goes, pinned a stays
  Insert("d", 4);  // c goes
  EXPECT_EQ(log_.entries(), (Entries{{"b", 2}, {"c", 3}}));
  EXPECT_EQ(Number(a), 1);
  EXPECT_EQ(Lookup("a"), 1);
  EXPECT_EQ(Lookup("d"), 4);
  cache_->Release(a);         // unpinned: joins the list as the most recently used
  EXPECT_EQ(Lookup("d"), 4);  // d is warmer still
  Insert("e", 5);             // a goes
  EXPECT_EQ(log_.entries(), (Entries{{"b", 2}, {"c", 3}, {"a", 1}}));
  EXPECT_EQ(Lookup("d"), 4);
  EXPECT_EQ(Lookup("e"), 5);
}

TEST_F(CacheTest, OverfullCacheEvictsOnRelease) {
  Reset(2);
  Cache::Handle* a = InsertHandle("a", 1);
  Cache::Handle* b = InsertHandle("b", 2);
  Cache::Handle* c = InsertHandle("c", 3);  // nothing unpinned to evict
  EXPECT_EQ(cache_->usage(), 3u);
  EXPECT_EQ(log_.size(), 0u);
  Cache::Handle* c2 = cache_->Lookup("c");  // still findable while over capacity
  ASSERT_NE(c2, nullptr);
  cache_->Release(c2);
  EXPECT_EQ(log_.size(), 0u);
  cache_->Release(a);  // over capacity: a leaves at once
  EXPECT_EQ(log_.entries(), (Entries{{"a", 1}}));
  EXPECT_EQ(cache_->usage(), 2u);
  cache_->Release(b);  // fits now: stays cached
  cache_->Release(c);
  EXPECT_EQ(log_.size(), 1u);
  EXPECT_EQ(Lookup("b"), 2);
  EXPECT_EQ(Lookup("c"), 3);
}

TEST_F(CacheTest, EntryLargerThanCapacity) {
  Reset(5);
  Insert("a", 1, 2);
  Cache::Handle* big = InsertHandle("big", 2, 100);
  EXPECT_EQ(Number(big), 2);
  EXPECT_EQ(log_.entries(), (Entries{{"a", 1}}));  // evicted trying to make room
  EXPECT_EQ(cache_->usage(), 100u);
  cache_->Release(big);
  EXPECT_EQ(log_.entries(), (Entries{{"a", 1}, {"big", 2}}));
  EXPECT_EQ(cache_->usage(), 0u);
  EXPECT_EQ(Lookup("big"), -1);
}

TEST_F(CacheTest, ErasePinnedEntryLivesUntilReleased) {
  Cache::Handle* a = InsertHandle("a", 1, 5);
  cache_->Erase("a");
  EXPECT_EQ(Lookup("a"), -1);
  EXPECT_EQ(cache_->usage(), 0u);
  EXPECT_EQ(log_.size(), 0u);
  EXPECT_EQ(Number(a), 1);
  Insert("a", 2);  // a new entry of the same key is independent of the erased one
  EXPECT_EQ(Lookup("a"), 2);
  cache_->Release(a);
  EXPECT_EQ(log_.entries(), (Entries{{"a", 1}}));
  EXPECT_EQ(Lookup("a"), 2);
}

TEST_F(CacheTest, EraseUnpinnedAndMissing) {
  Insert("a", 1);
  Insert("b", 2);
  cache_->Erase("a");
  EXPECT_EQ(log_.entries(), (Entries{{"a", 1}}));
  cache_->Erase("a");
  cache_->Erase("zzz");
  EXPECT_EQ(log_.size(), 1u);
  EXPECT_EQ(Lookup("a"), -1);
  EXPECT_EQ(Lookup("b"), 2);
  EXPECT_EQ(cache_->usage(), 1u);
}

TEST_F(CacheTest, ReplaceUnpinned) {
  Insert("a", 1, 3);
  Insert("a", 2, 4);
  EXPECT_EQ(log_.entries(), (Entries{{"a", 1}}));
  EXPECT_EQ(Lookup("a"), 2);
  EXPECT_EQ(cache_->usage(), 4u);
}

TEST_F(CacheTest, ReplacePinned) {
  Cache::Handle* old = InsertHandle("a", 1, 3);
  Insert("a", 2, 4);
  EXPECT_EQ(log_.size(), 0u);
  EXPECT_EQ(Number(old), 1);
  EXPECT_EQ(Lookup("a"), 2);
  EXPECT_EQ(cache_->usage(), 4u);  // the replaced entry no longer counts
  cache_->Release(old);
  EXPECT_EQ(log_.entries(), (Entries{{"a", 1}}));
  EXPECT_EQ(Lookup("a"), 2);
}

TEST_F(CacheTest, UsageTracksCharges) {
  Reset(1000, 2);
  EXPECT_EQ(cache_->capacity(), 1000u);
  EXPECT_EQ(cache_->usage(), 0u);
  Insert("a", 1, 10);
  Insert("b", 2, 20);
  Cache::Handle* c = InsertHandle("c", 3, 5);
  EXPECT_EQ(cache_->usage(), 35u);
  cache_->Erase("a");
  EXPECT_EQ(cache_->usage(), 25u);
  cache_->Release(c);
  EXPECT_EQ(cache_->usage(), 25u);
  Insert("b", 4, 1);
  EXPECT_EQ(cache_->usage(), 6u);
}

TEST_F(CacheTest, ZeroCapacityKeepsOnlyPinned) {
  Reset(0);
  Insert("a", 1);
  EXPECT_EQ(log_.entries(), (Entries{{"a", 1}}));
  EXPECT_EQ(Lookup("a"), -1);
  Cache::Handle* b = InsertHandle("b", 2);
  EXPECT_EQ(Number(b), 2);
  EXPECT_EQ(Lookup("b"), 2);  // pinned entries stay findable
  cache_->Release(b);
  EXPECT_EQ(Lookup("b"), -1);
  EXPECT_EQ(cache_->usage(), 0u);
  EXPECT_EQ(log_.size(), 2u);
}

TEST_F(CacheTest, DestructionDeletesEachEntryOnce) {
  Reset(3, 1);
  Insert("a", 1);
  Insert("b", 2);
  Insert("c", 3);
  Insert("d", 4);  // evicts one of them (from whichever shard d went to), maybe more
  Insert("a", 5);  // replaces a (or re-inserts it)
  cache_->Erase("c");
  const size_t before = log_.size();
  cache_.reset();
  std::map<int, int> deleted;
  for (const auto& [key, number] : log_.entries()) deleted[number]++;
  EXPECT_GT(log_.size(), before);
  EXPECT_EQ(deleted, (std::map<int, int>{{1, 1}, {2, 1}, {3, 1}, {4, 1}, {5, 1}}));
}

TEST_F(CacheTest, NullDeleter) {
  int x = 7;
  Cache::Handle* h = cache_->Insert("a", &x, 1, nullptr);
  EXPECT_EQ(cache_->Value(h), &x);
  cache_->Release(h);
  cache_->Erase("a");
}

TEST_F(CacheTest, NewIdIsUnique) {
  const uint64_t a = cache_->NewId();
  const uint64_t b = cache_->NewId();
  EXPECT_NE(a, b);
  EXPECT_NE(NewLRUCache(10)->NewId(), 0u);
}

TEST_F(CacheTest, CapacityIsSplitExactlyAcrossShards) {
  // 3 units over 4 shards: whichever shards the keys land in, never more than 3 entries stay.
  Reset(3, 2);
  std::string key(8, '\0');
  for (int i = 0; i < 1000; i++) {
    EncodeFixed64(key.data(), i);
    Insert(key, i);
    ASSERT_LE(cache_->usage(), 3u);
  }
  EXPECT_EQ(log_.size(), 1000u - cache_->usage());
}

TEST_F(CacheTest, AutomaticShardCount) {
  for (size_t capacity : {size_t{0}, size_t{1}, size_t{1} << 20, size_t{1} << 30}) {
    auto cache = NewLRUCache(capacity);
    EXPECT_EQ(cache->capacity(), capacity);
    cache->Release(cache->Insert("k", nullptr, 1, nullptr));
  }
}

// Several threads insert, look up, erase and release over a small key space in a cache too
// small to hold it; every value carries its key so a handle to the wrong entry is caught.
// Run under ThreadSanitizer too.
TEST_F(CacheTest, ConcurrentUse) {
  Reset(64, 2);
  constexpr int kThreads = 4;
  constexpr int kOps = 20000;
  constexpr int kKeys = 200;
  std::atomic<int> inserted{0};
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      Random rnd(1000 + t);
      std::vector<Cache::Handle*> held;
      for (int i = 0; i < kOps; i++) {
        const int k = static_cast<int>(rnd.Uniform(kKeys));
        const std::string key = "k" + std::to_string(k);
        switch (rnd.Uniform(8)) {
          case 0:
          case 1:
            held.push_back(InsertHandle(key, k));
            inserted.fetch_add(1, std::memory_order_relaxed);
            break;
          case 2:
            cache_->Erase(key);
            break;
          default:
            if (Cache::Handle* h = cache_->Lookup(key)) {
              if (Number(h) != k) wrong.fetch_add(1, std::memory_order_relaxed);
              held.push_back(h);
            }
        }
        // Hold a few handles at a time, released out of order.
        if (held.size() > 4) {
          const size_t j = rnd.Uniform(held.size());
          cache_->Release(held[j]);
          held[j] = held.back();
          held.pop_back();
        }
      }
      for (Cache::Handle* h : held) cache_->Release(h);
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LE(cache_->usage(), 64u);
  cache_.reset();
  EXPECT_EQ(log_.size(), static_cast<size_t>(inserted.load()));
  for (const auto& [key, number] : log_.entries()) {
    ASSERT_EQ(key, "k" + std::to_string(number));
  }
}

}  // namespace
}  // namespace strata
