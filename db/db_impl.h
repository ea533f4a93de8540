// DBImpl: the database behind the DB interface — the write path with group commit, the read
// path, and opening/recovery.
//
// Invariants of the write path (upheld in db_impl_write.cc):
// - Writers queue in writers_; only the writer at the front (the leader) touches log_ and
//   inserts into mem_, so the log and the memtable have exactly one writer at a time.
// - A batch is acknowledged only after its group's log record is written (and fsynced if any
//   writer in the group asked for sync) and it is in the memtable.
// - last_sequence_ is published (release) only after the group is in the memtable, so a
//   reader that loads it (acquire) sees every entry up to it and none beyond.
// - After a failed log write or sync the log's tail is unknown, so writes stop with that
//   error (write_error_) until the database is reopened; replay then tolerates the torn tail.
//
// Invariants of recovery (upheld in db_open.cc): when Open returns, every recovered entry is
// in a log that Open wrote and synced itself, and the damaged or superseded logs are gone,
// so the next Open replays the same state whatever recovery mode it uses.
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "db/dbformat.h"
#include "strata/db.h"
#include "strata/file_system.h"
#include "util/logger.h"
#include "util/mutex.h"

namespace strata {

class LogWriter;
class MemTable;

class DBImpl final : public DB {
 public:
  DBImpl(const Options& options, const std::string& dbname);
  ~DBImpl() override;

  Status Put(const WriteOptions& options, std::string_view key, std::string_view value) override;
  Status Delete(const WriteOptions& options, std::string_view key) override;
  Status Write(const WriteOptions& options, WriteBatch* batch) override;
  Status Get(const ReadOptions& options, std::string_view key, std::string* value) override;
  Status SyncWAL() override;
  bool GetProperty(std::string_view name, std::string* value) override;

  // Creates or locks the directory, replays the logs and starts a fresh log. Called once, by
  // DB::Open, before the object is shared.
  Status Open();

 private:
  struct Writer;
  struct ReplayResult;

  // --- db_open.cc ---
  Status LockAndCheckExistence(bool* exists);
  Status ReplayLogs(const std::vector<uint64_t>& logs, ReplayResult* result);
  Status ReplayOneLog(uint64_t number, ReplayResult* result);
  // Writes the recovered memtable into log `number` (via a temp file and rename), synced.
  Status RewriteRecoveredLog(uint64_t number);
  Status StartNewLog(uint64_t number);

  // --- db_impl_write.cc ---
  // Groups the leader with the writers queued behind it; returns the group's batch (the
  // leader's own, or tmp_batch_) and sets *last to the last writer included.
  WriteBatch* BuildBatchGroup(Writer** last, bool* need_sync) REQUIRES(mu_);

  // Immutable after Open.
  const Options options_;  // comparator and file_system filled in
  const std::string dbname_;
  FileSystem* const fs_;
  const InternalKeyComparator icmp_;
  std::unique_ptr<FileLock> db_lock_;
  std::unique_ptr<Logger> info_log_;

  // Owned by the current leader of the write queue (see the invariants above).
  std::unique_ptr<LogWriter> log_;
  uint64_t log_number_ = 0;
  WriteBatch tmp_batch_;

  // Lock-free readers; one writer (the leader). Replaced only once flushing exists.
  std::unique_ptr<MemTable> mem_;
  std::atomic<SequenceNumber> last_sequence_{0};

  Mutex mu_;
  std::deque<Writer*> writers_ GUARDED_BY(mu_);
  Status write_error_ GUARDED_BY(mu_);

  // Statistics, updated by the leader, read by GetProperty from any thread.
  struct Stats {
    std::atomic<uint64_t> batches{0};
    std::atomic<uint64_t> groups{0};
    std::atomic<uint64_t> syncs{0};
    std::atomic<uint64_t> user_bytes{0};  // encoded batch bytes handed to Write
    std::atomic<uint64_t> wal_bytes{0};   // bytes appended to logs
    std::atomic<uint64_t> recovered_records{0};
    std::atomic<uint64_t> recovery_dropped_bytes{0};
  } stats_;
};

}  // namespace strata
