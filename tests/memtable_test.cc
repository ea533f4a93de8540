#include "memtable/memtable.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <map>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "keys/internal_key.h"
#include "keys/merge_context.h"
#include "strata/merge_operator.h"
#include "strata/perf_context.h"
#include "support/test_util.h"
#include "util/random.h"

namespace strata {
namespace {

class ReverseBytewiseComparator final : public Comparator {
 public:
  int Compare(std::string_view a, std::string_view b) const override { return b.compare(a); }
  const char* Name() const override { return "test.ReverseBytewiseComparator"; }
};
const Comparator* ReverseComparator() {
  static const ReverseBytewiseComparator kInstance;
  return &kInstance;
}

// Result of a Get, flattened for assertions: "MISS", "DELETED" or the value.
std::string Read(const MemTable& mem, std::string_view user_key, SequenceNumber snapshot) {
  LookupKey lookup(user_key, snapshot);
  std::string value = "untouched";
  Status s = Status::Corruption("untouched");
  if (!mem.Get(lookup, &value, &s)) {
    EXPECT_EQ(value, "untouched");
    EXPECT_TRUE(s.IsCorruption()) << "status set on a miss";
    return "MISS";
  }
  if (s.IsNotFound()) return "DELETED";
  EXPECT_TRUE(s.ok()) << s.ToString();
  return value;
}

// Get collecting merge operands into *merges (string append): "MISS" if the lookup goes on
// to older sources ("MISS+" and the operands merged onto nothing if it collected some),
// "DELETED", the value (merged or not), or the error's text.
std::string ReadMerging(const MemTable& mem, MergeContext* merges, std::string_view user_key,
                        SequenceNumber snapshot) {
  LookupKey lookup(user_key, snapshot);
  std::string value;
  Status s;
  if (!mem.Get(lookup, &value, &s, merges)) {
    if (merges->empty()) return "MISS";
    std::string onto_nothing;
    Status f = merges->Finish(user_key, nullptr, &onto_nothing);
    return f.ok() ? "MISS+" + onto_nothing : f.ToString();
  }
  if (s.IsNotFound()) return "DELETED";
  return s.ok() ? value : s.ToString();
}

std::string IKey(std::string_view user_key, SequenceNumber seq, ValueType type) {
  std::string k;
  AppendInternalKey(&k, user_key, seq, type);
  return k;
}

// Every test runs with the bytewise comparator (memcmp fast path) and a reverse one (through
// the virtual call), so both comparison paths stay equivalent; and with and without a filter
// of the keys (which only the bytewise comparator gets), so lookups answer alike either way.
struct MemTableParam {
  bool reversed;
  size_t bloom_bytes;
};

class MemTableTest : public ::testing::TestWithParam<MemTableParam> {
 protected:
  MemTableTest()
      : user_cmp_(GetParam().reversed ? ReverseComparator() : BytewiseComparator()),
        icmp_(user_cmp_),
        mem_(icmp_, Arena::Blocks::kHeap, GetParam().bloom_bytes) {}

  bool reversed() const { return GetParam().reversed; }

  const Comparator* user_cmp_;
  InternalKeyComparator icmp_;
  MemTable mem_;
};

TEST_P(MemTableTest, EmptyMisses) {
  EXPECT_EQ(Read(mem_, "a", kMaxSequenceNumber), "MISS");
  EXPECT_EQ(Read(mem_, "", kMaxSequenceNumber), "MISS");
  MemTable::Iterator iter(&mem_);
  iter.SeekToFirst();
  EXPECT_FALSE(iter.Valid());
  iter.SeekToLast();
  EXPECT_FALSE(iter.Valid());
  iter.Seek(IKey("a", 1, ValueType::kValue));
  EXPECT_FALSE(iter.Valid());
  EXPECT_EQ(mem_.num_entries(), 0u);
}

// Warming walks and reads, nothing more: the entries, their count and the memory held stay
// as they were, and a warming thread may run beside the writer (see the TSan build).
TEST_P(MemTableTest, WarmForInsertChangesNothingAndRunsBesideTheWriter) {
  constexpr int kKeys = 2000;
  for (int k = 0; k < kKeys; k += 2) {
    mem_.Add(k + 1, ValueType::kValue, test::NumberKey(k), "v" + std::to_string(k));
  }
  const size_t memory = mem_.ApproximateMemoryUsage();
  for (int k = 0; k < kKeys; k++) mem_.WarmForInsert(test::NumberKey(k));
  EXPECT_EQ(memory, mem_.ApproximateMemoryUsage());
  EXPECT_EQ(static_cast<uint64_t>(kKeys / 2), mem_.num_entries());
  for (int k = 0; k < kKeys; k++) {
    EXPECT_EQ(k % 2 ? "MISS" : "v" + std::to_string(k), Read(mem_, test::NumberKey(k), kKeys));
  }

  std::atomic<bool> done{false};
  std::thread warmer([&] {
    for (int round = 0; !done.load(std::memory_order_acquire); round++) {
      mem_.WarmForInsert(test::NumberKey((round * 7) % kKeys));
    }
  });
  for (int k = 1; k < kKeys; k += 2) {
    mem_.Add(kKeys + k, ValueType::kValue, test::NumberKey(k), "w" + std::to_string(k));
  }
  done.store(true, std::memory_order_release);
  warmer.join();
  EXPECT_EQ(static_cast<uint64_t>(kKeys), mem_.num_entries());
  for (int k = 0; k < kKeys; k++) {
    EXPECT_EQ((k % 2 ? "w" : "v") + std::to_string(k),
              Read(mem_, test::NumberKey(k), kMaxSequenceNumber));
  }
}

TEST_P(MemTableTest, NewestVersionWins) {
  mem_.Add(1, ValueType::kValue, "k", "v1");
  mem_.Add(2, ValueType::kValue, "k", "v2");
  mem_.Add(3, ValueType::kValue, "other", "o");
  mem_.Add(5, ValueType::kValue, "k", "v5");
  EXPECT_EQ(Read(mem_, "k", kMaxSequenceNumber), "v5");
  EXPECT_EQ(Read(mem_, "other", kMaxSequenceNumber), "o");
  EXPECT_EQ(Read(mem_, "kk", kMaxSequenceNumber), "MISS");  // a longer key is another key
  EXPECT_EQ(Read(mem_, "", kMaxSequenceNumber), "MISS");
  EXPECT_EQ(mem_.num_entries(), 4u);
  EXPECT_EQ(mem_.num_deletes(), 0u);
}

TEST_P(MemTableTest, SnapshotSequenceRespected) {
  mem_.Add(10, ValueType::kValue, "k", "v10");
  mem_.Add(20, ValueType::kValue, "k", "v20");
  mem_.Add(30, ValueType::kDeletion, "k", "");
  mem_.Add(40, ValueType::kValue, "k", "v40");
  EXPECT_EQ(Read(mem_, "k", 9), "MISS");
  EXPECT_EQ(Read(mem_, "k", 10), "v10");
  EXPECT_EQ(Read(mem_, "k", 19), "v10");
  EXPECT_EQ(Read(mem_, "k", 20), "v20");
  EXPECT_EQ(Read(mem_, "k", 29), "v20");
  EXPECT_EQ(Read(mem_, "k", 30), "DELETED");
  EXPECT_EQ(Read(mem_, "k", 39), "DELETED");
  EXPECT_EQ(Read(mem_, "k", 40), "v40");
  EXPECT_EQ(Read(mem_, "k", kMaxSequenceNumber), "v40");
  EXPECT_EQ(mem_.num_deletes(), 1u);
}

TEST_P(MemTableTest, DeletionGivesNotFound) {
  mem_.Add(1, ValueType::kValue, "a", "va");
  mem_.Add(2, ValueType::kDeletion, "a", "ignored");
  mem_.Add(3, ValueType::kDeletion, "never-written", "");
  EXPECT_EQ(Read(mem_, "a", 2), "DELETED");
  EXPECT_EQ(Read(mem_, "never-written", 3), "DELETED");
  EXPECT_EQ(Read(mem_, "never-written", 2), "MISS");

  MemTable::Iterator iter(&mem_);
  iter.Seek(IKey("a", 2, ValueType::kDeletion));
  ASSERT_TRUE(iter.Valid());
  EXPECT_EQ(iter.key(), IKey("a", 2, ValueType::kDeletion));
  EXPECT_EQ(iter.value(), "");  // a deletion stores no value
  EXPECT_EQ(mem_.num_entries(), 3u);
  EXPECT_EQ(mem_.num_deletes(), 2u);
}

TEST_P(MemTableTest, AwkwardKeysAndValues) {
  const std::vector<std::string> keys = {
      std::string(),
      std::string("\x00", 1),
      std::string("\x00\x00", 2),
      std::string("\xff", 1),
      std::string("\xff\xff", 2),
      std::string("a\x00"
                  "b",
                  3),
      std::string("a\xff", 2),
      std::string("a", 1),
      std::string(200, '\xff'),
  };
  SequenceNumber seq = 1;
  for (const auto& k : keys) mem_.Add(seq++, ValueType::kValue, k, "value of " + k);
  mem_.Add(seq++, ValueType::kValue, "empty-value", "");
  mem_.Add(seq++, ValueType::kValue, std::string("\x00v", 2), std::string("\x00\xff\x00", 3));

  for (const auto& k : keys) EXPECT_EQ(Read(mem_, k, kMaxSequenceNumber), "value of " + k);
  EXPECT_EQ(Read(mem_, "empty-value", kMaxSequenceNumber), "");
  EXPECT_EQ(Read(mem_, std::string("\x00v", 2), kMaxSequenceNumber),
            std::string("\x00\xff\x00", 3));
  EXPECT_EQ(Read(mem_, std::string("\x00\x00\x00", 3), kMaxSequenceNumber), "MISS");
  EXPECT_EQ(Read(mem_, std::string(199, '\xff'), kMaxSequenceNumber), "MISS");
}

TEST_P(MemTableTest, LargeValuesAndKeys) {
  Random rnd(42);
  std::string big_value = test::RandomBytes(&rnd, 1 << 20);
  std::string big_key = test::RandomBytes(&rnd, 70000);  // multi-byte varint lengths
  std::string mid_value = test::RandomBytes(&rnd, 3000);
  mem_.Add(1, ValueType::kValue, "big", big_value);
  mem_.Add(2, ValueType::kValue, big_key, mid_value);
  mem_.Add(3, ValueType::kValue, "small", "s");
  EXPECT_EQ(Read(mem_, "big", 5), big_value);
  EXPECT_EQ(Read(mem_, big_key, 5), mid_value);
  EXPECT_EQ(Read(mem_, "small", 5), "s");
  EXPECT_GE(mem_.ApproximateMemoryUsage(), big_value.size() + big_key.size() + mid_value.size());

  MemTable::Iterator iter(&mem_);
  iter.Seek(IKey(big_key, kMaxSequenceNumber, kValueTypeForSeek));
  ASSERT_TRUE(iter.Valid());
  EXPECT_EQ(ExtractUserKey(iter.key()), big_key);
  EXPECT_EQ(iter.value(), mid_value);
}

TEST_P(MemTableTest, IteratorOrderWithSeveralVersions) {
  Random rnd(301);
  struct Entry {
    std::string ikey;
    std::string value;
  };
  std::vector<Entry> model;
  SequenceNumber seq = 100;
  for (int i = 0; i < 3000; i++) {
    // Few distinct keys, so most have several versions; some keys are prefixes of others.
    std::string key = test::RandomBytes(&rnd, rnd.Uniform(4));
    ValueType type = rnd.OneIn(5) ? ValueType::kDeletion : ValueType::kValue;
    std::string value = type == ValueType::kValue ? test::RandomBytes(&rnd, rnd.Uniform(20)) : "";
    mem_.Add(seq, type, key, value);
    model.push_back({IKey(key, seq, type), value});
    seq += 1 + rnd.Uniform(3);
  }
  std::sort(model.begin(), model.end(),
            [this](const Entry& a, const Entry& b) { return icmp_.Compare(a.ikey, b.ikey) < 0; });

  MemTable::Iterator iter(&mem_);
  iter.SeekToFirst();
  for (const auto& e : model) {
    ASSERT_TRUE(iter.Valid());
    ASSERT_EQ(iter.key(), e.ikey);
    ASSERT_EQ(iter.value(), e.value);
    iter.Next();
  }
  EXPECT_FALSE(iter.Valid());

  iter.SeekToLast();
  for (auto it = model.rbegin(); it != model.rend(); ++it) {
    ASSERT_TRUE(iter.Valid());
    ASSERT_EQ(iter.key(), it->ikey);
    iter.Prev();
  }
  EXPECT_FALSE(iter.Valid());

  // Seek and SeekForPrev to every entry, and to points between versions.
  for (size_t i = 0; i < model.size(); i += 7) {
    iter.Seek(model[i].ikey);
    ASSERT_TRUE(iter.Valid());
    ASSERT_EQ(iter.key(), model[i].ikey);
    iter.SeekForPrev(model[i].ikey);
    ASSERT_TRUE(iter.Valid());
    ASSERT_EQ(iter.key(), model[i].ikey);

    ParsedInternalKey parsed;
    ASSERT_TRUE(ParseInternalKey(model[i].ikey, &parsed));
    // Just above this entry's sequence: lands on it (or a newer version in between).
    std::string between = IKey(parsed.user_key, parsed.sequence + 1, kValueTypeForSeek);
    iter.Seek(between);
    ASSERT_TRUE(iter.Valid());
    auto lower = std::lower_bound(model.begin(), model.end(), between,
                                  [this](const Entry& e, const std::string& target) {
                                    return icmp_.Compare(e.ikey, target) < 0;
                                  });
    ASSERT_EQ(iter.key(), lower->ikey);
  }

  // Get agrees with the model: the first entry of the key at or below the snapshot.
  for (int i = 0; i < 500; i++) {
    std::string key = test::RandomBytes(&rnd, rnd.Uniform(4));
    SequenceNumber snapshot = rnd.Uniform(seq + 10);
    std::string target = IKey(key, snapshot, kValueTypeForSeek);
    auto it = std::lower_bound(
        model.begin(), model.end(), target,
        [this](const Entry& e, const std::string& t) { return icmp_.Compare(e.ikey, t) < 0; });
    std::string expected = "MISS";
    if (it != model.end() && ExtractUserKey(it->ikey) == key) {
      expected = (ExtractTrailer(it->ikey) & 0xff) == 0 ? "DELETED" : it->value;
    }
    ASSERT_EQ(Read(mem_, key, snapshot), expected) << "snapshot " << snapshot;
  }
}

TEST_P(MemTableTest, MergeOperandsAreCollectedDownToTheNewestBase) {
  auto op = NewStringAppendOperator();
  mem_.Add(1, ValueType::kValue, "k", "v");
  mem_.Add(2, ValueType::kMerge, "k", "a");
  mem_.Add(3, ValueType::kMerge, "k", "b");
  mem_.Add(4, ValueType::kDeletion, "k", "");
  mem_.Add(5, ValueType::kMerge, "k", "c");
  mem_.Add(6, ValueType::kMerge, "k", "d");
  mem_.Add(7, ValueType::kMerge, "kk", "x");  // the key beside "k": no base for it
  mem_.Add(8, ValueType::kMerge, "j", "y");
  auto read = [&](std::string_view key, SequenceNumber snapshot) {
    MergeContext merges(op.get());
    return ReadMerging(mem_, &merges, key, snapshot);
  };
  EXPECT_EQ("c,d", read("k", kMaxSequenceNumber));  // onto the deletion
  EXPECT_EQ("c", read("k", 5));
  EXPECT_EQ("DELETED", read("k", 4));
  EXPECT_EQ("v,a,b", read("k", 3));
  EXPECT_EQ("v,a", read("k", 2));
  EXPECT_EQ("v", read("k", 1));
  EXPECT_EQ("MISS", read("k", 0));
  // Operands and no base here: the lookup goes on, the operands in the context.
  EXPECT_EQ("MISS+x", read("kk", kMaxSequenceNumber));
  EXPECT_EQ("MISS+y", read("j", kMaxSequenceNumber));
  EXPECT_EQ("MISS", read("j", 7));
  EXPECT_EQ(8u, mem_.num_entries());
}

TEST_P(MemTableTest, OperandsFromANewerMemtableFinishOnAnOlderOnesBase) {
  auto op = NewStringAppendOperator();
  MemTable newer(icmp_);
  mem_.Add(1, ValueType::kValue, "k", "v");
  mem_.Add(2, ValueType::kMerge, "k", "a");
  mem_.Add(3, ValueType::kMerge, "n", "a");
  newer.Add(10, ValueType::kMerge, "k", "b");
  newer.Add(11, ValueType::kMerge, "k", "c");
  newer.Add(12, ValueType::kMerge, "n", "b");
  MergeContext merges(op.get());
  EXPECT_EQ("MISS+b,c", ReadMerging(newer, &merges, "k", kMaxSequenceNumber));
  EXPECT_EQ("v,a,b,c", ReadMerging(mem_, &merges, "k", kMaxSequenceNumber));
  MergeContext n_merges(op.get());
  EXPECT_EQ("MISS+b", ReadMerging(newer, &n_merges, "n", kMaxSequenceNumber));
  EXPECT_EQ("MISS+a,b", ReadMerging(mem_, &n_merges, "n", kMaxSequenceNumber));
}

TEST_P(MemTableTest, RangeDeletionEndsTheOperandsAboveIt) {
  auto op = NewStringAppendOperator();
  const std::string_view begin = reversed() ? "z" : "a";
  const std::string_view end = reversed() ? "a" : "z";
  mem_.Add(1, ValueType::kValue, "k", "v");
  mem_.Add(2, ValueType::kMerge, "k", "a");
  mem_.Add(3, ValueType::kRangeDeletion, begin, end);
  mem_.Add(4, ValueType::kMerge, "k", "b");
  mem_.Add(5, ValueType::kMerge, "k", "c");
  mem_.Add(6, ValueType::kMerge, "m", "x");  // covered key without entries under the operand
  auto read = [&](std::string_view key, SequenceNumber snapshot) {
    MergeContext merges(op.get());
    return ReadMerging(mem_, &merges, key, snapshot);
  };
  EXPECT_EQ("b,c", read("k", kMaxSequenceNumber));
  EXPECT_EQ("b", read("k", 4));
  EXPECT_EQ("DELETED", read("k", 3));
  EXPECT_EQ("v,a", read("k", 2));
  // The tombstone is the base: nothing older (here or in older sources) is merged in.
  EXPECT_EQ("x", read("m", kMaxSequenceNumber));
  EXPECT_EQ("DELETED", read("m", 5));
  // Operands from a newer source end here too.
  MergeContext merges(op.get());
  merges.Add("newer");
  EXPECT_EQ("newer", ReadMerging(mem_, &merges, "q", kMaxSequenceNumber));
}

TEST_P(MemTableTest, OperandWithoutAMergeContextOrWithAFailingOperatorIsCorruption) {
  mem_.Add(1, ValueType::kValue, "k", "abc");
  mem_.Add(2, ValueType::kMerge, "k", std::string(8, '\0'));
  LookupKey lookup("k", kMaxSequenceNumber);
  std::string value;
  Status s;
  ASSERT_TRUE(mem_.Get(lookup, &value, &s));  // no context: no operator
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find("k")) << s.ToString();
  auto add = NewUInt64AddOperator();
  MergeContext merges(add.get());
  const std::string got = ReadMerging(mem_, &merges, "k", kMaxSequenceNumber);  // 3-byte base
  EXPECT_NE(std::string::npos, got.find("Corruption")) << got;
  EXPECT_NE(std::string::npos, got.find("strata.UInt64Add")) << got;
  MergeContext merges_at_1(add.get());
  EXPECT_EQ("abc", ReadMerging(mem_, &merges_at_1, "k", 1));  // below the operand: fine
}

TEST_P(MemTableTest, UserKeyOrderFollowsComparator) {
  mem_.Add(1, ValueType::kValue, "a", "1");
  mem_.Add(2, ValueType::kValue, "b", "2");
  mem_.Add(3, ValueType::kValue, "c", "3");
  MemTable::Iterator iter(&mem_);
  iter.SeekToFirst();
  ASSERT_TRUE(iter.Valid());
  EXPECT_EQ(ExtractUserKey(iter.key()), reversed() ? "c" : "a");
  iter.SeekToLast();
  ASSERT_TRUE(iter.Valid());
  EXPECT_EQ(ExtractUserKey(iter.key()), reversed() ? "a" : "c");
}

TEST_P(MemTableTest, MemoryUsageGrows) {
  size_t before = mem_.ApproximateMemoryUsage();
  size_t last = before;
  size_t payload = 0;
  for (int i = 0; i < 10000; i++) {
    std::string key = test::NumberKey(i);
    mem_.Add(i + 1, ValueType::kValue, key, std::string(100, 'v'));
    payload += key.size() + 100;
    size_t now = mem_.ApproximateMemoryUsage();
    ASSERT_GE(now, last);
    last = now;
  }
  EXPECT_GE(last, before + payload);
  EXPECT_LE(last, before + 2 * payload);  // per-entry overhead is small next to 100 bytes
  EXPECT_EQ(mem_.num_entries(), 10000u);
}

// What a memtable holds per entry beyond the entry's own bytes: its skiplist node (the tower
// of links, about 1.33 a node, and the backward link; no key pointer, the entry is the key)
// and alignment. Fewer bytes per entry mean more entries per write buffer, so fewer
// flushes and level-0 tables for the same data.
TEST(MemTableMemoryTest, AnEntryCostsLittleMoreThanItsOwnBytes) {
  InternalKeyComparator icmp(BytewiseComparator());
  MemTable mem(icmp, Arena::Blocks::kHeap);
  const size_t before = mem.ApproximateMemoryUsage();
  const int n = 100000;
  for (int i = 0; i < n; i++) {
    mem.Add(i + 1, ValueType::kValue, test::NumberKey(i, 16), std::string(100, 'v'));
  }
  // Length prefix, 16-byte user key, 8-byte trailer, length prefix, 100-byte value.
  const double encoded = 1 + 16 + 8 + 1 + 100;
  const double overhead = static_cast<double>(mem.ApproximateMemoryUsage() - before) / n - encoded;
  // 31.8 here; 38.9 while each node also held a pointer to its entry.
  EXPECT_LT(overhead, 35.0) << overhead << " bytes per entry beyond its own";
}

// One writer adds while readers Get and iterate: whatever a reader knows to be written (by the
// published sequence) it must find, with the right value.
TEST_P(MemTableTest, ConcurrentReadersDuringWrites) {
  const int kKeys = 300;
  const int kWrites = 20000;
  auto value_of = [](int key, SequenceNumber seq) {
    return std::to_string(key) + "@" + std::to_string(seq);
  };
  std::atomic<SequenceNumber> published{0};
  std::atomic<bool> done{false};
  std::atomic<int> reader_rounds{0};

  auto reader = [&](int id) {
    Random rnd(7 + id);
    MemTable::Iterator iter(&mem_);
    while (!done.load(std::memory_order_acquire)) {
      SequenceNumber snap = published.load(std::memory_order_acquire);
      for (int i = 0; i < 50; i++) {
        // Sequence s writes key (s % kKeys), so the newest version of key k at snapshot snap
        // is the largest s <= snap with s % kKeys == k.
        int k = static_cast<int>(rnd.Uniform(kKeys));
        std::string got = Read(mem_, test::NumberKey(k), snap);
        SequenceNumber first = k == 0 ? kKeys : k;
        if (snap < first) {
          ASSERT_EQ(got, "MISS");
        } else {
          ASSERT_EQ(got, value_of(k, snap - (snap - first) % kKeys));
        }
      }
      // Internal keys come out strictly increasing.
      std::string prev;
      int n = 0;
      for (iter.SeekToFirst(); iter.Valid() && n < 2000; iter.Next(), n++) {
        std::string cur(iter.key());
        if (!prev.empty()) {
          ASSERT_LT(icmp_.Compare(prev, cur), 0);
        }
        prev = std::move(cur);
      }
      reader_rounds.fetch_add(1);
    }
  };
  std::vector<std::thread> readers;
  for (int i = 0; i < 2; i++) readers.emplace_back(reader, i);
  for (SequenceNumber s = 1; s <= kWrites; s++) {
    int k = static_cast<int>(s % kKeys);
    mem_.Add(s, ValueType::kValue, test::NumberKey(k), value_of(k, s));
    published.store(s, std::memory_order_release);
    if (s == kWrites / 2) {
      int target = reader_rounds.load() + 2;
      while (reader_rounds.load() < target && !HasFatalFailure()) std::this_thread::yield();
    }
  }
  done.store(true, std::memory_order_release);
  for (auto& t : readers) t.join();
}

// Every write adds a key never seen before, so a filtered memtable's readers meet keys whose
// filter bits are being set while they read: whatever the published sequence covers they
// must find, and what it does not cover they must miss.
TEST_P(MemTableTest, ConcurrentReadersFindNewKeysAsTheyArePublished) {
  const int kWrites = 20000;
  std::atomic<int> published{0};
  std::atomic<bool> done{false};
  auto reader = [&](int id) {
    Random rnd(11 + id);
    while (!done.load(std::memory_order_acquire)) {
      const int snap = published.load(std::memory_order_acquire);
      for (int i = 0; i < 50; i++) {
        const int k = static_cast<int>(rnd.Uniform(kWrites));
        const std::string got = Read(mem_, test::NumberKey(k), static_cast<SequenceNumber>(snap));
        if (k < snap) {
          ASSERT_EQ(got, "v" + std::to_string(k)) << k << " published at " << snap;
        } else {
          ASSERT_EQ(got, "MISS") << k;
        }
      }
    }
  };
  std::vector<std::thread> readers;
  for (int i = 0; i < 2; i++) readers.emplace_back(reader, i);
  for (int k = 0; k < kWrites; k++) {
    // Key k is written at sequence k + 1.
    mem_.Add(static_cast<SequenceNumber>(k + 1), ValueType::kValue, test::NumberKey(k),
             "v" + std::to_string(k));
    published.store(k + 1, std::memory_order_release);
  }
  done.store(true, std::memory_order_release);
  for (auto& t : readers) t.join();
}

TEST_P(MemTableTest, FilterOnlyWithTheBytewiseComparator) {
  EXPECT_EQ(mem_.has_bloom(), !reversed() && GetParam().bloom_bytes > 0);
}

TEST_P(MemTableTest, ARangeDeletionCoversAKeyThisMemtableDoesNotHold) {
  mem_.Add(1, ValueType::kValue, "k1", "v");
  mem_.Add(5, ValueType::kRangeDeletion, reversed() ? "z" : "a", reversed() ? "a" : "z");
  EXPECT_EQ(Read(mem_, "absent", 10), "DELETED");
  EXPECT_EQ(Read(mem_, "k1", 10), "DELETED");
  EXPECT_EQ(Read(mem_, "absent", 4), "MISS");
  EXPECT_EQ(Read(mem_, "k1", 4), "v");
}

// A group's entries through BatchAdder read as the same entries added one by one would:
// several versions of a key in one batch, deletions, a range deletion, more entries than the
// adder holds back (so it links some before Finish), under both comparators.
TEST_P(MemTableTest, ABatchReadsAsItsEntriesAddedOneByOne) {
  MemTable single(icmp_, Arena::Blocks::kHeap, GetParam().bloom_bytes);
  mem_.Add(1, ValueType::kValue, "before", "b");
  single.Add(1, ValueType::kValue, "before", "b");
  Random rnd(23);
  std::vector<std::tuple<ValueType, std::string, std::string>> ops;
  for (int i = 0; i < 300; i++) {
    std::string key = "k" + std::to_string(rnd.Uniform(120));
    const uint32_t kind = rnd.Uniform(10);
    const ValueType type = kind == 0   ? ValueType::kDeletion
                           : kind == 1 ? ValueType::kRangeDeletion
                                       : ValueType::kValue;
    std::string value = type == ValueType::kRangeDeletion ? key + "5" : "v" + std::to_string(i);
    if (type == ValueType::kRangeDeletion && reversed()) std::swap(key, value);
    ops.emplace_back(type, key, value);
  }
  MemTable::BatchAdder adder(&mem_);
  SequenceNumber seq = 2;
  for (const auto& [type, key, value] : ops) {
    adder.Add(seq, type, key, value);
    single.Add(seq, type, key, value);
    seq++;
  }
  adder.Finish();
  EXPECT_EQ(single.num_entries(), mem_.num_entries());
  EXPECT_EQ(single.num_deletes(), mem_.num_deletes());
  EXPECT_EQ(single.num_range_deletions(), mem_.num_range_deletions());
  for (int k = 0; k < 120; k++) {
    const std::string key = "k" + std::to_string(k);
    for (SequenceNumber snapshot : {SequenceNumber{1}, SequenceNumber{100}, seq}) {
      EXPECT_EQ(Read(single, key, snapshot), Read(mem_, key, snapshot)) << key << "@" << snapshot;
    }
  }
  EXPECT_EQ("b", Read(mem_, "before", 1));
  MemTable::Iterator a(&single), b(&mem_);
  a.SeekToFirst();
  b.SeekToFirst();
  for (; a.Valid(); a.Next(), b.Next()) {
    ASSERT_TRUE(b.Valid());
    ASSERT_EQ(a.key(), b.key());
    ASSERT_EQ(a.value(), b.value());
  }
  EXPECT_FALSE(b.Valid());
}

INSTANTIATE_TEST_SUITE_P(Comparators, MemTableTest,
                         ::testing::Values(MemTableParam{false, 0}, MemTableParam{true, 0},
                                           MemTableParam{false, 4096}, MemTableParam{true, 4096}),
                         [](const ::testing::TestParamInfo<MemTableParam>& info) {
                           return std::string(info.param.reversed ? "Reverse" : "Bytewise") +
                                  (info.param.bloom_bytes > 0 ? "Filtered" : "");
                         });

// A comparator under which keys of different bytes compare equal: a filter of key bytes
// would turn away a lookup that must find its entry, so such a memtable keeps none.
class CaseInsensitiveComparator final : public Comparator {
 public:
  int Compare(std::string_view a, std::string_view b) const override {
    for (size_t i = 0; i < std::min(a.size(), b.size()); i++) {
      const int ca = std::tolower(static_cast<unsigned char>(a[i]));
      const int cb = std::tolower(static_cast<unsigned char>(b[i]));
      if (ca != cb) return ca < cb ? -1 : 1;
    }
    return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
  }
  const char* Name() const override { return "test.CaseInsensitiveComparator"; }
};

TEST(MemTableFilterTest, NoFilterWhereEqualKeysDifferInBytes) {
  static const CaseInsensitiveComparator kCmp;
  InternalKeyComparator icmp(&kCmp);
  MemTable mem(icmp, Arena::Blocks::kHeap, 4096);
  EXPECT_FALSE(mem.has_bloom());
  mem.Add(1, ValueType::kValue, "Key", "v");
  EXPECT_EQ(Read(mem, "kEY", 5), "v");
}

// A memtable holding only a range deletion is not empty: it still answers for the keys the
// deletion covers.
TEST(MemTableFilterTest, ARangeDeletionAloneStillAnswers) {
  InternalKeyComparator icmp(BytewiseComparator());
  MemTable mem(icmp, Arena::Blocks::kHeap, 2500);
  mem.Add(7, ValueType::kRangeDeletion, test::NumberKey(10), test::NumberKey(20));
  EXPECT_EQ(Read(mem, test::NumberKey(15), 100), "DELETED");
  EXPECT_EQ(Read(mem, test::NumberKey(25), 100), "MISS");
}

// An empty memtable answers every lookup without probing its filter (a cache miss each).
TEST(MemTableFilterTest, AnEmptyMemtableDoesNotProbeItsFilter) {
  InternalKeyComparator icmp(BytewiseComparator());
  MemTable mem(icmp, Arena::Blocks::kHeap, 2500);
  SetPerfLevel(PerfLevel::kEnableCount);
  GetPerfContext()->Reset();
  for (int i = 0; i < 100; i++) ASSERT_EQ(Read(mem, test::NumberKey(i), 5000), "MISS");
  EXPECT_EQ(GetPerfContext()->memtable_filter_negatives, 0u);
  mem.Add(1, ValueType::kValue, test::NumberKey(1000), "v");
  for (int i = 0; i < 100; i++) ASSERT_EQ(Read(mem, test::NumberKey(i), 5000), "MISS");
  EXPECT_GE(GetPerfContext()->memtable_filter_negatives, 90u);  // now it asks the filter
  SetPerfLevel(PerfLevel::kDisable);
}

// Lookups of keys the memtable lacks are counted as saved searches; lookups of keys it has
// are not, and find their values.
TEST(MemTableFilterTest, AbsentKeysSkipTheSearch) {
  InternalKeyComparator icmp(BytewiseComparator());
  // Even keys 0, 2, ... 1998.
  auto fill = [](MemTable* m) {
    for (int i = 0; i < 1000; i++) {
      m->Add(i + 1, ValueType::kValue, test::NumberKey(2 * i), "v" + std::to_string(i));
    }
  };
  // About 20 bits a key: a false positive in a few hundred.
  MemTable mem(icmp, Arena::Blocks::kHeap, 2500);
  fill(&mem);
  SetPerfLevel(PerfLevel::kEnableCount);
  GetPerfContext()->Reset();
  for (int i = 0; i < 1000; i++)
    ASSERT_EQ(Read(mem, test::NumberKey(2 * i), 5000), "v" + std::to_string(i));
  EXPECT_EQ(GetPerfContext()->memtable_filter_negatives, 0u);
  for (int i = 0; i < 1000; i++) ASSERT_EQ(Read(mem, test::NumberKey(2 * i + 1), 5000), "MISS");
  EXPECT_GE(GetPerfContext()->memtable_filter_negatives, 950u);
  SetPerfLevel(PerfLevel::kDisable);
  MemTable unfiltered(icmp);
  fill(&unfiltered);
  EXPECT_EQ(mem.ApproximateMemoryUsage() - unfiltered.ApproximateMemoryUsage(), 2496u)
      << "the filter's bytes (39 whole lines) count";
}

}  // namespace
}  // namespace strata
