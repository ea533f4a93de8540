// The write queue's hand-offs: WaitWord (spin, then sleep, and the waker enters the kernel
// only for a sleeper) and the leader that goes on leading the unsynced groups queued behind
// its own. Events, not time: writers are held at a gated log sync until the test has seen
// them queued.
#include "util/wait_word.h"

#include <gtest/gtest.h>

#include <chrono>
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

  // Holds a synced writer at its log sync, queues `second` behind it, and lets both finish.
  void QueueBehindASync(const WriteOptions& second) {
    auto* impl = static_cast<DBImpl*>(db_.get());
    WriteOptions synced;
    synced.sync = true;
    fs_->gate.Close();
    std::thread first([&] { ASSERT_OK(db_->Put(synced, "first", "1")); });
    fs_->gate.WaitForHeld(1);  // its group is built and being synced
    std::thread queued([&] { ASSERT_OK(db_->Put(second, "second", "2")); });
    while (impl->TEST_QueuedWriters() < 2) std::this_thread::yield();
    fs_->gate.Open();
    first.join();
    queued.join();
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
  WriteOptions synced;
  synced.sync = true;
  QueueBehindASync(synced);
  EXPECT_EQ(0u, GroupsLedOn()) << "a synced group is not added to another caller's wait";
  EXPECT_EQ(2, fs_->gate.arrived());
}

}  // namespace
}  // namespace strata
