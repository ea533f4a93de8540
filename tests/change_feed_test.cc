// The change feed (DB::NewChangeFeed and OpenChangeFeed): the feed equals the history across
// log switches, flushes, compactions and reopens; it starts at the right record; it waits for
// new commits; it never hands out what is not acknowledged (or, durable_only, not synced);
// lost history, damage, gaps and read errors end it with the documented Status.
#include <atomic>
#include <map>
#include <thread>

#include "db/db_impl.h"
#include "strata/change_feed.h"
#include "strata/db.h"
#include "strata/table_writer.h"
#include "support/db_test_util.h"
#include "support/fault_injection_fs.h"
#include "support/test_util.h"
#include "support/write_model.h"

namespace strata {
namespace {

using namespace std::chrono_literals;
using test::FaultInjectionFileSystem;
using test::LogFiles;

// Every record of a feed until it has nothing more right now.
Status Drain(ChangeFeed* feed, std::vector<ChangeBatch>* out) {
  while (true) {
    ChangeBatch b;
    bool ready = false;
    Status s = feed->Next(0ms, &b, &ready);
    if (!s.ok() || !ready) return s;
    out->push_back(std::move(b));
  }
}

test::KVMap Scan(DB* db) {
  test::KVMap m;
  EXPECT_OK(test::ScanAll(db, &m));
  return m;
}

class ChangeFeedTest : public testing::Test {
 protected:
  ChangeFeedTest() {
    options_.create_if_missing = true;
    options_.write_buffer_size = 64 << 10;
    options_.wal_ttl_seconds = 3600;  // keep the whole history
    dbname_ = dir_.Child("db");
  }
  void Reopen() {
    db_.reset();
    ASSERT_OK(DB::Open(options_, dbname_, &db_));
  }
  uint64_t LastSequence() { return test::IntProperty(db_.get(), "strata.last-sequence"); }
  // A table of one entry, to ingest: returns its path.
  std::string OneEntryTable(const std::string& key, const std::string& value) {
    const std::string path = dir_.Child("x.sst");
    TableWriter table(options_);
    EXPECT_OK(table.Open(path));
    EXPECT_OK(table.Put(key, value));
    EXPECT_OK(table.Finish());
    return path;
  }

  test::TempDir dir_;
  Options options_;
  std::string dbname_;
  std::unique_ptr<DB> db_;
};

// Random batches from several writers with flushes, compactions, memtable switches and
// reopens in between: the feed from sequence 1, applied to an empty database, rebuilds the
// same contents; its records run on without a hole; a feed started at every tenth sequence
// starts with the record holding it; the out-of-process reader sees the same records.
TEST_F(ChangeFeedTest, FeedEqualsHistory) {
  Reopen();
  for (int round = 0; round < 4; round++) {
    std::vector<std::thread> writers;
    for (int w = 0; w < 3; w++) {
      writers.emplace_back([&, w] {
        Random rnd(round * 10 + w + 1);
        for (int i = 0; i < 150; i++) {
          WriteBatch batch;
          const int ops = 1 + rnd.Uniform(4);
          for (int o = 0; o < ops; o++) {
            const std::string key = test::NumberKey(rnd.Uniform(300), 6);
            if (rnd.OneIn(5)) {
              batch.Delete(key);
            } else {
              batch.Put(key, std::string(50 + rnd.Uniform(400), static_cast<char>('a' + w)));
            }
          }
          WriteOptions wo;
          wo.sync = rnd.OneIn(20);
          ASSERT_OK(db_->Write(wo, &batch));
        }
      });
    }
    if (round == 1) ASSERT_OK(db_->Flush());
    for (auto& t : writers) t.join();
    if (round == 2) ASSERT_OK(db_->CompactRange(nullptr, nullptr));
    if (round % 2 == 1) Reopen();
  }
  const uint64_t last = LastSequence();
  ASSERT_GT(LogFiles(dbname_).size(), 3u) << "the history should span several logs";

  std::unique_ptr<ChangeFeed> feed;
  ASSERT_OK(db_->NewChangeFeed(1, FeedOptions(), &feed));
  std::vector<ChangeBatch> records;
  ASSERT_OK(Drain(feed.get(), &records));
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(1u, records.front().sequence);
  for (size_t i = 1; i < records.size(); i++) {
    ASSERT_EQ(records[i - 1].sequence + records[i - 1].count, records[i].sequence) << i;
  }
  EXPECT_EQ(last, records.back().sequence + records.back().count - 1);

  std::unique_ptr<DB> copy;
  Options copy_options;
  copy_options.create_if_missing = true;
  ASSERT_OK(DB::Open(copy_options, dir_.Child("copy"), &copy));
  for (ChangeBatch& r : records) {
    WriteBatch b;
    ASSERT_OK(WriteBatch::FromBytes(r.batch.Data(), &b));
    EXPECT_EQ(r.count, b.Count());
    ASSERT_OK(copy->Write(WriteOptions(), &b));
  }
  EXPECT_EQ(Scan(db_.get()), Scan(copy.get()));

  for (uint64_t from = 1; from <= last; from += 10) {
    ASSERT_OK(db_->NewChangeFeed(from, FeedOptions(), &feed));
    ChangeBatch b;
    bool ready = false;
    ASSERT_OK(feed->Next(0ms, &b, &ready));
    ASSERT_TRUE(ready) << from;
    EXPECT_LE(b.sequence, from);
    EXPECT_GE(b.sequence + b.count - 1, from);
  }

  db_.reset();  // the out-of-process reader on the closed database sees the same records
  ASSERT_OK(OpenChangeFeed(dbname_, 1, FeedOptions(), &feed));
  std::vector<ChangeBatch> again;
  ASSERT_OK(Drain(feed.get(), &again));
  ASSERT_EQ(records.size(), again.size());
  for (size_t i = 0; i < records.size(); i++) {
    ASSERT_EQ(records[i].batch.Data(), again[i].batch.Data()) << i;
  }
}

// A feed read while writers write and memtables switch and flush: it follows the live log
// across switches, never hands out a record past the published sequence, and in the end has
// everything, in order.
TEST_F(ChangeFeedTest, TailsWhileWritersWriteAndFlush) {
  Reopen();
  std::unique_ptr<ChangeFeed> feed;
  ASSERT_OK(db_->NewChangeFeed(1, FeedOptions(), &feed));
  std::atomic<bool> done{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; w++) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < 2000; i++) {
        ASSERT_OK(db_->Put(WriteOptions(), test::NumberKey(w * 100000 + i), std::string(100, 'x')));
        if (i % 500 == 499) ASSERT_OK(db_->Flush());
      }
    });
  }
  std::thread joiner([&] {
    for (auto& t : writers) t.join();
    done = true;
  });
  uint64_t next = 1;
  while (true) {
    ChangeBatch b;
    bool ready = false;
    const bool finished = done.load();
    ASSERT_OK(feed->Next(10ms, &b, &ready));
    if (!ready) {
      if (finished && next > LastSequence()) break;
      continue;
    }
    ASSERT_EQ(next, b.sequence);
    ASSERT_LE(b.sequence + b.count - 1, LastSequence()) << "past the published sequence";
    next += b.count;
  }
  joiner.join();
  EXPECT_EQ(4001u, next);
}

// A feed at the head waits for the next commit and wakes for it (no polling: the writer's
// commit signals it).
TEST_F(ChangeFeedTest, WaitsForTheNextCommit) {
  Reopen();
  ASSERT_OK(db_->Put(WriteOptions(), "a", "1"));
  std::unique_ptr<ChangeFeed> feed;
  ASSERT_OK(db_->NewChangeFeed(2, FeedOptions(), &feed));
  ChangeBatch b;
  bool ready = true;
  ASSERT_OK(feed->Next(0ms, &b, &ready));
  EXPECT_FALSE(ready);
  std::thread writer([&] { ASSERT_OK(db_->Put(WriteOptions(), "b", "2")); });
  ASSERT_OK(feed->Next(60s, &b, &ready));
  writer.join();
  ASSERT_TRUE(ready);
  EXPECT_EQ(2u, b.sequence);
  EXPECT_EQ(1u, b.count);
}

// durable_only hands out a record only once it is durable: its log synced by a synced write
// or SyncWAL (or a switch, in the strict recovery modes), or its memtable flushed.
TEST_F(ChangeFeedTest, DurableOnlyWaitsForASync) {
  Reopen();
  std::unique_ptr<ChangeFeed> all, durable;
  FeedOptions durable_options;
  durable_options.durable_only = true;
  ASSERT_OK(db_->NewChangeFeed(1, FeedOptions(), &all));
  ASSERT_OK(db_->NewChangeFeed(1, durable_options, &durable));
  ASSERT_OK(db_->Put(WriteOptions(), "a", "1"));
  ChangeBatch b;
  bool ready = false;
  ASSERT_OK(all->Next(0ms, &b, &ready));
  EXPECT_TRUE(ready);
  ASSERT_OK(durable->Next(0ms, &b, &ready));
  EXPECT_FALSE(ready);
  EXPECT_EQ(0u, test::IntProperty(db_.get(), "strata.durable-sequence"));
  ASSERT_OK(db_->SyncWAL());
  EXPECT_EQ(1u, test::IntProperty(db_.get(), "strata.durable-sequence"));
  ASSERT_OK(durable->Next(0ms, &b, &ready));
  ASSERT_TRUE(ready);
  EXPECT_EQ(1u, b.sequence);

  WriteOptions synced;
  synced.sync = true;
  ASSERT_OK(db_->Put(WriteOptions(), "b", "2"));
  ASSERT_OK(db_->Put(synced, "c", "3"));  // makes "b" durable too
  EXPECT_EQ(3u, test::IntProperty(db_.get(), "strata.durable-sequence"));
  ASSERT_OK(durable->Next(0ms, &b, &ready));
  ASSERT_TRUE(ready);
  EXPECT_EQ(2u, b.sequence);
  ASSERT_OK(durable->Next(0ms, &b, &ready));
  ASSERT_TRUE(ready);
  EXPECT_EQ(3u, b.sequence);

  ASSERT_OK(db_->Put(WriteOptions(), "d", "4"));
  ASSERT_OK(db_->Flush());  // the log switch syncs the old log
  ASSERT_OK(durable->Next(0ms, &b, &ready));
  ASSERT_TRUE(ready);
  EXPECT_EQ(4u, b.sequence);
}

// With durable_only, after a power loss the database still holds everything the feed handed
// out: a follower never gets ahead of what the leader keeps.
TEST_F(ChangeFeedTest, DurableFeedNeverGetsAheadOfAPowerLoss) {
  auto fs = std::make_shared<FaultInjectionFileSystem>(FileSystem::Default());
  options_.file_system = fs;
  Random rnd(7);
  for (int cycle = 0; cycle < 8; cycle++) {
    Reopen();
    const uint64_t start = LastSequence() + 1;
    FeedOptions fo;
    fo.durable_only = true;
    std::unique_ptr<ChangeFeed> feed;
    ASSERT_OK(db_->NewChangeFeed(start, fo, &feed));
    uint64_t handed = start - 1;
    for (int i = 0; i < 200; i++) {
      WriteOptions wo;
      wo.sync = rnd.OneIn(10);
      ASSERT_OK(db_->Put(wo, test::NumberKey(rnd.Uniform(100), 4), std::string(200, 'v')));
      if (rnd.OneIn(50)) ASSERT_OK(db_->SyncWAL());
      std::vector<ChangeBatch> got;
      ASSERT_OK(Drain(feed.get(), &got));
      for (const auto& b : got) handed = b.sequence + b.count - 1;
    }
    feed.reset();
    // Power fails with the database open: nothing it does afterwards reaches the disk.
    fs->SetFilesystemActive(false);
    db_.reset();
    ASSERT_OK(fs->DropUnsyncedData());
    fs->SetFilesystemActive(true);
    Reopen();
    EXPECT_GE(LastSequence(), handed) << "cycle " << cycle;
  }
}

// History that is gone fails at once, naming the sequence asked for and the oldest left.
TEST_F(ChangeFeedTest, LostHistoryFailsAtOnceWithTheOldestAvailable) {
  options_.wal_ttl_seconds = 0;
  Reopen();
  for (int i = 0; i < 100; i++) ASSERT_OK(db_->Put(WriteOptions(), test::NumberKey(i), "v"));
  ASSERT_OK(db_->Flush());  // the log holding 1..100 is deleted
  ASSERT_OK(db_->Put(WriteOptions(), "x", "y"));
  std::unique_ptr<ChangeFeed> feed;
  Status s = db_->NewChangeFeed(5, FeedOptions(), &feed);
  ASSERT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find("sequence 5 is no longer in the logs"))
      << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find("oldest still available is 101")) << s.ToString();
  s = OpenChangeFeed(dbname_, 5, FeedOptions(), &feed);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  ASSERT_OK(db_->NewChangeFeed(101, FeedOptions(), &feed));

  // Everything flushed and no record left in any log: still refused, not an empty feed.
  ASSERT_OK(db_->Flush());
  db_.reset();
  Reopen();
  s = db_->NewChangeFeed(50, FeedOptions(), &feed);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
}

// Damage in a retained log ends the feed with Corruption at the damage; the records before it
// are handed out, none after it.
TEST_F(ChangeFeedTest, DamagedRetainedLogIsReportedNeverSkipped) {
  Reopen();
  for (int i = 0; i < 300; i++) {
    ASSERT_OK(db_->Put(WriteOptions(), test::NumberKey(i), std::string(300, 'v')));
  }
  ASSERT_OK(db_->Flush());
  ASSERT_OK(db_->Put(WriteOptions(), "after", "1"));
  db_.reset();
  const std::vector<std::string> logs = LogFiles(dbname_);
  ASSERT_GE(logs.size(), 2u);
  test::RewriteFile(logs.front(), [](std::string* bytes) { (*bytes)[bytes->size() / 2] ^= 1; });
  for (bool in_process : {true, false}) {
    std::unique_ptr<ChangeFeed> feed;
    if (in_process) {
      Reopen();
      ASSERT_OK(db_->NewChangeFeed(1, FeedOptions(), &feed));
    } else {
      db_.reset();
      ASSERT_OK(OpenChangeFeed(dbname_, 1, FeedOptions(), &feed));
    }
    std::vector<ChangeBatch> got;
    Status s = Drain(feed.get(), &got);
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_NE(std::string::npos, s.ToString().find(logs.front())) << s.ToString();
    EXPECT_LT(got.size(), 300u);
    for (size_t i = 0; i < got.size(); i++) EXPECT_EQ(i + 1, got[i].sequence);
    ChangeBatch b;
    bool ready = false;
    EXPECT_TRUE(feed->Next(0ms, &b, &ready).IsCorruption()) << "an error is sticky";
  }
}

// A log missing from the middle of the history is a gap, reported as Corruption.
TEST_F(ChangeFeedTest, MissingLogInTheMiddleIsAGap) {
  Reopen();
  for (int round = 0; round < 3; round++) {
    for (int i = 0; i < 10; i++) ASSERT_OK(db_->Put(WriteOptions(), test::NumberKey(i), "v"));
    ASSERT_OK(db_->Flush());
  }
  db_.reset();
  const std::vector<std::string> logs = LogFiles(dbname_);
  ASSERT_GE(logs.size(), 3u);
  ASSERT_EQ(0, std::remove(logs[1].c_str()));
  std::unique_ptr<ChangeFeed> feed;
  ASSERT_OK(OpenChangeFeed(dbname_, 1, FeedOptions(), &feed));
  std::vector<ChangeBatch> got;
  Status s = Drain(feed.get(), &got);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find("gap")) << s.ToString();
  EXPECT_EQ(10u, got.size());
}

// An I/O error while reading a log ends the feed with that IOError.
TEST_F(ChangeFeedTest, ReadErrorIsReported) {
  auto fs = std::make_shared<FaultInjectionFileSystem>(FileSystem::Default());
  options_.file_system = fs;
  Reopen();
  for (int i = 0; i < 50; i++) ASSERT_OK(db_->Put(WriteOptions(), test::NumberKey(i), "v"));
  std::unique_ptr<ChangeFeed> feed;
  ASSERT_OK(db_->NewChangeFeed(1, FeedOptions(), &feed));
  fs->FailAlways(test::OpKind::kRead, test::ErrorKind::kEIO, ".log");
  ChangeBatch b;
  bool ready = false;
  Status s = feed->Next(0ms, &b, &ready);
  fs->ClearFaults();
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_FALSE(ready);
}

// An ingestion's sequence marker is handed out as a record with count 0 at its sequence, by
// both feeds, from any start, and after a reopen; the records around it run on without a
// gap (they were a "gap" Corruption before).
TEST_F(ChangeFeedTest, AnIngestionIsHandedOutAsARecordWithoutOperations) {
  Reopen();
  ASSERT_OK(db_->Put(WriteOptions(), "a", "1"));
  ASSERT_OK(db_->IngestExternalFiles({OneEntryTable("m", "2")}, IngestOptions()));
  ASSERT_OK(db_->Put(WriteOptions(), "b", "3"));
  ASSERT_EQ(3u, LastSequence());
  using Records = std::vector<std::pair<uint64_t, uint32_t>>;
  auto records = [](const std::vector<ChangeBatch>& got) {
    Records r;
    for (const ChangeBatch& b : got) r.emplace_back(b.sequence, b.count);
    return r;
  };
  const Records all = {{1, 1}, {2, 0}, {3, 1}};
  {
    // The ingestion synced the log: a durable feed has the marker, not the write after it.
    FeedOptions durable;
    durable.durable_only = true;
    std::unique_ptr<ChangeFeed> feed;
    ASSERT_OK(db_->NewChangeFeed(1, durable, &feed));
    std::vector<ChangeBatch> got;
    ASSERT_OK(Drain(feed.get(), &got));
    EXPECT_EQ((Records{{1, 1}, {2, 0}}), records(got));
  }
  for (int pass = 0; pass < 2; pass++) {
    for (uint64_t from = 1; from <= 3; from++) {
      const Records want(all.begin() + static_cast<long>(from - 1), all.end());
      std::unique_ptr<ChangeFeed> feed;
      ASSERT_OK(db_->NewChangeFeed(from, FeedOptions(), &feed));
      std::vector<ChangeBatch> got;
      ASSERT_OK(Drain(feed.get(), &got));
      EXPECT_EQ(want, records(got)) << "from " << from << ", pass " << pass;
      ASSERT_OK(OpenChangeFeed(dbname_, from, FeedOptions(), &feed));
      got.clear();
      ASSERT_OK(Drain(feed.get(), &got));
      EXPECT_EQ(want, records(got)) << "out of process, from " << from << ", pass " << pass;
    }
    Reopen();
  }
  ASSERT_OK(db_->Put(WriteOptions(), "c", "4"));  // after the reopens, on a new log
  std::unique_ptr<ChangeFeed> feed;
  ASSERT_OK(db_->NewChangeFeed(1, FeedOptions(), &feed));
  std::vector<ChangeBatch> got;
  ASSERT_OK(Drain(feed.get(), &got));
  EXPECT_EQ((Records{{1, 1}, {2, 0}, {3, 1}, {4, 1}}), records(got));
  EXPECT_EQ(0u, got[1].batch.Count());
}

// An ingestion whose files overlap the memtable switches the log first, so its marker is the
// new log's first record; with the old log deleted, a feed must still start at the marker's
// sequence (the marker was once not counted, and the history seemed to begin after it). A
// feed waiting at the head is woken by the ingestion.
TEST_F(ChangeFeedTest, AFeedStartsAtAnIngestionThatOpensALog) {
  options_.wal_ttl_seconds = 0;  // keep no obsolete log
  Reopen();
  ASSERT_OK(db_->Put(WriteOptions(), "m", "old"));
  const std::string table = OneEntryTable("m", "new");
  std::unique_ptr<ChangeFeed> waiting;
  ASSERT_OK(db_->NewChangeFeed(2, FeedOptions(), &waiting));
  const auto start = std::chrono::steady_clock::now();
  std::thread ingest([&] {
    std::this_thread::sleep_for(20ms);
    ASSERT_OK(db_->IngestExternalFiles({table}, IngestOptions()));
  });
  ChangeBatch b;
  bool ready = false;
  ASSERT_OK(waiting->Next(60s, &b, &ready));
  ingest.join();
  ASSERT_TRUE(ready);
  EXPECT_EQ(2u, b.sequence);
  EXPECT_EQ(0u, b.count);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 30s) << "woken by the ingestion";
  ASSERT_OK(db_->Put(WriteOptions(), "n", "3"));
  ASSERT_EQ(1u, LogFiles(dbname_).size()) << "the log before the ingestion is gone";
  for (int in_process = 0; in_process < 2; in_process++) {
    std::unique_ptr<ChangeFeed> feed;
    if (in_process) {
      ASSERT_OK(db_->NewChangeFeed(2, FeedOptions(), &feed));
    } else {
      ASSERT_OK(OpenChangeFeed(dbname_, 2, FeedOptions(), &feed));
    }
    std::vector<ChangeBatch> got;
    ASSERT_OK(Drain(feed.get(), &got));
    ASSERT_EQ(2u, got.size()) << in_process;
    EXPECT_EQ(2u, got[0].sequence);
    EXPECT_EQ(0u, got[0].count);
    EXPECT_EQ(3u, got[1].sequence);
  }
  EXPECT_EQ("new", test::GetString(db_.get(), "m"));
}

// Without retention a flushed memtable's log is deleted at once. A feed at the head that had
// read all of it goes on in the next log (it once failed with NotFound at every such
// deletion); a feed that had not is told the history is gone, never skips.
TEST_F(ChangeFeedTest, AFeedAtTheHeadFollowsPastItsDeletedLog) {
  options_.wal_ttl_seconds = 0;
  Reopen();
  ASSERT_OK(db_->Put(WriteOptions(), test::NumberKey(0, 6), "v"));
  std::unique_ptr<ChangeFeed> head, behind;
  ASSERT_OK(db_->NewChangeFeed(2, FeedOptions(), &head));
  ASSERT_OK(db_->NewChangeFeed(1, FeedOptions(), &behind));
  const std::vector<std::string> first_logs = LogFiles(dbname_);
  const std::string value(1000, 'x');
  uint64_t next = 2;
  int deletions = 0;
  for (int i = 1; i < 400; i++) {
    ASSERT_OK(db_->Put(WriteOptions(), test::NumberKey(i, 6), value));
    ChangeBatch b;
    bool ready = false;
    ASSERT_OK(head->Next(10s, &b, &ready));
    ASSERT_TRUE(ready) << "record " << next;
    EXPECT_EQ(next, b.sequence);
    next++;
    if (i % 50 == 0) ASSERT_OK(db_->Flush());  // switches the log; the flush deletes the old
    deletions += LogFiles(dbname_) != first_logs;
  }
  EXPECT_GT(deletions, 0) << "no log was deleted: the test proves nothing";
  ChangeBatch b;
  bool ready = false;
  Status s = behind->Next(0ms, &b, &ready);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  // A record the head feed had not read yet, its log deleted: gone, at once.
  ASSERT_OK(db_->Put(WriteOptions(), "last", value));
  ASSERT_OK(db_->Flush());
  s = head->Next(0ms, &b, &ready);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
}

// A feed asked for a sequence not written yet stands in the newest log; if that log is
// deleted before the sequence comes (its memtable flushed, no retention), the feed goes on
// in the next log, skipping what comes before its start, instead of calling that history
// gone.
TEST_F(ChangeFeedTest, AFeedOfAFutureSequenceOutlivesItsLog) {
  options_.wal_ttl_seconds = 0;
  Reopen();
  ASSERT_OK(db_->Put(WriteOptions(), "a", "1"));
  std::unique_ptr<ChangeFeed> feed;
  ASSERT_OK(db_->NewChangeFeed(6, FeedOptions(), &feed));
  ChangeBatch b;
  bool ready = false;
  ASSERT_OK(feed->Next(0ms, &b, &ready));
  EXPECT_FALSE(ready);
  ASSERT_OK(db_->Put(WriteOptions(), "b", "2"));
  ASSERT_OK(db_->Flush());  // the log holding 1 and 2 is deleted
  for (int i = 3; i <= 7; i++) ASSERT_OK(db_->Put(WriteOptions(), "k" + std::to_string(i), "v"));
  std::vector<ChangeBatch> got;
  ASSERT_OK(Drain(feed.get(), &got));
  ASSERT_EQ(2u, got.size());
  EXPECT_EQ(6u, got[0].sequence);
  EXPECT_EQ(7u, got[1].sequence);
}
}  // namespace
}  // namespace strata
