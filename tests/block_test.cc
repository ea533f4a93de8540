// Tests for the block layout: BlockBuilder, Block and BlockIter.

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <new>
#include <string>
#include <vector>

#include "sstable/block.h"
#include "sstable/block_builder.h"
#include "support/allocation_counter.h"
#include "support/iterator_model.h"
#include "support/test_util.h"
#include "util/coding.h"
#include "util/escape.h"

STRATA_COUNT_ALLOCATIONS()

namespace strata::test {
namespace {

std::string BuildBlock(const KVModel& model, int restart_interval) {
  BlockBuilder builder(restart_interval);
  for (const auto& [k, v] : model) builder.Add(k, v);
  return builder.Finish();
}

// A block over a copy of bytes (so ASan sees reads past the end).
std::unique_ptr<Block> MakeBlock(std::string_view bytes) {
  BlockContents contents;
  CopyBlockContents(bytes, &contents);
  return std::make_unique<Block>(std::move(contents));
}

// n distinct keys in bytewise order drawn from the full byte range, with long shared prefixes
// (so prefix compression matters) and some empty and \x00 / \xff-heavy keys.
KVModel RandomModel(Random* rnd, size_t n, size_t max_key, size_t max_value) {
  std::map<std::string, std::string> m;
  const std::string prefixes[] = {"", "user", std::string("\x00\x00", 2), "\xff\xff\xff",
                                  std::string(40, 'p')};
  while (m.size() < n) {
    std::string key = prefixes[rnd->Uniform(5)] + RandomBytes(rnd, rnd->Uniform(max_key + 1));
    std::string value = RandomBytes(rnd, rnd->Uniform(max_value + 1));
    m[key] = value;
  }
  return KVModel(m.begin(), m.end());
}

// Seek targets around every key: just before and just after it, and beyond both ends.
std::vector<std::string> Probes(const KVModel& model, Random* rnd) {
  std::vector<std::string> probes = {"", std::string(1, '\0'), "\xff\xff\xff\xff\xff\xff"};
  for (const auto& [k, v] : model) {
    probes.push_back(k + std::string(1, '\0'));  // just after k
    if (!k.empty()) {
      std::string before = k;
      before.pop_back();  // a prefix sorts before k
      probes.push_back(before);
    }
    if (rnd->OneIn(4)) probes.push_back(RandomBytes(rnd, rnd->Uniform(10)));
  }
  return probes;
}

TEST(BlockTest, EmptyBlockIsEightBytesAndIteratesNothing) {
  BlockBuilder builder(16);
  EXPECT_TRUE(builder.empty());
  EXPECT_EQ(builder.CurrentSizeEstimate(), 8u);
  std::string bytes = builder.Finish();
  EXPECT_EQ(bytes, std::string("\0\0\0\0\1\0\0\0", 8));
  auto block = MakeBlock(bytes);
  ASSERT_TRUE(block->ok());
  BlockIter it(BytewiseComparator(), block.get());
  EXPECT_TRUE(IteratorMatchesModel(&it, {}, BytewiseComparator(), {"", "a", "\xff"}, 1));
}

// The layout documented in docs/FORMATS.md ("Sorted table files", block example).
TEST(BlockTest, DocumentedLayout) {
  BlockBuilder builder(2);
  builder.Add("apple", "red");
  builder.Add("apricot", "or");
  builder.Add("banana", "y");
  std::string bytes = builder.Finish();
  const std::string expected(
      "\x00\x05\x03"
      "applered"  // entry 0 at offset 0 (restart)
      "\x02\x05\x02"
      "ricotor"  // entry 1 at offset 11: shares "ap"
      "\x00\x06\x01"
      "bananay"                           // entry 2 at offset 21 (restart)
      "\x00\x00\x00\x00\x15\x00\x00\x00"  // restarts: 0, 21
      "\x02\x00\x00\x00",                 // 2 restarts
      43);
  EXPECT_EQ(EscapeBytes(bytes), EscapeBytes(expected));
}

TEST(BlockTest, SizeEstimateMatchesFinishedSize) {
  Random rnd(7);
  KVModel model = RandomModel(&rnd, 300, 30, 50);
  BlockBuilder builder(4);
  for (const auto& [k, v] : model) builder.Add(k, v);
  size_t estimate = builder.CurrentSizeEstimate();
  EXPECT_EQ(builder.Finish().size(), estimate);
  builder.Reset();
  EXPECT_TRUE(builder.empty());
  EXPECT_EQ(builder.num_entries(), 0u);
  builder.Add("x", "y");
  EXPECT_EQ(builder.num_entries(), 1u);
}

class BlockRoundTripTest : public ::testing::TestWithParam<int> {};

TEST_P(BlockRoundTripTest, MatchesModel) {
  const int interval = GetParam();
  for (uint64_t seed = 1; seed <= 6; seed++) {
    Random rnd(seed * 1000 + interval);
    size_t n = seed == 1 ? 1 : rnd.Uniform(800) + 2;
    KVModel model = RandomModel(&rnd, n, seed % 2 ? 20 : 200, 40);
    std::string bytes = BuildBlock(model, interval);
    auto block = MakeBlock(bytes);
    ASSERT_TRUE(block->ok());
    EXPECT_EQ(block->num_restarts(), (n + interval - 1) / interval);
    BlockIter it(BytewiseComparator(), block.get());
    const std::vector<std::string> probes = Probes(model, &rnd);
    EXPECT_TRUE(IteratorMatchesModel(&it, model, BytewiseComparator(), probes, seed))
        << "interval " << interval << ", " << n << " entries, seed " << seed;
    // The same block searched through restart hints must answer every probe the same way.
    auto hinted = MakeBlock(bytes);
    hinted->AddRestartHints();
    ASSERT_GT(hinted->hints_memory_usage(), 0u);
    BlockIter hinted_it(BytewiseComparator(), hinted.get());
    EXPECT_TRUE(IteratorMatchesModel(&hinted_it, model, BytewiseComparator(), probes, seed))
        << "with hints: interval " << interval << ", " << n << " entries, seed " << seed;
  }
}

INSTANTIATE_TEST_SUITE_P(RestartIntervals, BlockRoundTripTest, ::testing::Values(1, 2, 3, 16, 64));

TEST(BlockTest, ReverseComparator) {
  class Reverse final : public Comparator {
   public:
    int Compare(std::string_view a, std::string_view b) const override { return b.compare(a); }
    const char* Name() const override { return "test.Reverse"; }
  } reverse;
  Random rnd(3);
  KVModel model = RandomModel(&rnd, 500, 12, 10);
  std::reverse(model.begin(), model.end());
  auto block = MakeBlock(BuildBlock(model, 16));
  BlockIter it(&reverse, block.get());
  EXPECT_TRUE(IteratorMatchesModel(&it, model, &reverse, Probes(model, &rnd), 3));
}

TEST(BlockTest, ReinitAndClear) {
  auto a = MakeBlock(BuildBlock({{"a", "1"}, {"b", "2"}}, 16));
  auto b = MakeBlock(BuildBlock({{"c", "3"}}, 16));
  BlockIter it(BytewiseComparator(), a.get());
  it.SeekToLast();
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), "b");
  it.Init(BytewiseComparator(), b.get());
  EXPECT_FALSE(it.Valid());
  it.Seek("");
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.value(), "3");
  it.Clear();
  EXPECT_FALSE(it.Valid());
  it.SeekToFirst();
  EXPECT_FALSE(it.Valid());
  EXPECT_OK(it.status());
}

// Prev keeps the entries it decoded; an iterator moved to another block must not step back
// through them, even where that block has entries at the same offsets.
TEST(BlockTest, PrevAfterReinitReadsTheNewBlock) {
  KVModel a_model, b_model;
  for (int i = 0; i < 40; i++) {
    a_model.emplace_back("a" + NumberKey(i, 4), "x");
    b_model.emplace_back("b" + NumberKey(i, 4), "y");
  }
  auto a = MakeBlock(BuildBlock(a_model, 16));
  auto b = MakeBlock(BuildBlock(b_model, 16));
  BlockIter it(BytewiseComparator(), a.get());
  it.SeekToLast();
  it.Prev();
  it.Prev();
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), a_model[37].first);
  it.Init(BytewiseComparator(), b.get());
  it.SeekToLast();
  for (int i = 39; i >= 0; i--) {
    ASSERT_TRUE(it.Valid());
    EXPECT_EQ(it.key(), b_model[i].first);
    EXPECT_EQ(it.value(), "y");
    it.Prev();
  }
  EXPECT_FALSE(it.Valid());
  // Forward again from the middle of a decoded interval, then back.
  it.Seek(b_model[20].first);
  it.Prev();
  it.Next();
  it.Next();
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), b_model[21].first);
  it.Prev();
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), b_model[20].first);
}

TEST(BlockTest, IterationAllocatesNothingPerEntry) {
  for (size_t key_len : {16, 100, 400}) {
    KVModel model;
    for (int i = 0; i < 500; i++) {
      model.emplace_back(std::string(key_len - 12, 'k') + NumberKey(i, 9), "value");
    }
    auto block = MakeBlock(BuildBlock(model, 16));
    BlockIter it(BytewiseComparator(), block.get());
    // Warm up: a key longer than the inline buffer grows it once, and so does the buffer of
    // entries Prev decodes.
    for (it.SeekToFirst(); it.Valid(); it.Next()) {
    }
    for (it.SeekToLast(); it.Valid(); it.Prev()) {
    }
    uint64_t before = g_allocations.load();
    size_t n = 0;
    for (it.SeekToFirst(); it.Valid(); it.Next()) n++;
    for (it.SeekToLast(); it.Valid(); it.Prev()) n++;
    for (const auto& kv : model) {
      it.Seek(kv.first);
      n += it.Valid();
    }
    EXPECT_EQ(g_allocations.load() - before, 0u) << "key length " << key_len;
    EXPECT_EQ(n, 3 * model.size());
  }
}

TEST(BlockTest, MalformedRestartArraysAreRejected) {
  const std::string good = BuildBlock({{"a", "1"}, {"b", "2"}, {"c", "3"}}, 2);
  ASSERT_TRUE(MakeBlock(good)->ok());
  EXPECT_FALSE(MakeBlock("")->ok());
  EXPECT_FALSE(MakeBlock("abc")->ok());
  EXPECT_FALSE(MakeBlock(std::string("\0\0\0\0", 4))->ok());          // zero restarts
  EXPECT_FALSE(MakeBlock(std::string("\0\0\0\0\2\0\0\0", 8))->ok());  // count too large
  auto with_restart = [&](int index, uint32_t value) {
    std::string bad = good;
    EncodeFixed32(bad.data() + bad.size() - 4 - 4 * (2 - index), value);
    return bad;
  };
  EXPECT_TRUE(MakeBlock(with_restart(1, 8))->ok());
  EXPECT_FALSE(MakeBlock(with_restart(0, 1))->ok());     // first restart not at 0
  EXPECT_FALSE(MakeBlock(with_restart(1, 0))->ok());     // not increasing
  EXPECT_FALSE(MakeBlock(with_restart(1, 1000))->ok());  // beyond the entries

  auto bad = MakeBlock("abc");
  BlockIter it(BytewiseComparator(), bad.get());
  it.SeekToFirst();
  EXPECT_FALSE(it.Valid());
  EXPECT_TRUE(it.status().IsCorruption());
}

// Arbitrary damage to a block's bytes (with a restart array that still passes) must never
// read out of bounds or loop: iterators end or report Corruption.
TEST(BlockTest, DamagedEntriesNeverCrash) {
  Random rnd(11);
  KVModel model = RandomModel(&rnd, 200, 30, 30);
  const std::string good = BuildBlock(model, 4);
  size_t corrupt_seen = 0;
  for (size_t i = 0; i < good.size() * 4; i++) {
    std::string bad = good;
    size_t pos = rnd.Uniform(bad.size());
    bad[pos] = static_cast<char>(rnd.OneIn(2) ? bad[pos] ^ (1 << rnd.Uniform(8)) : rnd.Next());
    if (rnd.OneIn(8)) bad.resize(rnd.Uniform(bad.size()));
    auto block = MakeBlock(bad);
    if (rnd.OneIn(2)) block->AddRestartHints();  // none if it sees the damage
    BlockIter it(BytewiseComparator(), block.get());
    size_t steps = 0;
    for (it.SeekToFirst(); it.Valid() && steps < 10000; it.Next()) steps++;
    ASSERT_LT(steps, 10000u);
    for (it.SeekToLast(); it.Valid() && steps < 20000; it.Prev()) steps++;
    ASSERT_LT(steps, 20000u);
    for (int j = 0; j < 20; j++) {
      it.Seek(model[rnd.Uniform(model.size())].first);
      ASSERT_TRUE(it.status().ok() || !it.Valid());  // never entries beside an error
      if (it.Valid()) it.Prev();
      it.SeekForPrev(RandomBytes(&rnd, 5));
      ASSERT_TRUE(it.status().ok() || !it.Valid());
      if (it.Valid()) it.Next();
    }
    corrupt_seen += !it.status().ok() || !block->ok();
  }
  EXPECT_GT(corrupt_seen, 0u);
}

}  // namespace
}  // namespace strata::test
