// DB::NewChangeFeed: the change feed in the owner's process. The log files are read by the
// same LogFeed as out of process (db/log_feed.h); what the owner adds is the bound (the
// published, or the durable, last sequence) and waiting on the write path's signal instead of
// polling.
#include <cinttypes>

#include "db/db_impl.h"
#include "db/log_feed.h"
#include "db/wal_retention.h"

namespace strata {

namespace {

class DBBound final : public FeedBound {
 public:
  DBBound(DBImpl* db, bool durable) : db_(db), durable_(durable) {}
  uint64_t Limit() override { return db_->PublishedSequence(durable_); }
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
