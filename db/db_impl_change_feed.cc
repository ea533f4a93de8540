// DB::NewChangeFeed: the change feed in the owner's process. The log files are read by the
// same LogFeed as out of process (db/log_feed.h); what the owner adds is the bound (the
// published, or the durable, last sequence) and waiting on the write path's signal instead of
// polling.
#include <algorithm>
#include <cinttypes>
#include <thread>

#include "db/db_impl.h"
#include "db/log_feed.h"
#include "db/wal_retention.h"

namespace strata {

namespace {

constexpr auto kFeedPollTime = std::chrono::milliseconds(2);

class DBBound final : public FeedBound {
 public:
  DBBound(DBImpl* db, bool durable) : db_(db), durable_(durable) {}
  uint64_t Limit() override { return db_->PublishedSequence(durable_); }
  bool Acknowledged() const override { return true; }
  void Wait(uint64_t sequence, std::chrono::steady_clock::time_point deadline) override {
    db_->WaitForSequence(sequence, durable_, deadline);
  }

 private:
  DBImpl* const db_;
  const bool durable_;
};

}  // namespace

Status DBImpl::NewChangeFeed(uint64_t from, const FeedOptions& options,
                             std::unique_ptr<ChangeFeed>* feed) {
  return NewLogFeed(options_.file_system, dbname_, from, options,
                    std::make_unique<DBBound>(this, options.durable_only), feed);
}

void DBImpl::WaitForSequence(uint64_t sequence, bool durable,
                             std::chrono::steady_clock::time_point deadline) {
  // Under a steady stream of commits the next one comes within microseconds, so look for it
  // a little while without registering: a registered waiter costs every commit a wake-up
  // (a futex call on the write path), which would slow a writer that a follower keeps up
  // with. Only a feed that finds the database idle for a while sleeps on feed_cv_.
  const auto poll_until = std::min(deadline, std::chrono::steady_clock::now() + kFeedPollTime);
  while (PublishedSequence(durable) <= sequence) {
    if (std::chrono::steady_clock::now() >= poll_until) break;
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  if (PublishedSequence(durable) > sequence) return;
  MutexLock lock(&mu_);
  feed_waiters_++;
  while (PublishedSequence(durable) <= sequence && !shutting_down_) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    feed_cv_.WaitFor(deadline - now);
  }
  feed_waiters_--;
}

void DBImpl::TEST_AdvanceRetentionClock(uint64_t seconds) {
  wal_retention_->TEST_AdvanceClock(seconds);
}

}  // namespace strata
