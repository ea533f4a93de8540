// Where compaction outputs end: the cutter driven key by key against hand-built grandparents.
#include "compaction/output_cutter.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace strata {
namespace {

class OutputCutterTest : public testing::Test {
 protected:
  // A grandparent file holding user keys [smallest, largest].
  void Grandparent(std::string_view smallest, std::string_view largest, uint64_t size) {
    auto f = std::make_shared<FileMetaData>();
    f->number = grandparents_.size() + 1;
    f->file_size = size;
    AppendInternalKey(&f->smallest, smallest, 10, ValueType::kValue);
    AppendInternalKey(&f->largest, largest, 10, ValueType::kValue);
    grandparents_.push_back(f);
  }

  // Feeds keys in order, the output growing by bytes_per_key after each one. Returns the
  // keys each output started with.
  std::vector<std::string> Starts(const std::vector<std::string>& keys, uint64_t bytes_per_key,
                                  bool at_boundaries = true, uint64_t target = kTarget) {
    OutputCutter cutter(BytewiseComparator(), grandparents_, target, kMaxOverlap, at_boundaries);
    std::vector<std::string> starts;
    uint64_t bytes = 0;
    for (const std::string& key : keys) {
      const bool first = starts.empty();
      if (first) {
        EXPECT_FALSE(cutter.ShouldCutBefore(key, false, 0));
      }
      if (first || cutter.ShouldCutBefore(key, true, bytes)) {
        starts.push_back(key);
        bytes = 0;
      }
      bytes += bytes_per_key;
    }
    return starts;
  }

  static constexpr uint64_t kTarget = 1000;
  static constexpr uint64_t kMaxOverlap = 10000;
  FileList grandparents_;
};

using Keys = std::vector<std::string>;

TEST_F(OutputCutterTest, WithoutGrandparentsCutsOnlyAtTheTarget) {
  // 100 bytes a key: the output holding ten keys is full.
  Keys keys;
  for (char c = 'a'; c <= 'y'; c++) keys.emplace_back(1, c);
  EXPECT_EQ((Keys{"a", "k", "u"}), Starts(keys, 100));
}

TEST_F(OutputCutterTest, CutsAtAGrandparentBoundaryOnceHalfFull) {
  // Boundaries between c and d (three keys, 300 bytes: below the bar of 50% plus 5% for
  // each of the two boundaries crossed, kept) and between h and i (eight keys, 800 bytes,
  // past the bar of 70% after four boundaries: cut there).
  Grandparent("a", "c", 500);
  Grandparent("d", "h", 500);
  Grandparent("i", "z", 500);
  EXPECT_EQ((Keys{"a", "i"}), Starts({"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}, 100));
}

TEST_F(OutputCutterTest, WithoutBoundaryCutsOnlyTheTargetAndTheOverlapCount) {
  // The grandparents of the test above and of the step-over test below: no early cut.
  Grandparent("a", "c", 500);
  Grandparent("d", "h", 500);
  Grandparent("i", "l", 500);
  Grandparent("m", "n", 200);
  Grandparent("x", "z", 500);
  const Keys keys = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "x", "y"};
  EXPECT_EQ((Keys{"a", "i", "x"}), Starts(keys, 100));
  EXPECT_EQ((Keys{"a", "x"}), Starts(keys, 100, false));  // ten keys: the target
}

TEST_F(OutputCutterTest, TheBarRisesWithEachBoundaryCrossed) {
  // A grandparent file per key: every key crosses two boundaries, so the bar climbs 10% a
  // key and an output of 100-byte keys only reaches it at the 90% cap, after nine keys.
  std::string k = "a";
  Keys keys;
  for (int i = 0; i < 20; i++, k[0]++) {
    Grandparent(k, k, 10);
    keys.push_back(k);
  }
  EXPECT_EQ((Keys{"a", "j", "s"}), Starts(keys, 100));
}

TEST_F(OutputCutterTest, TheBarHoldsForTargetsBelowAHundredBytes) {
  // A 40-byte target and 5-byte keys, each crossing two boundaries: the bar starts at 60%
  // (24 bytes) and climbs faster than the output grows, so the output ends at the target,
  // after eight keys. A bar rounded down to nothing would start an output at every key.
  std::string k = "a";
  Keys keys;
  for (int i = 0; i < 10; i++, k[0]++) {
    Grandparent(k + "0", k + "1", 1);
    keys.push_back(k + "0");
  }
  EXPECT_EQ((Keys{"a0", "i0"}), Starts(keys, 5, true, 40));
}

TEST_F(OutputCutterTest, CutsBeforeSteppingOverAWholeGrandparentFile) {
  // Between c and x lies a grandparent file holding none of the keys: an output spanning
  // it would drag it into its later merge, so the output ends at c, small as it is.
  Grandparent("a", "c", 100);
  Grandparent("m", "n", 200);  // above an eighth of the target
  Grandparent("x", "z", 100);
  EXPECT_EQ((Keys{"a", "x"}), Starts({"a", "b", "c", "x", "y"}, 10));
}

TEST_F(OutputCutterTest, AStepOverASmallFileIsNotWorthACut) {
  Grandparent("a", "c", 100);
  Grandparent("m", "n", 100);  // an eighth of the target or less
  Grandparent("x", "z", 100);
  EXPECT_EQ((Keys{"a"}), Starts({"a", "b", "c", "x", "y"}, 10));
}

TEST_F(OutputCutterTest, CutsBeforeOverlappingTooManyGrandparentBytes) {
  // Large grandparent files holding one key each: the third would take the overlap past
  // kMaxOverlap, even though each output holds 10 bytes.
  Grandparent("a", "a", 4000);
  Grandparent("b", "b", 4000);
  Grandparent("c", "c", 4000);
  Grandparent("d", "d", 4000);
  EXPECT_EQ((Keys{"a", "c"}), Starts({"a", "b", "c", "d"}, 10));
}

TEST_F(OutputCutterTest, AnOutputStartingInsideAGrandparentCountsIt) {
  // The first key sits inside a 9,000-byte file: the next file takes the output past
  // kMaxOverlap.
  Grandparent("a", "c", 9000);
  Grandparent("d", "f", 2000);
  EXPECT_EQ((Keys{"b", "d"}), Starts({"b", "d", "e"}, 10));
}

}  // namespace
}  // namespace strata
