// The compaction picker as the pure function it is: hand-built versions in, choices out.
#include "compaction/compaction_picker.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "support/test_util.h"

namespace strata {
namespace {

class PickerTest : public testing::Test {
 protected:
  PickerTest() : icmp_(BytewiseComparator()) {
    options_.num_levels = 4;
    options_.level0_file_num_compaction_trigger = 2;
    options_.max_bytes_for_level_base = 1000;
    options_.max_bytes_for_level_multiplier = 10;
    options_.target_file_size_base = 100;
    levels_.resize(options_.num_levels);
  }

  void Add(int level, uint64_t number, std::string_view smallest, std::string_view largest,
           uint64_t size, SequenceNumber seq = 10) {
    auto f = std::make_shared<FileMetaData>();
    f->number = number;
    f->file_size = size;
    AppendInternalKey(&f->smallest, smallest, seq, ValueType::kValue);
    AppendInternalKey(&f->largest, largest, seq, ValueType::kValue);
    f->smallest_seqno = f->largest_seqno = seq;
    levels_[level].push_back(f);
  }
  // A deepest level big enough that level 0 compacts into level 1 (see BaseLevel).
  void AddDeepLevel() { Add(3, 99, "~", "~", 100000); }
  std::shared_ptr<const Version> V() { return std::make_shared<const Version>(&icmp_, levels_); }
  static std::vector<uint64_t> Numbers(const FileList& files) {
    std::vector<uint64_t> out;
    for (const auto& f : files) out.push_back(f->number);
    return out;
  }

  InternalKeyComparator icmp_;
  Options options_;
  std::vector<FileList> levels_;
  std::vector<std::string> pointers_{4};
  std::set<uint64_t> busy_;
};

TEST_F(PickerTest, NothingToDo) {
  Add(0, 1, "a", "c", 10);
  Add(1, 2, "a", "z", 500);
  EXPECT_EQ(nullptr, PickCompaction(V(), options_, icmp_, pointers_, busy_));
  EXPECT_DOUBLE_EQ(0.5, LevelScore(*V(), options_, 0));
  EXPECT_DOUBLE_EQ(0.5, LevelScore(*V(), options_, 1));
  EXPECT_EQ(0, LevelScore(*V(), options_, 3));  // the last level never compacts
}

TEST_F(PickerTest, LevelZeroTakesAllItsFilesAndTheOverlap) {
  Add(0, 5, "c", "e", 10, 20);
  Add(0, 4, "a", "b", 10, 10);
  Add(1, 1, "a", "a", 100);
  Add(1, 2, "d", "f", 100);
  Add(1, 3, "x", "z", 100);
  Add(2, 7, "b", "k", 100);
  AddDeepLevel();
  auto c = PickCompaction(V(), options_, icmp_, pointers_, busy_);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ(0, c->level);
  EXPECT_EQ(1, c->output_level);
  EXPECT_EQ((std::vector<uint64_t>{5, 4}), Numbers(c->inputs[0]));
  EXPECT_EQ((std::vector<uint64_t>{1, 2}), Numbers(c->inputs[1]));
  EXPECT_EQ((std::vector<uint64_t>{7}), Numbers(c->grandparents));
  EXPECT_FALSE(c->trivial_move);

  busy_.insert(2);  // a file it needs is in use: nothing can be picked
  EXPECT_EQ(nullptr, PickCompaction(V(), options_, icmp_, pointers_, busy_));
}

TEST_F(PickerTest, ASpentSeekBudgetCompactsTheFileWhenNoLevelIsDue) {
  options_.level0_file_num_compaction_trigger = 4;
  Add(0, 5, "c", "e", 10, 20);
  Add(0, 4, "a", "d", 10, 10);
  Add(1, 1, "a", "b", 100);
  Add(1, 2, "m", "p", 100);
  Add(2, 7, "n", "o", 100);
  Add(2, 8, "x", "z", 100);
  AddDeepLevel();
  EXPECT_EQ(nullptr, PickCompaction(V(), options_, icmp_, pointers_, busy_));

  // In level 0: all of level 0 (its files overlap) with what they overlap in level 1.
  auto c = PickCompaction(V(), options_, icmp_, pointers_, busy_, {0, 4});
  ASSERT_NE(nullptr, c);
  EXPECT_EQ("seeks", c->reason);
  EXPECT_EQ((std::vector<uint64_t>{5, 4}), Numbers(c->inputs[0]));
  EXPECT_EQ((std::vector<uint64_t>{1}), Numbers(c->inputs[1]));

  // Deeper: the file alone, with its overlap below.
  c = PickCompaction(V(), options_, icmp_, pointers_, busy_, {1, 2});
  ASSERT_NE(nullptr, c);
  EXPECT_EQ(1, c->level);
  EXPECT_EQ((std::vector<uint64_t>{2}), Numbers(c->inputs[0]));
  EXPECT_EQ((std::vector<uint64_t>{7}), Numbers(c->inputs[1]));

  // A file no longer at that level, or the last level's, or a busy one: nothing.
  EXPECT_EQ(nullptr, PickCompaction(V(), options_, icmp_, pointers_, busy_, {1, 7}));
  EXPECT_EQ(nullptr, PickCompaction(V(), options_, icmp_, pointers_, busy_, {3, 7}));
  busy_.insert(7);
  EXPECT_EQ(nullptr, PickCompaction(V(), options_, icmp_, pointers_, busy_, {1, 2}));
  busy_.clear();

  // A level due by size goes first.
  Add(0, 6, "f", "g", 10, 30);
  Add(0, 9, "h", "i", 10, 40);
  c = PickCompaction(V(), options_, icmp_, pointers_, busy_, {1, 2});
  ASSERT_NE(nullptr, c);
  EXPECT_EQ("L0 file count", c->reason);
}

TEST_F(PickerTest, HighestScoreFirstAndTrivialMove) {
  Add(0, 9, "a", "b", 10);
  Add(0, 8, "c", "d", 10);    // L0 score 1
  Add(1, 1, "m", "n", 3000);  // L1 score 3
  auto c = PickCompaction(V(), options_, icmp_, pointers_, busy_);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ(1, c->level);
  EXPECT_TRUE(c->trivial_move);  // nothing below overlaps it
  busy_.insert(1);
  c = PickCompaction(V(), options_, icmp_, pointers_, busy_);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ(0, c->level);  // the next most urgent
}

TEST_F(PickerTest, TrivialMovesGoBeforeMerges) {
  for (uint64_t n = 20; n < 28; n++) Add(0, n, "a", "z", 10);  // L0 score 4
  Add(1, 1, "a", "c", 600);                                    // L1 score 1.2
  Add(1, 2, "m", "p", 600);
  Add(2, 3, "b", "b", 10);  // overlaps file 1 only
  auto c = PickCompaction(V(), options_, icmp_, pointers_, busy_);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ(1, c->level);
  EXPECT_TRUE(c->trivial_move);
  EXPECT_EQ((std::vector<uint64_t>{2}), Numbers(c->inputs[0]));
  busy_.insert(2);  // no movable file left; L0 needs file 2 too: L1 merges file 1
  c = PickCompaction(V(), options_, icmp_, pointers_, busy_);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ(1, c->level);
  EXPECT_FALSE(c->trivial_move);
  EXPECT_EQ((std::vector<uint64_t>{1}), Numbers(c->inputs[0]));
  EXPECT_EQ((std::vector<uint64_t>{3}), Numbers(c->inputs[1]));
}

// A move takes the whole run of neighbouring files nothing below overlaps (it costs nothing,
// and each file left behind would be rewritten by the next merge from above), but stops at
// a file that overlaps the next level, at a busy file, and at MaxMoveBytes.
TEST_F(PickerTest, TrivialMoveTakesTheWholeFreeRun) {
  Add(1, 1, "a", "b", 400);
  Add(1, 2, "c", "d", 400);
  Add(1, 3, "e", "f", 400);
  Add(1, 4, "g", "h", 400);  // L1 score 1.6
  Add(1, 5, "m", "n", 400);
  Add(2, 9, "j", "k", 10);  // between files 4 and 5: the run cannot span it
  auto c = PickCompaction(V(), options_, icmp_, pointers_, busy_);
  ASSERT_NE(nullptr, c);
  EXPECT_TRUE(c->trivial_move);
  EXPECT_EQ((std::vector<uint64_t>{1, 2, 3, 4}), Numbers(c->inputs[0]));

  busy_.insert(3);
  c = PickCompaction(V(), options_, icmp_, pointers_, busy_);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ((std::vector<uint64_t>{1, 2}), Numbers(c->inputs[0]));
  busy_.clear();

  options_.target_file_size_base = 40;  // MaxMoveBytes 1000: two files of 400
  c = PickCompaction(V(), options_, icmp_, pointers_, busy_);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ((std::vector<uint64_t>{1, 2}), Numbers(c->inputs[0]));
}

TEST_F(PickerTest, DeeperLevelsGoRoundRobinByKey) {
  options_.compaction_pri = Options::CompactionPri::kRoundRobin;
  Add(1, 1, "a", "b", 600);
  Add(1, 2, "c", "d", 600);
  Add(1, 3, "e", "f", 600);
  Add(2, 4, "a", "z", 10);  // overlaps all: no trivial moves
  auto c = PickCompaction(V(), options_, icmp_, pointers_, busy_);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ((std::vector<uint64_t>{1}), Numbers(c->inputs[0]));
  pointers_[1] = c->inputs[0][0]->largest;
  c = PickCompaction(V(), options_, icmp_, pointers_, busy_);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ((std::vector<uint64_t>{2}), Numbers(c->inputs[0]));
  EXPECT_EQ((std::vector<uint64_t>{4}), Numbers(c->inputs[1]));
  EXPECT_FALSE(c->trivial_move);
  pointers_[1] = c->inputs[0][0]->largest;
  busy_.insert(3);  // passed over
  c = PickCompaction(V(), options_, icmp_, pointers_, busy_);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ((std::vector<uint64_t>{1}), Numbers(c->inputs[0]));  // wrapped around
}

// The default: the file whose merge rewrites the fewest bytes below per byte of its own.
TEST_F(PickerTest, DeeperLevelsPickTheFileWithTheLeastOverlapBelow) {
  Add(1, 1, "a", "b", 600);  // over 6000 bytes below: ratio 10
  Add(1, 2, "c", "d", 600);  // over 60: ratio 0.1
  Add(1, 3, "e", "f", 600);  // over 3000 (two files): ratio 5
  Add(2, 4, "a", "b", 6000);
  Add(2, 5, "c", "d", 60);
  Add(2, 6, "e", "e", 1000);
  Add(2, 7, "f", "g", 2000);
  auto c = PickCompaction(V(), options_, icmp_, pointers_, busy_);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ((std::vector<uint64_t>{2}), Numbers(c->inputs[0]));
  EXPECT_EQ((std::vector<uint64_t>{5}), Numbers(c->inputs[1]));
  busy_.insert(5);  // the best file's overlap is busy: the next best
  c = PickCompaction(V(), options_, icmp_, pointers_, busy_);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ((std::vector<uint64_t>{3}), Numbers(c->inputs[0]));
  EXPECT_EQ((std::vector<uint64_t>{6, 7}), Numbers(c->inputs[1]));
  busy_.insert(3);
  c = PickCompaction(V(), options_, icmp_, pointers_, busy_);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ((std::vector<uint64_t>{1}), Numbers(c->inputs[0]));
  // Round-robin would have taken them in key order.
  options_.compaction_pri = Options::CompactionPri::kRoundRobin;
  busy_.clear();
  c = PickCompaction(V(), options_, icmp_, pointers_, busy_);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ((std::vector<uint64_t>{1}), Numbers(c->inputs[0]));
}

TEST_F(PickerTest, RangeCompactionAndOverlap) {
  Add(1, 1, "a", "c", 10);
  Add(1, 2, "d", "f", 10);
  Add(1, 3, "g", "i", 10);
  std::string_view b = "e", e = "g";
  bool blocked = true;
  auto c = PickRangeCompaction(V(), options_, icmp_, 1, &b, &e, 3, busy_, &blocked);
  ASSERT_NE(nullptr, c);
  EXPECT_FALSE(blocked);
  EXPECT_EQ((std::vector<uint64_t>{2, 3}), Numbers(c->inputs[0]));
  EXPECT_EQ(nullptr, PickRangeCompaction(V(), options_, icmp_, 2, &b, &e, 3, busy_, &blocked));
  EXPECT_FALSE(blocked);
  busy_.insert(3);
  EXPECT_EQ(nullptr, PickRangeCompaction(V(), options_, icmp_, 1, &b, &e, 3, busy_, &blocked));
  EXPECT_TRUE(blocked);
  EXPECT_EQ(3u, OverlappingFiles(*V(), BytewiseComparator(), 1, nullptr, nullptr).size());
  // In place: the level's own files, written back to it.
  busy_.clear();
  c = PickRangeCompaction(V(), options_, icmp_, 1, &b, &e, 1, busy_, &blocked);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ(1, c->output_level);
  EXPECT_TRUE(c->inputs[1].empty());
  EXPECT_EQ(nullptr, PickRangeCompaction(V(), options_, icmp_, 0, &b, &e, 0, busy_, &blocked));
}

TEST_F(PickerTest, RangeCompactionGoesDownToTheFirstLevelHoldingItsKeys) {
  Add(0, 9, "d", "f", 10, 20);
  Add(1, 1, "a", "b", 10);  // holds none of level 0's keys
  Add(2, 2, "x", "z", 10);  // nor this
  Add(3, 3, "e", "g", 10);
  bool blocked = true;
  auto c = PickRangeCompaction(V(), options_, icmp_, 0, nullptr, nullptr, 3, busy_, &blocked);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ(3, c->output_level);
  EXPECT_EQ((std::vector<uint64_t>{3}), Numbers(c->inputs[1]));
  // Never past the level the caller compacts down to.
  c = PickRangeCompaction(V(), options_, icmp_, 0, nullptr, nullptr, 2, busy_, &blocked);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ(2, c->output_level);
  EXPECT_TRUE(c->inputs[1].empty());
  // A level in between that holds one of the keys stops it there.
  Add(2, 4, "c", "d", 10);
  std::rotate(levels_[2].begin(), levels_[2].end() - 1, levels_[2].end());  // in key order
  c = PickRangeCompaction(V(), options_, icmp_, 0, nullptr, nullptr, 3, busy_, &blocked);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ(2, c->output_level);
  EXPECT_EQ((std::vector<uint64_t>{4}), Numbers(c->inputs[1]));
  // Deeper levels go the same way: level 1's file passes over level 2, which holds none of
  // its keys, to level 3 (which holds none either: the last level, nothing to merge).
  c = PickRangeCompaction(V(), options_, icmp_, 1, nullptr, nullptr, 3, busy_, &blocked);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ(3, c->output_level);
  EXPECT_TRUE(c->inputs[1].empty());
}

TEST_F(PickerTest, BaseLevelForKey) {
  Add(0, 9, "a", "z", 10);
  Add(1, 1, "a", "z", 10);
  Add(2, 2, "c", "d", 10);
  Add(3, 3, "x", "y", 10);
  bool blocked = false;
  auto c = PickRangeCompaction(V(), options_, icmp_, 1, nullptr, nullptr, 3, busy_, &blocked);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ(2, c->output_level);
  EXPECT_TRUE(c->IsBaseLevelForKey(BytewiseComparator(), "a"));
  EXPECT_TRUE(c->IsBaseLevelForKey(BytewiseComparator(), "b"));
  EXPECT_TRUE(c->IsBaseLevelForKey(BytewiseComparator(), "e"));  // level 2 is the output
  EXPECT_FALSE(c->IsBaseLevelForKey(BytewiseComparator(), "x"));
  EXPECT_TRUE(c->IsBaseLevelForKey(BytewiseComparator(), "z"));
}

TEST_F(PickerTest, LevelTargetsGrowByTheMultiplier) {
  EXPECT_EQ(1000u, MaxBytesForLevel(options_, 1));
  EXPECT_EQ(10000u, MaxBytesForLevel(options_, 2));
  EXPECT_EQ(100000u, MaxBytesForLevel(options_, 3));
  options_.level_compaction_dynamic_level_bytes = false;
  Add(3, 1, "a", "z", 500000);
  EXPECT_EQ(1000u, LevelTarget(*V(), options_, 1));
  EXPECT_EQ(10000u, LevelTarget(*V(), options_, 2));
}

// Dynamic targets count down from the deepest non-empty level's bytes, a multiplier per
// level, never below the base; the deepest level keeps its fixed target.
TEST_F(PickerTest, DynamicTargetsFollowTheDeepestLevel) {
  ASSERT_TRUE(options_.level_compaction_dynamic_level_bytes) << "the default";
  EXPECT_EQ(1000u, LevelTarget(*V(), options_, 1)) << "an empty tree: fixed targets";
  Add(2, 1, "a", "z", 30000);
  EXPECT_EQ(3000u, LevelTarget(*V(), options_, 1));
  EXPECT_EQ(10000u, LevelTarget(*V(), options_, 2));  // the deepest: fixed
  levels_[2].clear();
  Add(3, 2, "a", "z", 500000);
  EXPECT_EQ(50000u, LevelTarget(*V(), options_, 2));
  EXPECT_EQ(5000u, LevelTarget(*V(), options_, 1));
  levels_[3].clear();
  Add(3, 3, "a", "z", 40000);
  EXPECT_EQ(4000u, LevelTarget(*V(), options_, 2));
  EXPECT_EQ(1000u, LevelTarget(*V(), options_, 1)) << "400 is below the base";
}

// While the level below aims at less than sqrt(multiplier) times the base (3162 bytes
// here), the level above it is skipped: level 0 compacts deeper, and files left above the
// base level are due at once. Never past a level that holds files, and not in a tree
// smaller than one base.
TEST_F(PickerTest, LevelZeroSkipsLevelsTooThinToBeWorthARewrite) {
  Add(0, 10, "a", "z", 10, 20);
  Add(0, 11, "a", "z", 10, 21);
  Add(3, 1, "a", "z", 20000);
  EXPECT_EQ(2, BaseLevel(*V(), options_)) << "level 2 would aim at 2000, level 1 at 1000";
  EXPECT_EQ(0u, LevelTarget(*V(), options_, 1));
  EXPECT_EQ(2000u, LevelTarget(*V(), options_, 2));
  auto c = PickCompaction(V(), options_, icmp_, pointers_, busy_);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ(0, c->level);
  EXPECT_EQ(2, c->output_level);
  EXPECT_EQ((std::vector<uint64_t>{1}), Numbers(c->grandparents));

  levels_[3].clear();
  Add(3, 1, "a", "z", 40000);  // level 2 now aims at 4000: level 1 is worth using
  EXPECT_EQ(1, BaseLevel(*V(), options_));
  levels_[3].clear();
  Add(3, 1, "a", "z", 1500);  // level 3 alone is too small to need level 2 either
  EXPECT_EQ(3, BaseLevel(*V(), options_));

  Add(1, 2, "c", "d", 50);  // a file above the ideal base: level 0 may not pass it
  EXPECT_EQ(1, BaseLevel(*V(), options_));
  EXPECT_DOUBLE_EQ(0, LevelScore(*V(), options_, 2)) << "empty";
  EXPECT_GT(LevelScore(*V(), options_, 1), LevelScore(*V(), options_, 0));
  c = PickCompaction(V(), options_, icmp_, pointers_, busy_);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ(1, c->level) << "the file above the base goes first";
  EXPECT_EQ(2, c->output_level);
  busy_.insert(2);  // while it is busy, level 0 still goes no deeper than level 1
  c = PickCompaction(V(), options_, icmp_, pointers_, busy_);
  EXPECT_EQ(nullptr, c) << "level 0 needs the busy file: it may not skip over it";
  busy_.clear();

  levels_[3].clear();
  Add(3, 1, "a", "z", 900);  // a tree smaller than one base keeps every level
  EXPECT_EQ(1, BaseLevel(*V(), options_));
  EXPECT_EQ(1000u, LevelTarget(*V(), options_, 1));

  options_.level_compaction_dynamic_level_bytes = false;
  levels_[1].clear();
  EXPECT_EQ(1, BaseLevel(*V(), options_)) << "fixed targets use every level";
  c = PickCompaction(V(), options_, icmp_, pointers_, busy_);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ(1, c->output_level);
}

// A level-0 file that spent its seek budget goes to the base level too.
TEST_F(PickerTest, ASeekCompactionOfLevelZeroGoesToTheBaseLevel) {
  options_.level0_file_num_compaction_trigger = 4;
  Add(0, 10, "a", "z", 10, 20);
  Add(3, 1, "a", "z", 20000);
  auto c = PickCompaction(V(), options_, icmp_, pointers_, busy_, SeekCompactionCandidate{0, 10});
  ASSERT_NE(nullptr, c);
  EXPECT_EQ("seeks", c->reason);
  EXPECT_EQ(2, c->output_level);
}

// A level under its fixed target is due once the level below is less than a multiplier
// times its size; with fixed targets the same tree has nothing to do.
TEST_F(PickerTest, ALevelOverItsDynamicTargetIsCompactedIntoTheDeepest) {
  Add(2, 1, "a", "f", 3000);
  Add(2, 2, "g", "m", 2000);
  Add(3, 3, "a", "c", 10000);
  Add(3, 4, "d", "z", 10000);
  auto c = PickCompaction(V(), options_, icmp_, pointers_, busy_);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ(2, c->level);
  EXPECT_EQ(3, c->output_level);
  EXPECT_DOUBLE_EQ(2.5, LevelScore(*V(), options_, 2));
  options_.level_compaction_dynamic_level_bytes = false;
  EXPECT_EQ(nullptr, PickCompaction(V(), options_, icmp_, pointers_, busy_));
}

// When a new level opens, the level above it scores far above level 0 (its target falls to
// the base); level 0 at the slowdown trigger still goes first, since writers wait on it.
TEST_F(PickerTest, LevelZeroAtTheSlowdownTriggerGoesBeforeAnyLevel) {
  options_.level0_slowdown_writes_trigger = 3;
  for (uint64_t i = 0; i < 3; i++) Add(0, 10 + i, "a", "z", 10, 20 + i);
  Add(2, 1, "a", "m", 30000);  // over the base by 30x: level 3 just opened below it
  Add(3, 2, "a", "m", 100);
  ASSERT_GT(LevelScore(*V(), options_, 2), LevelScore(*V(), options_, 0));
  auto c = PickCompaction(V(), options_, icmp_, pointers_, busy_);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ(0, c->level);
  levels_[0].pop_back();  // below the trigger: the higher score goes first again
  c = PickCompaction(V(), options_, icmp_, pointers_, busy_);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ(2, c->level);
}

// The deepest level passing its fixed target opens the next level.
TEST_F(PickerTest, TheDeepestLevelPassingItsFixedTargetMovesDown) {
  Add(1, 1, "a", "c", 600);
  Add(2, 2, "d", "f", 6000);
  Add(2, 3, "g", "k", 6000);
  EXPECT_DOUBLE_EQ(1.2, LevelScore(*V(), options_, 2)) << "12000 over its fixed 10000";
  auto c = PickCompaction(V(), options_, icmp_, pointers_, busy_);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ(2, c->level);
  EXPECT_TRUE(c->trivial_move) << "nothing below: the files move without a rewrite";
}

}  // namespace
}  // namespace strata
