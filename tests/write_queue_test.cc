// The write queue's hand-offs: WaitWord (spin, then sleep, and the waker enters the kernel
// only for a sleeper), the log sync thread (a large synced group's sync beside its insert)
// and the leader that goes on leading the unsynced groups queued behind its own. Events, not
// time: writers are held at a gated log sync until the test has seen them queued.
#include "util/wait_word.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "db/db_impl.h"
#include "strata/db.h"
#include "support/db_test_util.h"
#include "support/gated_log_sync_fs.h"
#include "support/test_util.h"
#include "wal/log_sync_thread.h"
#include "wal/log_writer.h"

namespace strata {
namespace {

using namespace std::chrono_literals;

TEST(WaitWordTest, ReturnsAtOnceWhenTheValueDiffers) {
  WaitWord word(3);
  EXPECT_EQ(3u, word.WaitWhileEquals(2));
  EXPECT_EQ(3u, word.WaitWhileEquals(2, 1ms));
}

// Two threads hand a counter back and forth through two words. A lost wake-up hangs the
// test (ctest's timeout fails it); a wrong value fails the check.
void PingPong(std::chrono::nanoseconds spin) {
  constexpr uint32_t kRounds = 20000;
  WaitWord ping(0), pong(0);
  std::thread other([&] {
    uint32_t seen = 0;
    while (seen < kRounds) {
      seen = ping.WaitWhileEquals(seen, spin);
      pong.StoreAndWake(seen);
    }
  });
  for (uint32_t i = 1; i <= kRounds; i++) {
    ping.StoreAndWake(i);
    ASSERT_EQ(i, pong.WaitWhileEquals(i - 1, spin));
  }
  other.join();
  EXPECT_EQ(kRounds, ping.Load());
  EXPECT_EQ(kRounds, pong.Load());
}

TEST(WaitWordTest, SleepersAreWoken) { PingPong(0ns); }
TEST(WaitWordTest, SpinnersSeeTheChange) { PingPong(1ms); }
TEST(WaitWordTest, ShortSpinsThenSleeps) { PingPong(200ns); }

// A log file whose Sync counts its calls and returns what the test sets.
class CountingSyncFile final : public WritableFile {
 public:
  CountingSyncFile(std::atomic<int>* syncs, const Status* result)
      : syncs_(syncs), result_(result) {}
  Status Append(std::string_view data) override {
    size_ += data.size();
    return Status::OK();
  }
  Status Sync() override {
    syncs_->fetch_add(1);
    return *result_;
  }
  Status Close() override { return Status::OK(); }
  uint64_t Size() const override { return size_; }

 private:
  std::atomic<int>* syncs_;
  const Status* result_;
  uint64_t size_ = 0;
};

// Many hand-offs in a row, each waited for: every Start gets exactly its own sync, the
// sync's effects are visible after Wait (TSan checks the ordering), and a failed sync's
// status reaches the waiter, after which the log writer's sticky error does.
TEST(LogSyncThreadTest, EachStartGetsItsOwnSyncAndStatus) {
  std::atomic<int> syncs{0};
  Status result;
  LogWriter log(std::make_unique<CountingSyncFile>(&syncs, &result));
  std::unique_ptr<LogSyncThread> thread = LogSyncThread::Create();
  ASSERT_NE(nullptr, thread);
  constexpr int kRounds = 5000;
  for (int i = 1; i <= kRounds; i++) {
    ASSERT_OK(log.AddRecord("record"));
    thread->Start(&log);
    uint64_t micros = UINT64_MAX;
    ASSERT_OK(thread->Wait(&micros));
    ASSERT_NE(UINT64_MAX, micros);
    ASSERT_EQ(i, syncs.load());
    ASSERT_FALSE(log.HasUnsyncedRecords());
  }
  result = Status::IOError("injected");
  ASSERT_OK(log.AddRecord("record"));
  thread->Start(&log);
  uint64_t micros = 0;
  EXPECT_TRUE(thread->Wait(&micros).IsIOError());
  EXPECT_EQ(kRounds + 1, syncs.load());
}

TEST(LogSyncThreadTest, StopsWithoutEverSyncing) {
  std::unique_ptr<LogSyncThread> thread = LogSyncThread::Create();
  ASSERT_NE(nullptr, thread);
  thread.reset();  // joins a thread that never woke: a lost wake-up would hang here
}

class WriteQueueTest : public testing::Test {
 protected:
  WriteQueueTest() {
    options_.create_if_missing = true;
    options_.file_system = fs_;
    EXPECT_OK(DB::Open(options_, dir_.Child("db"), &db_));
  }

  static WriteOptions Synced() {
    WriteOptions o;
    o.sync = true;
    return o;
  }

  // Starts a synced Put(key, value) and holds it at its log sync: its group is built, so
  // writers queued from now on are the next groups.
  std::thread HoldASyncedLeader(const std::string& key, const std::string& value) {
    fs_->gate.Close();
    std::thread leader([this, key, value] { ASSERT_OK(db_->Put(Synced(), key, value)); });
    fs_->gate.WaitForHeld(1);
    return leader;
  }

  // Starts fn on a thread and returns once it is queued behind the writers already there.
  std::thread Queue(std::function<void()> fn) {
    auto* impl = static_cast<DBImpl*>(db_.get());
    const size_t before = impl->TEST_QueuedWriters();
    std::thread t(std::move(fn));
    while (impl->TEST_QueuedWriters() < before + 1) std::this_thread::yield();
    return t;
  }

  // Lets the held sync go and waits for every thread.
  void ReleaseAndJoin(std::initializer_list<std::thread*> threads) {
    fs_->gate.Open();
    for (std::thread* t : threads) t->join();
  }

  // Holds a synced writer at its log sync, queues `second` behind it, and lets both finish.
  void QueueBehindASync(const WriteOptions& second) {
    std::thread first = HoldASyncedLeader("first", "1");
    std::thread queued = Queue([&] { ASSERT_OK(db_->Put(second, "second", "2")); });
    ReleaseAndJoin({&first, &queued});
    EXPECT_EQ("1", test::GetString(db_.get(), "first"));
    EXPECT_EQ("2", test::GetString(db_.get(), "second"));
  }

  // The number right before `tail` in strata.stats.
  uint64_t StatsNumberBefore(const std::string& tail) {
    std::string stats;
    EXPECT_TRUE(db_->GetProperty("strata.stats", &stats));
    const size_t end = stats.find(tail);
    EXPECT_NE(std::string::npos, end) << stats;
    const size_t begin = stats.rfind(' ', end - 1) + 1;
    return std::stoull(stats.substr(begin, end - begin));
  }
  uint64_t GroupsLedOn() { return StatsNumberBefore(" led on by the previous group's leader"); }

  std::shared_ptr<test::GatedLogSyncFileSystem> fs_ =
      std::make_shared<test::GatedLogSyncFileSystem>();
  test::TempDir dir_;
  Options options_;
  std::unique_ptr<DB> db_;
};

TEST_F(WriteQueueTest, TheLeaderLeadsAnUnsyncedGroupQueuedBehindIt) {
  QueueBehindASync(WriteOptions());
  EXPECT_EQ(1u, GroupsLedOn()) << "the first writer wrote the second one's group";
  EXPECT_EQ(1, fs_->gate.arrived());
}

TEST_F(WriteQueueTest, ASyncedWriterQueuedBehindLeadsItsOwnGroup) {
  QueueBehindASync(Synced());
  EXPECT_EQ(0u, GroupsLedOn()) << "a synced group is not added to another caller's wait";
  EXPECT_EQ(2, fs_->gate.arrived());
}

// The leader leads the unsynced writer's group, but that group ends before a synced writer
// queued after it: the synced writer leads (and syncs) on its own thread, so no caller waits
// for another caller's sync.
TEST_F(WriteQueueTest, ALedOnGroupStopsBeforeASyncedWriter) {
  std::thread first = HoldASyncedLeader("first", "1");
  std::thread unsynced = Queue([&] { ASSERT_OK(db_->Put(WriteOptions(), "second", "2")); });
  std::thread third = Queue([&] { ASSERT_OK(db_->Put(Synced(), "third", "3")); });
  const std::thread::id third_id = third.get_id();
  ReleaseAndJoin({&first, &unsynced, &third});
  EXPECT_EQ(1u, GroupsLedOn()) << "the first writer wrote the unsynced one's group";
  const std::vector<std::thread::id> syncs = fs_->SyncThreads();
  ASSERT_EQ(2u, syncs.size());
  EXPECT_EQ(third_id, syncs[1]) << "the synced writer's group was led by another caller";
  for (const char* k : {"first", "second", "third"}) {
    EXPECT_FALSE(test::GetString(db_.get(), k).empty()) << k;
  }
}

// A full memtable is switched by the writer that finds it full, not by a leader leading on:
// the leader stops before a group that would have to make room.
TEST_F(WriteQueueTest, ALeaderDoesNotLeadOnIntoAMemtableSwitch) {
  db_.reset();
  options_.write_buffer_size = 64 << 10;
  ASSERT_OK(DB::Open(options_, dir_.Child("small"), &db_));
  // The first write fills the memtable past its size; its sync is held.
  std::thread first = HoldASyncedLeader("first", std::string(80 << 10, 'x'));
  std::thread queued = Queue([&] { ASSERT_OK(db_->Put(WriteOptions(), "second", "2")); });
  ReleaseAndJoin({&first, &queued});
  EXPECT_EQ(0u, GroupsLedOn());
  EXPECT_EQ("2", test::GetString(db_.get(), "second"));
}

// A Flush queued behind a leader that leads on gets its own turn: it switches the memtable
// itself and returns only once its memtable is in a table.
TEST_F(WriteQueueTest, AFlushQueuedBehindALeaderThatLeadsOnLeadsItself) {
  std::thread first = HoldASyncedLeader("first", "1");
  std::thread unsynced = Queue([&] { ASSERT_OK(db_->Put(WriteOptions(), "second", "2")); });
  Status flushed;
  std::thread flush = Queue([&] { flushed = db_->Flush(); });
  ReleaseAndJoin({&first, &unsynced, &flush});
  ASSERT_OK(flushed);
  EXPECT_EQ(1u, GroupsLedOn()) << "the unsynced group only";
  EXPECT_EQ(1u, test::IntProperty(db_.get(), "strata.num-files-at-level0"))
      << "Flush returned before its memtable was in a table";
  EXPECT_EQ(0u, test::IntProperty(db_.get(), "strata.num-entries-active-mem-table"));
}

// A synced group of many entries is inserted into the memtable while another thread syncs
// its log record, and its entries stay unseen until the sync returns. Queues kGroup synced
// writers behind a held one; their group's sync is then held as well.
class LargeSyncedGroupTest : public WriteQueueTest {
 protected:
  static constexpr int kGroup = 10;

  // Leaves the group of kGroup writers held at its log sync; returns their threads.
  std::vector<std::thread> HoldALargeGroupAtItsSync(const WriteOptions& options) {
    std::thread first = HoldASyncedLeader("first", "1");
    std::vector<std::thread> group;
    for (int i = 0; i < kGroup; i++) {
      group.push_back(Queue([this, i, options] {
        results_[i] = db_->Put(options, "k" + std::to_string(i), "v" + std::to_string(i));
      }));
    }
    fs_->gate.Admit(1);  // the first writer's sync only
    first.join();
    fs_->gate.WaitForHeld(2);
    return group;
  }

  uint64_t SyncsDuringInsert() { return StatsNumberBefore(" while the leader inserted)"); }

  bool AllInMemtable() {
    return test::WaitUntil([&] {
      return test::IntProperty(db_.get(), "strata.num-entries-active-mem-table") == 1 + kGroup;
    });
  }

  Status results_[kGroup];
};

TEST_F(LargeSyncedGroupTest, IsInsertedWhileItsLogSyncsAndSeenOnlyAfter) {
  std::vector<std::thread> group = HoldALargeGroupAtItsSync(Synced());
  EXPECT_TRUE(AllInMemtable()) << "the group was not inserted while its sync was held";
  const std::vector<std::thread::id> syncs = fs_->SyncThreads();
  EXPECT_EQ(2u, syncs.size());  // not ASSERT: the group's threads must be joined below
  for (const std::thread& t : group) {
    EXPECT_TRUE(syncs.size() < 2 || t.get_id() != syncs[1])
        << "a writer synced: the leader did not hand the sync on";
  }
  for (int i = 0; i < kGroup; i++) {
    EXPECT_EQ("NOT_FOUND", test::GetString(db_.get(), "k" + std::to_string(i)))
        << "seen before its sync returned";
  }
  fs_->gate.Open();
  for (std::thread& t : group) t.join();
  for (int i = 0; i < kGroup; i++) {
    EXPECT_OK(results_[i]);
    EXPECT_EQ("v" + std::to_string(i), test::GetString(db_.get(), "k" + std::to_string(i)));
  }
  EXPECT_EQ(1u, SyncsDuringInsert());
}

// The sync fails after the insert: the entries are in the memtable but never seen, writes
// stop, no memtable reaches a table, and after reopen the group is all there or all absent.
TEST_F(LargeSyncedGroupTest, AFailedSyncLeavesTheInsertedGroupUnseen) {
  std::vector<std::thread> group = HoldALargeGroupAtItsSync(Synced());
  EXPECT_TRUE(AllInMemtable());
  fs_->fail_syncs = true;
  fs_->gate.Open();
  for (std::thread& t : group) t.join();
  for (int i = 0; i < kGroup; i++) {
    EXPECT_TRUE(results_[i].IsIOError()) << results_[i].ToString();
    EXPECT_EQ("NOT_FOUND", test::GetString(db_.get(), "k" + std::to_string(i)));
  }
  std::unique_ptr<Iterator> it(db_->NewIterator(ReadOptions()));
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ("first", it->key());
  it->Next();
  EXPECT_FALSE(it->Valid()) << "an entry of the failed group is seen: " << it->key();
  it.reset();
  fs_->fail_syncs = false;
  EXPECT_TRUE(db_->Put(WriteOptions(), "later", "x").IsIOError()) << "writes go on";
  EXPECT_FALSE(db_->Flush().ok());
  EXPECT_EQ(0u, test::IntProperty(db_.get(), "strata.num-files-at-level0"))
      << "the memtable holding the failed group reached a table";

  db_.reset();
  ASSERT_OK(DB::Open(options_, dir_.Child("db"), &db_));
  EXPECT_EQ("1", test::GetString(db_.get(), "first"));
  const bool present = test::GetString(db_.get(), "k0") == "v0";
  for (int i = 0; i < kGroup; i++) {
    EXPECT_EQ(present ? "v" + std::to_string(i) : "NOT_FOUND",
              test::GetString(db_.get(), "k" + std::to_string(i)))
        << "the failed group came back in part";
  }
}

// Below kMinEntriesToInsertDuringSync the leader syncs on its own thread (the hand-off's two
// wake-ups would cost more than the insert they hide).
TEST_F(WriteQueueTest, ASmallSyncedGroupIsSyncedByItsLeader) {
  std::thread first = HoldASyncedLeader("first", "1");
  std::thread second = Queue([&] { ASSERT_OK(db_->Put(Synced(), "second", "2")); });
  const std::thread::id second_id = second.get_id();
  ReleaseAndJoin({&first, &second});
  const std::vector<std::thread::id> syncs = fs_->SyncThreads();
  ASSERT_EQ(2u, syncs.size());
  EXPECT_EQ(second_id, syncs[1]);
}

}  // namespace
}  // namespace strata
