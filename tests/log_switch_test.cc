// A memtable switch and the old log (db/unsynced_logs.h, docs/DURABILITY.md): in the default
// recovery modes the old log is left unsynced until a sync asks for it or its memtable is in
// a table; in the strict modes it is synced at the switch and the new log opens with a sync
// marker. What power loss then leaves is checked by PowerLossTest and TornPowerLossTest (a
// synced write must survive a lost tail of an older, parked log); these tests pin down the
// syncs themselves, the marker, kept logs and durable sequences.
#include <gtest/gtest.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "db/write_batch_internal.h"
#include "strata/change_feed.h"
#include "strata/db.h"
#include "support/db_test_util.h"
#include "support/fault_injection_fs.h"
#include "support/test_util.h"
#include "wal/log_reader.h"

namespace strata {
namespace {

using test::ErrorKind;
using test::FaultInjectionFileSystem;
using test::FileFate;
using test::OpKind;
using test::UnsyncedFile;

std::string Key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "key%06d", i);
  return buf;
}

// The records of a log file, as batches.
std::vector<WriteBatch> ReadLog(const std::string& path) {
  std::vector<WriteBatch> out;
  std::unique_ptr<SequentialFile> file;
  EXPECT_OK(FileSystem::Default()->NewSequentialFile(path, &file));
  if (!file) return out;
  LogReader reader(std::move(file), nullptr);
  std::string scratch;
  std::string_view record;
  while (reader.ReadRecord(&record, &scratch)) {
    WriteBatch b;
    EXPECT_OK(WriteBatchInternal::SetContents(&b, record));
    out.push_back(std::move(b));
  }
  return out;
}

class LogSwitchTest : public testing::Test {
 protected:
  LogSwitchTest() : fs_(std::make_shared<FaultInjectionFileSystem>(FileSystem::Default())) {
    options_.create_if_missing = true;
    options_.file_system = fs_;
    options_.write_buffer_size = 64 << 10;
    dbname_ = dir_.Child("db");
  }
  Status TryOpen() {
    db_.reset();
    return DB::Open(options_, dbname_, &db_);
  }
  // Unsynced writes of about 40 KiB each call: enough for a switch every two calls.
  Status WriteSome(int from, int n) {
    for (int i = from; i < from + n; i++) {
      Status s = db_->Put(WriteOptions(), Key(i), std::string(100, 'v'));
      if (!s.ok()) return s;
    }
    return Status::OK();
  }

  test::TempDir dir_;
  std::shared_ptr<FaultInjectionFileSystem> fs_;
  Options options_;
  std::string dbname_;
  std::unique_ptr<DB> db_;
};

// Every log sync fails. In the default modes unsynced writes go on through switches and
// flushes, so no switch synced a log; the first sync asked for fails. In the strict modes
// the first switch syncs the old log, and fails.
TEST_F(LogSwitchTest, OnlyTheStrictModesSyncTheOldLogAtASwitch) {
  for (WalRecoveryMode mode :
       {WalRecoveryMode::kTolerateCorruptedTailRecords, WalRecoveryMode::kPointInTimeRecovery,
        WalRecoveryMode::kAbsoluteConsistency, WalRecoveryMode::kSkipAnyCorruptedRecords}) {
    SCOPED_TRACE(static_cast<int>(mode));
    db_.reset();
    fs_->ClearFaults();
    ASSERT_OK(DestroyDB(dbname_, options_));
    options_.wal_recovery_mode = mode;
    ASSERT_OK(TryOpen());
    fs_->FailAlways(OpKind::kSync, ErrorKind::kEIO, ".log");
    const bool parks = mode == WalRecoveryMode::kTolerateCorruptedTailRecords ||
                       mode == WalRecoveryMode::kPointInTimeRecovery;
    Status s = WriteSome(0, 2000);  // several switches
    if (!parks) {
      EXPECT_TRUE(s.IsIOError()) << s.ToString();
      continue;
    }
    ASSERT_OK(s);
    ASSERT_OK(db_->Flush());
    EXPECT_GE(test::IntProperty(db_.get(), "strata.num-files-at-level0") +
                  test::IntProperty(db_.get(), "strata.num-files-at-level1"),
              1u);
    EXPECT_EQ("vvvvv", test::GetString(db_.get(), Key(1999)).substr(0, 5));
    s = db_->SyncWAL();
    EXPECT_TRUE(s.IsIOError()) << s.ToString();
  }
}

// A switch that syncs the old log opens the new one with a sync marker; one that parks it
// does not, and the new log holds only writes.
TEST_F(LogSwitchTest, ASyncedSwitchOpensTheNewLogWithASyncMarker) {
  for (WalRecoveryMode mode :
       {WalRecoveryMode::kTolerateCorruptedTailRecords, WalRecoveryMode::kAbsoluteConsistency}) {
    SCOPED_TRACE(static_cast<int>(mode));
    db_.reset();
    ASSERT_OK(DestroyDB(dbname_, options_));
    options_.wal_recovery_mode = mode;
    options_.write_buffer_size = 4 << 20;  // no switch but the manual one
    ASSERT_OK(TryOpen());
    ASSERT_OK(WriteSome(0, 10));
    ASSERT_OK(db_->Flush());
    ASSERT_OK(WriteSome(10, 3));
    const std::vector<std::string> logs = test::LogFiles(dbname_);
    ASSERT_EQ(1u, logs.size());
    const std::vector<WriteBatch> records = ReadLog(logs[0]);
    const bool synced = mode == WalRecoveryMode::kAbsoluteConsistency;
    ASSERT_EQ(synced ? 4u : 3u, records.size());
    EXPECT_EQ(synced, WriteBatchInternal::IsSyncMarker(records[0]));
    EXPECT_EQ(11u, WriteBatchInternal::Sequence(records[synced ? 1 : 0]));
  }
}

// Logs kept for change feeds must be whole after a power loss, though the switches parked
// them unsynced: the flush syncs a log before its edit hands it over to retention.
TEST_F(LogSwitchTest, KeptLogsAreWholeAfterPowerLoss) {
  options_.wal_ttl_seconds = 3600;
  ASSERT_OK(TryOpen());
  ASSERT_OK(WriteSome(0, 2000));
  ASSERT_OK(db_->Flush());
  const uint64_t last = test::IntProperty(db_.get(), "strata.last-sequence");
  ASSERT_EQ(2000u, last);
  ASSERT_GT(test::LogFiles(dbname_).size(), 5u);
  db_.reset();
  ASSERT_OK(fs_->DropUnsyncedData());
  ASSERT_OK(TryOpen());
  std::unique_ptr<ChangeFeed> feed;
  ASSERT_OK(db_->NewChangeFeed(1, FeedOptions(), &feed));
  uint64_t next = 1;
  while (true) {
    ChangeBatch b;
    bool ready = false;
    ASSERT_OK(feed->Next(std::chrono::milliseconds(0), &b, &ready));
    if (!ready) break;
    ASSERT_EQ(next, b.sequence);
    next += b.count;
  }
  EXPECT_EQ(last + 1, next);
}

// Without a sync, a write becomes durable when its memtable is in a synced table: a feed
// with durable_only sees it then.
TEST_F(LogSwitchTest, AFlushMakesItsWritesDurable) {
  ASSERT_OK(TryOpen());
  ASSERT_OK(WriteSome(0, 10));
  EXPECT_EQ(0u, test::IntProperty(db_.get(), "strata.durable-sequence"));
  ASSERT_OK(db_->Flush());
  EXPECT_EQ(10u, test::IntProperty(db_.get(), "strata.durable-sequence"));
  ASSERT_OK(WriteSome(10, 5));
  EXPECT_EQ(10u, test::IntProperty(db_.get(), "strata.durable-sequence"));
  ASSERT_OK(db_->SyncWAL());
  EXPECT_EQ(15u, test::IntProperty(db_.get(), "strata.durable-sequence"));
}

// Table files are created only with a permit: a test lets flushes through one at a time.
class TablePermitFileSystem : public FileSystemWrapper {
 public:
  explicit TablePermitFileSystem(std::shared_ptr<FileSystem> target)
      : FileSystemWrapper(std::move(target)) {}
  Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* result) override {
    if (path.ends_with(".sst")) {
      std::unique_lock<std::mutex> lock(mu_);
      waiting_++;
      cv_.notify_all();
      cv_.wait(lock, [this] { return permits_ > 0; });
      permits_--;
      waiting_--;
    }
    return target()->NewWritableFile(path, result);
  }
  void Allow(int n) {
    std::lock_guard<std::mutex> lock(mu_);
    permits_ += n;
    cv_.notify_all();
  }
  void WaitForWaiting(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return waiting_ >= n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int permits_ = 0;
  int waiting_ = 0;
};

// Three memtables, each in its own log: A's flush finishes while B (parked unsynced) waits for
// its flush and C is active. Power loss keeps none of B's log but all of C's. Recovery must
// end the history after A: B's writes are gone, so C's must not come back either (a hole).
// This needs the flush's MANIFEST edit to record A's last sequence, not the newest published
// one: with the latter, replay expected C's first sequence and saw no hole.
TEST_F(LogSwitchTest, APowerLossThatKeepsANewerLogButNoneOfAParkedOneLeavesAPrefix) {
  auto gated = std::make_shared<TablePermitFileSystem>(fs_);
  options_.file_system = gated;
  options_.max_write_buffer_number = 3;
  ASSERT_OK(TryOpen());
  auto level0 = [&] { return test::IntProperty(db_.get(), "strata.num-files-at-level0"); };
  auto switches = [&] { return test::LogFiles(dbname_).size(); };
  // A: until the first switch; its flush waits for a permit.
  // The write that finds the memtable full switches first, and goes into the new one.
  int key = 0;
  while (switches() < 2) ASSERT_OK(WriteSome(key++, 1));
  const int a_end = key - 1;  // A holds keys [0, a_end)
  gated->WaitForWaiting(1);
  // B: until the next switch; C: a few writes.
  while (switches() < 3) ASSERT_OK(WriteSome(key++, 1));
  const int b_end = key - 1;  // B holds [a_end, b_end)
  ASSERT_OK(WriteSome(key, 20));
  key += 20;
  // A's flush only.
  gated->Allow(1);
  ASSERT_TRUE(test::WaitUntil([&] { return level0() == 1; }));
  gated->WaitForWaiting(1);  // B's flush waits
  const std::vector<std::string> logs = test::LogFiles(dbname_);
  ASSERT_EQ(2u, logs.size()) << "A's log should be gone, B's and C's left";
  const std::string b_log = logs[0], c_log = logs[1];

  fs_->SetFilesystemActive(false);
  gated->Allow(100);
  db_.reset();
  ASSERT_OK(fs_->DropUnsyncedData(
      [&](const UnsyncedFile& f) {
        FileFate fate = test::DropAllUnsynced(f);
        if (f.path == c_log) fate.keep_bytes = f.size;  // C's pages reached the disk
        return fate;
      },
      1));
  fs_->SetFilesystemActive(true);
  options_.file_system = fs_;
  options_.wal_ttl_seconds = 3600;  // retention would keep every replayed log
  ASSERT_OK(TryOpen());
  // C's log holds sequence numbers new writes take again: deleted, never kept for feeds.
  EXPECT_TRUE(fs_->FileExists(b_log));
  EXPECT_FALSE(fs_->FileExists(c_log));
  EXPECT_EQ("vvvvv", test::GetString(db_.get(), Key(a_end - 1)).substr(0, 5));
  EXPECT_EQ("NOT_FOUND", test::GetString(db_.get(), Key(a_end)));
  EXPECT_EQ("NOT_FOUND", test::GetString(db_.get(), Key(b_end)));
  EXPECT_EQ("NOT_FOUND", test::GetString(db_.get(), Key(key - 1)));
  EXPECT_EQ(static_cast<uint64_t>(a_end), test::IntProperty(db_.get(), "strata.last-sequence"));
}

}  // namespace
}  // namespace strata
