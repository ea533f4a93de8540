#include "memtable/skiplist.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <set>
#include <thread>
#include <vector>

#include "util/arena.h"
#include "util/coding.h"
#include "util/random.h"

namespace strata {
namespace {

struct U64Comparator {
  int operator()(uint64_t a, uint64_t b) const { return a < b ? -1 : (a > b ? 1 : 0); }
};
using U64List = SkipList<uint64_t, U64Comparator>;

TEST(SkipListTest, Empty) {
  Arena arena;
  U64List list(U64Comparator(), &arena);
  EXPECT_FALSE(list.Contains(10));

  U64List::Iterator iter(&list);
  EXPECT_FALSE(iter.Valid());
  iter.SeekToFirst();
  EXPECT_FALSE(iter.Valid());
  iter.Seek(100);
  EXPECT_FALSE(iter.Valid());
  iter.SeekForPrev(100);
  EXPECT_FALSE(iter.Valid());
  iter.SeekToLast();
  EXPECT_FALSE(iter.Valid());
}

// Checks every read operation of `list` against the model.
void CheckAgainstModel(const U64List& list, const std::set<uint64_t>& model, Random* rnd,
                       uint64_t key_range) {
  for (uint64_t k = 0; k < key_range; k += 1 + rnd->Uniform(3)) {
    ASSERT_EQ(list.Contains(k), model.count(k) == 1) << k;
  }

  U64List::Iterator iter(&list);
  iter.SeekToFirst();
  for (uint64_t k : model) {
    ASSERT_TRUE(iter.Valid());
    ASSERT_EQ(iter.key(), k);
    iter.Next();
  }
  ASSERT_FALSE(iter.Valid());

  iter.SeekToLast();
  for (auto it = model.rbegin(); it != model.rend(); ++it) {
    ASSERT_TRUE(iter.Valid());
    ASSERT_EQ(iter.key(), *it);
    iter.Prev();
  }
  ASSERT_FALSE(iter.Valid());

  for (int i = 0; i < 1000; i++) {
    uint64_t target = rnd->Uniform(key_range + 2);
    auto lower = model.lower_bound(target);
    iter.Seek(target);
    if (lower == model.end()) {
      ASSERT_FALSE(iter.Valid()) << target;
    } else {
      ASSERT_TRUE(iter.Valid()) << target;
      ASSERT_EQ(iter.key(), *lower);
      // A few steps each way from the seek position.
      auto m = lower;
      for (int step = 0; step < 3 && iter.Valid(); step++) {
        ASSERT_EQ(iter.key(), *m);
        iter.Next();
        ++m;
      }
      ASSERT_EQ(iter.Valid(), m != model.end());
    }

    auto upper = model.upper_bound(target);
    iter.SeekForPrev(target);
    if (upper == model.begin()) {
      ASSERT_FALSE(iter.Valid()) << target;
    } else {
      auto m = std::prev(upper);
      ASSERT_TRUE(iter.Valid()) << target;
      ASSERT_EQ(iter.key(), *m);
      iter.Prev();
      ASSERT_EQ(iter.Valid(), m != model.begin());
      if (iter.Valid()) {
        ASSERT_EQ(iter.key(), *std::prev(m));
      }
    }
  }
}

// A list and the set it should equal.
struct ModelledList {
  Arena arena;
  U64List list{U64Comparator(), &arena};
  std::set<uint64_t> model;

  void InsertRandom(Random* rnd, uint64_t range, int n) {
    for (int i = 0; i < n; i++) {
      uint64_t key = rnd->Uniform(range);
      if (model.insert(key).second) list.Insert(key);
    }
  }
};

TEST(SkipListTest, RandomInsertsMatchModel) {
  const uint64_t kRange = 5000;
  ModelledList m;
  Random rnd(301);
  for (int i = 0; i < 2000; i++) {
    m.InsertRandom(&rnd, kRange, 1);
    if (i == 0 || i == 10 || i == 500) CheckAgainstModel(m.list, m.model, &rnd, kRange);
  }
  CheckAgainstModel(m.list, m.model, &rnd, kRange);
}

// One iterator wandering: backward runs long and short after seeks anywhere, with inserts
// between moves and the list (and its height) growing: the backward links of nodes that
// gained a predecessor meanwhile never skip or repeat a key.
TEST(SkipListTest, BackwardRunsFromAnyPositionMatchModel) {
  const uint64_t kRange = 200000;
  ModelledList ml;
  const std::set<uint64_t>& model = ml.model;
  Random rnd(17);
  auto insert = [&](int n) { ml.InsertRandom(&rnd, kRange, n); };
  insert(200);
  U64List::Iterator iter(&ml.list);
  for (int round = 0; round < 300; round++) {
    const uint64_t target = rnd.Uniform(kRange + 2);
    std::set<uint64_t>::iterator m;
    if (rnd.OneIn(2)) {
      iter.SeekForPrev(target);
      m = model.upper_bound(target);
      if (m == model.begin()) {
        ASSERT_FALSE(iter.Valid());
        continue;
      }
      --m;
    } else {
      iter.Seek(target);
      m = model.lower_bound(target);
      if (m == model.end()) {
        ASSERT_FALSE(iter.Valid());
        continue;
      }
    }
    // Backward for a while (sometimes past the first key), a few steps forward, back again.
    const int back = rnd.OneIn(4) ? 3000 : static_cast<int>(rnd.Uniform(40));
    for (int step = 0; step <= back; step++) {
      ASSERT_TRUE(iter.Valid()) << "round " << round << " step " << step;
      ASSERT_EQ(*m, iter.key()) << "round " << round << " step " << step;
      if (m == model.begin()) {
        iter.Prev();
        ASSERT_FALSE(iter.Valid());
        break;
      }
      if (rnd.OneIn(10) && std::next(m) != model.end()) {  // forward and back
        iter.Next();
        ASSERT_TRUE(iter.Valid());
        ASSERT_EQ(*std::next(m), iter.key());
        iter.Prev();
        ASSERT_TRUE(iter.Valid());
        ASSERT_EQ(*m, iter.key());
      }
      // Keys inserted now may land right before the position: the next Prev must see them.
      if (rnd.OneIn(20)) insert(5);
      iter.Prev();
      --m;
    }
    insert(static_cast<int>(rnd.Uniform(300)));
  }
}

// A backward step follows a link: a whole backward scan compares no keys, where a search from
// the head compares about four per level at every step.
TEST(SkipListTest, BackwardScanComparesNoKeys) {
  struct CountingComparator {
    uint64_t* compares;
    int operator()(uint64_t a, uint64_t b) const {
      ++*compares;
      return a < b ? -1 : (a > b ? 1 : 0);
    }
  };
  uint64_t compares = 0;
  Arena arena;
  SkipList<uint64_t, CountingComparator> list(CountingComparator{&compares}, &arena);
  Random rnd(5);
  std::set<uint64_t> keys;
  while (keys.size() < 100000) keys.insert(rnd.Next());
  // In random order, so most nodes get their backward link from an insert between two others.
  std::vector<uint64_t> order(keys.begin(), keys.end());
  for (size_t i = order.size() - 1; i > 0; i--) std::swap(order[i], order[rnd.Uniform(i + 1)]);
  for (uint64_t k : order) list.Insert(k);
  compares = 0;
  SkipList<uint64_t, CountingComparator>::Iterator iter(&list);
  uint64_t steps = 0;
  for (iter.SeekToLast(); iter.Valid(); iter.Prev()) steps++;
  ASSERT_EQ(keys.size(), steps);
  EXPECT_EQ(compares, 0u) << compares / static_cast<double>(steps) << " per step";
}

TEST(SkipListTest, AscendingAndDescendingInserts) {
  for (bool ascending : {true, false}) {
    Arena arena;
    U64List list(U64Comparator(), &arena);
    std::set<uint64_t> model;
    for (uint64_t i = 0; i < 3000; i++) {
      uint64_t key = ascending ? 2 * i : 6000 - 2 * i;
      list.Insert(key);
      model.insert(key);
    }
    Random rnd(ascending ? 1 : 2);
    CheckAgainstModel(list, model, &rnd, 6002);
  }
}

// Keys after the last one are linked at each level's tail without a search; inserts anywhere
// else move those tails (a tall node in the middle can become the last of its level), so the
// two kinds are interleaved here and every level is checked through the searches.
TEST(SkipListTest, AppendsAfterTheLastKeyInterleavedWithInsertsBeforeIt) {
  Arena arena;
  U64List list(U64Comparator(), &arena);
  std::set<uint64_t> model;
  Random rnd(77);
  uint64_t last = 0;
  for (int phase = 0; phase < 12; phase++) {
    for (int i = 0; i < 300; i++) {
      uint64_t key;
      if (phase % 2 == 0) {
        key = last + 1 + rnd.Uniform(5);  // after the last key
      } else {
        key = rnd.Uniform(static_cast<uint32_t>(last + 10));  // anywhere, also past the end
      }
      if (!model.insert(key).second) continue;
      list.Insert(key);
      last = *model.rbegin();
    }
    CheckAgainstModel(list, model, &rnd, last + 10);
  }
}

TEST(SkipListTest, ExtremeKeys) {
  Arena arena;
  U64List list(U64Comparator(), &arena);
  list.Insert(UINT64_MAX);
  list.Insert(0);  // equal to the head's default key: the head must never be compared
  U64List::Iterator iter(&list);
  iter.SeekToFirst();
  ASSERT_TRUE(iter.Valid());
  EXPECT_EQ(iter.key(), 0u);
  iter.Prev();
  EXPECT_FALSE(iter.Valid());
  iter.SeekToLast();
  ASSERT_TRUE(iter.Valid());
  EXPECT_EQ(iter.key(), UINT64_MAX);
  iter.SeekForPrev(0);
  ASSERT_TRUE(iter.Valid());
  EXPECT_EQ(iter.key(), 0u);
  EXPECT_TRUE(list.Contains(0));
  EXPECT_FALSE(list.Contains(1));
}

// Keys that live in the bytes reserved behind their node, as the memtable's entries do:
// 8 bytes big-endian number, then its complement, so a reader can tell a torn or unpublished
// entry from a real one.
struct PayloadComparator {
  // The head node has no reserved bytes: its "key" is whatever follows it in the arena, never
  // compared (the list asserts so where keys are read).
  int operator()(const char* a, const char* b) const { return std::memcmp(a, b, 8); }
};
using PayloadList = SkipList<const char*, PayloadComparator, /*kKeyIsReserved=*/true>;

constexpr size_t kPayloadSize = 16;

void EncodePayload(char* dst, uint64_t n) {
  for (int i = 0; i < 8; i++) dst[i] = static_cast<char>(n >> (56 - 8 * i));
  EncodeFixed64(dst + 8, ~n);
}
// Returns the number, after checking the payload is intact.
uint64_t DecodePayload(const char* p) {
  uint64_t n = 0;
  for (int i = 0; i < 8; i++) n = (n << 8) | static_cast<unsigned char>(p[i]);
  EXPECT_EQ(DecodeFixed64(p + 8), ~n) << "torn or unpublished entry";
  return n;
}

void InsertPayload(PayloadList* list, uint64_t n) {
  char* p = list->Reserve(kPayloadSize);
  EncodePayload(p, n);
  list->InsertReserved(p, p);
}

// A forward walk, a backward walk and lookups of every key and its successor match the model.
void CheckPayloadsAgainstModel(const PayloadList& list, const std::set<uint64_t>& model) {
  PayloadList::Iterator iter(&list);
  iter.SeekToFirst();
  for (uint64_t n : model) {
    ASSERT_TRUE(iter.Valid());
    ASSERT_EQ(DecodePayload(iter.key()), n);
    iter.Next();
  }
  EXPECT_FALSE(iter.Valid());
  iter.SeekToLast();
  for (auto it = model.rbegin(); it != model.rend(); ++it) {
    ASSERT_TRUE(iter.Valid());
    ASSERT_EQ(DecodePayload(iter.key()), *it) << "a backward link skips or repeats";
    iter.Prev();
  }
  EXPECT_FALSE(iter.Valid());
  char probe[kPayloadSize];
  for (uint64_t n : model) {
    EncodePayload(probe, n);
    ASSERT_TRUE(list.Contains(probe));
    EncodePayload(probe, n + 1);
    ASSERT_EQ(list.Contains(probe), model.count(n + 1) == 1);
  }
}

TEST(SkipListTest, ReservedKeysLiveBehindTheirNodes) {
  Arena arena;
  PayloadList list(PayloadComparator(), &arena);
  std::set<uint64_t> model;
  Random rnd(11);
  for (int i = 0; i < 3000; i++) {
    uint64_t n = rnd.Next();
    if (model.insert(n).second) InsertPayload(&list, n);
  }
  CheckPayloadsAgainstModel(list, model);
}

// Inserts the numbers as one InsertReservedBatch call.
void InsertPayloadBatch(PayloadList* list, const std::vector<uint64_t>& numbers) {
  std::vector<char*> reserved;
  for (uint64_t n : numbers) {
    reserved.push_back(list->Reserve(kPayloadSize));
    EncodePayload(reserved.back(), n);
  }
  list->InsertReservedBatch(reserved.data(), reserved.size());
}

// Batches of every size around the lockstep chunk, of keys anywhere: among the list's keys,
// before its first, after its last (the tail path), and mixed; forward and backward walks,
// lookups and seeks then match the model.
TEST(SkipListTest, BatchInsertsMatchModel) {
  Arena arena;
  PayloadList list(PayloadComparator(), &arena);
  std::set<uint64_t> model;
  Random rnd(17);
  auto fresh = [&](uint64_t lo, uint64_t hi) {
    while (true) {
      uint64_t n = lo + rnd.Next() % (hi - lo);
      if (model.insert(n).second) return n;
    }
  };
  const size_t kSizes[] = {1, 2, 3, 31, 32, 33, 64, 65, 100, 7, 200};
  for (int round = 0; round < 12; round++) {
    for (size_t size : kSizes) {
      std::vector<uint64_t> batch;
      // At least 2^17, so that the three ranges below stay apart.
      const uint64_t max = std::max<uint64_t>(model.empty() ? 0 : *model.rbegin(), 1u << 17);
      for (size_t i = 0; i < size; i++) {
        switch (rnd.Uniform(4)) {
          case 0:  // after the last key
            batch.push_back(fresh(max + 1, max + (1u << 20)));
            break;
          case 1:  // before the first
            batch.push_back(fresh(0, 1u << 16));
            break;
          default:
            batch.push_back(fresh(1u << 16, max + 2));
        }
      }
      InsertPayloadBatch(&list, batch);
    }
  }
  CheckPayloadsAgainstModel(list, model);
  PayloadList::Iterator iter(&list);
  char probe[kPayloadSize];
  for (int i = 0; i < 2000; i++) {
    const uint64_t target = rnd.Next() % (*model.rbegin() + 2);
    EncodePayload(probe, target);
    iter.Seek(probe);
    auto expected = model.lower_bound(target);
    ASSERT_EQ(expected != model.end(), iter.Valid());
    if (iter.Valid()) {
      ASSERT_EQ(*expected, DecodePayload(iter.key()));
    }
  }
}

// One writer inserts keys in random order while readers scan and seek without locks.
//
// The writer publishes how many keys it has inserted (release) after each insert; a reader
// that loads that count (acquire) before an operation must find every one of those keys, may
// find some later ones, and must see all of them sorted and intact. Keys are drawn from a
// fixed list, so each key found can be traced to its insertion index.
//
// With batches, the writer inserts the keys in batches of 1 to 70 (InsertReservedBatch) and
// publishes the count after each batch.
void RunConcurrentReaders(bool batches) {
  const int kKeys = 20000;
  const int kReaders = 3;

  // Random order of insertion, distinct keys: high bits random, low bits the index.
  std::vector<uint64_t> keys(kKeys);
  Random rnd(1234);
  for (int i = 0; i < kKeys; i++) keys[i] = (rnd.Next() & ~uint64_t{0xffffffff}) | uint64_t(i);
  auto index_of = [](uint64_t key) { return static_cast<int>(key & 0xffffffff); };

  Arena arena;
  PayloadList list(PayloadComparator(), &arena);
  std::atomic<int> inserted{0};
  std::atomic<bool> writer_done{false};
  std::atomic<int> readers_started{0};
  std::atomic<int> scans_done{0};
  std::atomic<int> readers_failed{0};  // a failed ASSERT ends a reader early

  auto reader = [&](int id) {
    Random r(100 + id);
    PayloadList::Iterator iter(&list);
    char probe[kPayloadSize];
    readers_started.fetch_add(1);
    struct OnExit {
      std::atomic<int>* failed;
      ~OnExit() {
        if (::testing::Test::HasFatalFailure()) failed->fetch_add(1);
      }
    } on_exit{&readers_failed};
    bool last_round = false;
    while (!last_round) {
      last_round = writer_done.load(std::memory_order_acquire);
      int before = inserted.load(std::memory_order_acquire);

      // A full scan, forward or backward: sorted, intact, and complete for keys[0, before).
      bool forward = r.OneIn(2);
      int old_seen = 0;
      uint64_t prev_key = 0;
      bool first = true;
      for (forward ? iter.SeekToFirst() : iter.SeekToLast(); iter.Valid();
           forward ? iter.Next() : iter.Prev()) {
        uint64_t key = DecodePayload(iter.key());
        int index = index_of(key);
        ASSERT_LT(index, kKeys);
        ASSERT_EQ(keys[index], key) << "a key nobody inserted";
        if (!first) {
          ASSERT_TRUE(forward ? prev_key < key : prev_key > key) << "out of order";
        }
        first = false;
        prev_key = key;
        if (index < before) old_seen++;
      }
      ASSERT_EQ(old_seen, before) << "a scan missed keys inserted before it began";
      scans_done.fetch_add(1);

      // Point reads of keys known to be in, and seeks from arbitrary positions.
      int limit = inserted.load(std::memory_order_acquire);
      for (int i = 0; i < 200 && limit > 0; i++) {
        uint64_t key = keys[r.Uniform(limit)];
        EncodePayload(probe, key);
        ASSERT_TRUE(list.Contains(probe));
        iter.Seek(probe);
        ASSERT_TRUE(iter.Valid());
        ASSERT_EQ(DecodePayload(iter.key()), key);
        iter.SeekForPrev(probe);
        ASSERT_TRUE(iter.Valid());
        ASSERT_EQ(DecodePayload(iter.key()), key);

        // Seek then step back from an arbitrary target. Keys older than the seek must be
        // on the right side of it; a key between target and the seek's result can only be
        // one inserted since.
        uint64_t target = r.Next();
        EncodePayload(probe, target);
        int known = inserted.load(std::memory_order_acquire);
        iter.Seek(probe);
        if (iter.Valid()) {
          uint64_t found = DecodePayload(iter.key());
          ASSERT_GE(found, target);
          iter.Prev();
          if (iter.Valid()) {
            uint64_t before_found = DecodePayload(iter.key());
            ASSERT_LT(before_found, found);
            if (before_found >= target) {
              ASSERT_GE(index_of(before_found), known);
            }
          }
        }
      }
    }
  };

  std::vector<std::thread> readers;
  for (int i = 0; i < kReaders; i++) readers.emplace_back(reader, i);
  // Make sure reads overlap writes even on a machine with few cores: start once every reader
  // runs, and halfway wait until a few scans have completed meanwhile.
  while (readers_started.load() < kReaders) std::this_thread::yield();
  bool waited = false;
  for (int i = 0; i < kKeys;) {
    const int n = batches ? std::min<int>(1 + static_cast<int>(rnd.Uniform(70)), kKeys - i) : 1;
    if (batches) {
      InsertPayloadBatch(&list, std::vector<uint64_t>(keys.begin() + i, keys.begin() + i + n));
    } else {
      InsertPayload(&list, keys[i]);
    }
    i += n;
    inserted.store(i, std::memory_order_release);
    if (!waited && i >= kKeys / 2) {
      waited = true;
      int target = scans_done.load() + kReaders;
      while (scans_done.load() < target && readers_failed.load() == 0) std::this_thread::yield();
    }
  }
  writer_done.store(true, std::memory_order_release);
  for (auto& t : readers) t.join();
}

TEST(SkipListTest, ConcurrentReadersSeeSortedCompleteList) { RunConcurrentReaders(false); }
TEST(SkipListTest, ConcurrentReadersSeeBatchInsertsSortedAndComplete) {
  RunConcurrentReaders(true);
}

}  // namespace
}  // namespace strata
