// DBImpl: the database behind the DB interface — the write path with group commit, memtable
// switching and background flush, the read path, and opening/recovery. docs/ARCHITECTURE.md
// has the picture: the data flow, the threads and locks, and where each invariant is upheld.
//
// Invariants of the write path (upheld in db_impl_write.cc):
// - Writers queue in writers_; only the writer at the front (the leader) touches log_ and
//   inserts into mem_, so the log and the active memtable have one writer at a time (the
//   log sync thread syncs log_ for the leader, which touches log_ only after it is done). The
//   leader also switches them (MakeRoomForWrite) when the memtable is full. A leader may go
//   on to lead the unsynced groups queued behind its own (64 groups in all) before it hands
//   the front on, but never one that syncs, switches the memtable or waits for room.
// - A batch is acknowledged only after its group's log record is written (and fsynced if any
//   writer in the group asked for sync) and it is in the memtable.
// - last_sequence_ is published (release) only after the group is in the memtable, so a
//   reader that loads it (acquire) sees every entry up to it and none beyond. A synced group
//   of many entries is inserted while a LogSyncThread syncs its record (the two overlap);
//   if that sync fails, its entries stay in the memtable unpublished, and write_error_ keeps
//   them so: no later group publishes a sequence, no memtable switch leads to a flush.
// - After a failed log write or sync the log's tail is unknown, so writes stop with that
//   error (write_error_) until the database is reopened; replay then tolerates the torn tail.
//   Except a record a full disk refused whole (LogWriter::failed() stays false), a group's
//   batch or the sync marker before it: only that group gets the error, and the next group
//   writes to the log as before; likewise an ingestion whose sequence marker (or the sync
//   marker it writes first) was refused returns before taking its sequence number.
// - When the log is switched, the old log is synced first in the strict recovery modes; in the
//   others it is parked unsynced (unsynced_logs_) and synced before any later sync, which
//   then writes a sync marker, so that what a power loss leaves of the log history is a
//   prefix that recovery can tell from damage (db/unsynced_logs.h).
// - A leader that must sync first waits, briefly, for the writers the previous synced group
//   released (GatherSyncGroup), so that one fdatasync serves all active writers.
//
// Invariants of flush and file deletion (upheld in db_impl_flush.cc and
// db_impl_obsolete_files.cc):
// - Immutable memtables are flushed oldest first; each flush is one version edit that adds
//   the table and raises the log number past the memtable's log, synced in the MANIFEST
//   before the memtable leaves imm_ (readers switch to the table atomically, see
//   ReadState).
// - Flushes run on their own thread, compactions on max_background_jobs - 1 others, so a
//   flush never waits behind a compaction. Compactions running at once have disjoint inputs
//   (compacting_), and each installs its result with one version edit.
// - A log file is deleted only once its number is below the MANIFEST's synced log number;
//   a table file only once no live version lists it and no job is writing it; nothing at all
//   is deleted after a background error, nor at close after a failed MANIFEST write (the
//   state on disk is then unknown). Deletion runs after each flush and compaction, at Open,
//   and once at close, when no version but the current one is left.
//
// Invariants of background errors (upheld in db_impl_error_recovery.cc): a failed flush or
// compaction sets bg_error_, which stops writes, flushes, compactions and file deletion. It
// is cleared only by a resume, and a resume first writes a fresh, synced MANIFEST edit from
// the state in memory (LogAndApply starts a new MANIFEST if the old one failed), so the state
// on disk is known again before any file is deleted or any write accepted, and then flushes
// the oldest memtable waiting for a flush, so no write is accepted while a table still cannot
// be written (a full disk can take the MANIFEST edit and no table). write_error_ (a failed
// log append that may have written part of its record, or a failed sync) is never cleared:
// acknowledged writes may be lost with it.
//
// Invariants of recovery (upheld in db_impl_open.cc): when Open returns, everything recovered from
// logs is in table files named by a synced MANIFEST, and the replayed logs are gone, so the
// next Open sees the same state whatever recovery mode it uses.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "db/range_del_aggregator.h"
#include "db/snapshot.h"
#include "db/unsynced_logs.h"
#include "keys/internal_key.h"
#include "sstable/block_admission.h"
#include "sstable/table_options.h"
#include "strata/cache.h"
#include "strata/db.h"
#include "strata/file_system.h"
#include "strata/listener.h"
#include "strata/logger.h"
#include "strata/statistics.h"
#include "util/mutex.h"
#include "version/version_set.h"
#include "wal/log_sync_thread.h"

namespace strata {

class LogWriter;
class MemTable;
struct Compaction;
struct CompactionResult;
class TableCache;
class WalRetention;

class DBImpl final : public DB {
 public:
  // read_only: see DB::OpenForReadOnly (db_impl_read_only.cc).
  DBImpl(const Options& options, const std::string& dbname, bool read_only = false);
  ~DBImpl() override;

  Status Put(const WriteOptions& options, std::string_view key, std::string_view value) override;
  Status Delete(const WriteOptions& options, std::string_view key) override;
  Status Write(const WriteOptions& options, WriteBatch* batch) override;
  Status Get(const ReadOptions& options, std::string_view key, std::string* value) override;
  std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) override;
  const Snapshot* GetSnapshot() override;
  void ReleaseSnapshot(const Snapshot* snapshot) override;
  Status Flush() override;
  Status CompactRange(const std::string_view* begin, const std::string_view* end) override;
  Status WaitForCompact() override;
  Status SyncWAL() override;
  Status Resume() override;  // db_impl_error_recovery.cc
  bool GetProperty(std::string_view name, std::string* value) override;
  bool GetIntProperty(std::string_view name, uint64_t* value) override;
  Status NewChangeFeed(uint64_t from, const FeedOptions& options,
                       std::unique_ptr<ChangeFeed>* feed) override;
  Status CreateCheckpoint(const std::string& dir, uint64_t* sequence) override;  // checkpoint.cc
  Status IngestExternalFiles(const std::vector<std::string>& paths,
                             const IngestOptions& options) override;  // db_impl_ingest.cc
  Status GetApproximateSizes(std::span<const Range> ranges, std::vector<uint64_t>* sizes,
                             bool include_memtables) override;  // db_impl_multiget.cc
  void MultiGet(const ReadOptions& options, std::span<const std::string_view> keys,
                std::vector<std::string>* values,
                std::vector<Status>* statuses) override;  // db_impl_multiget.cc

  // Creates or locks the directory, recovers the MANIFEST and the logs, and starts the
  // background thread. Called once, by DB::Open, before the object is shared.
  Status Open();
  // The same for DB::OpenForReadOnly (db_impl_read_only.cc).
  Status OpenReadOnly();

  // --- db_impl_change_feed.cc ---
  // Waits until the published (or, with durable, the synced) last sequence exceeds sequence,
  // or deadline passes, or the database shuts down.
  void WaitForSequence(uint64_t sequence, bool durable,
                       std::chrono::steady_clock::time_point deadline) EXCLUDES(mu_);
  uint64_t PublishedSequence(bool durable) const {
    return (durable ? durable_sequence_ : last_sequence_).load(std::memory_order_acquire);
  }
  // Test hook: the retention clock (wal_ttl_seconds) runs this many seconds ahead.
  void TEST_AdvanceRetentionClock(uint64_t seconds);

  // Test hooks. Writers in the write queue now, the leader included.
  size_t TEST_QueuedWriters() EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    return writers_.size();
  }

 private:
  struct Writer;
  struct ReplayResult;
  struct PropertyHandlers;  // db_impl_properties.cc

  // The sources a read consults, pinned together: a reader takes one reference and then
  // searches without any lock, while flushes install new ReadStates.
  struct ReadState {
    std::shared_ptr<MemTable> mem;
    std::vector<std::shared_ptr<MemTable>> imm;  // newest first
    std::shared_ptr<const Version> version;
    // The range tombstones of version's tables, gathered by the first iterator that needs
    // them (db/range_del_aggregator.h).
    std::shared_ptr<TableTombstoneCache> table_tombstones = std::make_shared<TableTombstoneCache>();
  };

  // An immutable memtable waiting for flush, with the log that holds its entries.
  struct Immutable {
    std::shared_ptr<MemTable> mem;
    uint64_t log_number;
    SequenceNumber last_sequence = 0;  // the newest sequence published when it was switched
    FlushReason reason = FlushReason::kWriteBufferFull;
  };

  // --- db_impl_open.cc ---
  Status LockAndCheckExistence(bool* exists);
  // Checks that every table of the recovered version exists (Corruption otherwise) and
  // lists the logs to replay, in order.
  Status ListTablesAndLogs(std::vector<uint64_t>* logs) REQUIRES(mu_);
  Status ReplayLogs(const std::vector<uint64_t>& logs, ReplayResult* result) REQUIRES(mu_);
  Status ReplayOneLog(uint64_t number, ReplayResult* result) REQUIRES(mu_);
  // Sets *found to whether the log holds a sync marker (records after damage are not looked
  // at). An error reading it is returned.
  Status LogHoldsSyncMarker(uint64_t number, bool* found);
  Status StartNewLog(uint64_t number) REQUIRES(mu_);
  // Creates the file of a new write-ahead log: FileSystem::NewLogFile (appends without a
  // system call), except under kAbsoluteConsistency, which refuses any torn tail at Open: a
  // process killed in the middle of a memcpy leaves one, a killed write() never does.
  Status CreateLogFile(const std::string& fname, std::unique_ptr<WritableFile>* file);
  // Whether a switch may leave the old log unsynced (in unsynced_logs_): only in the recovery
  // modes that stop at a hole in the log history, which is what a power loss then leaves.
  // The other two sync it, so that a hole is always damage there.
  bool ParksLogsAtSwitch() const {
    return options_.wal_recovery_mode == WalRecoveryMode::kTolerateCorruptedTailRecords ||
           options_.wal_recovery_mode == WalRecoveryMode::kPointInTimeRecovery;
  }
  // The LOG: Options::info_log, or the file LOG after the previous one is kept as
  // LOG.old.NNNNNN (at most keep_log_file_num of those). REQUIRES: the database is locked.
  void OpenInfoLog();

  // --- db_impl_events.cc: listeners ---
  // Records the write stall condition; if it changed, tells the listeners with mu_ released
  // and returns true (the caller must then re-check what mu_ guards).
  bool SetStallCondition(WriteStallCondition condition) REQUIRES(mu_);
  // Calls fn(listener) for every listener. REQUIRES: mu_ not held.
  template <class Fn>
  void NotifyListeners(Fn&& fn) {
    for (const auto& l : options_.listeners) fn(*l);
  }

  // --- db_impl_read.cc ---
  Status GetImpl(const ReadOptions& options, std::string_view key, std::string* value);
  // --- db_impl_read_only.cc ---
  Status OpenReadOnlyOnce() REQUIRES(mu_);

  // --- checkpoint.cc ---
  // Writes into dir the logs numbered from..to that exist, holding the records up to seq.
  // covered: the sequence the tables hold up to; Corruption if the records do not run on
  // from there to seq without a hole.
  Status CopyLogsUpTo(const std::string& dir, uint64_t from, uint64_t to, SequenceNumber covered,
                      SequenceNumber seq);
  // --- db_impl_ingest.cc ---
  struct IngestFile;
  // Sets each file's level: the deepest with nothing overlapping it there or above and no
  // running compaction that may write over it; with dynamic level targets, below the tree's
  // deepest level only as far as the files that go that deep are large enough for it.
  Status PlaceIngestedFiles(std::vector<IngestFile>* files) REQUIRES(mu_);
  // True if a memtable (active or immutable) holds a key in [smallest, largest].
  bool MemTablesOverlap(std::string_view smallest, std::string_view largest) REQUIRES(mu_);

  // --- db_impl_write.cc ---
  Status WriteImpl(const WriteOptions& options, WriteBatch* batch, bool force_switch,
                   MemTable** switched);
  // Called by the leader (with mu_ held, released while writing) for the group that starts
  // at head, the front of writers_: makes room, writes the log and the memtable, pops the
  // group, sets *done to the chain of its writers but caller's own (status set; WakeDone
  // wakes them), and returns the group's status.
  Status LeadGroup(Writer* head, const Writer* caller, MemTable** switched, Writer** done)
      REQUIRES(mu_);
  // Wakes the writers of a chain from LeadGroup as done; with or without mu_.
  static void WakeDone(Writer* done);
  // Groups the leader with the writers queued behind it; returns the group's batch (the
  // leader's own, or tmp_batch_) and sets *last to the last writer included.
  // With stop_at_sync the group ends before the first writer that asks for a sync.
  WriteBatch* BuildBatchGroup(Writer** last, bool* need_sync, bool stop_at_sync) REQUIRES(mu_);
  // An empty memtable for this database's options: huge-page arena blocks when
  // Options::memtable_huge_pages and the write buffer is at least 8 huge pages.
  std::shared_ptr<MemTable> NewMemTable() const;
  // True if MakeRoomForWrite would neither switch the memtable nor delay nor wait.
  bool RoomWithoutWaiting() const REQUIRES(mu_);
  // Called by the leader: switches to a new memtable and log if the active one is full (or
  // force and non-empty), waiting while too many immutable memtables are queued.
  Status MakeRoomForWrite(bool force, MemTable** switched) REQUIRES(mu_);
  // Before a sync of log_: syncs the logs a switch left unsynced, oldest first, then, if
  // log_ has none yet, appends its sync marker (every log's first sync writes one, so a log
  // without one was never synced). Called by the owner of the write queue, without mu_.
  // *marker_refused, if given, tells whether a full disk refused the marker whole.
  Status SyncOlderLogsAndMark(bool* marker_refused = nullptr);
  // True if append, the result of log_->AddRecord, is a full disk that refused the record
  // whole: nothing reached the log, which takes the next record as before.
  bool LogRefusedWhole(const Status& append) const;
  // Called by a leader whose write must be synced: waits (at most half a recent sync's time)
  // until as many writers are queued as were active around the previous synced group.
  void GatherSyncGroup() REQUIRES(mu_);
  // Runs fn (with mu_ held) as the sole leader of the write queue: no write is in flight
  // while it runs and none starts until it returns (ingestion takes a sequence number so).
  // fn may switch the memtable (MakeRoomForWrite) and wait on condition variables.
  Status RunAsSoleWriter(const std::function<Status()>& fn);

  // --- db_impl_flush.cc ---
  void BackgroundThread();
  // Writes imm_.front() to a table, logs the edit, drops the memtable, then tells the
  // listeners (releasing mu_ while they run).
  Status FlushOldestImmutable() REQUIRES(mu_);
  // Writes mem to a new L0 table and records it in *edit (recovery's flush).
  Status WriteLevel0Table(const MemTable& mem, VersionEdit* edit) REQUIRES(mu_);
  // --- db_impl_compaction.cc ---
  void CompactionThread();
  // Called by a reader whose Version::Get spent a file's seek budget.
  void NoteSeekCandidate(const SeekCompactionCandidate& spent) EXCLUDES(mu_);
  // PickCompaction with the seek candidate, which it forgets once a compaction takes it or
  // its file is gone.
  std::unique_ptr<Compaction> PickNextCompaction() REQUIRES(mu_);
  // Runs c (picked under mu_) and installs its result. Releases mu_ while working.
  Status DoCompaction(Compaction* c) REQUIRES(mu_);
  // Opens (into the table cache) the tables a compaction wrote to level, once its edit is in
  // and its inputs have been evicted, so that later reads find them open and the job itself
  // never held its inputs' and outputs' indexes and filters at once. Releases mu_ while it
  // opens.
  void OpenOutputs(int level, const std::vector<FileMetaData>& outputs) REQUIRES(mu_);
  // Tells the listeners how c ended (releasing mu_ while they run).
  void NotifyCompaction(const Compaction& c, const CompactionResult& result, const Status& s)
      REQUIRES(mu_);
  // Text of the per-level table in strata.stats.
  std::string LevelStatsText() REQUIRES(mu_);

  // --- db_impl_error_recovery.cc (see the invariants of background errors above) ---
  // Records the failure of a background job (a flush, a compaction): the first error stops
  // writes; a full disk arms the automatic resume. Tells the listeners, with mu_ released
  // while they run (the caller must re-check what mu_ guards).
  void SetBackgroundError(const Status& s, const char* job) REQUIRES(mu_);
  // A flush or compaction succeeded: the backoff of the automatic resume starts over.
  void NoteBackgroundSuccess() REQUIRES(mu_);
  // Called by the flush thread while a background error is set: waits out the backoff (or
  // for shutdown, or for Resume), then tries to resume; without an automatic resume armed,
  // just waits for work.
  void WaitOrAutoResume() REQUIRES(mu_);
  Status ResumeImpl(bool automatic) REQUIRES(mu_);
  // The "Background errors" part of strata.stats, and strata.background-error.
  std::string BackgroundErrorStatsText() REQUIRES(mu_);
  std::string BackgroundErrorText() REQUIRES(mu_);

  // --- db_impl_obsolete_files.cc ---
  // Deletes files no longer needed; see the invariants above. One pass at a time: a caller
  // that finds another pass deleting (without the lock) waits for it, then makes its own.
  void DeleteObsoleteFiles() REQUIRES(mu_);
  void InstallReadState() REQUIRES(mu_);
  // The sequence a read with these options sees. A read takes its ReadState first and this
  // second: the pinned version then predates any compaction that could have dropped an
  // entry visible at the sequence (compactions keep what the sequences current at their
  // start can see), and every write acknowledged before the read began is in the pinned
  // sources (a flush installs its table before the memtable leaves). Writes racing with the
  // read and landing in a newer memtable are missed only as a suffix, so the view stays a
  // consistent prefix.
  SequenceNumber ReadSequence(const ReadOptions& options) const;
  std::shared_ptr<const ReadState> GetReadState() const EXCLUDES(read_state_mu_) {
    MutexLock lock(&read_state_mu_);
    return read_state_;
  }

  // Immutable after construction / Open.
  const Options options_;  // comparator, file_system and block_cache filled in
  const std::string dbname_;
  const bool read_only_;
  FileSystem* const fs_;
  const InternalKeyComparator icmp_;
  // Which blocks read on a cache miss may evict others (null: all); outlives table_cache_.
  std::unique_ptr<BlockAdmission> block_admission_;
  TableOptions table_options_;
  std::unique_ptr<FileLock> db_lock_;
  std::shared_ptr<Logger> info_log_;  // never null
  Statistics* const statistics_;      // options_.statistics; null: none kept
  std::unique_ptr<TableCache> table_cache_;

  Mutex mu_;
  CondVar bg_work_cv_;  // signalled when there is background work or on shutdown
  CondVar bg_done_cv_;  // signalled when a flush or compaction finished (or failed)

  // Owned by the current leader of the write queue (see the invariants above). The leader
  // changes log_ and mem_ only while holding mu_ as well.
  std::unique_ptr<LogWriter> log_;
  // Whether log_ holds a sync marker: its first sync writes one (after syncing the parked
  // logs), so a log that was ever synced proves every older log whole.
  bool log_marked_ = false;
  std::shared_ptr<MemTable> mem_;
  // Syncs log_ while the leader inserts a large synced group (created by the first such
  // leader; see LeadGroup). Owned by the current leader like log_.
  std::unique_ptr<LogSyncThread> log_sync_thread_;
  WriteBatch tmp_batch_;
  std::atomic<SequenceNumber> last_sequence_{0};
  // The newest sequence whose log record is synced (change feeds with durable_only): raised
  // after a successful log sync, at a log switch that syncs the old log, and when a flush
  // puts a memtable in a synced table. Never above last_sequence_.
  std::atomic<SequenceNumber> durable_sequence_{0};
  // Logs a switch closed without syncing them (see ParksLogsAtSwitch).
  UnsyncedLogs unsynced_logs_;
  // Change feeds waiting for a new sequence sleep on feed_cv_; the leader signals it (it holds
  // mu_ then anyway) only when feed_waiters_ says someone waits, so writes pay nothing else.
  CondVar feed_cv_;
  int feed_waiters_ GUARDED_BY(mu_) = 0;
  // Which obsolete logs are kept for change feeds (created by Open).
  std::unique_ptr<WalRetention> wal_retention_;

  std::deque<Writer*> writers_ GUARDED_BY(mu_);
  // Group-commit gathering (see GatherSyncGroup): the writers active around the last synced
  // group, the duration of its sync, and the queue length a gathering leader waits for (0
  // when no leader is gathering).
  size_t active_sync_writers_ GUARDED_BY(mu_) = 0;
  uint64_t last_sync_micros_ GUARDED_BY(mu_) = 0;
  size_t gather_target_ GUARDED_BY(mu_) = 0;
  // The gathering leader waits here for gather_target_ writers (one per database, not per
  // writer: constructing and destroying a condition variable for every Put was measurable).
  CondVar gather_cv_{&mu_};
  Status write_error_ GUARDED_BY(mu_);
  uint64_t log_number_ GUARDED_BY(mu_) = 0;
  std::deque<Immutable> imm_ GUARDED_BY(mu_);  // oldest first
  std::unique_ptr<VersionSet> versions_ GUARDED_BY(mu_);
  std::set<uint64_t> pending_outputs_ GUARDED_BY(mu_);  // tables being written
  // A DeleteObsoleteFiles pass is deleting files (without the lock); signalled when it ends.
  bool deleting_files_ GUARDED_BY(mu_) = false;
  CondVar deleting_files_cv_{&mu_};
  // Lowest log number each checkpoint in progress copies: logs from there on stay.
  std::multiset<uint64_t> log_pins_ GUARDED_BY(mu_);
  SnapshotList snapshots_ GUARDED_BY(mu_);
  Status bg_error_ GUARDED_BY(mu_);
  // Resuming after a background error (db_impl_error_recovery.cc).
  struct ErrorRecovery {
    bool auto_resume = false;           // the flush thread retries after a backoff
    bool resuming = false;              // a resume is writing the MANIFEST or flushing
    uint64_t consecutive_failures = 0;  // errors and failed resumes since the last success
    uint64_t errors = 0;                // background errors, in all
    uint64_t no_space_errors = 0;       // ... of which the disk was full
    uint64_t resumes = 0;               // successful resumes
    uint64_t auto_resumes = 0;          // ... of which automatic
    uint64_t failed_resumes = 0;        // attempts whose MANIFEST write or flush failed
    std::string last_error;             // the most recent background error, as text
  };
  ErrorRecovery recovery_ GUARDED_BY(mu_);
  bool error_reported_ GUARDED_BY(mu_) = false;  // listeners were told of a background error
  WriteStallCondition stall_condition_ GUARDED_BY(mu_) = WriteStallCondition::kNormal;
  // Set under mu_; also read without it by running compactions, to stop early.
  std::atomic<bool> shutting_down_{false};
  std::thread bg_thread_;  // flushes
  std::vector<std::thread> compaction_threads_;
  std::set<uint64_t> compacting_ GUARDED_BY(mu_);  // input files of running compactions
  // Flushes and compactions started and not yet signalled on bg_done_cv_ (their last steps,
  // file deletion and listeners, release mu_): WaitForCompact waits for 0.
  int jobs_running_ GUARDED_BY(mu_) = 0;
  // Per level: the largest key of the last compaction there (where CompactionPri::kRoundRobin
  // starts next).
  std::vector<std::string> compact_pointers_ GUARDED_BY(mu_);
  // The file the latest read spent the seek budget of (Options::seek_compaction), until a
  // compaction takes it or it leaves the current version.
  SeekCompactionCandidate seek_candidate_ GUARDED_BY(mu_);

  // Compaction statistics per output level (level 0: flushes).
  struct LevelStats {
    uint64_t compactions = 0;
    uint64_t trivial_moves = 0;
    uint64_t micros = 0;
    uint64_t bytes_read_upper = 0;   // from the level above the output
    uint64_t bytes_read_output = 0;  // from the output level itself
    uint64_t bytes_written = 0;
    uint64_t entries_dropped = 0;
  };
  std::vector<LevelStats> level_stats_ GUARDED_BY(mu_);

  // Replaced under mu_; readers copy the pointer under read_state_mu_ alone, which is held
  // only for that copy (a reference count increment), never during a search. (The
  // std::atomic<std::shared_ptr> of our standard library is not clean under TSan.)
  mutable Mutex read_state_mu_;
  std::shared_ptr<const ReadState> read_state_ GUARDED_BY(read_state_mu_);

  // Statistics, read by GetProperty from any thread.
  struct Stats {
    std::atomic<uint64_t> batches{0};
    std::atomic<uint64_t> groups{0};
    std::atomic<uint64_t> groups_led_on{0};  // led by a leader after its own group
    std::atomic<uint64_t> syncs{0};
    std::atomic<uint64_t> sync_writers{0};         // writers acknowledged by synced groups
    std::atomic<uint64_t> gather_micros{0};        // leaders' waits in GatherSyncGroup
    std::atomic<uint64_t> sync_micros{0};          // time in log syncs
    std::atomic<uint64_t> syncs_during_insert{0};  // syncs on LogSyncThread (see LeadGroup)
    std::atomic<uint64_t> user_bytes{0};           // encoded batch bytes handed to Write
    std::atomic<uint64_t> wal_bytes{0};            // bytes appended to logs
    std::atomic<uint64_t> recovered_records{0};
    std::atomic<uint64_t> recovery_dropped_bytes{0};
    std::atomic<uint64_t> memtable_switches{0};
    std::atomic<uint64_t> flushes{0};
    std::atomic<uint64_t> flush_bytes{0};
    std::atomic<uint64_t> flush_micros{0};
    std::atomic<uint64_t> stalls{0};  // writers that waited for a flush
    std::atomic<uint64_t> stall_micros{0};
    std::atomic<uint64_t> slowdowns{0};  // writes delayed for too many L0 files
    std::atomic<uint64_t> slowdown_micros{0};
    std::atomic<uint64_t> stops{0};  // writers that waited for L0 compaction
    std::atomic<uint64_t> stop_micros{0};
    std::atomic<uint64_t> stalls_in_progress{0};  // writers waiting now (stall or stop)
    std::atomic<uint64_t> wal_files_deleted{0};
    std::atomic<uint64_t> tables_deleted{0};
  } stats_;
};

}  // namespace strata
