// The write queue's hand-offs: WaitWord (spin, then sleep, and the waker enters the kernel
// only for a sleeper) and the leader that goes on leading the unsynced groups queued behind
// its own. Events, not time: writers are held at a gated log sync until the test has seen
// them queued.
#include "util/wait_word.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <initializer_list>
#include <string>
#include <thread>

#include "db/db_impl.h"
#include "strata/db.h"
#include "support/db_test_util.h"
#include "support/gated_log_sync_fs.h"
#include "support/test_util.h"

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

  uint64_t GroupsLedOn() {
    std::string stats;
    EXPECT_TRUE(db_->GetProperty("strata.stats", &stats));
    const std::string tail = " led on by the previous group's leader";
    const size_t end = stats.find(tail);
    EXPECT_NE(std::string::npos, end) << stats;
    const size_t begin = stats.rfind(' ', end - 1) + 1;
    return std::stoull(stats.substr(begin, end - begin));
  }

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

}  // namespace
}  // namespace strata
