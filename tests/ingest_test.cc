// TableWriter and DB::IngestExternalFiles: order checks, shadowing and snapshots, level
// placement, memtable flushing only on overlap, validation that leaves the database
// untouched, moving, and all-or-nothing under power cuts and I/O errors at every step.
#include <atomic>
#include <filesystem>
#include <map>
#include <thread>
#include <vector>

#include "strata/db.h"
#include "strata/table_writer.h"
#include "support/db_test_util.h"
#include "support/fault_injection_fs.h"
#include "support/no_sync_fs.h"
#include "support/test_util.h"
#include "support/write_model.h"

namespace strata {
namespace {

using test::FaultInjectionFileSystem;
using test::GetString;
using test::IntProperty;
using test::KVMap;

class IngestTest : public testing::Test {
 protected:
  IngestTest() {
    options_.create_if_missing = true;
    dbname_ = dir_.Child("db");
  }
  void Open() { ASSERT_OK(DB::Open(options_, dbname_, &db_)); }
  void Reopen() {
    db_.reset();
    Open();
  }
  // Writes a table of the given keys (sorted by the caller) with value prefix+key.
  Status WriteTable(const std::string& path, const std::vector<std::string>& keys,
                    const std::string& prefix, const Options* options = nullptr) {
    TableWriter writer(options ? *options : options_);
    Status s = writer.Open(path);
    for (const auto& k : keys) {
      if (s.ok()) s = writer.Put(k, prefix + k);
    }
    if (s.ok()) s = writer.Finish();
    return s;
  }
  std::vector<std::string> Keys(int from, int to, int step = 1) {
    std::vector<std::string> keys;
    for (int i = from; i < to; i += step) keys.push_back(test::NumberKey(i, 6));
    return keys;
  }
  int TablesAt(int level) {
    return static_cast<int>(
        IntProperty(db_.get(), "strata.num-files-at-level" + std::to_string(level)));
  }
  KVMap Scan() {
    KVMap out;
    EXPECT_OK(test::ScanAll(db_.get(), &out));
    return out;
  }
  uint64_t LastSequence() { return IntProperty(db_.get(), "strata.last-sequence"); }
  // A full disk refuses the nth append to the log during an ingestion whole (its first is
  // the log's sync marker if the log was never synced, else its sequence marker). The
  // ingestion must fail with NoSpace, take no sequence number and leave nothing behind (no
  // file linked into the database, no key visible); writes, synced ones too, and a retried
  // ingestion must go on without a resume or a reopen, and all of it survive one.
  void CheckARefusedLogAppendFailsOnlyTheIngestion(bool log_synced, int nth_append);

  test::TempDir dir_;
  std::string dbname_;
  Options options_;
  std::unique_ptr<DB> db_;
};

void IngestTest::CheckARefusedLogAppendFailsOnlyTheIngestion(bool log_synced, int nth_append) {
  auto fs = std::make_shared<FaultInjectionFileSystem>(FileSystem::Default());
  options_.file_system = fs;
  Options plain = options_;
  plain.file_system = nullptr;
  const std::string table = dir_.Child("a.sst");
  ASSERT_OK(WriteTable(table, Keys(0, 100), "new", &plain));
  Open();
  WriteOptions synced;
  synced.sync = true;
  // Outside the files' range (no flush).
  ASSERT_OK(db_->Put(log_synced ? synced : WriteOptions(), "z-old", "v"));
  const KVMap before = Scan();
  const uint64_t sequence = LastSequence();
  fs->FailNth(test::OpKind::kAppend, nth_append, test::ErrorKind::kENOSPC, ".log");
  Status s = db_->IngestExternalFiles({table}, IngestOptions());
  EXPECT_TRUE(s.IsNoSpace()) << s.ToString();
  EXPECT_EQ(fs->InjectedFaults(), 1u);
  fs->ClearFaults();
  EXPECT_EQ(Scan(), before);
  EXPECT_EQ(sequence, LastSequence());
  std::vector<std::string> children;
  ASSERT_OK(FileSystem::Default()->GetChildren(dbname_, &children));
  for (const auto& c : children) EXPECT_EQ(c.find(".sst"), std::string::npos) << c;
  ASSERT_OK(db_->Put(WriteOptions(), "z-after", "w"));
  ASSERT_OK(db_->Put(synced, "z-synced", "x"));
  ASSERT_OK(db_->IngestExternalFiles({table}, IngestOptions()));
  KVMap after = before;
  for (const auto& k : Keys(0, 100)) after[k] = "new" + k;
  after["z-after"] = "w";
  after["z-synced"] = "x";
  EXPECT_EQ(Scan(), after);
  EXPECT_EQ(sequence + 3, LastSequence());
  Reopen();
  EXPECT_EQ(Scan(), after);
  EXPECT_EQ(sequence + 3, LastSequence());
}

TEST_F(IngestTest, TableWriterRejectsKeysOutOfOrderAndEmptyFiles) {
  TableWriter writer(options_);
  EXPECT_TRUE(writer.Put("a", "1").IsInvalidArgument());  // not opened
  ASSERT_OK(writer.Open(dir_.Child("t.sst")));
  ASSERT_OK(writer.Put("b", "1"));
  Status s = writer.Put("a", "2");
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.ToString().find("increasing order"), std::string::npos);
  EXPECT_TRUE(writer.Put("b", "dup").IsInvalidArgument());
  ASSERT_OK(writer.Delete("c"));  // still usable after a refused key
  ASSERT_OK(writer.Finish());
  EXPECT_EQ(writer.NumEntries(), 2u);
  EXPECT_TRUE(writer.Finish().IsInvalidArgument());

  {
    TableWriter empty(options_);
    ASSERT_OK(empty.Open(dir_.Child("empty.sst")));
    EXPECT_TRUE(empty.Finish().IsInvalidArgument());
  }
  EXPECT_FALSE(FileSystem::Default()->FileExists(dir_.Child("empty.sst")));
  {
    TableWriter abandoned(options_);
    ASSERT_OK(abandoned.Open(dir_.Child("abandoned.sst")));
    ASSERT_OK(abandoned.Put("a", "1"));
  }
  EXPECT_FALSE(FileSystem::Default()->FileExists(dir_.Child("abandoned.sst")));
}

TEST_F(IngestTest, IngestedKeysShadowOlderOnesButNotForOlderSnapshots) {
  Open();
  for (const auto& k : Keys(0, 100)) ASSERT_OK(db_->Put(WriteOptions(), k, "old" + k));
  ASSERT_OK(db_->Flush());
  for (const auto& k : Keys(100, 150)) ASSERT_OK(db_->Put(WriteOptions(), k, "mem" + k));
  const Snapshot* before = db_->GetSnapshot();
  const uint64_t seq_before = IntProperty(db_.get(), "strata.last-sequence");

  ASSERT_OK(WriteTable(dir_.Child("a.sst"), Keys(50, 80), "new"));
  ASSERT_OK(db_->IngestExternalFiles({dir_.Child("a.sst")}, IngestOptions()));
  EXPECT_EQ(IntProperty(db_.get(), "strata.last-sequence"), seq_before + 1);
  EXPECT_EQ(GetString(db_.get(), test::NumberKey(60, 6)), "new" + test::NumberKey(60, 6));
  EXPECT_EQ(GetString(db_.get(), test::NumberKey(10, 6)), "old" + test::NumberKey(10, 6));
  ReadOptions at_before;
  at_before.snapshot = before;
  std::string v;
  ASSERT_OK(db_->Get(at_before, test::NumberKey(60, 6), &v));
  EXPECT_EQ(v, "old" + test::NumberKey(60, 6));
  {
    auto it = db_->NewIterator(at_before);
    int n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next(), n++) {
      EXPECT_NE(it->value().substr(0, 3), "new");
    }
    EXPECT_EQ(n, 150);
  }
  db_->ReleaseSnapshot(before);

  // Later writes shadow the ingested values, across reopen (the log's sequence marker) and
  // compaction (the global sequence carried into rewritten tables).
  ASSERT_OK(db_->Put(WriteOptions(), test::NumberKey(70, 6), "after"));
  KVMap expect = Scan();
  EXPECT_EQ(expect[test::NumberKey(70, 6)], "after");
  EXPECT_EQ(expect[test::NumberKey(71, 6)], "new" + test::NumberKey(71, 6));
  Reopen();
  EXPECT_EQ(Scan(), expect);
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  EXPECT_EQ(Scan(), expect);
  Reopen();
  EXPECT_EQ(Scan(), expect);
  ASSERT_OK(db_->Put(WriteOptions(), test::NumberKey(71, 6), "after2"));
  EXPECT_EQ(GetString(db_.get(), test::NumberKey(71, 6)), "after2");
}

TEST_F(IngestTest, GoesToTheDeepestLevelWhereItOverlapsNothing) {
  Open();
  ASSERT_OK(WriteTable(dir_.Child("a.sst"), Keys(0, 100), "a"));
  ASSERT_OK(db_->IngestExternalFiles({dir_.Child("a.sst")}, IngestOptions()));
  EXPECT_EQ(TablesAt(options_.num_levels - 1), 1);  // an empty database: the bottom
  ASSERT_OK(WriteTable(dir_.Child("b.sst"), Keys(50, 60), "b"));
  ASSERT_OK(db_->IngestExternalFiles({dir_.Child("b.sst")}, IngestOptions()));
  EXPECT_EQ(TablesAt(options_.num_levels - 2), 1);  // above the one it overlaps
  ASSERT_OK(db_->Put(WriteOptions(), test::NumberKey(0, 6), "1"));
  ASSERT_OK(db_->Put(WriteOptions(), "zzz", "1"));
  ASSERT_OK(db_->Flush());  // a level-0 table spanning every ingested key
  ASSERT_OK(WriteTable(dir_.Child("c.sst"), Keys(55, 56), "c"));
  ASSERT_OK(db_->IngestExternalFiles({dir_.Child("c.sst")}, IngestOptions()));
  EXPECT_EQ(TablesAt(0), 2);
  EXPECT_EQ(GetString(db_.get(), test::NumberKey(55, 6)), "c" + test::NumberKey(55, 6));
  EXPECT_EQ(GetString(db_.get(), test::NumberKey(56, 6)), "b" + test::NumberKey(56, 6));
  EXPECT_EQ(GetString(db_.get(), test::NumberKey(70, 6)), "a" + test::NumberKey(70, 6));
}

// A small file below a grown tree would open a nearly empty deepest level, put every level
// above it over its dynamic target, and push the whole tree down a level at a time.
TEST_F(IngestTest, ASmallFileStaysBesideTheTreeNotBelowIt) {
  options_.compression = CompressionType::kNone;
  options_.max_bytes_for_level_base = 8 << 10;  // a tree of a few levels from a few hundred keys
  options_.target_file_size_base = 8 << 10;
  Open();
  for (int i = 0; i < 2000; i++) {
    ASSERT_OK(db_->Put(WriteOptions(), test::NumberKey(i, 6), std::string(100, 'a' + i % 26)));
  }
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  ASSERT_OK(db_->WaitForCompact());
  int deepest = 0;
  for (int level = 1; level < options_.num_levels; level++) {
    if (TablesAt(level) > 0) deepest = level;
  }
  ASSERT_GE(deepest, 2) << "the tree outgrew level 1";
  ASSERT_LT(deepest, options_.num_levels - 1);
  const int at_deepest = TablesAt(deepest);
  ASSERT_OK(WriteTable(dir_.Child("a.sst"), Keys(5000, 5010), "a"));
  ASSERT_OK(db_->IngestExternalFiles({dir_.Child("a.sst")}, IngestOptions()));
  EXPECT_EQ(TablesAt(deepest), at_deepest + 1) << "beside the tree's data, not below it";
  ASSERT_OK(db_->WaitForCompact());
  for (int level = deepest + 1; level < options_.num_levels; level++) {
    EXPECT_EQ(TablesAt(level), 0) << "the tree was pushed down to level " << level;
  }
  EXPECT_EQ(GetString(db_.get(), test::NumberKey(5005, 6)), "a" + test::NumberKey(5005, 6));
  EXPECT_EQ(GetString(db_.get(), test::NumberKey(5, 6)), std::string(100, 'f'));

  // Only the files that reach a level count for it: a large file that overlaps the tree
  // (and stays above it) does not carry a small one below. (No compaction from here on, so
  // the levels show where the files went.)
  options_.max_bytes_for_level_base = 1ull << 40;
  options_.level0_file_num_compaction_trigger = 100;
  options_.level0_slowdown_writes_trigger = 100;
  options_.level0_stop_writes_trigger = 100;
  Reopen();
  const std::string large_path = dir_.Child("large.sst");
  {
    TableWriter writer(options_);
    ASSERT_OK(writer.Open(large_path));
    for (int i = 0; i < 2000; i++)
      ASSERT_OK(writer.Put(test::NumberKey(i, 6), std::string(2000, 'L')));
    ASSERT_OK(writer.Finish());
  }
  ASSERT_GT(std::filesystem::file_size(large_path),
            IntProperty(db_.get(), "strata.bytes-at-level" + std::to_string(deepest)) * 10);
  ASSERT_OK(WriteTable(dir_.Child("c.sst"), Keys(7000, 7010), "c"));
  ASSERT_OK(db_->IngestExternalFiles({large_path, dir_.Child("c.sst")}, IngestOptions()));
  for (int level = deepest + 1; level < options_.num_levels; level++) {
    EXPECT_EQ(TablesAt(level), 0) << "a small file went to level " << level;
  }
  EXPECT_EQ(GetString(db_.get(), test::NumberKey(7005, 6)), "c" + test::NumberKey(7005, 6));
  EXPECT_EQ(GetString(db_.get(), test::NumberKey(5, 6)), std::string(2000, 'L'));

  // Fixed targets do not follow the deepest level: the bottom costs nothing there.
  options_.level_compaction_dynamic_level_bytes = false;
  Reopen();
  ASSERT_OK(WriteTable(dir_.Child("b.sst"), Keys(6000, 6010), "b"));
  ASSERT_OK(db_->IngestExternalFiles({dir_.Child("b.sst")}, IngestOptions()));
  EXPECT_EQ(TablesAt(options_.num_levels - 1), 1);
}

// A tree whose files are all in level 0 is not empty: a small file goes no deeper than
// level 1, as if level 1 held them.
TEST_F(IngestTest, ATreeInLevelZeroAloneKeepsASmallFileNearTheTop) {
  options_.level0_file_num_compaction_trigger = 100;  // the flushed file stays in level 0
  options_.level0_slowdown_writes_trigger = 100;
  options_.level0_stop_writes_trigger = 100;
  Open();
  for (int i = 0; i < 100; i++) ASSERT_OK(db_->Put(WriteOptions(), test::NumberKey(i, 6), "v"));
  ASSERT_OK(db_->Flush());
  ASSERT_EQ(TablesAt(0), 1);
  ASSERT_OK(WriteTable(dir_.Child("a.sst"), Keys(500, 510), "a"));
  ASSERT_OK(db_->IngestExternalFiles({dir_.Child("a.sst")}, IngestOptions()));
  EXPECT_EQ(TablesAt(1), 1);
  for (int level = 2; level < options_.num_levels; level++) EXPECT_EQ(TablesAt(level), 0) << level;
  EXPECT_EQ(GetString(db_.get(), test::NumberKey(505, 6)), "a" + test::NumberKey(505, 6));
}

// An ingestion large enough to be the tree's deepest level goes as deep as its size carries
// the levels above: one level per multiplier of the current deepest level's bytes.
TEST_F(IngestTest, ALargeIngestionGoesBelowTheTreeAsFarAsItsSizeCarries) {
  options_.max_bytes_for_level_multiplier = 2;
  Open();
  for (int i = 0; i < 200; i++) ASSERT_OK(db_->Put(WriteOptions(), test::NumberKey(i, 6), "v"));
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  ASSERT_EQ(TablesAt(1), 1);
  // The deepest level a file of `bytes` may go to below the tree's deepest level `deepest`:
  // one more while it holds that level's bytes times 2 per level.
  auto deepest_allowed = [&](int deepest, double bytes) {
    const double tree = static_cast<double>(
        IntProperty(db_.get(), "strata.bytes-at-level" + std::to_string(deepest)));
    EXPECT_GT(tree, 0);
    int level = deepest;
    for (double needed = tree * 2; level + 1 < options_.num_levels && bytes >= needed;
         needed *= 2) {
      level++;
    }
    return level;
  };
  int deepest = 1;
  // A file a few times the tree's size, then one with enough keys for the bottom.
  for (const int from : {100000, 200000}) {
    const int count = from == 100000 ? 1000 : 60000;
    const std::string path = dir_.Child("f" + std::to_string(from) + ".sst");
    ASSERT_OK(WriteTable(path, Keys(from, from + count), "f"));
    const double bytes = static_cast<double>(std::filesystem::file_size(path));
    const int expected = deepest_allowed(deepest, bytes);
    if (from == 100000) {
      EXPECT_GT(expected, deepest) << "more than twice the tree: " << bytes;
      EXPECT_LT(expected, options_.num_levels - 1) << "not enough for the bottom: " << bytes;
    } else {
      EXPECT_EQ(expected, options_.num_levels - 1) << "enough for the bottom: " << bytes;
    }
    const int before = TablesAt(expected);
    ASSERT_OK(db_->IngestExternalFiles({path}, IngestOptions()));
    EXPECT_EQ(TablesAt(expected), before + 1) << bytes << " bytes";
    deepest = expected;
  }
  EXPECT_EQ(GetString(db_.get(), test::NumberKey(100005, 6)), "f" + test::NumberKey(100005, 6));
  EXPECT_EQ(GetString(db_.get(), test::NumberKey(200005, 6)), "f" + test::NumberKey(200005, 6));
}

TEST_F(IngestTest, FlushesTheMemtableOnlyWhenItOverlaps) {
  Open();
  ASSERT_OK(db_->Put(WriteOptions(), test::NumberKey(500, 6), "mem"));
  ASSERT_OK(WriteTable(dir_.Child("a.sst"), Keys(0, 100), "a"));
  ASSERT_OK(db_->IngestExternalFiles({dir_.Child("a.sst")}, IngestOptions()));
  EXPECT_EQ(IntProperty(db_.get(), "strata.num-entries-active-mem-table"), 1u);
  ASSERT_OK(WriteTable(dir_.Child("b.sst"), Keys(400, 600), "b"));
  ASSERT_OK(db_->IngestExternalFiles({dir_.Child("b.sst")}, IngestOptions()));
  EXPECT_EQ(IntProperty(db_.get(), "strata.num-entries-active-mem-table"), 0u);
  EXPECT_EQ(GetString(db_.get(), test::NumberKey(500, 6)), "b" + test::NumberKey(500, 6));
}

TEST_F(IngestTest, SeveralFilesAtOnceAndMoving) {
  Open();
  ASSERT_OK(WriteTable(dir_.Child("b.sst"), Keys(100, 200), "b"));
  ASSERT_OK(WriteTable(dir_.Child("a.sst"), Keys(0, 100), "a"));
  IngestOptions move;
  move.move_files = true;
  ASSERT_OK(db_->IngestExternalFiles({dir_.Child("b.sst"), dir_.Child("a.sst")}, move));
  EXPECT_FALSE(FileSystem::Default()->FileExists(dir_.Child("a.sst")));
  EXPECT_FALSE(FileSystem::Default()->FileExists(dir_.Child("b.sst")));
  EXPECT_EQ(Scan().size(), 200u);
  Reopen();
  EXPECT_EQ(Scan().size(), 200u);
}

TEST_F(IngestTest, BadFilesAreRefusedAndChangeNothing) {
  Open();
  ASSERT_OK(db_->Put(WriteOptions(), "k", "v"));
  const KVMap before = Scan();
  const auto tables_before = test::FilesOfType(dbname_, FileType::kTable);
  const uint64_t seq = IntProperty(db_.get(), "strata.last-sequence");

  ASSERT_OK(WriteTable(dir_.Child("a.sst"), Keys(0, 100), "a"));
  ASSERT_OK(WriteTable(dir_.Child("b.sst"), Keys(99, 150), "b"));
  Status s = db_->IngestExternalFiles({dir_.Child("a.sst"), dir_.Child("b.sst")}, IngestOptions());
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.ToString().find("overlap"), std::string::npos);

  Options reversed = options_;
  reversed.comparator = test::ReverseBytewiseComparatorForTest();
  std::vector<std::string> desc = Keys(0, 10);
  std::reverse(desc.begin(), desc.end());
  ASSERT_OK(WriteTable(dir_.Child("r.sst"), desc, "r", &reversed));
  s = db_->IngestExternalFiles({dir_.Child("r.sst")}, IngestOptions());
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.ToString().find("comparator"), std::string::npos) << s.ToString();

  test::RewriteFile(dir_.Child("a.sst"), [](std::string* d) { (*d)[100] ^= 0x40; });
  s = db_->IngestExternalFiles({dir_.Child("a.sst")}, IngestOptions());
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();

  ASSERT_OK(
      WriteStringToFile(FileSystem::Default().get(), "not a table", dir_.Child("x.sst"), false));
  EXPECT_FALSE(db_->IngestExternalFiles({dir_.Child("x.sst")}, IngestOptions()).ok());
  EXPECT_FALSE(db_->IngestExternalFiles({dir_.Child("missing.sst")}, IngestOptions()).ok());
  EXPECT_TRUE(db_->IngestExternalFiles({}, IngestOptions()).IsInvalidArgument());

  EXPECT_EQ(Scan(), before);
  EXPECT_EQ(test::FilesOfType(dbname_, FileType::kTable), tables_before);
  EXPECT_EQ(IntProperty(db_.get(), "strata.last-sequence"), seq);
}

// Ingestions while writers, flushes and compactions run: every acknowledged write and every
// ingested key is there, before and after reopening; writers are held up only while an
// ingestion takes its sequence number.
TEST_F(IngestTest, IngestsWhileWritersFlushesAndCompactionsRun) {
  options_.file_system = test::NewNoSyncFileSystem();
  options_.write_buffer_size = 64 << 10;
  options_.level0_file_num_compaction_trigger = 2;
  Open();
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  std::vector<std::atomic<uint64_t>> written(2);
  std::atomic<bool> failed{false};
  for (int t = 0; t < 2; t++) {
    writers.emplace_back([&, t] {
      for (uint64_t j = 0; !stop.load(); j++) {
        // Keys interleave with the ingested ones, so memtables overlap some files.
        const std::string k = test::NumberKey(j * 2 % 4000, 6) + "w" + std::to_string(t);
        if (!db_->Put(WriteOptions(), k, std::to_string(j)).ok()) {
          failed = true;
          return;
        }
        written[t] = j + 1;
      }
    });
  }
  // The ingestions take a few milliseconds: without this wait they can all finish before
  // either writer has been scheduled, and the test would check nothing concurrent.
  for (int t = 0; t < 2; t++) {
    while (written[t].load() < 100 && !failed.load()) std::this_thread::yield();
  }
  KVMap ingested;
  for (int f = 0; f < 20; f++) {
    const std::string path = dir_.Child("f" + std::to_string(f) + ".sst");
    std::vector<std::string> keys = Keys(f * 200, f * 200 + 200);
    ASSERT_OK(WriteTable(path, keys, "f" + std::to_string(f)));
    ASSERT_OK(db_->IngestExternalFiles({path}, IngestOptions()));
    for (const auto& k : keys) ingested[k] = "f" + std::to_string(f) + k;
  }
  stop = true;
  for (auto& w : writers) w.join();
  ASSERT_FALSE(failed.load());
  auto check = [&] {
    KVMap got = Scan();
    for (const auto& [k, v] : ingested) ASSERT_EQ(got[k], v) << k;
    for (int t = 0; t < 2; t++) {
      const uint64_t n = written[t].load();
      ASSERT_GE(n, 100u);
      // The newest value of each of the thread's keys is its last write to it.
      for (uint64_t j = n >= 2000 ? n - 2000 : 0; j < n; j++) {
        const std::string k = test::NumberKey(j * 2 % 4000, 6) + "w" + std::to_string(t);
        ASSERT_EQ(got[k], std::to_string(j)) << k;
      }
    }
  };
  check();
  Reopen();
  check();
}

TEST_F(IngestTest, AnIngestionWhoseMarkerAFullDiskRefusedLeavesNothing) {
  CheckARefusedLogAppendFailsOnlyTheIngestion(/*log_synced=*/true, 1);
}

// A log never synced: the ingestion first writes the log's sync marker, as a synced write
// group does; refused, the ingestion fails as above. (Written after the sequence marker, a
// refused sync marker once stopped every write until reopen.)
TEST_F(IngestTest, AnIngestionWhoseSyncMarkerAFullDiskRefusedLeavesNothing) {
  CheckARefusedLogAppendFailsOnlyTheIngestion(/*log_synced=*/false, 1);
}

// The same log, its sync marker written and the sequence marker after it refused.
TEST_F(IngestTest, AnIngestionWhoseMarkerAfterASyncMarkerAFullDiskRefusedLeavesNothing) {
  CheckARefusedLogAppendFailsOnlyTheIngestion(/*log_synced=*/false, 2);
}

// Each write of the ingestion in turn is where the power goes out (or fails with EIO):
// after reopening, the ingested keys are all there or none, and all if it returned OK.
class IngestFaultTest : public IngestTest, public testing::WithParamInterface<bool> {};

TEST_P(IngestFaultTest, AllOrNothingAtEveryStep) {
  const bool power_loss = GetParam();
  auto fs = std::make_shared<FaultInjectionFileSystem>(test::NewNoSyncFileSystem());
  options_.file_system = fs;
  Options plain = options_;
  plain.file_system = nullptr;
  ASSERT_OK(WriteTable(dir_.Child("a.sst"), Keys(0, 300), "new", &plain));
  ASSERT_OK(WriteTable(dir_.Child("b.sst"), Keys(300, 400), "new", &plain));
  Open();
  for (const auto& k : Keys(0, 400, 3)) ASSERT_OK(db_->Put(WriteOptions(), k, "old"));
  ASSERT_OK(db_->Flush());
  for (const auto& k : Keys(1, 400, 7)) ASSERT_OK(db_->Put(WriteOptions(), k, "mem"));
  ASSERT_OK(db_->SyncWAL());
  const KVMap before = Scan();
  KVMap after = before;
  for (const auto& k : Keys(0, 400)) after[k] = "new" + k;
  db_.reset();

  int committed = 0, rolled_back = 0;
  for (uint64_t n = 1;; n++) {
    SCOPED_TRACE((power_loss ? "power cut at write " : "EIO at write ") + std::to_string(n));
    // Start from the same database every time: a copy of it.
    test::TempDir copy_dir;
    const std::string work = copy_dir.Child("db");
    {
      std::unique_ptr<DB> src;
      ASSERT_OK(DB::Open(options_, dbname_, &src));
      ASSERT_OK(src->CreateCheckpoint(work));
    }
    fs->ResetState();
    std::unique_ptr<DB> db;
    ASSERT_OK(DB::Open(options_, work, &db));
    fs->ResetCounts();
    if (power_loss) {
      fs->DeactivateAtWrite(n);
    } else {
      fs->FailNthWrite(n, test::ErrorKind::kEIO);
    }
    Status s = db->IngestExternalFiles({dir_.Child("a.sst"), dir_.Child("b.sst")}, IngestOptions());
    const bool faulted = fs->InjectedFaults() > 0;
    db.reset();
    fs->ClearFaults();
    if (power_loss) ASSERT_OK(fs->DropUnsyncedData());
    fs->SetFilesystemActive(true);
    ASSERT_OK(DB::Open(options_, work, &db));
    KVMap got;
    ASSERT_OK(test::ScanAll(db.get(), &got));
    if (got == after) {
      committed++;
    } else {
      EXPECT_FALSE(s.ok()) << "an acknowledged ingestion was lost";
      ASSERT_EQ(got, before) << test::FirstDifference(before, got);
      rolled_back++;
    }
    // The database goes on: a later write lands above the ingested keys.
    ASSERT_OK(db->Put(WriteOptions(), test::NumberKey(5, 6), "later"));
    db.reset();
    ASSERT_OK(DB::Open(options_, work, &db));
    EXPECT_EQ(GetString(db.get(), test::NumberKey(5, 6)), "later");
    if (!faulted) {
      ASSERT_OK(s);
      break;
    }
    ASSERT_LT(n, 300u);
  }
  EXPECT_GT(rolled_back, 3);
  EXPECT_GE(committed, 1);
}

INSTANTIATE_TEST_SUITE_P(PowerLossOrEio, IngestFaultTest, testing::Bool());

}  // namespace
}  // namespace strata
