// DB: an open database. The entry point of the library.
//
// Thread safety: every method may be called concurrently from any number of threads;
// writes are serialized internally (concurrent writers are grouped into one log write).
// Destroying the DB requires that no other call on it is in progress.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "strata/change_feed.h"
#include "strata/comparator.h"
#include "strata/iterator.h"
#include "strata/options.h"
#include "strata/status.h"
#include "strata/write_batch.h"

namespace strata {

// A consistent point in time to read at (from DB::GetSnapshot; give it back with
// ReleaseSnapshot). Immutable; may be used from any thread.
class Snapshot {
 protected:
  virtual ~Snapshot() = default;
};

class DB {
 public:
  // Opens (or with create_if_missing, creates) the database in directory path, replaying
  // its write-ahead logs. Fails with Busy if another DB object or process holds it, with
  // InvalidArgument for missing/existing databases per the options, with Corruption if a
  // log is damaged beyond what options.wal_recovery_mode tolerates.
  static Status Open(const Options& options, const std::string& path, std::unique_ptr<DB>* db);

  // Opens the database (or a checkpoint) in path for reading only: no file is created,
  // changed or deleted, no LOCK is taken (so it works while a writer holds the database, on
  // a copy, and in a read-only directory), and the write-ahead logs are replayed into
  // memory only. Put, Delete, Write, Flush, CompactRange, SyncWAL, IngestExternalFiles and
  // CreateCheckpoint return NotSupported. The view is the state at open; while another
  // process writes on, a table it deletes later may make reads fail with IOError.
  static Status OpenForReadOnly(const Options& options, const std::string& path,
                                std::unique_ptr<DB>* db);

  DB() = default;
  DB(const DB&) = delete;
  DB& operator=(const DB&) = delete;
  // Closes the database; acknowledged writes stay in the log (sync=false writes are not
  // fsynced here: call SyncWAL() first if that matters).
  virtual ~DB() = default;

  virtual Status Put(const WriteOptions& options, std::string_view key, std::string_view value) = 0;
  virtual Status Delete(const WriteOptions& options, std::string_view key) = 0;
  // Deletes every key k with begin <= k < end (by options.comparator): older versions of
  // those keys are hidden from every read that does not use an older snapshot; later writes
  // inside the range are visible. InvalidArgument if end <= begin. A batch of one
  // WriteBatch::DeleteRange.
  virtual Status DeleteRange(const WriteOptions& options, std::string_view begin,
                             std::string_view end) {
    WriteBatch batch;
    batch.DeleteRange(begin, end);
    return Write(options, &batch);
  }
  // Adds operand to key's value through Options::merge_operator (include/strata/
  // merge_operator.h); InvalidArgument if the database has none. A batch of one
  // WriteBatch::Merge.
  virtual Status Merge(const WriteOptions& options, std::string_view key,
                       std::string_view operand) {
    WriteBatch batch;
    batch.Merge(key, operand);
    return Write(options, &batch);
  }
  // Applies the batch atomically. Only the batch's internal sequence field is rewritten.
  virtual Status Write(const WriteOptions& options, WriteBatch* batch) = 0;

  // The newest value of key (as of options.snapshot, if set): OK and *value, or NotFound if
  // absent or deleted.
  virtual Status Get(const ReadOptions& options, std::string_view key, std::string* value) = 0;

  // An iterator over the whole database as of options.snapshot, or as of this call if none;
  // later writes are invisible to it. It pins the memtables and table files it reads (they
  // outlive flushes and compactions while it lives). Starts unpositioned.
  // REQUIRES: destroyed before the DB.
  virtual std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) = 0;

  // The current state, for reads through ReadOptions::snapshot. Versions it can see are kept
  // until it is released. REQUIRES: released (once) before the DB is destroyed.
  virtual const Snapshot* GetSnapshot() = 0;
  virtual void ReleaseSnapshot(const Snapshot* snapshot) = 0;

  // Freezes the active memtable (if it holds anything) and waits until it and every older
  // memtable are written to table files and recorded in the MANIFEST. Returns the background
  // error if a flush failed.
  virtual Status Flush() = 0;

  // Flushes, then compacts every table holding keys in [*begin, *end] (null: unbounded)
  // down to the deepest level that holds any of them, rewriting the data: overwritten
  // versions and deletions no snapshot needs are dropped. Data goes straight down past
  // levels that hold none of its keys (each byte is rewritten once per level that holds
  // some). Waits until done.
  virtual Status CompactRange(const std::string_view* begin, const std::string_view* end) = 0;

  // Waits until no flush or compaction is running or due: every memtable waiting for a flush
  // is in a table, no level is over its target and no file has spent its seek budget. Returns
  // the background error if one stops the work (at once or while waiting). Writes and reads
  // from other threads may keep it waiting. A read-only database returns OK at once.
  virtual Status WaitForCompact() = 0;

  // Makes every write acknowledged so far durable, as if each had used sync=true.
  virtual Status SyncWAL() = 0;

  // Clears a background error so that writes, flushes and compactions go on, without
  // reopening. A failed flush or compaction (an IOError: EIO, ENOSPC) stops writes; after a
  // full disk the database resumes by itself (Options::max_bg_error_resume_count), after
  // other I/O errors only when asked here. Resuming first writes the state in memory to the
  // MANIFEST (the state on disk is unknown after the failure; a fresh MANIFEST if the last
  // write to it failed), then flushes the oldest memtable waiting for a flush, if any (so a
  // disk that is still full keeps writes stopped instead of failing the next log write), and
  // only then deletes the failed job's files and accepts writes; other failed work is then
  // retried. Returns OK if there was nothing to resume or the database resumed; otherwise
  // the error that stays: the MANIFEST or the flush could not be written (call again later),
  // or the error cannot be resumed from without reopening — damage (Corruption) met by a
  // compaction, or a failed log append or sync, which may have lost acknowledged writes.
  virtual Status Resume() = 0;

  // Text about the database's internals; false if name is unknown. Names:
  //   "strata.stats"                       counters of the write path, flushes, compactions
  //                                        per level and recovery (text)
  //   "strata.levels"                      files and megabytes per level (text)
  //   "strata.sstables"                    every table file with its size and key range
  //   "strata.num-files-at-level<N>"       number of table files at level N
  //   "strata.bytes-at-level<N>"           bytes of the table files at level N
  //   "strata.num-entries-in-tables"       entries (values and deletions) in all tables
  //   "strata.estimate-num-keys"           live keys, estimated (an overestimate until
  //                                        compaction drops overwrites and deletions)
  //   "strata.total-sst-size"              bytes of all live table files
  //   "strata.approximate-memory-usage"    bytes held by the active and immutable memtables
  //   "strata.estimate-table-readers-mem"  bytes the open tables hold for their lives
  //                                        (indexes and filters; the block cache apart)
  //   "strata.block-cache-usage"           bytes charged to the block cache (shared with
  //                                        other databases if Options::block_cache is)
  //   "strata.num-entries-active-mem-table" entries in the active memtable
  //   "strata.num-immutable-mem-table"     memtables waiting for flush
  //   "strata.num-snapshots"               snapshots held
  //   "strata.last-sequence"               sequence number of the newest write
  //   "strata.write-stalls-in-progress"    writers waiting now for a flush or compaction
  //   "strata.background-error"            the error stopping writes ("OK" if none), and
  //                                        whether it is resumed automatically
  //   "strata.num-flushes"                 memtables flushed since open
  //   "strata.num-compactions"             compactions (and trivial moves) since open
  //   "strata.wal-retention"              the logs on disk (live or kept for change feeds),
  //                                        each with its first sequence and size, then every
  //                                        log slot with its position and lag in bytes (text)
  //   "strata.durable-sequence"            sequence number of the newest synced write
  virtual bool GetProperty(std::string_view name, std::string* value) = 0;

  // The value of a numeric property (every name above but those marked text) as a number,
  // for monitoring without parsing text; false if the name is unknown or not numeric.
  virtual bool GetIntProperty(std::string_view name, uint64_t* value) = 0;

  // A change feed from sequence number `from` (include/strata/change_feed.h): the committed
  // records of the log history in commit order, starting with the one holding `from`, then
  // waiting for new commits. Fails at once with NotFound (naming `from` and the oldest
  // sequence still available) if that history is gone. REQUIRES: destroyed before the DB.
  virtual Status NewChangeFeed(uint64_t from, const FeedOptions& options,
                               std::unique_ptr<ChangeFeed>* feed) {
    (void)from, (void)options, feed->reset();
    return Status::NotSupported("change feeds");
  }
  // --- Whole-database operations (docs/DURABILITY.md says what each promises) ---

  // Creates in dir (which must not exist; its parent must) an openable copy of the database
  // as of one sequence number, set in *sequence if given: every write acknowledged before
  // the call is in it, and none that started after. Table files are hard-linked (copied
  // when dir is on another file system), the logs copied up to that sequence, the MANIFEST
  // written fresh, all synced, and CURRENT written last: a crash leaves either a complete
  // checkpoint or a directory without CURRENT, which Open refuses. Writes, flushes and
  // compactions go on meanwhile.
  virtual Status CreateCheckpoint(const std::string& dir, uint64_t* sequence = nullptr) = 0;

  // Adds table files built by TableWriter (strata/table_writer.h) to the database, all or
  // none: each is checked whole first (comparator, order, checksums) and the files must not
  // overlap each other. They get one new sequence number, above every write so far, so they
  // shadow older values of their keys (snapshots taken before do not see them), and go to
  // the deepest level where they overlap nothing (else level 0). The memtable is flushed
  // first only if it holds keys in their range.
  virtual Status IngestExternalFiles(const std::vector<std::string>& paths,
                                     const IngestOptions& options) = 0;

  // For each [start, limit) of ranges, the approximate bytes its keys take in table files
  // (from the tables' index blocks, no data block is read), plus, with include_memtables,
  // an estimate of their bytes in the memtables. sizes gets one entry per range.
  struct Range {
    std::string_view start;
    std::string_view limit;
  };
  virtual Status GetApproximateSizes(std::span<const Range> ranges, std::vector<uint64_t>* sizes,
                                     bool include_memtables = false) = 0;

  // Looks up every key at one snapshot (options.snapshot or now), sorted internally so that
  // keys in the same table are looked up in one pass over it. values and statuses get one
  // entry per key, in the order of keys: OK and the value, NotFound, or an error.
  virtual void MultiGet(const ReadOptions& options, std::span<const std::string_view> keys,
                        std::vector<std::string>* values, std::vector<Status>* statuses) = 0;
};

// Deletes every file of the database in path, then the directory if empty. Fails with Busy
// if the database is open.
Status DestroyDB(const std::string& path, const Options& options);

}  // namespace strata
