// Range tombstones below the DB: the fragmenter against a brute-force model, whole-range
// coverage, the "strata.range_del" block (round trip, every kind of damage is Corruption),
// tables carrying the block (and damage to it on disk), and reading version-1 tables.
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "keys/range_tombstone.h"
#include "sstable/format.h"
#include "sstable/range_del_block.h"
#include "sstable/table.h"
#include "sstable/table_builder.h"
#include "support/in_memory_file.h"
#include "support/test_util.h"
#include "util/coding.h"
#include "util/escape.h"

namespace strata::test {
namespace {

const Comparator* kCmp = BytewiseComparator();

// The brute-force answer: the newest tombstone covering key at or below snapshot.
SequenceNumber ModelCovering(const std::vector<RangeTombstone>& ts, std::string_view key,
                             SequenceNumber snapshot) {
  SequenceNumber best = 0;
  for (const auto& t : ts) {
    if (t.begin <= key && key < t.end && t.seq <= snapshot) best = std::max(best, t.seq);
  }
  return best;
}

std::vector<RangeTombstone> RandomTombstones(Random* rnd, int n, int key_space) {
  std::vector<RangeTombstone> ts;
  for (int i = 0; i < n; i++) {
    uint64_t a = rnd->Uniform(key_space), b = rnd->Uniform(key_space);
    // Some empty and inverted ones, which must be ignored.
    ts.push_back({NumberKey(a, 4), NumberKey(b, 4), 1 + rnd->Uniform(200)});
  }
  return ts;
}

TEST(RangeTombstoneFragmenterTest, MatchesBruteForceModel) {
  for (uint64_t seed = 1; seed <= 20; seed++) {
    Random rnd(seed);
    const int key_space = 60;
    std::vector<RangeTombstone> ts = RandomTombstones(&rnd, 1 + seed * 3, key_space);
    FragmentedRangeTombstones f(kCmp, ts);
    // Fragments are sorted, non-overlapping, non-empty; sequences strictly descending.
    for (size_t i = 0; i < f.size(); i++) {
      const auto& fr = f.fragments()[i];
      ASSERT_LT(fr.begin, fr.end);
      if (i > 0) {
        ASSERT_LE(f.fragments()[i - 1].end, fr.begin);
      }
      ASSERT_GE(fr.seq_count, 1u);
      for (uint32_t j = 1; j < fr.seq_count; j++) ASSERT_GT(f.SeqsOf(fr)[j - 1], f.SeqsOf(fr)[j]);
    }
    for (int k = 0; k <= key_space; k++) {
      for (SequenceNumber snap :
           {SequenceNumber{0}, SequenceNumber{50}, SequenceNumber{120}, kMaxSequenceNumber}) {
        const std::string key = NumberKey(k, 4);
        ASSERT_EQ(f.MaxCoveringSeq(key, snap), ModelCovering(ts, key, snap))
            << "seed " << seed << " key " << key << " snapshot " << snap;
        // A key between the numbered ones, too.
        ASSERT_EQ(f.MaxCoveringSeq(key + "x", snap), ModelCovering(ts, key + "x", snap));
      }
    }
    // Re-fragmenting the fragments' tombstones gives the same answers.
    std::vector<RangeTombstone> again;
    f.AppendTo(&again);
    FragmentedRangeTombstones g(kCmp, again);
    for (int k = 0; k <= key_space; k++) {
      ASSERT_EQ(g.MaxCoveringSeq(NumberKey(k, 4), kMaxSequenceNumber),
                f.MaxCoveringSeq(NumberKey(k, 4), kMaxSequenceNumber));
    }
  }
}

TEST(RangeTombstoneFragmenterTest, EmptyAndInvertedRangesCoverNothing) {
  FragmentedRangeTombstones f(kCmp, {{"b", "b", 5}, {"d", "c", 6}});
  EXPECT_TRUE(f.empty());
  EXPECT_EQ(f.MaxCoveringSeq("b", kMaxSequenceNumber), 0u);
  EXPECT_EQ(f.MaxCoveringSeq("c", kMaxSequenceNumber), 0u);
}

TEST(RangeTombstoneFragmenterTest, EndIsExclusiveAndSnapshotsFilter) {
  FragmentedRangeTombstones f(kCmp, {{"a", "c", 10}, {"b", "d", 20}});
  EXPECT_EQ(f.MaxCoveringSeq("a", 100), 10u);
  EXPECT_EQ(f.MaxCoveringSeq("b", 100), 20u);
  EXPECT_EQ(f.MaxCoveringSeq("b", 15), 10u);
  EXPECT_EQ(f.MaxCoveringSeq("b", 9), 0u);
  EXPECT_EQ(f.MaxCoveringSeq("c", 100), 20u);
  EXPECT_EQ(f.MaxCoveringSeq("d", 100), 0u);
  EXPECT_EQ(f.MaxCoveringSeq("", 100), 0u);
}

TEST(RangeTombstoneFragmenterTest, CoversRangeNeedsContiguousQualifyingFragments) {
  FragmentedRangeTombstones f(kCmp, {{"a", "c", 10}, {"c", "f", 20}, {"g", "k", 30}});
  EXPECT_TRUE(f.CoversRange("a", "e", false, 5, 100));
  EXPECT_TRUE(f.CoversRange("a", "f", true, 5, 100));     // f itself is past the end
  EXPECT_FALSE(f.CoversRange("a", "f", false, 5, 100));   // f is not covered
  EXPECT_FALSE(f.CoversRange("a", "h", false, 5, 100));   // the gap [f, g)
  EXPECT_FALSE(f.CoversRange("a", "e", false, 10, 100));  // [a, c) is not newer than 10
  EXPECT_FALSE(f.CoversRange("a", "e", false, 5, 15));    // [c, f) is above the snapshot
  EXPECT_TRUE(f.CoversRange("h", "j", false, 29, 30));
}

TEST(RangeDelBlockTest, RoundTrip) {
  Random rnd(7);
  FragmentedRangeTombstones f(kCmp, RandomTombstones(&rnd, 50, 100));
  ASSERT_FALSE(f.empty());
  std::string block = EncodeRangeDelBlock(f);
  std::shared_ptr<const FragmentedRangeTombstones> g;
  ASSERT_OK(DecodeRangeDelBlock(block, kCmp, &g));
  ASSERT_EQ(g->size(), f.size());
  for (int k = 0; k < 100; k++) {
    ASSERT_EQ(g->MaxCoveringSeq(NumberKey(k, 4), kMaxSequenceNumber),
              f.MaxCoveringSeq(NumberKey(k, 4), kMaxSequenceNumber));
  }
  EXPECT_EQ(EncodeRangeDelBlock(*g), block);
}

TEST(RangeDelBlockTest, DocumentedExample) {
  // docs/FORMATS.md, "Range deletion block".
  FragmentedRangeTombstones f(kCmp, {{"a", "c", 10}, {"b", "d", 20}});
  EXPECT_EQ(EncodeRangeDelBlock(f), std::string("\x03"
                                                "\x01"
                                                "a\x01"
                                                "b\x01\x0a"
                                                "\x01"
                                                "b\x01"
                                                "c\x02\x14\x0a"
                                                "\x01"
                                                "c\x01"
                                                "d\x01\x14"));
}

TEST(RangeDelBlockTest, DamageIsCorruption) {
  FragmentedRangeTombstones f(kCmp, {{"a", "c", 10}, {"b", "d", 20}, {"x", "z", 3}});
  const std::string block = EncodeRangeDelBlock(f);
  std::shared_ptr<const FragmentedRangeTombstones> g;
  // Every truncation, and every extension.
  for (size_t n = 0; n < block.size(); n++) {
    EXPECT_TRUE(DecodeRangeDelBlock(block.substr(0, n), kCmp, &g).IsCorruption()) << n;
    EXPECT_EQ(g, nullptr);
  }
  EXPECT_TRUE(DecodeRangeDelBlock(block + "x", kCmp, &g).IsCorruption());

  auto encode =
      [](const std::vector<std::tuple<std::string, std::string, std::vector<uint64_t>>>& frags) {
        std::string r;
        PutVarint32(&r, static_cast<uint32_t>(frags.size()));
        for (const auto& [b, e, seqs] : frags) {
          PutLengthPrefixed(&r, b);
          PutLengthPrefixed(&r, e);
          PutVarint32(&r, static_cast<uint32_t>(seqs.size()));
          for (uint64_t s : seqs) PutVarint64(&r, s);
        }
        return r;
      };
  ASSERT_OK(DecodeRangeDelBlock(encode({{"a", "b", {5, 3}}, {"b", "c", {4}}}), kCmp, &g));
  // begin >= end, overlap, out of order, no sequences, not descending, out of range.
  for (const std::string& bad : {
           encode({{"b", "b", {5}}}),
           encode({{"c", "b", {5}}}),
           encode({{"a", "c", {5}}, {"b", "d", {4}}}),
           encode({{"c", "d", {5}}, {"a", "b", {4}}}),
           encode({{"a", "b", {}}}),
           encode({{"a", "b", {3, 5}}}),
           encode({{"a", "b", {3, 3}}}),
           encode({{"a", "b", {kMaxSequenceNumber + 1}}}),
       }) {
    EXPECT_TRUE(DecodeRangeDelBlock(bad, kCmp, &g).IsCorruption()) << EscapeBytes(bad);
  }
}

// Builds an internal-key table with entries and tombstones into *bytes.
void BuildTableWithTombstones(const FragmentedRangeTombstones* tombstones, std::string* bytes,
                              const InternalKeyComparator& icmp) {
  TableOptions options;
  options.comparator = &icmp;
  options.user_comparator = kCmp;
  bytes->clear();
  InMemoryWritableFile file(bytes);
  TableBuilder builder(options, &file);
  for (int i = 0; i < 100; i++) {
    std::string k;
    AppendInternalKey(&k, NumberKey(i, 4), 1, ValueType::kValue);
    builder.Add(k, "v");
  }
  if (tombstones != nullptr) builder.SetRangeTombstones(*tombstones);
  ASSERT_OK(builder.Finish());
}

Status Open(std::string_view bytes, const InternalKeyComparator& icmp,
            std::unique_ptr<Table>* table) {
  TableOptions options;
  options.comparator = &icmp;
  options.user_comparator = kCmp;
  return Table::Open(options, "000001.sst",
                     std::make_unique<InMemoryRandomAccessFile>(bytes, false), bytes.size(), table);
}

TEST(RangeDelTableTest, TableCarriesTombstonesAndDamageIsDetected) {
  InternalKeyComparator icmp(kCmp);
  FragmentedRangeTombstones f(kCmp, {{NumberKey(10, 4), NumberKey(20, 4), 7}});
  std::string bytes;
  BuildTableWithTombstones(&f, &bytes, icmp);
  std::unique_ptr<Table> table;
  ASSERT_OK(Open(bytes, icmp, &table));
  ASSERT_NE(table->range_tombstones(), nullptr);
  EXPECT_EQ(table->range_tombstones()->MaxCoveringSeq(NumberKey(15, 4), 100), 7u);
  EXPECT_EQ(table->range_tombstones()->MaxCoveringSeq(NumberKey(20, 4), 100), 0u);

  // Find the block through the metaindex-independent way: its encoding is unique in the
  // file. Flipping any byte of it (or of its trailer) fails the open.
  const std::string block = EncodeRangeDelBlock(f);
  const size_t at = bytes.find(block);
  ASSERT_NE(at, std::string::npos);
  for (size_t i = at; i < at + block.size() + kBlockTrailerSize; i++) {
    std::string damaged = bytes;
    damaged[i] ^= 0x10;
    Status s = Open(damaged, icmp, &table);
    EXPECT_TRUE(s.IsCorruption()) << i << " " << s.ToString();
  }

  // A table without tombstones has none.
  BuildTableWithTombstones(nullptr, &bytes, icmp);
  ASSERT_OK(Open(bytes, icmp, &table));
  EXPECT_EQ(table->range_tombstones(), nullptr);
}

TEST(RangeDelTableTest, VersionOneTablesStillRead) {
  InternalKeyComparator icmp(kCmp);
  std::string bytes;
  BuildTableWithTombstones(nullptr, &bytes, icmp);
  // Rewrite the footer as version 1 (what builds before range deletions wrote).
  Footer footer;
  const size_t at = bytes.size() - Footer::kEncodedLength;
  ASSERT_OK(footer.DecodeFrom(std::string_view(bytes).substr(at), "t", at));
  // Without a user key extractor the index holds internal keys: version 2, as before 3.
  EXPECT_EQ(footer.version, kInternalKeyIndexFormatVersion);
  footer.version = 1;
  std::string encoded;
  footer.EncodeTo(&encoded);
  bytes.replace(at, Footer::kEncodedLength, encoded);
  std::unique_ptr<Table> table;
  ASSERT_OK(Open(bytes, icmp, &table));
  EXPECT_EQ(table->range_tombstones(), nullptr);
  std::unique_ptr<Iterator> it = table->NewIterator(ReadOptions());
  int n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) n++;
  EXPECT_OK(it->status());
  EXPECT_EQ(n, 100);
}

}  // namespace
}  // namespace strata::test
