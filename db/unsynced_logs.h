// UnsyncedLogs: write-ahead logs that a memtable switch closed before they were synced.
//
// A switch no longer syncs the old log (in the recovery modes that stop at a hole): its data
// usually reaches a synced table within seconds, after which the log is deleted, and a log
// deleted while its pages are still dirty never costs a device write. The log is kept open
// here instead, until one of two things happens first:
//   - a sync is asked for (a sync=true write, SyncWAL): the leader syncs every log held here,
//     oldest first, before the current one, so a synced write never survives a lost tail of
//     an older log; or a flush is about to make a log obsolete while retention may keep it
//     for change feeds (a kept log must be whole after a power loss);
//   - its memtable is flushed: the log is let go without a sync (by DeleteObsoleteFiles,
//     which first syncs any obsolete log that retention keeps).
//
// Thread safety: every method may be called from any thread; SyncThrough and ReleaseBelow
// never with the DB's mutex held (they sync or close files). Syncs are serialized by their
// own mutex, held during the fsync; Add and ReleaseBelow never wait for a sync.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "strata/status.h"
#include "util/mutex.h"
#include "wal/log_writer.h"

namespace strata {

class UnsyncedLogs {
 public:
  // Takes the log numbered `number`, which has records not yet synced. REQUIRES: number is
  // above every log held.
  void Add(uint64_t number, std::unique_ptr<LogWriter> log) EXCLUDES(mu_);

  // Whether any log is held (a relaxed hint: the write leader is the only thread that adds).
  bool empty() const { return count_.load(std::memory_order_acquire) == 0; }

  // Syncs every held log numbered at most `through`, oldest first, and lets each go once
  // synced. Stops at the first failure and returns it, unless that log was released
  // meanwhile (its data is in a synced table, so its sync no longer matters).
  Status SyncThrough(uint64_t through) EXCLUDES(sync_mu_, mu_);
  Status SyncAll() EXCLUDES(sync_mu_, mu_) { return SyncThrough(UINT64_MAX); }

  // Lets go of (closes, without syncing) every held log numbered below `number`.
  void ReleaseBelow(uint64_t number) EXCLUDES(mu_);

 private:
  struct Held {
    uint64_t number;
    // Shared so that a sync in progress keeps the file open if Release drops it meanwhile.
    std::shared_ptr<LogWriter> log;
  };

  Mutex sync_mu_;  // serializes SyncThrough; held during the fsyncs, before mu_
  Mutex mu_;       // guards logs_; never held during I/O
  std::vector<Held> logs_ GUARDED_BY(mu_);  // ascending numbers
  std::atomic<size_t> count_{0};            // logs_.size()
};

}  // namespace strata
