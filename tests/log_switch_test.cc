// A memtable switch and the old log (db/unsynced_logs.h, docs/DURABILITY.md): in the default
// recovery modes the old log is left unsynced until a sync asks for it or its memtable is in
// a table; in the strict modes it is synced at the switch and the new log opens with a sync
// marker. What power loss then leaves is checked by PowerLossTest and TornPowerLossTest (a
// synced write must survive a lost tail of an older, parked log); these tests pin down the
// syncs themselves, the marker, kept logs and durable sequences.
#include <gtest/gtest.h>

#include <memory>
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
using test::OpKind;

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

}  // namespace
}  // namespace strata
