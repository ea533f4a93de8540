// DB::CreateCheckpoint: an openable copy of the live database in another directory, as of
// one sequence number.
//
// How it stays consistent without stopping anything: under mu_ (for no longer than it takes
// to copy a pointer and a few numbers) it takes the current version, the version set's log
// number and counters, and the last acknowledged sequence S. The version is held by
// shared_ptr, so none of its tables is deleted (DeleteObsoleteFiles spares every live
// version's files), and a log pin keeps every log from the version's log number on. The
// version's tables hold only writes at or below S (a memtable is flushed only once its
// writes are acknowledged), and the logs from its log number on hold the rest of them, so
// the tables plus the log records up to S are exactly the state at S. Tables are linked;
// logs are rewritten record by record up to S (the active log grows meanwhile); then the
// MANIFEST, a directory sync, and CURRENT last: until CURRENT exists the directory holds
// tables or logs without it, which Open refuses as "not a database" (Corruption).
#include <algorithm>
#include <cinttypes>
#include <memory>
#include <vector>

#include "db/db_impl.h"
#include "db/write_batch_internal.h"
#include "version/filename.h"
#include "version/manifest_writer.h"
#include "wal/log_reader.h"
#include "wal/log_writer.h"

namespace strata {

namespace {

// Removes what a failed checkpoint made, so that a retry can use the same directory.
void RemoveCheckpointDir(FileSystem* fs, const std::string& dir) {
  std::vector<std::string> names;
  if (fs->GetChildren(dir, &names).ok()) {
    for (const auto& name : names) fs->RemoveFile(dir + "/" + name).PermitUncheckedError();
  }
  fs->RemoveDir(dir).PermitUncheckedError();
}

}  // namespace

Status DBImpl::CopyLogsUpTo(const std::string& dir, uint64_t from, uint64_t to,
                            SequenceNumber covered, SequenceNumber seq) {
  std::vector<std::string> names;
  Status s = fs_->GetChildren(dbname_, &names);
  if (!s.ok()) return s;
  std::vector<uint64_t> logs;
  for (const auto& name : names) {
    uint64_t number;
    FileType type;
    if (ParseFileName(name, &number, &type) && type == FileType::kLog && number >= from &&
        number <= to) {
      logs.push_back(number);
    }
  }
  std::sort(logs.begin(), logs.end());
  bool done = false;  // a record past seq was seen: later logs hold none at or below it
  for (uint64_t number : logs) {
    std::unique_ptr<WritableFile> out_file;
    s = fs_->NewWritableFile(LogFileName(dir, number), &out_file);
    if (!s.ok()) return s;
    LogWriter out(std::move(out_file));
    if (!done) {
      std::unique_ptr<SequentialFile> in;
      s = fs_->NewSequentialFile(LogFileName(dbname_, number), &in);
      if (!s.ok()) return s;
      // The active log may end in a record being written: that one is past seq, and every
      // record at or below it was complete before seq was published. So the copy stops at
      // the first record past seq; damage is found by the sequence numbers running on
      // without a hole up to seq.
      LogReader reader(std::move(in), nullptr);
      std::string scratch;
      std::string_view record;
      WriteBatch batch;
      while (s.ok() && reader.ReadRecord(&record, &scratch)) {
        if (!WriteBatchInternal::SetContents(&batch, record).ok()) break;
        const SequenceNumber first = WriteBatchInternal::Sequence(batch);
        if (first > seq) {
          done = true;
          break;
        }
        if (first > covered + 1) {
          // Records were skipped as damaged: the copy would miss acknowledged writes.
          return Status::Corruption(LogFileName(dbname_, number),
                                    "records are missing before sequence " + std::to_string(first) +
                                        " (damage in the log)");
        }
        covered = std::max(covered, WriteBatchInternal::LastSequence(batch));
        s = out.AddRecord(record);
      }
    }
    // An empty log still goes in: recovery expects the log the MANIFEST names.
    if (s.ok()) s = out.Sync();
    Status close = out.Close();
    if (s.ok()) s = close;
    if (!s.ok()) return s;
  }
  if (covered < seq) {
    return Status::Corruption(dbname_, "the logs end (or are damaged) before sequence " +
                                           std::to_string(seq) + ", which was acknowledged");
  }
  return Status::OK();
}

Status DBImpl::CreateCheckpoint(const std::string& dir, uint64_t* sequence) {
  if (read_only_) return Status::NotSupported("checkpoint of a database open read-only");
  if (dir.empty() || dir == dbname_)
    return Status::InvalidArgument("bad checkpoint directory", dir);
  if (fs_->FileExists(dir)) return Status::InvalidArgument(dir, "exists");

  std::shared_ptr<const Version> version;
  VersionEdit edit;
  uint64_t min_log = 0, max_log = 0, manifest_number = 0;
  SequenceNumber seq = 0, covered = 0;
  {
    MutexLock lock(&mu_);
    version = versions_->current();
    min_log = versions_->log_number();
    max_log = log_number_;
    seq = last_sequence_.load(std::memory_order_acquire);
    manifest_number = versions_->NewFileNumber();
    edit.SetComparatorName(icmp_.user_comparator()->Name());
    edit.SetLogNumber(min_log);
    edit.SetNextFileNumber(manifest_number + 1);
    // Recovery expects the logs to run on from at most one past the MANIFEST's sequence.
    covered = versions_->last_sequence();
    edit.SetLastSequence(covered);
    log_pins_.insert(min_log);
  }
  AddVersionFiles(*version, &edit);

  Status s = fs_->CreateDir(dir);
  bool any_copied = false;
  for (const auto& [level, f] : edit.new_files()) {
    if (!s.ok()) break;
    bool copied = false;
    s = LinkOrCopyFile(fs_, TableFileName(dbname_, f.number), TableFileName(dir, f.number),
                       &copied);
    any_copied |= copied;
  }
  if (s.ok()) s = CopyLogsUpTo(dir, min_log, max_log, covered, seq);
  {
    MutexLock lock(&mu_);
    log_pins_.erase(log_pins_.find(min_log));
  }
  version.reset();
  if (s.ok()) s = WriteManifestFile(fs_, ManifestFileName(dir, manifest_number), edit);
  // Links are durable only with their directory; everything else was synced as written.
  if (s.ok()) s = fs_->SyncDir(dir);
  if (s.ok()) s = SetCurrentFile(fs_, dir, manifest_number);
  if (!s.ok()) {
    info_log_->Log("checkpoint to %s failed: %s", dir.c_str(), s.ToString().c_str());
    RemoveCheckpointDir(fs_, dir);
    return s;
  }
  info_log_->Log("checkpoint to %s at sequence %" PRIu64 ": %zu tables %s, logs %06" PRIu64
                 "..%06" PRIu64,
                 dir.c_str(), seq, edit.new_files().size(), any_copied ? "copied" : "linked",
                 min_log, max_log);
  if (sequence != nullptr) *sequence = seq;
  return Status::OK();
}

}  // namespace strata
