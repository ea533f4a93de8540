// Memtable switching, background flush, the MANIFEST and WAL deletion, through the public
// API: data survives flush and reopen, logs are deleted only once a synced MANIFEST covers
// them, memory and log files stay bounded, writers stall (visibly) when flushes fall
// behind, readers see every acknowledged write while flushes run, and damaged or mismatched
// metadata is refused with a clear status.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "strata/db.h"
#include "support/db_test_util.h"
#include "support/fault_injection_fs.h"
#include "support/gate.h"
#include "support/test_util.h"
#include "version/filename.h"
#include "wal/log_reader.h"

namespace strata {
namespace {

using test::ErrorKind;
using test::FaultInjectionFileSystem;
using test::FilesOfType;
using test::GetString;
using test::IntProperty;
using test::LogFiles;
using test::OpKind;

std::string Key(int i) { return test::NumberKey(i, 8); }
std::string Value(int i, size_t size = 100) {
  std::string v = "value" + std::to_string(i) + ":";
  v.resize(size, static_cast<char>('a' + i % 26));
  return v;
}

// Flushes so far (compaction moves their tables out of level 0).
uint64_t Flushes(DB* db) {
  uint64_t n = 0;
  EXPECT_TRUE(db->GetIntProperty("strata.num-flushes", &n));
  return n;
}

class FlushTest : public testing::Test {
 protected:
  FlushTest() : fs_(std::make_shared<FaultInjectionFileSystem>(FileSystem::Default())) {
    options_.create_if_missing = true;
    options_.file_system = fs_;
    // Tests count level-0 files after reading them: reads must not compact.
    options_.seek_compaction = false;
    dbname_ = dir_.Child("db");
  }
  Status TryOpen() {
    db_.reset();
    return DB::Open(options_, dbname_, &db_);
  }
  void Reopen() { ASSERT_OK(TryOpen()); }
  void PutRange(int from, int to, size_t value_size = 100) {
    for (int i = from; i < to; i++)
      ASSERT_OK(db_->Put(WriteOptions(), Key(i), Value(i, value_size)));
  }
  void CheckRange(int from, int to, size_t value_size = 100) {
    for (int i = from; i < to; i++)
      ASSERT_EQ(Value(i, value_size), GetString(db_.get(), Key(i))) << i;
  }
  size_t NumTables() { return FilesOfType(dbname_, FileType::kTable).size(); }

  test::TempDir dir_;
  std::shared_ptr<FaultInjectionFileSystem> fs_;
  Options options_;
  std::string dbname_;
  std::unique_ptr<DB> db_;
};

TEST_F(FlushTest, NewDatabaseHasCurrentAndManifest) {
  Reopen();
  EXPECT_TRUE(fs_->FileExists(dbname_ + "/CURRENT"));
  std::string current;
  ASSERT_OK(ReadFileToString(fs_.get(), dbname_ + "/CURRENT", &current));
  EXPECT_TRUE(current.starts_with("MANIFEST-")) << current;
  EXPECT_EQ(1u, FilesOfType(dbname_, FileType::kManifest).size());
  EXPECT_TRUE(fs_->FileExists(dbname_ + "/" + current.substr(0, current.size() - 1)));
}

TEST_F(FlushTest, FlushWritesATableAndDeletesTheLog) {
  Reopen();
  PutRange(0, 1000);
  ASSERT_OK(db_->Delete(WriteOptions(), Key(7)));
  std::vector<std::string> logs_before = LogFiles(dbname_);
  ASSERT_EQ(1u, logs_before.size());
  ASSERT_OK(db_->Flush());
  EXPECT_EQ(1u, IntProperty(db_.get(), "strata.num-files-at-level0"));
  EXPECT_EQ(0u, IntProperty(db_.get(), "strata.num-entries-active-mem-table"));
  EXPECT_EQ(1u, NumTables());
  std::vector<std::string> logs_after = LogFiles(dbname_);
  ASSERT_EQ(1u, logs_after.size());
  EXPECT_NE(logs_before[0], logs_after[0]) << "the flushed memtable's log must be gone";
  EXPECT_EQ("NOT_FOUND", GetString(db_.get(), Key(7)));
  CheckRange(0, 7);
  CheckRange(8, 1000);
  EXPECT_EQ("NOT_FOUND", GetString(db_.get(), Key(5000)));

  std::string sstables;
  ASSERT_TRUE(db_->GetProperty("strata.sstables", &sstables));
  EXPECT_NE(std::string::npos, sstables.find("level 0:")) << sstables;
  EXPECT_NE(std::string::npos, sstables.find(Key(0))) << sstables;

  // Flushing nothing is fine and writes nothing.
  ASSERT_OK(db_->Flush());
  EXPECT_EQ(1u, NumTables());
}

TEST_F(FlushTest, DataSurvivesFlushAndReopen) {
  Reopen();
  PutRange(0, 500);
  ASSERT_OK(db_->Flush());
  PutRange(500, 800);  // in the log only
  ASSERT_OK(db_->Put(WriteOptions(), Key(3), "overwritten after the flush"));
  ASSERT_OK(db_->Delete(WriteOptions(), Key(4)));
  const uint64_t seq = IntProperty(db_.get(), "strata.last-sequence");
  Reopen();
  EXPECT_EQ("overwritten after the flush", GetString(db_.get(), Key(3)));
  EXPECT_EQ("NOT_FOUND", GetString(db_.get(), Key(4)));
  CheckRange(5, 800);
  EXPECT_EQ(seq, IntProperty(db_.get(), "strata.last-sequence"));
  // Recovery flushed the replayed log to a table and removed the log.
  EXPECT_EQ(2u, IntProperty(db_.get(), "strata.num-files-at-level0"));
  EXPECT_EQ(1u, LogFiles(dbname_).size());
  ASSERT_OK(db_->Put(WriteOptions(), Key(4), "back"));
  Reopen();
  EXPECT_EQ("back", GetString(db_.get(), Key(4)));
  EXPECT_EQ(seq + 1, IntProperty(db_.get(), "strata.last-sequence"));
  EXPECT_EQ(1u, FilesOfType(dbname_, FileType::kManifest).size());
}

TEST_F(FlushTest, FullMemtableSwitchesAndFlushesInTheBackground) {
  options_.write_buffer_size = 64 << 10;
  Reopen();
  const int n = 20000;  // about 2.5 MB of entries: dozens of memtables
  size_t max_logs = 0;
  for (int i = 0; i < n; i++) {
    ASSERT_OK(db_->Put(WriteOptions(), Key(i), Value(i)));
    if (i % 500 == 0) max_logs = std::max(max_logs, LogFiles(dbname_).size());
  }
  ASSERT_OK(db_->Flush());
  // Live logs: the active one plus at most max_write_buffer_number - 1 waiting memtables
  // (and a moment's lag before deletion).
  EXPECT_LE(max_logs, static_cast<size_t>(options_.max_write_buffer_number) + 1);
  // A flush deletes the logs it made obsolete without holding the mutex, so Flush may return
  // (woken by a compaction finishing) while the deletion is still going.
  test::WaitUntil([&] { return LogFiles(dbname_).size() <= 1; }, std::chrono::seconds(10));
  EXPECT_EQ(1u, LogFiles(dbname_).size());
  EXPECT_GT(Flushes(db_.get()), 10u);
  CheckRange(0, n);
  std::string stats;
  ASSERT_TRUE(db_->GetProperty("strata.stats", &stats));
  EXPECT_NE(std::string::npos, stats.find("flushes: ")) << stats;
  Reopen();
  CheckRange(0, n);
}

TEST_F(FlushTest, ReplayOfALargeLogFlushesAsItGoes) {
  Reopen();
  PutRange(0, 5000);
  db_.reset();
  options_.write_buffer_size = 64 << 10;  // the log now holds many memtables' worth
  Reopen();
  EXPECT_GT(Flushes(db_.get()), 3u);
  CheckRange(0, 5000);
}

TEST_F(FlushTest, LogIsKeptUntilTheManifestSyncSucceeds) {
  Reopen();
  PutRange(0, 100);
  std::vector<std::string> logs = LogFiles(dbname_);
  ASSERT_EQ(1u, logs.size());
  fs_->FailNth(OpKind::kSync, 1, ErrorKind::kEIO, "MANIFEST");
  Status s = db_->Flush();
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_TRUE(fs_->FileExists(logs[0])) << "log deleted although the MANIFEST was not synced";
  // The error stops writes; nothing acknowledged is lost.
  EXPECT_FALSE(db_->Put(WriteOptions(), "x", "y").ok());
  CheckRange(0, 100);
  Reopen();
  CheckRange(0, 100);
  EXPECT_EQ("NOT_FOUND", GetString(db_.get(), "x"));
}

TEST_F(FlushTest, FailedTableWriteStopsWritesAndLosesNothing) {
  options_.max_bg_error_resume_count = 0;  // stays stopped (resuming: resume_test.cc)
  Reopen();
  PutRange(0, 100);
  fs_->FailNth(OpKind::kAppend, 1, ErrorKind::kENOSPC, ".sst");
  Status s = db_->Flush();
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find("ENOSPC")) << s.ToString();
  EXPECT_EQ(0u, NumTables()) << "the partial table must be removed";
  CheckRange(0, 100);
  Reopen();  // the cause is gone: the database opens and flushes the log at once
  CheckRange(0, 100);
  EXPECT_EQ(1u, NumTables());
}

// Blocks the creation of table files while its gate is closed, so a test can hold a flush.
class GateFileSystem : public FileSystemWrapper {
 public:
  explicit GateFileSystem(std::shared_ptr<FileSystem> target)
      : FileSystemWrapper(std::move(target)) {}
  Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* r) override {
    if (path.ends_with(".sst")) gate.Pass();
    return FileSystemWrapper::NewWritableFile(path, r);
  }
  test::Gate gate;
};

TEST_F(FlushTest, WritersWaitWhenImmutableMemtablesAreFull) {
  auto gate = std::make_shared<GateFileSystem>(FileSystem::Default());
  options_.file_system = gate;
  options_.write_buffer_size = 64 << 10;
  options_.max_write_buffer_number = 2;
  Reopen();
  gate->gate.Close();
  std::atomic<int> written{0};
  std::thread writer([&] {
    for (int i = 0; i < 2000; i++) {
      ASSERT_OK(db_->Put(WriteOptions(), Key(i), Value(i)));
      written.store(i + 1);
    }
  });
  gate->gate.WaitForHeld(1);
  // The writer fills the second memtable and then must wait for the blocked flush: wait for
  // the stall itself, then check that no third memtable was queued and the writer is short of
  // its end.
  while (IntProperty(db_.get(), "strata.write-stalls-in-progress") == 0 && written.load() < 2000) {
    std::this_thread::yield();
  }
  EXPECT_EQ(1u, IntProperty(db_.get(), "strata.write-stalls-in-progress"));
  EXPECT_EQ(1u, IntProperty(db_.get(), "strata.num-immutable-mem-table"));
  EXPECT_LT(written.load(), 2000) << "writer finished without waiting for the blocked flush";
  gate->gate.Open();
  writer.join();
  EXPECT_EQ(2000, written.load());
  std::string stats;
  ASSERT_TRUE(db_->GetProperty("strata.stats", &stats));
  EXPECT_EQ(std::string::npos, stats.find("write stalls: 0 ")) << stats;
  CheckRange(0, 2000);
}

// Counts the directory listings and the removals of each file, and holds the removal of a
// log while its gate is closed, so a test can hold a pass of obsolete-file deletion.
class RemovalGateFileSystem : public FileSystemWrapper {
 public:
  explicit RemovalGateFileSystem(std::shared_ptr<FileSystem> target)
      : FileSystemWrapper(std::move(target)) {}
  Status GetChildren(const std::string& dir, std::vector<std::string>* names) override {
    listings.fetch_add(1);
    return FileSystemWrapper::GetChildren(dir, names);
  }
  Status RemoveFile(const std::string& path) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      removals_[path]++;
    }
    if (path.ends_with(".log")) gate.Pass();
    return FileSystemWrapper::RemoveFile(path);
  }
  std::map<std::string, int> removals() {
    std::lock_guard<std::mutex> lock(mu_);
    return removals_;
  }
  std::atomic<int> listings{0};
  test::Gate gate;

 private:
  std::mutex mu_;
  std::map<std::string, int> removals_;
};

// A flush and a compaction that end together each delete obsolete files: the second pass
// waits for the first instead of listing the directory while the first deletes, which would
// doom the same files twice (the second removal fails and is logged). The flush's pass is
// held inside the removal of its log; the compaction ending meanwhile must not list.
TEST_F(FlushTest, OneObsoleteFileDeletionPassAtATime) {
  auto fs = std::make_shared<RemovalGateFileSystem>(FileSystem::Default());
  options_.file_system = fs;
  options_.level0_file_num_compaction_trigger = 100;  // only CompactRange compacts
  options_.level0_slowdown_writes_trigger = 100;
  options_.level0_stop_writes_trigger = 100;
  Reopen();
  PutRange(0, 100);
  ASSERT_OK(db_->Flush());
  PutRange(100, 200);
  fs->gate.Close();
  std::thread flusher([&] { EXPECT_OK(db_->Flush()); });
  fs->gate.WaitForHeld(1);
  const int listings = fs->listings.load();
  std::thread compactor([&] { EXPECT_OK(db_->CompactRange(nullptr, nullptr)); });
  // The compaction installs its result, then goes on to delete under the database's lock:
  // once the result shows, taking the lock (GetSnapshot) waits until that pass has either
  // listed the directory or is waiting for the flush's pass.
  while (IntProperty(db_.get(), "strata.num-files-at-level0") != 0) std::this_thread::yield();
  db_->ReleaseSnapshot(db_->GetSnapshot());
  EXPECT_EQ(listings, fs->listings.load()) << "a second pass listed while the first deleted";
  fs->gate.Open();
  flusher.join();
  compactor.join();
  for (const auto& [path, n] : fs->removals()) EXPECT_EQ(1, n) << path;
  EXPECT_EQ(1u, NumTables());
  CheckRange(0, 200);
}

TEST_F(FlushTest, ReadersSeeEveryAcknowledgedWriteDuringFlushes) {
  options_.write_buffer_size = 64 << 10;
  Reopen();
  const int n = 6000;
  std::atomic<int> acked{0};
  std::atomic<bool> failed{false};
  std::thread writer([&] {
    for (int i = 0; i < n; i++) {
      if (!db_->Put(WriteOptions(), Key(i), Value(i)).ok()) failed = true;
      acked.store(i + 1, std::memory_order_release);
    }
  });
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; t++) {
    readers.emplace_back([&, t] {
      Random rnd(100 + t);
      while (acked.load(std::memory_order_acquire) < n && !failed) {
        int upto = acked.load(std::memory_order_acquire);
        if (upto == 0) continue;
        int i = static_cast<int>(rnd.Uniform(upto));
        if (GetString(db_.get(), Key(i)) != Value(i)) {
          ADD_FAILURE() << "acknowledged key " << i << " not visible";
          failed = true;
        }
      }
    });
  }
  writer.join();
  for (auto& r : readers) r.join();
  EXPECT_FALSE(failed.load());
  EXPECT_GT(Flushes(db_.get()), 2u);
}

TEST_F(FlushTest, ComparatorMismatchIsRefused) {
  Reopen();
  PutRange(0, 10);
  db_.reset();
  class Reverse final : public Comparator {
   public:
    int Compare(std::string_view a, std::string_view b) const override { return b.compare(a); }
    const char* Name() const override { return "test.Reverse"; }
  };
  static const Reverse reverse;
  options_.comparator = &reverse;
  Status s = TryOpen();
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find("strata.BytewiseComparator")) << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find("test.Reverse")) << s.ToString();
}

TEST_F(FlushTest, MissingTableIsCorruption) {
  Reopen();
  PutRange(0, 10);
  ASSERT_OK(db_->Flush());
  db_.reset();
  auto tables = FilesOfType(dbname_, FileType::kTable);
  ASSERT_EQ(1u, tables.size());
  ASSERT_OK(fs_->RemoveFile(tables[0]));
  Status s = TryOpen();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find("missing table file")) << s.ToString();
}

// With paranoid_checks, Open opens every table and refuses a damaged one; without it, Open
// succeeds and the first read of the table reports the damage.
TEST_F(FlushTest, ParanoidChecksFindADamagedTableAtOpen) {
  Reopen();
  PutRange(0, 10);
  ASSERT_OK(db_->Flush());
  db_.reset();
  auto tables = FilesOfType(dbname_, FileType::kTable);
  ASSERT_EQ(1u, tables.size());
  std::string contents;
  ASSERT_OK(ReadFileToString(fs_.get(), tables[0], &contents));
  contents[contents.size() - 20] ^= 0x40;  // inside the footer
  ASSERT_OK(WriteStringToFile(fs_.get(), contents, tables[0], true));

  options_.paranoid_checks = true;
  Status s = TryOpen();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find(tables[0])) << s.ToString();

  options_.paranoid_checks = false;
  ASSERT_OK(TryOpen());
  std::string value;
  s = db_->Get(ReadOptions(), test::NumberKey(3), &value);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

TEST_F(FlushTest, DamagedCurrentOrManifestIsCorruption) {
  Reopen();
  PutRange(0, 10);
  ASSERT_OK(db_->Flush());
  db_.reset();
  const std::string current = dbname_ + "/CURRENT";
  std::string saved;
  ASSERT_OK(ReadFileToString(fs_.get(), current, &saved));

  ASSERT_OK(WriteStringToFile(fs_.get(), "garbage", current, true));
  Status s = TryOpen();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();

  ASSERT_OK(WriteStringToFile(fs_.get(), saved, current, true));
  auto manifests = FilesOfType(dbname_, FileType::kManifest);
  ASSERT_EQ(1u, manifests.size());
  std::string manifest;
  ASSERT_OK(ReadFileToString(fs_.get(), manifests[0], &manifest));
  // A flipped byte in every position is reported, never crashes, never opens silently with
  // different contents.
  for (size_t i = 0; i < manifest.size(); i++) {
    std::string bad = manifest;
    bad[i] ^= 0x20;
    ASSERT_OK(WriteStringToFile(fs_.get(), bad, manifests[0], true));
    s = TryOpen();
    if (s.ok()) {
      // Only a flip inside padding can be harmless; then the data must be intact.
      CheckRange(0, 10);
      db_.reset();
      ASSERT_OK(WriteStringToFile(fs_.get(), saved, current, true));
      manifests = FilesOfType(dbname_, FileType::kManifest);
      ASSERT_EQ(1u, manifests.size());
      ASSERT_OK(ReadFileToString(fs_.get(), manifests[0], &manifest));
      break;  // the open rewrote the MANIFEST: positions no longer line up
    }
    EXPECT_TRUE(s.IsCorruption() || s.IsInvalidArgument()) << i << ": " << s.ToString();
  }
  // Torn final record: tolerated (the edit was never acknowledged).
  ASSERT_OK(
      WriteStringToFile(fs_.get(), manifest + std::string("\x01\x02\x03", 3), manifests[0], true));
  ASSERT_OK(TryOpen());
  CheckRange(0, 10);
}

// A MANIFEST cut short exactly between two records reads back without any damage report;
// without the edits it lost, the tables they added would be dropped as obsolete. The log it
// then names is gone while newer ones remain, which no crash leaves behind.
TEST_F(FlushTest, ManifestCutBetweenRecordsIsCorruption) {
  Reopen();
  PutRange(0, 10);
  ASSERT_OK(db_->Flush());
  PutRange(10, 20);
  ASSERT_OK(db_->Flush());
  PutRange(20, 30);
  db_.reset();
  auto manifests = FilesOfType(dbname_, FileType::kManifest);
  ASSERT_EQ(1u, manifests.size());
  std::string manifest;
  ASSERT_OK(ReadFileToString(fs_.get(), manifests[0], &manifest));
  std::vector<uint64_t> boundaries;
  {
    std::unique_ptr<SequentialFile> file;
    ASSERT_OK(fs_->NewSequentialFile(manifests[0], &file));
    LogReader reader(std::move(file), nullptr);
    std::string scratch;
    std::string_view record;
    while (reader.ReadRecord(&record, &scratch)) boundaries.push_back(reader.LastRecordOffset());
  }
  ASSERT_EQ(4u, boundaries.size());  // snapshot, Open's edit, two flushes
  for (uint64_t cut : boundaries) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    ASSERT_OK(WriteStringToFile(fs_.get(), manifest.substr(0, cut), manifests[0], true));
    Status s = TryOpen();
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  }
  ASSERT_OK(WriteStringToFile(fs_.get(), manifest, manifests[0], true));
  Reopen();
  CheckRange(0, 30);
}

TEST_F(FlushTest, LogsWithoutCurrentAreRefused) {
  Reopen();
  PutRange(0, 10);
  db_.reset();
  ASSERT_OK(fs_->RemoveFile(dbname_ + "/CURRENT"));
  Status s = TryOpen();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find("CURRENT")) << s.ToString();
}

}  // namespace
}  // namespace strata
