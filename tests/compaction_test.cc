// Compaction through the public API: a randomized model test with tiny memtables and
// levels so that flushes and compactions never stop, snapshots through compaction,
// tombstones at the bottom, space reclaimed by CompactRange, the tree keeping its shape,
// outputs cut where files below them end, and power loss and disk-full errors in the middle
// of a compaction.
#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "strata/db.h"
#include "strata/listener.h"
#include "strata/merge_operator.h"
#include "strata/statistics.h"
#include "strata/table_writer.h"
#include "support/db_test_util.h"
#include "support/fault_injection_fs.h"
#include "support/open_file_counter.h"
#include "support/test_util.h"
#include "util/random.h"
#include "version/filename.h"

namespace strata {
namespace {

using test::ErrorKind;
using test::FaultInjectionFileSystem;
using test::FilesOfType;
using test::GetString;
using test::IntProperty;
using test::OpKind;

std::string Key(int i) { return test::NumberKey(i, 8); }

class CompactionTest : public testing::Test {
 protected:
  CompactionTest() {
    options_.create_if_missing = true;
    options_.file_system = fs_;
    // Small everything: flushes every 64 KiB, L0 compacts at 2 files, levels of 256 KiB x4.
    options_.write_buffer_size = 64 << 10;
    options_.level0_file_num_compaction_trigger = 2;
    options_.level0_slowdown_writes_trigger = 4;
    options_.level0_stop_writes_trigger = 8;
    options_.max_bytes_for_level_base = 256 << 10;
    options_.max_bytes_for_level_multiplier = 4;
    options_.target_file_size_base = 64 << 10;
    options_.num_levels = 5;
    dbname_ = dir_.Child("db");
  }
  Status TryOpen() {
    db_.reset();
    return DB::Open(options_, dbname_, &db_);
  }
  void Reopen() { ASSERT_OK(TryOpen()); }
  // Only CompactRange compacts: file counts are then stable when a test looks at them.
  void NoAutomaticCompaction() {
    options_.level0_file_num_compaction_trigger = 100;
    options_.level0_slowdown_writes_trigger = 100;
    options_.level0_stop_writes_trigger = 100;
    options_.max_bytes_for_level_base = 1ull << 40;
    options_.seek_compaction = false;
  }
  // Reopens with no automatic compaction, one level-0 table per Flush, and the table files
  // open at once counted.
  std::shared_ptr<test::OpenFileCounter> ReopenCountingOpenTables() {
    NoAutomaticCompaction();
    options_.write_buffer_size = 4 << 20;
    auto counter = std::make_shared<test::OpenFileCounter>(fs_);
    options_.file_system = counter;
    Reopen();
    return counter;
  }
  uint64_t FilesBelowLevel0() {
    uint64_t n = 0;
    for (int level = 1; level < options_.num_levels; level++) {
      n += IntProperty(db_.get(), "strata.num-files-at-level" + std::to_string(level));
    }
    return n;
  }

  test::TempDir dir_;
  std::shared_ptr<FaultInjectionFileSystem> fs_ =
      std::make_shared<FaultInjectionFileSystem>(FileSystem::Default());
  Options options_;
  std::string dbname_;
  std::unique_ptr<DB> db_;
};

TEST_F(CompactionTest, RandomizedAgainstModel) {
  Reopen();
  Random rnd(77);
  std::map<std::string, std::string> model;
  for (int round = 0; round < 12; round++) {
    for (int i = 0; i < 3000; i++) {
      std::string k = Key(static_cast<int>(rnd.Uniform(5000)));
      int op = static_cast<int>(rnd.Uniform(10));
      if (op == 0 && rnd.OneIn(50)) {
        // A range deletion of up to 30 keys from k.
        const std::string end = Key(std::stoi(k.substr(3)) + 1 + static_cast<int>(rnd.Uniform(30)));
        if (end <= k) continue;
        ASSERT_OK(db_->DeleteRange(WriteOptions(), k, end));
        model.erase(model.lower_bound(k), model.lower_bound(end));
      } else if (op == 0) {
        ASSERT_OK(db_->Delete(WriteOptions(), k));
        model.erase(k);
      } else if (op == 1) {
        WriteBatch batch;
        std::string k2 = Key(static_cast<int>(rnd.Uniform(5000)));
        std::string v = test::RandomBytes(&rnd, 50);
        batch.Put(k, v);
        batch.Delete(k2);
        ASSERT_OK(db_->Write(WriteOptions(), &batch));
        model[k] = v;
        model.erase(k2);
      } else {
        std::string v = test::RandomBytes(&rnd, 20 + rnd.Uniform(200));
        ASSERT_OK(db_->Put(WriteOptions(), k, v));
        model[k] = v;
      }
    }
    if (rnd.OneIn(3)) Reopen();
    for (int i = 0; i < 300; i++) {
      std::string k = Key(static_cast<int>(rnd.Uniform(5000)));
      auto it = model.find(k);
      ASSERT_EQ(it == model.end() ? "NOT_FOUND" : it->second, GetString(db_.get(), k)) << k;
    }
  }
  ASSERT_GT(FilesBelowLevel0(), 0u) << "no compaction happened";
  // The final state, whole.
  auto it = db_->NewIterator(ReadOptions());
  auto m = model.begin();
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++m) {
    ASSERT_NE(model.end(), m);
    ASSERT_EQ(m->first, it->key());
    ASSERT_EQ(m->second, it->value());
  }
  ASSERT_OK(it->status());
  EXPECT_EQ(model.end(), m);
  it.reset();
  std::string stats;
  ASSERT_TRUE(db_->GetProperty("strata.stats", &stats));
  EXPECT_NE(std::string::npos, stats.find("write amplification")) << stats;
}

TEST_F(CompactionTest, SnapshotsKeepTheirVersionsThroughCompaction) {
  Reopen();
  ASSERT_OK(db_->Put(WriteOptions(), "k", "v1"));
  ASSERT_OK(db_->Put(WriteOptions(), "gone", "here"));
  const Snapshot* s1 = db_->GetSnapshot();
  ASSERT_OK(db_->Put(WriteOptions(), "k", "v2"));
  ASSERT_OK(db_->Delete(WriteOptions(), "gone"));
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  ReadOptions at1;
  at1.snapshot = s1;
  std::string v;
  ASSERT_OK(db_->Get(at1, "k", &v));
  EXPECT_EQ("v1", v);
  ASSERT_OK(db_->Get(at1, "gone", &v));
  EXPECT_EQ("here", v);
  EXPECT_EQ("v2", GetString(db_.get(), "k"));
  EXPECT_EQ("NOT_FOUND", GetString(db_.get(), "gone"));
  EXPECT_EQ(4u, IntProperty(db_.get(), "strata.num-entries-in-tables"));

  db_->ReleaseSnapshot(s1);
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  // Nothing needs v1 or the deleted key any more: one entry is left.
  EXPECT_EQ(1u, IntProperty(db_.get(), "strata.num-entries-in-tables"));
  EXPECT_EQ("v2", GetString(db_.get(), "k"));
}

TEST_F(CompactionTest, TombstonesDropAtTheBottomAndNothingResurrects) {
  Reopen();
  for (int i = 0; i < 2000; i++) ASSERT_OK(db_->Put(WriteOptions(), Key(i), "old"));
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));  // the values sink
  for (int i = 0; i < 2000; i += 2) ASSERT_OK(db_->Delete(WriteOptions(), Key(i)));
  ASSERT_OK(db_->Flush());
  // While older values lie below, the deletions must stay (or the values would come back).
  for (int i = 0; i < 2000; i++) {
    ASSERT_EQ(i % 2 ? "old" : "NOT_FOUND", GetString(db_.get(), Key(i))) << i;
  }
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  for (int i = 0; i < 2000; i++) {
    ASSERT_EQ(i % 2 ? "old" : "NOT_FOUND", GetString(db_.get(), Key(i))) << i;
  }
  // At the bottom, with no snapshot, deleted keys are gone from the tables entirely.
  EXPECT_EQ(1000u, IntProperty(db_.get(), "strata.num-entries-in-tables"));
  Reopen();
  for (int i = 0; i < 2000; i++) {
    ASSERT_EQ(i % 2 ? "old" : "NOT_FOUND", GetString(db_.get(), Key(i))) << i;
  }
}

// Records finished compactions so that a test can wait for the first one.
class CompactionRecorder : public EventListener {
 public:
  void OnCompactionCompleted(const CompactionJobInfo& info) override {
    std::lock_guard<std::mutex> lock(mu_);
    done_.push_back(info.reason);
    cv_.notify_all();
  }
  int Count(CompactionReason reason) {
    std::lock_guard<std::mutex> lock(mu_);
    return static_cast<int>(std::count(done_.begin(), done_.end(), reason));
  }
  CompactionReason WaitForFirst() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return !done_.empty(); });
    return done_.front();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<CompactionReason> done_;
};

class SeekCompactionTest : public CompactionTest {
 protected:
  // Two level-0 files that both span the keys: even keys in the older, odd in the newer, so
  // a read of an even key searches the newer file first, in vain (its filter rules out
  // nearly every even key: in level 0 that charges all the same). Below every trigger.
  void TwoOverlappingFiles(const std::string& value = "v") {
    options_.level0_file_num_compaction_trigger = 4;
    options_.write_buffer_size = 64 << 20;  // only Flush makes files
    options_.listeners = {recorder_};
    Reopen();
    for (int parity = 0; parity < 2; parity++) {
      for (int i = parity; i < 2000; i += 2) ASSERT_OK(db_->Put(WriteOptions(), Key(i), value));
      ASSERT_OK(db_->Flush());
    }
    ASSERT_EQ(2u, IntProperty(db_.get(), "strata.num-files-at-level0"));
  }
  void ReadTheOlderFile() {
    // Small files get the least budget: 100 reads that search past the newer file.
    for (int i = 0; i < 2000; i += 2) ASSERT_EQ("v", GetString(db_.get(), Key(i)));
  }
  std::shared_ptr<CompactionRecorder> recorder_ = std::make_shared<CompactionRecorder>();
};

TEST_F(SeekCompactionTest, ReadsPastALevelZeroFileCompactLevelZero) {
  TwoOverlappingFiles();
  ReadTheOlderFile();
  EXPECT_EQ(CompactionReason::kSeeks, recorder_->WaitForFirst());
  // The compaction is installed just after the listener hears of it: wait for level 0 to empty.
  while (IntProperty(db_.get(), "strata.num-files-at-level0") != 0) std::this_thread::yield();
  EXPECT_GE(FilesBelowLevel0(), 1u);
  for (int i = 0; i < 2000; i++) ASSERT_EQ("v", GetString(db_.get(), Key(i)));
}

TEST_F(SeekCompactionTest, IteratorSeeksPastALevelZeroFileCompactLevelZero) {
  TwoOverlappingFiles();
  std::unique_ptr<Iterator> it(db_->NewIterator(ReadOptions()));
  for (int round = 0; round < 2; round++) {
    for (int i = 0; i < 2000; i += 20) {
      it->Seek(Key(i));
      ASSERT_TRUE(it->Valid());
      ASSERT_EQ(Key(i), it->key());
    }
  }
  ASSERT_OK(it->status());
  EXPECT_EQ(CompactionReason::kSeeks, recorder_->WaitForFirst());
}

TEST_F(SeekCompactionTest, ScansPastALevelZeroFileCompactLevelZero) {
  // 2000 entries of 2 KiB: a scan passes over about 4 MiB, about four samples; the newer
  // file's budget is about 2 MiB / 16 KiB = 125.
  TwoOverlappingFiles(std::string(2048, 's'));
  for (int scan = 0; scan < 200; scan++) {
    std::unique_ptr<Iterator> it(db_->NewIterator(ReadOptions()));
    int n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) n++;
    ASSERT_OK(it->status());
    ASSERT_EQ(2000, n);
    if (IntProperty(db_.get(), "strata.num-files-at-level0") == 0) break;
  }
  EXPECT_EQ(CompactionReason::kSeeks, recorder_->WaitForFirst());
}

// Below level 0 a search past a file charges it only if the file has no filter and read a
// block in vain, or held merge operands of the key. Even keys lie in level 2, the last, and
// a level-1 file above them holds the odd keys, or merge operands of the even keys.
class SeekCompactionBelowLevelZeroTest : public SeekCompactionTest {
 protected:
  void EvenKeysBelowALevelOneFile(bool operands) {
    options_.write_buffer_size = 64 << 20;  // only Flush makes files
    options_.listeners = {recorder_};
    options_.merge_operator = NewStringAppendOperator();
    options_.num_levels = 3;
    options_.max_bytes_for_level_base = 1;  // every level over its target: down to the last
    Reopen();
    for (int i = 0; i < 2000; i += 2) ASSERT_OK(db_->Put(WriteOptions(), Key(i), "v"));
    ASSERT_OK(db_->Flush());
    ASSERT_OK(db_->CompactRange(nullptr, nullptr));
    ASSERT_OK(db_->WaitForCompact());
    options_.max_bytes_for_level_base = 1ull << 40;
    options_.level0_file_num_compaction_trigger = 1;        // the next file goes to level 1
    options_.level_compaction_dynamic_level_bytes = false;  // which a tiny tree would skip
    Reopen();
    for (int i = operands ? 0 : 1; i < 2000; i += 2) {
      ASSERT_OK(operands ? db_->Merge(WriteOptions(), Key(i), "m")
                         : db_->Put(WriteOptions(), Key(i), "v"));
    }
    ASSERT_OK(db_->Flush());
    ASSERT_OK(db_->WaitForCompact());
    ASSERT_EQ(0u, IntProperty(db_.get(), "strata.num-files-at-level0"));
    ASSERT_EQ(1u, IntProperty(db_.get(), "strata.num-files-at-level1"));
    ASSERT_EQ(1u, FilesBelowLevel0() - 1) << "the even keys lie deeper";
  }
  // Reads every even key 5 times: 5,000 searches past the level-1 file, whose budget is 100.
  void ReadTheEvenKeys(const std::string& expected) {
    for (int round = 0; round < 5; round++) {
      for (int i = 0; i < 2000; i += 2) ASSERT_EQ(expected, GetString(db_.get(), Key(i)));
    }
    ASSERT_OK(db_->WaitForCompact());
  }
};

// A filter's probe charges nothing, and neither does the block read of its false positive:
// at 1 bit a key most probes pass (the 5,000 reads would spend the budget many times over).
// Without a filter every search reads a block in vain: the same reads compact the file down.
class SeekCompactionFilterTest : public SeekCompactionBelowLevelZeroTest,
                                 public ::testing::WithParamInterface<int> {};

TEST_P(SeekCompactionFilterTest, OnlyBlocksReadWithoutAFilterCharge) {
  const int bloom_bits_per_key = GetParam();
  options_.bloom_bits_per_key = bloom_bits_per_key;
  EvenKeysBelowALevelOneFile(false);
  ReadTheEvenKeys("v");
  if (bloom_bits_per_key > 0) {
    EXPECT_EQ(1u, IntProperty(db_.get(), "strata.num-files-at-level1"));
    EXPECT_EQ(0, recorder_->Count(CompactionReason::kSeeks));
  } else {
    EXPECT_EQ(0u, IntProperty(db_.get(), "strata.num-files-at-level1"));
    EXPECT_GE(recorder_->Count(CompactionReason::kSeeks), 1);
  }
}

INSTANTIATE_TEST_SUITE_P(FilterBits, SeekCompactionFilterTest, ::testing::Values(10, 1, 0));

// Merge operands above their base: each read collects the operand and searches on, and a
// compaction joins them, so the searches charge the file even though its filter passed the
// key rightly. The seek compaction leaves one entry a key.
TEST_F(SeekCompactionBelowLevelZeroTest, MergeOperandsAboveTheirBaseCharge) {
  EvenKeysBelowALevelOneFile(true);
  ASSERT_EQ(2000u, IntProperty(db_.get(), "strata.num-entries-in-tables"));
  ReadTheEvenKeys("v,m");
  EXPECT_GE(recorder_->Count(CompactionReason::kSeeks), 1);
  EXPECT_EQ(0u, IntProperty(db_.get(), "strata.num-files-at-level1"));
  EXPECT_EQ(1000u, IntProperty(db_.get(), "strata.num-entries-in-tables"));
  for (int i = 0; i < 2000; i += 2) ASSERT_EQ("v,m", GetString(db_.get(), Key(i)));
}

TEST_F(SeekCompactionTest, OffReadsCompactNothing) {
  options_.seek_compaction = false;
  TwoOverlappingFiles();
  ReadTheOlderFile();
  // Two more files reach the level-0 trigger: that is the first compaction, not one for
  // the reads.
  for (int file = 0; file < 2; file++) {
    ASSERT_OK(db_->Put(WriteOptions(), Key(file), "w"));
    ASSERT_OK(db_->Flush());
  }
  EXPECT_EQ(CompactionReason::kLevel0FileCount, recorder_->WaitForFirst());
}

TEST_F(CompactionTest, CompactRangeReclaimsOverwrittenSpace) {
  options_.compression = CompressionType::kNone;
  Reopen();
  const int n = 20000;
  const std::string value(100, 'x');
  for (int i = 0; i < n; i++) ASSERT_OK(db_->Put(WriteOptions(), Key(i), value));
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  const uint64_t one_copy = IntProperty(db_.get(), "strata.total-sst-size");
  for (int round = 0; round < 9; round++) {
    for (int i = 0; i < n; i++) ASSERT_OK(db_->Put(WriteOptions(), Key(i), value));
  }
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  const uint64_t after = IntProperty(db_.get(), "strata.total-sst-size");
  EXPECT_LT(after, one_copy * 11 / 10) << "one copy " << one_copy << ", now " << after;
  EXPECT_EQ(static_cast<uint64_t>(n), IntProperty(db_.get(), "strata.num-entries-in-tables"));
  EXPECT_EQ(0u, IntProperty(db_.get(), "strata.num-files-at-level0"));
  // The compacted-away tables are gone from disk, not just from the version.
  uint64_t live = 0;
  for (int level = 0; level < options_.num_levels; level++) {
    live += IntProperty(db_.get(), "strata.num-files-at-level" + std::to_string(level));
  }
  EXPECT_EQ(live, FilesOfType(dbname_, FileType::kTable).size());
}

TEST_F(CompactionTest, TreeKeepsItsShapeUnderLoad) {
  Reopen();
  Random rnd(5);
  for (int i = 0; i < 60000; i++) {
    ASSERT_OK(db_->Put(WriteOptions(), Key(static_cast<int>(rnd.Uniform(1000000))),
                       std::string(100, 'v')));
  }
  // Let the background catch up, then check the levels: L0 below the slowdown trigger, and
  // every level (but the last) within reach of its target.
  ASSERT_OK(db_->Flush());
  for (int wait = 0; wait < 200; wait++) {
    if (IntProperty(db_.get(), "strata.num-files-at-level0") <
        static_cast<uint64_t>(options_.level0_file_num_compaction_trigger)) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_LT(IntProperty(db_.get(), "strata.num-files-at-level0"),
            static_cast<uint64_t>(options_.level0_slowdown_writes_trigger));
  std::string levels;
  ASSERT_TRUE(db_->GetProperty("strata.levels", &levels));
  EXPECT_GT(FilesBelowLevel0(), 3u) << levels;
}

// The share of table bytes in the deepest non-empty level once compaction has caught up
// with a load of random keys (few overwrites) that fills five levels of fixed targets.
double DeepestLevelShare(DB* db, int num_levels) {
  Random rnd(11);
  for (int i = 0; i < 80000; i++) {
    if (!db->Put(WriteOptions(), Key(static_cast<int>(rnd.Uniform(10000000))),
                 test::RandomBytes(&rnd, 100))
             .ok()) {
      return -1;
    }
  }
  if (!db->WaitForCompact().ok()) return -1;
  EXPECT_EQ(0u, IntProperty(db, "strata.num-immutable-mem-table"));
  EXPECT_LT(IntProperty(db, "strata.num-files-at-level0"), 2u) << "below the trigger";
  const uint64_t compactions = IntProperty(db, "strata.num-compactions");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(compactions, IntProperty(db, "strata.num-compactions")) << "nothing was due";
  uint64_t total = 0, deepest = 0;
  for (int level = 0; level < num_levels; level++) {
    const uint64_t bytes = IntProperty(db, "strata.bytes-at-level" + std::to_string(level));
    total += bytes;
    if (bytes > 0) deepest = bytes;
  }
  EXPECT_EQ(total, IntProperty(db, "strata.total-sst-size"));
  return total == 0 ? -1 : static_cast<double>(deepest) / static_cast<double>(total);
}

// Records where each compaction went: (input level, output level), trivial moves apart.
class LevelRecorder : public EventListener {
 public:
  void OnCompactionCompleted(const CompactionJobInfo& info) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!info.trivial_move) merges_.emplace_back(info.input_level, info.output_level);
  }
  std::vector<std::pair<int, int>> merges() {
    std::lock_guard<std::mutex> lock(mu_);
    return merges_;
  }

 private:
  std::mutex mu_;
  std::vector<std::pair<int, int>> merges_;
};

// Once the deepest level holds the base, level 0 skips a level that would aim at about the
// size of the one below it (here 256 KiB above 256-512 KiB: the multiplier 4 makes the bar
// 512 KiB), merging straight into the deeper level; the data stays exactly the model's.
TEST_F(CompactionTest, LevelZeroMergesPastALevelTooThinToBeWorthARewrite) {
  auto recorder = std::make_shared<LevelRecorder>();
  options_.listeners = {recorder};
  // The same compactions in the same order every run: one background job, and each memtable
  // flushed by hand (about the fixture's 64 KiB) and compacted to rest before the next.
  options_.max_background_jobs = 1;
  options_.write_buffer_size = 4 << 20;
  Reopen();
  std::map<std::string, std::string> model;
  Random rnd(5);
  for (int i = 0; i < 60000; i++) {
    std::string key = Key(static_cast<int>(rnd.Uniform(30000)));
    std::string value = test::RandomBytes(&rnd, 100);
    ASSERT_OK(db_->Put(WriteOptions(), key, value));
    model[key] = value;
    if (i % 5 == 0) {
      ASSERT_OK(db_->Delete(WriteOptions(), key));
      model.erase(key);
    }
    if (i % 500 == 499) {
      ASSERT_OK(db_->Flush());
      ASSERT_OK(db_->WaitForCompact());
    }
  }
  ASSERT_OK(db_->WaitForCompact());
  int past_level_one = 0;
  for (const auto& [in, out] : recorder->merges()) {
    EXPECT_TRUE(in == 0 || out == in + 1) << in << " -> " << out;
    if (in == 0 && out > 1) past_level_one++;
  }
  std::string levels;
  ASSERT_TRUE(db_->GetProperty("strata.levels", &levels));
  EXPECT_GT(past_level_one, 0) << levels;
  std::map<std::string, std::string> got;
  std::unique_ptr<Iterator> it(db_->NewIterator(ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) got[std::string(it->key())] = it->value();
  ASSERT_OK(it->status());
  it.reset();  // before the Reopen below: an iterator must not outlive its DB
  EXPECT_EQ(model, got);
  for (int i = 0; i < 30000; i += 97) {
    auto m = model.find(Key(i));
    EXPECT_EQ(m == model.end() ? "NOT_FOUND" : m->second, GetString(db_.get(), Key(i)));
  }

  // With fixed targets level 0 always merges into level 1.
  recorder = std::make_shared<LevelRecorder>();
  options_.listeners = {recorder};
  options_.level_compaction_dynamic_level_bytes = false;
  Reopen();
  for (int i = 0; i < 20000; i++) {
    ASSERT_OK(db_->Put(WriteOptions(), Key(static_cast<int>(rnd.Uniform(30000))), "x"));
  }
  ASSERT_OK(db_->WaitForCompact());
  for (const auto& [in, out] : recorder->merges()) EXPECT_EQ(in + 1, out);
}

// A manual compaction carries level 0 straight to the level holding its keys: levels in
// between that hold none of them are passed over, not written through one by one, and one
// that does hold some of them stops it there (newer data stays above older).
TEST_F(CompactionTest, CompactRangePassesOverLevelsHoldingNoneOfTheKeys) {
  NoAutomaticCompaction();
  auto recorder = std::make_shared<LevelRecorder>();
  options_.listeners.push_back(recorder);
  Reopen();
  // Ingests a table of Key(i) = value for i in [from, 1000), step apart.
  auto ingest = [&](const std::string& name, int from, int step, const std::string& value) {
    TableWriter writer(options_);
    Status s = writer.Open(dir_.Child(name));
    for (int i = from; s.ok() && i < 1000; i += step) s = writer.Put(Key(i), value);
    if (s.ok()) s = writer.Finish();
    if (s.ok()) s = db_->IngestExternalFiles({dir_.Child(name)}, IngestOptions());
    return s;
  };
  // Into an empty tree an ingested table goes to the last level (4).
  ASSERT_OK(ingest("deep.sst", 0, 1, "deep"));
  ASSERT_EQ(1u, IntProperty(db_.get(), "strata.num-files-at-level4"));
  for (int i = 0; i < 1000; i += 2) ASSERT_OK(db_->Put(WriteOptions(), Key(i), "new"));
  ASSERT_OK(db_->Flush());

  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  EXPECT_EQ((std::vector<std::pair<int, int>>{{0, 4}}), recorder->merges());
  for (int level = 0; level < 4; level++) {
    EXPECT_EQ(0u, IntProperty(db_.get(), "strata.num-files-at-level" + std::to_string(level)));
  }
  for (int i = 0; i < 1000; i++) ASSERT_EQ(i % 2 ? "deep" : "new", GetString(db_.get(), Key(i)));

  // A table overlapping level 4 is ingested above it, into level 3, and holds some of the
  // next level 0's keys: that merge stops at level 3, and level 3 then merges into level 4.
  ASSERT_OK(ingest("mid.sst", 901, 2, "mid"));
  ASSERT_EQ(1u, IntProperty(db_.get(), "strata.num-files-at-level3"));
  for (int i = 0; i < 1000; i += 3) ASSERT_OK(db_->Put(WriteOptions(), Key(i), "newer"));
  ASSERT_OK(db_->Flush());
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  EXPECT_EQ((std::vector<std::pair<int, int>>{{0, 4}, {0, 3}, {3, 4}}), recorder->merges());
  for (int i = 0; i < 1000; i++) {
    const char* expected = i % 3 == 0             ? "newer"
                           : i % 2 == 0           ? "new"
                           : i >= 901 && i < 1000 ? "mid"
                                                  : "deep";
    ASSERT_EQ(expected, GetString(db_.get(), Key(i))) << i;
  }
}

// Dynamic level targets keep most of the data, and so few stale versions above it, in the
// deepest level; fixed targets leave a young deepest level with the smaller share.
TEST_F(CompactionTest, DynamicLevelTargetsKeepMostDataInTheDeepestLevel) {
  options_.num_levels = 6;
  ASSERT_TRUE(options_.level_compaction_dynamic_level_bytes) << "the default";
  Reopen();
  const double dynamic_share = DeepestLevelShare(db_.get(), options_.num_levels);
  std::string levels;
  ASSERT_TRUE(db_->GetProperty("strata.levels", &levels));
  EXPECT_GE(dynamic_share, 0.7) << levels;
  std::string none;
  EXPECT_FALSE(db_->GetProperty("strata.bytes-at-level6", &none));

  db_.reset();
  dbname_ = dir_.Child("fixed");
  options_.level_compaction_dynamic_level_bytes = false;
  Reopen();
  const double fixed_share = DeepestLevelShare(db_.get(), options_.num_levels);
  ASSERT_TRUE(db_->GetProperty("strata.levels", &levels));
  EXPECT_LE(fixed_share, 0.6) << levels;
}

// The same random load, flushed and compacted to rest one memtable at a time with one
// background job, so that each run picks the same compactions in the same order.
uint64_t CompactionBytesForLoad(Options options, const std::string& dbname) {
  options.statistics = CreateStatistics();
  options.max_background_jobs = 1;
  options.seek_compaction = false;
  options.write_buffer_size = 1 << 20;  // only Flush makes files
  std::unique_ptr<DB> db;
  EXPECT_OK(DB::Open(options, dbname, &db));
  Random rnd(17);
  for (int batch = 0; batch < 120; batch++) {
    for (int i = 0; i < 500; i++) {
      EXPECT_OK(db->Put(WriteOptions(), Key(static_cast<int>(rnd.Uniform(10000000))),
                        test::RandomBytes(&rnd, 100)));
    }
    EXPECT_OK(db->Flush());
    EXPECT_OK(db->WaitForCompact());
  }
  std::string levels;
  EXPECT_TRUE(db->GetProperty("strata.levels", &levels));
  EXPECT_GT(IntProperty(db.get(), "strata.num-files-at-level3"), 0u) << levels;
  return options.statistics->GetTickerCount(Ticker::kCompactionBytesWritten);
}

// Outputs cut where the files of the level below them begin and end are merged later without
// partly overlapped neighbours: the same load compacts fewer bytes than with outputs cut at
// the target size alone.
TEST_F(CompactionTest, OutputsCutAtTheBoundariesBelowThemWriteLess) {
  ASSERT_TRUE(options_.level_compaction_dynamic_file_size) << "the default";
  options_.max_bytes_for_level_multiplier = 8;  // levels of 256 KiB, 2 MiB, 16 MiB
  const uint64_t aligned = CompactionBytesForLoad(options_, dir_.Child("aligned"));
  options_.level_compaction_dynamic_file_size = false;
  const uint64_t unaligned = CompactionBytesForLoad(options_, dir_.Child("unaligned"));
  // The load is replayed exactly (one job, compaction to rest after each flush): 6% less.
  EXPECT_LT(static_cast<double>(aligned), 0.97 * static_cast<double>(unaligned))
      << aligned << " against " << unaligned;
}

// A compaction checks each output as it writes it, but opens its outputs for reads only once
// its inputs have closed: it never holds the inputs' indexes and filters beside those of all
// its outputs. Afterwards the outputs are open (no read waits for them) and the inputs are not.
TEST_F(CompactionTest, OutputsOpenForReadsOnlyOnceTheInputsHaveClosed) {
  auto counter = ReopenCountingOpenTables();
  Random rnd(7);
  constexpr int kInputs = 4;
  for (int round = 0; round < kInputs; round++) {
    for (int i = 0; i < 1000; i++) {
      ASSERT_OK(db_->Put(WriteOptions(), Key(i * kInputs + round), test::RandomBytes(&rnd, 100)));
    }
    ASSERT_OK(db_->Flush());
  }
  ASSERT_EQ(counter->open_now(), kInputs) << "a flush leaves its table open";
  counter->ResetMost();
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  const int outputs = static_cast<int>(FilesBelowLevel0());
  ASSERT_GE(outputs, 3) << "outputs of at most 64 KiB from 400 KiB";
  EXPECT_LE(counter->most_open(), std::max(kInputs, outputs) + 1)
      << "the inputs, or the outputs, and the output being checked";
  EXPECT_EQ(counter->open_now(), outputs) << "the outputs open, the inputs closed";
  EXPECT_EQ(GetString(db_.get(), Key(2 * kInputs + 1)).size(), 100u);
}

// Gets keep the tables they read open in their version (Version's pins), and those pins go
// with the version: once a compaction replaces the files, the inputs close all the same.
TEST_F(CompactionTest, TablesKeptOpenByGetsCloseWhenACompactionReplacesThem) {
  auto counter = ReopenCountingOpenTables();
  constexpr int kInputs = 4;
  for (int round = 0; round < kInputs; round++) {
    for (int i = 0; i < 1000; i++) {
      ASSERT_OK(db_->Put(WriteOptions(), Key(i * kInputs + round), std::string(100, 'a' + round)));
    }
    ASSERT_OK(db_->Flush());
  }
  for (int round = 0; round < kInputs; round++) {
    for (int i = 0; i < 1000; i += 10) {
      ASSERT_EQ(std::string(100, 'a' + round), GetString(db_.get(), Key(i * kInputs + round)));
    }
  }
  ASSERT_EQ(counter->open_now(), kInputs);
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  const int outputs = static_cast<int>(FilesBelowLevel0());
  EXPECT_EQ(counter->open_now(), outputs) << "the outputs open, the inputs closed";
  for (int i = 0; i < kInputs * 1000; i += 7) {
    ASSERT_EQ(std::string(100, 'a' + i % kInputs), GetString(db_.get(), Key(i)));
  }
  EXPECT_EQ(counter->open_now(), outputs);
}

// Gets keep at most half of max_open_files tables open in their versions; the other half
// of the table cache stays an LRU cache, so tables read often stay open there, and the
// limit holds.
TEST_F(CompactionTest, GetsKeepAtMostHalfTheOpenFilesLimitOpen) {
  options_.max_open_files = 10;  // the least allowed
  auto counter = ReopenCountingOpenTables();
  constexpr int kFiles = 12;  // each holding its own 100 keys
  for (int file = 0; file < kFiles; file++) {
    for (int i = file * 100; i < file * 100 + 100; i++) {
      ASSERT_OK(db_->Put(WriteOptions(), Key(i), std::to_string(file)));
    }
    ASSERT_OK(db_->Flush());
  }
  Reopen();
  for (int i = 0; i < kFiles * 100; i++) {
    ASSERT_EQ(std::to_string(i / 100), GetString(db_.get(), Key(i)));
  }
  EXPECT_LE(counter->open_now(), 10);
  // The last two files read stay cached; reading them again opens nothing.
  const uint64_t opens = fs_->Count(OpKind::kOpen);
  for (int round = 0; round < 3; round++) {
    for (int i = (kFiles - 2) * 100; i < kFiles * 100; i++) {
      ASSERT_EQ(std::to_string(i / 100), GetString(db_.get(), Key(i)));
    }
  }
  EXPECT_EQ(opens, fs_->Count(OpKind::kOpen));
  EXPECT_LE(counter->open_now(), 10);
}

// Tables a released iterator alone kept alive leave the disk when the database closes, not
// at the next Open: the close is when a user measures the directory.
TEST_F(CompactionTest, CloseDeletesTablesOnlyAReleasedIteratorNeeded) {
  NoAutomaticCompaction();
  Reopen();
  for (int round = 0; round < 2; round++) {
    for (int i = 0; i < 500; i++) ASSERT_OK(db_->Put(WriteOptions(), Key(i), "v"));
    ASSERT_OK(db_->Flush());
  }
  auto it = db_->NewIterator(ReadOptions());  // pins the two level-0 tables
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  EXPECT_EQ(3u, FilesOfType(dbname_, FileType::kTable).size()) << "the inputs are pinned";
  it.reset();
  db_.reset();
  EXPECT_EQ(1u, FilesOfType(dbname_, FileType::kTable).size()) << "only the compaction's output";
  Reopen();
  for (int i = 0; i < 500; i += 50) ASSERT_EQ("v", GetString(db_.get(), Key(i)));
}

// A value every reader sees, at the bottom for its key, is written with sequence 0; one an
// older snapshot still needs beside a newer version keeps its order with it.
TEST_F(CompactionTest, ValuesAtTheBottomAreRenumberedToZero) {
  NoAutomaticCompaction();
  Reopen();
  ASSERT_OK(db_->Put(WriteOptions(), "k", "v1"));
  const Snapshot* snap = db_->GetSnapshot();
  ASSERT_OK(db_->Put(WriteOptions(), "k", "v2"));
  for (int i = 0; i < 100; i++) ASSERT_OK(db_->Put(WriteOptions(), Key(i), "x"));
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  std::string tables;
  ASSERT_TRUE(db_->GetProperty("strata.sstables", &tables));
  // v1 (sequence 1, the snapshot's) becomes 0; v2 and the keys (2..102) are newer than it.
  EXPECT_NE(std::string::npos, tables.find("seq 0..102")) << tables;
  ReadOptions at_snap;
  at_snap.snapshot = snap;
  std::string value;
  ASSERT_OK(db_->Get(at_snap, "k", &value));
  EXPECT_EQ("v1", value);
  EXPECT_EQ("v2", GetString(db_.get(), "k"));
  db_->ReleaseSnapshot(snap);
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  ASSERT_TRUE(db_->GetProperty("strata.sstables", &tables));
  EXPECT_NE(std::string::npos, tables.find("seq 0..0")) << tables;
  Reopen();
  EXPECT_EQ("v2", GetString(db_.get(), "k"));
  EXPECT_EQ("x", GetString(db_.get(), Key(42)));
}

// A compaction that keeps a range deletion (a level below may hold keys under it) renumbers
// nothing: the newer value "b" renumbered to 0 would fall under the older deletion.
TEST_F(CompactionTest, NoValueIsRenumberedUnderAKeptRangeDeletion) {
  options_.num_levels = 3;
  options_.level0_file_num_compaction_trigger = 1;
  options_.seek_compaction = false;
  options_.level_compaction_dynamic_level_bytes = false;
  options_.max_bytes_for_level_base = 1;  // "y" goes down to level 2
  Reopen();
  ASSERT_OK(db_->Put(WriteOptions(), "y", "old"));
  ASSERT_OK(db_->Flush());
  ASSERT_OK(db_->WaitForCompact());
  ASSERT_EQ(1u, IntProperty(db_.get(), "strata.num-files-at-level2"));
  options_.max_bytes_for_level_base = 1ull << 40;  // level 1 stays where it is
  Reopen();
  ASSERT_OK(db_->DeleteRange(WriteOptions(), "a", "z"));
  ASSERT_OK(db_->Put(WriteOptions(), "b", "new"));
  ASSERT_OK(db_->Flush());
  ASSERT_OK(db_->WaitForCompact());
  ASSERT_EQ(1u, IntProperty(db_.get(), "strata.num-files-at-level1"));
  ASSERT_EQ(1u, IntProperty(db_.get(), "strata.num-files-at-level2"));
  EXPECT_EQ("new", GetString(db_.get(), "b"));
  EXPECT_EQ("NOT_FOUND", GetString(db_.get(), "y"));
  Reopen();
  EXPECT_EQ("new", GetString(db_.get(), "b"));
}

TEST_F(CompactionTest, PowerLossAtEveryStepOfACompaction) {
  NoAutomaticCompaction();
  int steps = 0;
  for (uint64_t crash_at = 1;; crash_at++) {
    dbname_ = dir_.Child("db" + std::to_string(crash_at));
    Reopen();
    for (int i = 0; i < 3000; i++) ASSERT_OK(db_->Put(WriteOptions(), Key(i), "a"));
    ASSERT_OK(db_->Flush());
    for (int i = 0; i < 3000; i += 3) ASSERT_OK(db_->Put(WriteOptions(), Key(i), "b"));
    for (int i = 1; i < 3000; i += 3) ASSERT_OK(db_->Delete(WriteOptions(), Key(i)));
    ASSERT_OK(db_->Flush());
    ASSERT_OK(db_->SyncWAL());

    fs_->DeactivateAtWrite(crash_at);
    Status s = db_->CompactRange(nullptr, nullptr);
    const bool crashed = !fs_->IsFilesystemActive();
    if (!crashed) ASSERT_OK(s);
    fs_->SetFilesystemActive(false);
    db_.reset();
    ASSERT_OK(fs_->DropUnsyncedData());
    fs_->SetFilesystemActive(true);

    Reopen();
    for (int i = 0; i < 3000; i++) {
      const char* expect = i % 3 == 0 ? "b" : (i % 3 == 1 ? "NOT_FOUND" : "a");
      ASSERT_EQ(expect, GetString(db_.get(), Key(i))) << "crash at " << crash_at << " key " << i;
    }
    // Orphaned outputs are gone: every table on disk is in the version.
    uint64_t live = 0;
    for (int level = 0; level < options_.num_levels; level++) {
      live += IntProperty(db_.get(), "strata.num-files-at-level" + std::to_string(level));
    }
    EXPECT_EQ(live, FilesOfType(dbname_, FileType::kTable).size()) << "crash at " << crash_at;
    db_.reset();
    steps++;
    if (!crashed) break;
  }
  EXPECT_GE(steps, 5);
}

TEST_F(CompactionTest, DiskFullDuringCompactionStopsWritesAndLosesNothing) {
  options_.max_bg_error_resume_count = 0;  // stays stopped (resuming: resume_test.cc)
  Reopen();
  for (int i = 0; i < 3000; i++) ASSERT_OK(db_->Put(WriteOptions(), Key(i), "v"));
  ASSERT_OK(db_->Flush());
  for (int i = 0; i < 3000; i++) ASSERT_OK(db_->Put(WriteOptions(), Key(i), "w"));
  fs_->FailAlways(OpKind::kAppend, ErrorKind::kENOSPC, ".sst");
  Status s = db_->CompactRange(nullptr, nullptr);  // its flush or its compaction fails
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find("ENOSPC")) << s.ToString();
  // Writes stop with the error; what was acknowledged is still readable.
  Status w = db_->Put(WriteOptions(), "x", "y");
  EXPECT_TRUE(w.IsIOError()) << w.ToString();
  for (int i = 0; i < 3000; i += 7) ASSERT_EQ("w", GetString(db_.get(), Key(i)));
  fs_->ClearFaults();
  Reopen();
  for (int i = 0; i < 3000; i++) ASSERT_EQ("w", GetString(db_.get(), Key(i)));
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  for (int i = 0; i < 3000; i++) ASSERT_EQ("w", GetString(db_.get(), Key(i)));
}

// WaitForCompact ends with the error that stops the background work instead of waiting
// for work that cannot happen; a read-only database has nothing to wait for.
TEST_F(CompactionTest, WaitForCompactReturnsTheErrorThatStopsTheWork) {
  options_.max_bg_error_resume_count = 0;
  Reopen();
  ASSERT_OK(db_->WaitForCompact());  // an empty database
  fs_->FailAlways(OpKind::kAppend, ErrorKind::kENOSPC, ".sst");
  Random rnd(3);
  for (int i = 0; i < 3000; i++) {  // about five memtables: their flushes fail
    if (!db_->Put(WriteOptions(), Key(i), test::RandomBytes(&rnd, 100)).ok()) break;
  }
  Status s = db_->WaitForCompact();
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find("ENOSPC")) << s.ToString();
  fs_->ClearFaults();
  db_.reset();
  std::unique_ptr<DB> ro;
  ASSERT_OK(DB::OpenForReadOnly(options_, dbname_, &ro));
  EXPECT_OK(ro->WaitForCompact());
}

TEST_F(CompactionTest, DiskFullInsideTheCompactionItself) {
  options_.max_bg_error_resume_count = 0;  // stays stopped (resuming: resume_test.cc)
  NoAutomaticCompaction();
  Reopen();
  for (int i = 0; i < 3000; i++) ASSERT_OK(db_->Put(WriteOptions(), Key(i), "v"));
  ASSERT_OK(db_->Flush());
  for (int i = 0; i < 3000; i++) ASSERT_OK(db_->Put(WriteOptions(), Key(i), "w"));
  ASSERT_OK(db_->Flush());
  // Flushes are done: the next table written is a compaction output.
  fs_->FailAlways(OpKind::kSync, ErrorKind::kENOSPC, ".sst");
  Status s = db_->CompactRange(nullptr, nullptr);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_TRUE(db_->Put(WriteOptions(), "x", "y").IsIOError());
  for (int i = 0; i < 3000; i += 7) ASSERT_EQ("w", GetString(db_.get(), Key(i)));
  fs_->ClearFaults();
  Reopen();
  for (int i = 0; i < 3000; i++) ASSERT_EQ("w", GetString(db_.get(), Key(i)));
  uint64_t live = 0;
  for (int level = 0; level < options_.num_levels; level++) {
    live += IntProperty(db_.get(), "strata.num-files-at-level" + std::to_string(level));
  }
  EXPECT_EQ(live, FilesOfType(dbname_, FileType::kTable).size());
}

}  // namespace
}  // namespace strata
