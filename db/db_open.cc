// Opening a database: locking, replaying the write-ahead logs under the chosen recovery
// mode, and making the recovered state durable in a log of its own (see db_impl.h).
#include <algorithm>
#include <cinttypes>
#include <vector>

#include "db/db_impl.h"
#include "db/filename.h"
#include "db/write_batch_internal.h"
#include "memtable/memtable.h"
#include "wal/log_reader.h"
#include "wal/log_writer.h"

namespace strata {

struct DBImpl::ReplayResult {
  SequenceNumber max_sequence = 0;
  uint64_t max_log_number = 0;
  bool dropped_data = false;  // something other than a torn tail was left out
  bool stop = false;          // point-in-time recovery reached damage: ignore later logs
  uint64_t records = 0;
};

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
  *exists = std::any_of(names.begin(), names.end(), [](const std::string& n) {
    uint64_t number;
    FileType type;
    return ParseFileName(n, &number, &type) && type == FileType::kLog;
  });
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

  std::unique_ptr<WritableFile> log_file;
  if (fs_->NewWritableFile(InfoLogFileName(dbname_), &log_file).ok()) {
    info_log_ = std::make_unique<Logger>(std::move(log_file));
  }
  info_log_->Log("opening %s (%s)", dbname_.c_str(), exists ? "existing" : "new");

  std::vector<std::string> names;
  s = fs_->GetChildren(dbname_, &names);
  if (!s.ok()) return s;
  std::vector<uint64_t> logs;
  for (const auto& name : names) {
    uint64_t number;
    FileType type;
    if (!ParseFileName(name, &number, &type)) continue;
    if (type == FileType::kLog) logs.push_back(number);
    // A temp file is an unfinished rewrite from an interrupted Open; its log is still there.
    if (type == FileType::kTemp) {
      fs_->RemoveFile(dbname_ + "/" + name).PermitUncheckedError();
    }
  }
  std::sort(logs.begin(), logs.end());

  ReplayResult replay;
  s = ReplayLogs(logs, &replay);
  if (!s.ok()) return s;
  last_sequence_.store(replay.max_sequence, std::memory_order_release);
  stats_.recovered_records.store(replay.records, std::memory_order_relaxed);

  // Move the recovered entries into one fresh, synced log, then drop the logs they came
  // from: the next Open then sees neither the damage we skipped nor unsynced tails.
  uint64_t next_number = replay.max_log_number + 1;
  if (!logs.empty()) {
    if (mem_->num_entries() > 0) {
      s = RewriteRecoveredLog(next_number);
      if (!s.ok()) return s;
      next_number++;
    }
    // Newest first: if this is interrupted, what remains is a prefix of the old logs, and
    // replaying that prefix and then the rewritten log yields the same state again.
    for (auto it = logs.rbegin(); it != logs.rend(); ++it) {
      s = fs_->RemoveFile(LogFileName(dbname_, *it));
      if (!s.ok()) return s;
    }
  }
  s = StartNewLog(next_number);
  if (!s.ok()) return s;
  info_log_->Log("opened: %" PRIu64 " records replayed from %zu logs, last sequence %" PRIu64
                 ", %s, writing log %06" PRIu64,
                 replay.records, logs.size(), replay.max_sequence,
                 replay.dropped_data ? "DAMAGED DATA DROPPED" : "nothing dropped", log_number_);
  return Status::OK();
}

Status DBImpl::ReplayLogs(const std::vector<uint64_t>& logs, ReplayResult* result) {
  for (uint64_t number : logs) {
    result->max_log_number = std::max(result->max_log_number, number);
    if (result->stop) {
      info_log_->Log("point-in-time recovery: ignoring log %06" PRIu64 " after damage", number);
      continue;
    }
    Status s = ReplayOneLog(number, result);
    if (!s.ok()) return s;
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
      SequenceNumber last = first + WriteBatchInternal::Count(batch) - 1;
      if (WriteBatchInternal::Count(batch) == 0 || last <= result->max_sequence) {
        // Already applied: a rewritten log replayed beside the logs it came from (an Open
        // interrupted between the rewrite and the removal of the old logs).
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
    s = WriteBatchInternal::InsertInto(batch, mem_.get());
    if (!s.ok()) return s;
    result->max_sequence =
        WriteBatchInternal::Sequence(batch) + WriteBatchInternal::Count(batch) - 1;
    result->records++;
  }
  return Status::OK();
}

Status DBImpl::RewriteRecoveredLog(uint64_t number) {
  const std::string tmp = TempFileName(dbname_, number);
  std::unique_ptr<WritableFile> file;
  Status s = fs_->NewWritableFile(tmp, &file);
  if (!s.ok()) return s;
  LogWriter writer(std::move(file));
  // Entries go out in sequence order, one per record, each keeping its own sequence number,
  // so that replaying this log after any prefix of the logs it came from (see the removal
  // order in Open) applies exactly the entries that prefix lacks.
  struct Entry {
    ParsedInternalKey key;
    std::string_view value;
  };
  std::vector<Entry> entries;
  entries.reserve(mem_->num_entries());
  MemTable::Iterator it(mem_.get());
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    Entry e;
    if (!ParseInternalKey(it.key(), &e.key)) return Status::Corruption("bad key in memtable");
    e.value = it.value();
    entries.push_back(e);
  }
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.key.sequence < b.key.sequence; });
  WriteBatch batch;
  for (const Entry& e : entries) {
    batch.Clear();
    if (e.key.type == ValueType::kValue) {
      batch.Put(e.key.user_key, e.value);
    } else {
      batch.Delete(e.key.user_key);
    }
    WriteBatchInternal::SetSequence(&batch, e.key.sequence);
    s = writer.AddRecord(WriteBatchInternal::Contents(batch));
    if (!s.ok()) break;
  }
  if (s.ok()) s = writer.Sync();
  Status close = writer.Close();
  if (s.ok()) s = close;
  if (s.ok()) s = fs_->RenameFile(tmp, LogFileName(dbname_, number));
  if (!s.ok()) {
    fs_->RemoveFile(tmp).PermitUncheckedError();
    return s;
  }
  info_log_->Log("recovered entries rewritten to log %06" PRIu64, number);
  return Status::OK();
}

Status DBImpl::StartNewLog(uint64_t number) {
  std::unique_ptr<WritableFile> file;
  Status s = fs_->NewWritableFile(LogFileName(dbname_, number), &file);
  if (!s.ok()) return s;
  log_ = std::make_unique<LogWriter>(std::move(file));
  log_number_ = number;
  return Status::OK();
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
  lock.reset();
  fs->RemoveFile(LockFileName(path)).PermitUncheckedError();
  fs->RemoveDir(path).PermitUncheckedError();  // fails if the user kept other files there
  return s;
}

}  // namespace strata
