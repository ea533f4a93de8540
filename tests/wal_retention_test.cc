// Keeping log history for change feeds: wal_ttl_seconds, wal_size_limit_mb and log slots keep
// exactly the logs they must (checked on disk), oldest deleted first; retained logs are never
// replayed twice; slots survive reopen, are invalidated past max_slot_lag_mb with the
// documented status, and dropping one frees what only it held.
#include <algorithm>
#include <thread>

#include "db/db_impl.h"
#include "strata/change_feed.h"
#include "strata/db.h"
#include "support/db_test_util.h"
#include "support/test_util.h"
#include "version/filename.h"

namespace strata {
namespace {

using namespace std::chrono_literals;
using test::LogFiles;

class WalRetentionTest : public testing::Test {
 protected:
  WalRetentionTest() {
    options_.create_if_missing = true;
    dbname_ = dir_.Child("db");
  }
  void Reopen() {
    db_.reset();
    ASSERT_OK(DB::Open(options_, dbname_, &db_));
  }
  DBImpl* impl() { return static_cast<DBImpl*>(db_.get()); }
  // Writes n records of value_size bytes, then flushes: one more obsolete log.
  void WriteAndFlush(int n, size_t value_size = 100) {
    for (int i = 0; i < n; i++) {
      ASSERT_OK(
          db_->Put(WriteOptions(), test::NumberKey(next_key_++), std::string(value_size, 'v')));
    }
    ASSERT_OK(db_->Flush());
  }
  // Flush returns once the table is installed; the deletions that follow may still be under
  // way, so wait (up to 10 s) for the logs on disk to number n, and return how many there are.
  size_t AwaitLogCount(size_t n) {
    return AwaitLogs([n](size_t count) { return count == n; });
  }
  template <typename Pred>
  size_t AwaitLogs(Pred pred) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!pred(Logs().size()) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(1ms);
    }
    return Logs().size();
  }
  uint64_t LastSequence() { return test::IntProperty(db_.get(), "strata.last-sequence"); }
  // Numbers of the logs on disk.
  std::vector<uint64_t> Logs() {
    std::vector<uint64_t> out;
    for (const std::string& path : LogFiles(dbname_)) {
      uint64_t number;
      FileType type;
      EXPECT_TRUE(ParseFileName(path.substr(path.rfind('/') + 1), &number, &type));
      out.push_back(number);
    }
    return out;
  }

  test::TempDir dir_;
  Options options_;
  std::string dbname_;
  std::unique_ptr<DB> db_;
  int next_key_ = 0;
};

TEST_F(WalRetentionTest, WithoutRetentionObsoleteLogsAreDeleted) {
  Reopen();
  for (int i = 0; i < 3; i++) WriteAndFlush(10);
  EXPECT_EQ(1u, AwaitLogCount(1));
}

// Obsolete logs stay for wal_ttl_seconds after they became obsolete, then go, oldest first;
// a reopen neither replays them nor loses them.
TEST_F(WalRetentionTest, TtlKeepsLogsUntilTheyExpire) {
  options_.wal_ttl_seconds = 100;
  Reopen();
  for (int i = 0; i < 3; i++) WriteAndFlush(10);
  EXPECT_EQ(4u, AwaitLogCount(4));
  impl()->TEST_AdvanceRetentionClock(60);
  WriteAndFlush(10);  // a fifth log; the first four are 60 s old, the new obsolete one 0 s
  EXPECT_EQ(5u, AwaitLogCount(5));
  Reopen();  // the clock restarts: every obsolete log is kept for another 100 s
  EXPECT_EQ(40u, LastSequence()) << "the retained logs were not replayed again";
  const std::vector<uint64_t> kept = Logs();
  EXPECT_EQ(6u, kept.size());
  impl()->TEST_AdvanceRetentionClock(101);
  WriteAndFlush(10);
  // Every log that was obsolete before this flush expired; the one it made obsolete (the
  // live log of the reopen) is kept, with the new live log.
  ASSERT_EQ(2u, AwaitLogCount(2));
  const std::vector<uint64_t> after = Logs();
  EXPECT_EQ(after.front(), kept.back());
}

// wal_size_limit_mb keeps the newest obsolete logs that fit, deleting the oldest first.
TEST_F(WalRetentionTest, SizeLimitDeletesOldestFirst) {
  options_.wal_size_limit_mb = 1;
  Reopen();
  for (int i = 0; i < 6; i++) WriteAndFlush(100, 3000);  // about 300 KB per log
  ASSERT_EQ(4u, AwaitLogCount(4)) << "three obsolete logs fit in 1 MiB, with the live one";
  const std::vector<uint64_t> logs = Logs();
  uint64_t retained = 0;
  for (size_t i = 0; i + 1 < logs.size(); i++) {
    uint64_t size = 0;
    ASSERT_OK(FileSystem::Default()->GetFileSize(LogFileName(dbname_, logs[i]), &size));
    retained += size;
  }
  EXPECT_LE(retained, 1u << 20);
  EXPECT_GE(retained, (1u << 20) - 350000) << "as many as fit are kept";
  // What is kept is the most recent history: a feed from the oldest kept sequence runs on to
  // the end without a gap.
  std::unique_ptr<ChangeFeed> feed;
  Status s = db_->NewChangeFeed(1, FeedOptions(), &feed);
  ASSERT_TRUE(s.IsNotFound()) << s.ToString();
  const uint64_t oldest = std::stoull(s.ToString().substr(s.ToString().rfind(' ') + 1));
  ASSERT_OK(db_->NewChangeFeed(oldest, FeedOptions(), &feed));
  uint64_t next = oldest;
  while (true) {
    ChangeBatch b;
    bool ready = false;
    ASSERT_OK(feed->Next(0ms, &b, &ready));
    if (!ready) break;
    ASSERT_EQ(next, b.sequence);
    next += b.count;
  }
  EXPECT_EQ(LastSequence() + 1, next);
}

// A slot keeps every log holding sequences at or above its position, across reopens;
// advancing it frees the logs wholly below; dropping it frees the rest.
TEST_F(WalRetentionTest, SlotKeepsExactlyWhatItNeeds) {
  Reopen();
  ASSERT_OK(CreateLogSlot(dbname_, "f", 1));
  for (int i = 0; i < 4; i++) WriteAndFlush(10);  // logs hold 1-10, 11-20, 21-30, 31-40
  EXPECT_EQ(5u, AwaitLogCount(5));
  Reopen();
  WriteAndFlush(10);
  EXPECT_EQ(7u, AwaitLogCount(7)) << "kept across reopen (the reopen's empty log too)";

  ASSERT_OK(AdvanceLogSlot(dbname_, "f", 25));
  WriteAndFlush(10);
  // Logs holding 1-10 and 11-20 are gone; the one holding 21-30 (25 is in it) stays.
  std::unique_ptr<ChangeFeed> feed;
  Status s = db_->NewChangeFeed(20, FeedOptions(), &feed);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find("oldest still available is 21")) << s.ToString();
  ASSERT_OK(db_->NewChangeFeed(21, FeedOptions(), &feed));

  std::string report;
  ASSERT_TRUE(db_->GetProperty("strata.wal-retention", &report));
  EXPECT_NE(std::string::npos, report.find("slot f at sequence 25, holds logs from")) << report;

  EXPECT_TRUE(AdvanceLogSlot(dbname_, "f", 24).IsInvalidArgument()) << "never moves back";
  ASSERT_OK(DropLogSlot(dbname_, "f"));
  WriteAndFlush(10);
  EXPECT_EQ(1u, AwaitLogCount(1));
  EXPECT_TRUE(DropLogSlot(dbname_, "f").IsNotFound());
}

// A slot holding more than max_slot_lag_mb is invalidated: it holds nothing more, and its
// next read (a feed on it, an advance) fails with NotFound saying why.
TEST_F(WalRetentionTest, LaggingSlotIsInvalidated) {
  options_.max_slot_lag_mb = 1;
  Reopen();
  ASSERT_OK(CreateLogSlot(dbname_, "slow", 1));
  FeedOptions fo;
  fo.slot = "slow";
  std::unique_ptr<ChangeFeed> feed;
  ASSERT_OK(db_->NewChangeFeed(1, fo, &feed));
  for (int i = 0; i < 5; i++) WriteAndFlush(100, 3000);
  EXPECT_LT(AwaitLogs([](size_t n) { return n < 3; }), 3u) << "an invalidated slot holds nothing";
  LogSlot slot;
  ASSERT_OK(GetLogSlot(dbname_, "slow", &slot));
  EXPECT_TRUE(slot.invalidated);
  EXPECT_NE(std::string::npos, slot.invalidation.find("max_slot_lag_mb")) << slot.invalidation;

  ChangeBatch b;
  bool ready = false;
  Status s = feed->Next(0ms, &b, &ready);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find("log slot 'slow' was invalidated"))
      << s.ToString();
  s = AdvanceLogSlot(dbname_, "slow", 2);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  s = db_->NewChangeFeed(1, fo, &feed);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  std::string report;
  ASSERT_TRUE(db_->GetProperty("strata.wal-retention", &report));
  EXPECT_NE(std::string::npos, report.find("slot slow at sequence 1, INVALIDATED")) << report;

  // Dropped and created again, the name is usable.
  ASSERT_OK(DropLogSlot(dbname_, "slow"));
  ASSERT_OK(CreateLogSlot(dbname_, "slow", LastSequence() + 1));
  ASSERT_OK(GetLogSlot(dbname_, "slow", &slot));
  EXPECT_FALSE(slot.invalidated);
}

TEST_F(WalRetentionTest, SlotNamesAndFilesAreChecked) {
  Reopen();
  EXPECT_TRUE(CreateLogSlot(dbname_, "", 1).IsInvalidArgument());
  EXPECT_TRUE(CreateLogSlot(dbname_, "a/b", 1).IsInvalidArgument());
  EXPECT_TRUE(CreateLogSlot(dbname_, "x.invalid", 1).IsInvalidArgument());
  EXPECT_TRUE(CreateLogSlot(dir_.Child("nodb"), "a", 1).IsInvalidArgument());
  ASSERT_OK(CreateLogSlot(dbname_, "a", 1));
  EXPECT_TRUE(CreateLogSlot(dbname_, "a", 1).IsInvalidArgument()) << "exists";
  EXPECT_TRUE(AdvanceLogSlot(dbname_, "b", 1).IsNotFound());
  // A damaged slot file is refused, and while it is unreadable no log is deleted.
  test::RewriteFile(dbname_ + "/slots/a", [](std::string* bytes) { (*bytes)[9] ^= 1; });
  LogSlot slot;
  EXPECT_TRUE(GetLogSlot(dbname_, "a", &slot).IsCorruption());
  WriteAndFlush(10);
  WriteAndFlush(10);
  EXPECT_EQ(3u, AwaitLogCount(3));
  std::vector<LogSlot> slots;
  EXPECT_TRUE(ListLogSlots(dbname_, &slots).IsCorruption());
}

TEST_F(WalRetentionTest, DestroyDBRemovesTheSlots) {
  Reopen();
  ASSERT_OK(CreateLogSlot(dbname_, "a", 1));
  db_.reset();
  ASSERT_OK(DestroyDB(dbname_, options_));
  EXPECT_FALSE(FileSystem::Default()->FileExists(dbname_));
}

}  // namespace
}  // namespace strata
