// Opening a database: locking, recovering the MANIFEST, replaying the write-ahead logs it
// does not cover under the chosen recovery mode, and flushing what they held to tables (see
// the recovery invariants in db_impl.h).
#include <algorithm>
#include <cinttypes>
#include <utility>
#include <vector>

#include "db/db_impl.h"
#include "db/log_slots.h"
#include "db/options_file.h"
#include "db/replay_result.h"
#include "db/wal_retention.h"
#include "db/write_batch_internal.h"
#include "memtable/memtable.h"
#include "util/logger.h"
#include "version/filename.h"
#include "version/table_cache.h"
#include "version/version_set.h"
#include "wal/log_reader.h"
#include "wal/log_writer.h"

namespace strata {

namespace {

// Collects the reader's reports for the replay loop to judge after each record.
class CollectingReporter final : public LogReader::Reporter {
 public:
  void Corruption(const LogCorruption& c) override { pending.push_back(c); }
  std::vector<LogCorruption> pending;
};

}  // namespace

Status DB::Open(const Options& options, const std::string& path, std::unique_ptr<DB>* db) {
  db->reset();
  Status s = options.Validate();
  if (!s.ok()) return s;
  auto impl = std::make_unique<DBImpl>(options, path);
  s = impl->Open();
  if (s.ok()) *db = std::move(impl);
  return s;
}

Status DBImpl::LockAndCheckExistence(bool* exists) {
  if (options_.create_if_missing) {
    Status s = fs_->CreateDir(dbname_);
    if (!s.ok()) return s;
  } else if (!fs_->FileExists(dbname_)) {
    return Status::InvalidArgument(dbname_, "does not exist (create_if_missing is false)");
  }
  Status s = fs_->LockFile(LockFileName(dbname_), &db_lock_);
  if (!s.ok()) return s;

  std::vector<std::string> names;
  s = fs_->GetChildren(dbname_, &names);
  if (!s.ok()) return s;
  *exists = fs_->FileExists(CurrentFileName(dbname_));
  if (!*exists) {
    // A database always gets its CURRENT before its first log or table: without it, a log
    // or table means damage, not a new database. A MANIFEST alone is what a creation
    // interrupted before CURRENT leaves (by an error or a power cut); it holds no data, and
    // creating the database again overwrites it.
    for (const std::string& n : names) {
      uint64_t number;
      FileType type;
      if (ParseFileName(n, &number, &type) &&
          (type == FileType::kLog || type == FileType::kTable)) {
        return Status::Corruption(dbname_,
                                  "has database files but no CURRENT file (damaged, or an "
                                  "interrupted checkpoint: a complete one has CURRENT)");
      }
    }
  }
  if (*exists && options_.error_if_exists) {
    return Status::InvalidArgument(dbname_, "exists (error_if_exists is true)");
  }
  if (!*exists && !options_.create_if_missing) {
    return Status::InvalidArgument(dbname_, "is not a database (create_if_missing is false)");
  }
  return Status::OK();
}

Status DBImpl::Open() {
  bool exists = false;
  Status s = LockAndCheckExistence(&exists);
  if (!s.ok()) return s;

  OpenInfoLog();
  info_log_->Log("opening %s (%s)", dbname_.c_str(), exists ? "existing" : "new");

  wal_retention_ = std::make_unique<WalRetention>(options_, fs_, dbname_, info_log_.get());
  MutexLock lock(&mu_);
  level_stats_.resize(options_.num_levels);
  compact_pointers_.resize(options_.num_levels);
  versions_ = std::make_unique<VersionSet>(dbname_, options_, &icmp_, info_log_.get(), &mu_);
  if (!exists) {
    s = versions_->CreateNew();
    if (!s.ok()) return s;
  }
  s = versions_->Recover();
  if (!s.ok()) return s;

  // Every table the MANIFEST names must be there; logs it does not cover are replayed.
  std::vector<uint64_t> logs;
  s = ListTablesAndLogs(&logs);
  if (!s.ok()) return s;
  table_cache_->SetLiveTableBytes(versions_->current()->TotalBytes());
  if (options_.paranoid_checks) {
    // Open every table now (footer, index, filter and properties, each checksummed), so that
    // a damaged table fails Open instead of the first read that meets it.
    const auto& current = versions_->current();
    for (int level = 0; level < current->num_levels(); level++) {
      for (const auto& f : current->files(level)) {
        TableProperties properties;
        s = table_cache_->GetProperties(f->number, f->file_size, &properties);
        if (!s.ok()) return s;
      }
    }
  }
  const bool named_log_gone =
      versions_->log_number() > 0 && (logs.empty() || logs.front() != versions_->log_number());
  if (named_log_gone && versions_->manifest_had_torn_tail()) {
    // A crash inside LogAndApply leaves a torn last edit, but the log named by the previous
    // edit exists for good (its directory entry was synced when it was created), and that
    // log is deleted only after the next edit is synced. So with it gone, the "torn" record was a
    // complete edit, damaged since.
    return Status::Corruption(ManifestFileName(dbname_, versions_->manifest_file_number()),
                              "ends in a damaged record, and the log " +
                                  LogFileName(dbname_, versions_->log_number()) +
                                  " that an interrupted write would have kept is gone");
  }
  if (named_log_gone && !logs.empty()) {
    // The log the MANIFEST names is deleted only after a later edit names a newer one, and
    // its directory entry was synced when it was created (so power loss cannot take it).
    // With it gone and newer logs present, the MANIFEST lost edits from its end: cut short
    // between records. Replaying would silently drop what those edits added.
    return Status::Corruption(ManifestFileName(dbname_, versions_->manifest_file_number()),
                              "names the log " + LogFileName(dbname_, versions_->log_number()) +
                                  ", which is gone while newer logs remain: edits are missing "
                                  "from its end");
  }

  ReplayResult replay;
  replay.edit = std::make_unique<VersionEdit>();
  s = ReplayLogs(logs, &replay);
  if (!s.ok()) return s;
  if (mem_->num_entries() > 0) {
    s = WriteLevel0Table(*mem_, replay.edit.get());
    if (!s.ok()) return s;
    mem_ = NewMemTable();
  }
  const SequenceNumber last = std::max(versions_->last_sequence(), replay.max_sequence);
  last_sequence_.store(last, std::memory_order_release);
  // Recovered data is in synced tables (or was already).
  durable_sequence_.store(last, std::memory_order_release);
  stats_.recovered_records.store(replay.records, std::memory_order_relaxed);

  // One edit makes the recovered tables and the new log live; only after it is synced are
  // the replayed logs obsolete.
  const uint64_t new_log = versions_->NewFileNumber();
  // Numbered before the edit, so the MANIFEST's next file number covers it.
  const uint64_t options_number = versions_->NewFileNumber();
  s = StartNewLog(new_log);
  if (!s.ok()) return s;
  replay.edit->SetLogNumber(new_log);
  replay.edit->SetLastSequence(last);
  s = versions_->LogAndApply(replay.edit.get(), &mu_);
  for (const auto& [level, f] : replay.edit->new_files()) pending_outputs_.erase(f.number);
  if (!s.ok()) return s;
  if (replay.stop) {
    // The logs from where the history ended hold records past it, whose sequence numbers
    // new writes will take again: no change feed may read them as history, so retention
    // must not keep them.
    for (uint64_t number : logs) {
      if (number < replay.stop_log) continue;
      Status del = fs_->RemoveFile(LogFileName(dbname_, number));
      info_log_->Log("log %06" PRIu64 " (past the end of the recovered history) %s", number,
                     del.ok() ? "deleted" : ("not deleted: " + del.ToString()).c_str());
    }
  }
  // After the edit: the file records a database that exists. Before deleting obsolete files,
  // which keep the two newest OPTIONS files.
  s = WriteOptionsFile(fs_, dbname_, options_number, options_);
  if (!s.ok()) return s;
  InstallReadState();
  DeleteObsoleteFiles();
  bg_thread_ = std::thread([this] { BackgroundThread(); });
  const int compaction_threads = std::max(1, options_.max_background_jobs - 1);
  for (int i = 0; i < compaction_threads; i++) {
    compaction_threads_.emplace_back([this] { CompactionThread(); });
  }

  info_log_->Log("opened: %" PRIu64 " records replayed from %" PRIu64
                 " logs, last sequence %" PRIu64 ", %s, writing log %06" PRIu64,
                 replay.records, replay.logs, last,
                 replay.dropped_data             ? "DAMAGED DATA DROPPED"
                 : !replay.unsynced_hole.empty() ? "unsynced writes lost in a power loss dropped"
                                                 : "nothing dropped",
                 log_number_);
  return Status::OK();
}

void DBImpl::OpenInfoLog() {
  if (options_.info_log != nullptr) {
    info_log_ = options_.info_log;
    return;
  }
  // The previous LOG becomes LOG.old.<N+1>, after the newest kept one, so the history of
  // opens survives (a LOG truncated at each open loses the story of the crash before it).
  std::vector<std::string> names;
  fs_->GetChildren(dbname_, &names).PermitUncheckedError();  // nothing found: nothing to keep
  std::vector<std::pair<uint64_t, std::string>> old;
  bool have_log = false;
  for (const std::string& name : names) {
    uint64_t number;
    FileType type;
    if (!ParseFileName(name, &number, &type)) continue;
    if (type == FileType::kInfoLog) have_log = true;
    if (type == FileType::kOldInfoLog) old.emplace_back(number, name);
  }
  std::sort(old.begin(), old.end());
  const size_t keep = static_cast<size_t>(options_.keep_log_file_num);
  if (have_log && keep > 0) {
    const uint64_t next = old.empty() ? 1 : old.back().first + 1;
    const std::string target = OldInfoLogFileName(dbname_, next);
    if (fs_->RenameFile(InfoLogFileName(dbname_), target).ok()) {
      old.emplace_back(next, target.substr(dbname_.size() + 1));
    }
  }
  for (size_t i = 0; i + keep < old.size(); i++) {
    fs_->RemoveFile(dbname_ + "/" + old[i].second).PermitUncheckedError();  // best-effort
  }
  std::unique_ptr<WritableFile> log_file;
  if (fs_->NewWritableFile(InfoLogFileName(dbname_), &log_file).ok()) {
    info_log_ = std::make_shared<FileLogger>(std::move(log_file));
  }
}

Status DBImpl::ListTablesAndLogs(std::vector<uint64_t>* logs) {
  std::vector<std::string> names;
  Status s = fs_->GetChildren(dbname_, &names);
  if (!s.ok()) return s;
  std::set<uint64_t> missing;
  versions_->AddLiveFiles(&missing);
  for (const auto& name : names) {
    uint64_t number;
    FileType type;
    if (!ParseFileName(name, &number, &type)) continue;
    versions_->MarkFileNumberUsed(number);
    if (type == FileType::kTable) missing.erase(number);
    if (type == FileType::kLog && number >= versions_->log_number()) logs->push_back(number);
  }
  if (!missing.empty()) {
    return Status::Corruption(
        "missing table file " + TableFileName(dbname_, *missing.begin()),
        "named by the MANIFEST (" + std::to_string(missing.size()) + " missing)");
  }
  std::sort(logs->begin(), logs->end());
  return Status::OK();
}

Status DBImpl::ReplayLogs(const std::vector<uint64_t>& logs, ReplayResult* result) {
  for (size_t i = 0; i < logs.size(); i++) {
    if (result->stop) {
      info_log_->Log("recovery: ignoring log %06" PRIu64 " after the end of the history", logs[i]);
      continue;
    }
    Status s = ReplayOneLog(logs[i], result);
    if (!s.ok()) return s;
    result->logs++;
    if (result->unsynced_hole.empty()) continue;
    // The hole passes as a power loss only if no sync marker from here on says the logs
    // before it were whole on disk (every log's first sync writes one).
    for (size_t j = i; j < logs.size(); j++) {
      bool marker = false;
      Status st = LogHoldsSyncMarker(logs[j], &marker);
      if (!st.ok()) return st;
      if (marker) {
        return Status::Corruption(result->unsynced_hole,
                                  "records before it are missing, yet the sync marker in " +
                                      LogFileName(dbname_, logs[j]) +
                                      " shows the older logs were whole on disk");
      }
      uint64_t size = 0;
      if (fs_->GetFileSize(LogFileName(dbname_, logs[j]), &size).ok()) {
        stats_.recovery_dropped_bytes.fetch_add(size, std::memory_order_relaxed);
      }
    }
  }
  return Status::OK();
}

Status DBImpl::LogHoldsSyncMarker(uint64_t number, bool* found) {
  *found = false;
  std::unique_ptr<SequentialFile> file;
  Status s = fs_->NewSequentialFile(LogFileName(dbname_, number), &file);
  if (!s.ok()) return s;
  LogReader reader(std::move(file), nullptr);
  std::string scratch;
  std::string_view record;
  WriteBatch batch;
  while (reader.ReadRecord(&record, &scratch)) {
    if (WriteBatchInternal::SetContents(&batch, record).ok() &&
        WriteBatchInternal::IsSyncMarker(batch)) {
      *found = true;
      break;
    }
  }
  return Status::OK();
}

Status DBImpl::ReplayOneLog(uint64_t number, ReplayResult* result) {
  const std::string fname = LogFileName(dbname_, number);
  std::unique_ptr<SequentialFile> file;
  Status s = fs_->NewSequentialFile(fname, &file);
  if (!s.ok()) return s;
  CollectingReporter reporter;
  LogReader reader(std::move(file), &reporter);
  const WalRecoveryMode mode = options_.wal_recovery_mode;

  // Applies the recovery mode to damage found so far. Returns non-OK to fail Open; sets
  // result->stop when point-in-time recovery must ignore the rest of the log history.
  auto judge = [&]() -> Status {
    for (const LogCorruption& c : reporter.pending) {
      info_log_->Log(
          "log %06" PRIu64 " damaged at offset %" PRIu64 ": %s, %" PRIu64 " bytes dropped (%s)",
          number, c.offset, LogCorruptionKindName(c.kind), c.bytes_dropped, c.reason.c_str());
      stats_.recovery_dropped_bytes.fetch_add(c.bytes_dropped, std::memory_order_relaxed);
      const bool torn_tail = c.kind == LogCorruption::Kind::kTruncatedTail;
      std::string where = fname + " at offset " + std::to_string(c.offset) + ": " +
                          LogCorruptionKindName(c.kind) + " (" + c.reason + ")";
      if (c.kind == LogCorruption::Kind::kIOError) return Status::IOError(where);
      switch (mode) {
        case WalRecoveryMode::kAbsoluteConsistency:
          return Status::Corruption(where);
        case WalRecoveryMode::kTolerateCorruptedTailRecords:
          if (!torn_tail) return Status::Corruption(where);
          break;
        case WalRecoveryMode::kPointInTimeRecovery:
          if (!torn_tail) {
            result->dropped_data = true;
            result->stop = true;
            result->stop_log = number;
          }
          break;
        case WalRecoveryMode::kSkipAnyCorruptedRecords:
          if (!torn_tail) result->dropped_data = true;
          break;
      }
    }
    reporter.pending.clear();
    return Status::OK();
  };

  std::string scratch;
  std::string_view record;
  WriteBatch batch;
  uint64_t records_here = 0;   // records of this log replayed
  bool synced_before = false;  // a sync marker was read: the older logs were whole on disk
  while (true) {
    bool more = reader.ReadRecord(&record, &scratch);
    // Damage reported before this record (by the reader, or by the previous iteration for a
    // malformed batch) precedes it in the log: judge it first, so that point-in-time
    // recovery never applies a record that follows damage.
    s = judge();
    if (!s.ok()) return s;
    if (result->stop || !more) break;

    Status bad = WriteBatchInternal::SetContents(&batch, record);
    if (bad.ok()) bad = WriteBatchInternal::Validate(batch);
    if (bad.ok()) {
      SequenceNumber first = WriteBatchInternal::Sequence(batch);
      // An empty batch at sequence S > 0 is a sequence marker: an ingestion took S without
      // writing a batch (docs/FORMATS.md). It is replayed as a batch of one entry, so the
      // sequence numbers stay without a hole. At sequence 0 it is a sync marker.
      if (WriteBatchInternal::IsSyncMarker(batch)) {
        synced_before = true;
        continue;
      }
      if (first <= result->max_sequence) {
        bad = Status::Corruption("batch overlaps sequence numbers already replayed");
      }
    }
    if (!bad.ok()) {
      reporter.pending.push_back({reader.LastRecordOffset(), record.size(),
                                  LogCorruption::Kind::kBadPayload,
                                  "intact record holds an invalid batch: " + bad.ToString()});
      continue;
    }
    // Sequence numbers run on without a hole through the log history (the first replayed
    // record is at most one past the MANIFEST's last sequence), so a hole means records went
    // missing without a report: a log cut short between records, or a torn tail in a log
    // that a later log follows.
    const SequenceNumber due =
        result->records > 0 ? result->max_sequence + 1 : versions_->last_sequence() + 1;
    if (WriteBatchInternal::Sequence(batch) > due) {
      const std::string where = fname + " at offset " + std::to_string(reader.LastRecordOffset()) +
                                ": sequence " +
                                std::to_string(WriteBatchInternal::Sequence(batch)) + " where " +
                                std::to_string(due) + " was due: records before it are missing";
      info_log_->Log("%s", where.c_str());
      if (mode == WalRecoveryMode::kTolerateCorruptedTailRecords && records_here == 0 &&
          result->logs > 0 && !synced_before) {
        // At the start of a log, with no sync marker before it: what a power loss leaves when
        // the older log was parked unsynced at the switch (UnsyncedLogs) and lost its tail
        // while pages of this one survived. Nothing from here on was ever synced (a sync
        // syncs every older log first, then logs a marker), so, like a torn tail, it is
        // dropped -- unless a later marker proves the hole damage (ReplayLogs checks).
        info_log_->Log("log %06" PRIu64
                       ": the history ends at this hole (unsynced writes lost "
                       "in a power loss); this log and the later ones are dropped",
                       number);
        result->unsynced_hole = where;
        result->stop = true;
        result->stop_log = number;
        break;
      }
      if (mode != WalRecoveryMode::kSkipAnyCorruptedRecords &&
          mode != WalRecoveryMode::kPointInTimeRecovery) {
        return Status::Corruption(where);
      }
      result->dropped_data = true;
      if (mode == WalRecoveryMode::kPointInTimeRecovery) {
        result->stop = true;
        result->stop_log = number;
        break;
      }
    }
    s = WriteBatchInternal::InsertInto(batch, mem_.get());
    if (!s.ok()) return s;
    records_here++;
    if (!read_only_ && mem_->ApproximateMemoryUsage() >= options_.write_buffer_size) {
      // Keep recovery's memory as bounded as the write path's (a read-only open writes
      // nothing, so it keeps the logs in memory).
      s = WriteLevel0Table(*mem_, result->edit.get());
      if (!s.ok()) return s;
      mem_ = NewMemTable();
    }
    result->max_sequence = WriteBatchInternal::LastSequence(batch);
    result->records++;
  }
  return Status::OK();
}

Status DBImpl::StartNewLog(uint64_t number) {
  std::unique_ptr<WritableFile> file;
  Status s = CreateLogFile(LogFileName(dbname_, number), &file);
  // The MANIFEST is about to name this log; its entry must survive power loss even if it is
  // never synced (no sync=true write), or a later log could outlive it.
  if (s.ok()) s = fs_->SyncDir(dbname_);
  if (!s.ok()) return s;
  log_ = std::make_unique<LogWriter>(std::move(file));
  log_marked_ = false;
  log_number_ = number;
  return Status::OK();
}

Status DBImpl::CreateLogFile(const std::string& fname, std::unique_ptr<WritableFile>* file) {
  if (options_.wal_recovery_mode == WalRecoveryMode::kAbsoluteConsistency) {
    return fs_->NewWritableFile(fname, file);
  }
  return fs_->NewLogFile(fname, file);
}

Status DestroyDB(const std::string& path, const Options& options) {
  std::shared_ptr<FileSystem> fs =
      options.file_system ? options.file_system : FileSystem::Default();
  std::vector<std::string> names;
  if (!fs->GetChildren(path, &names).ok()) return Status::OK();  // nothing to destroy
  std::unique_ptr<FileLock> lock;
  Status s = fs->LockFile(LockFileName(path), &lock);
  if (!s.ok()) return s;
  for (const auto& name : names) {
    uint64_t number;
    FileType type;
    if (ParseFileName(name, &number, &type) && type != FileType::kLock) {
      Status del = fs->RemoveFile(path + "/" + name);
      if (s.ok() && !del.ok()) s = del;
    }
  }
  Status slots = RemoveLogSlots(fs.get(), path);
  if (s.ok() && !slots.ok()) s = slots;
  lock.reset();
  fs->RemoveFile(LockFileName(path)).PermitUncheckedError();
  fs->RemoveDir(path).PermitUncheckedError();  // fails if the user kept other files there
  return s;
}

}  // namespace strata
