// DB::OpenForReadOnly: a database opened for reads alone (see the contract in strata/db.h).
//
// Nothing here writes: no directory is created, no LOCK taken, no LOG written, and the logs
// are replayed into the memtable only (ReplayOneLog does not flush when read_only_). No
// background thread runs; every write path returns NotSupported (WriteImpl).
//
// A writer in another process may change the database while this reads it: between
// reading the MANIFEST and the logs it names, a flush can delete a log, and the replay then
// finds a hole in the sequence numbers (Corruption), or a file is simply gone. Those
// states are moments, not damage, so the open is retried a few times before the error is
// returned.
#include <algorithm>

#include "db/db_impl.h"
#include "db/replay_result.h"
#include "memtable/memtable.h"
#include "version/filename.h"
#include "version/version_set.h"

namespace strata {

Status DB::OpenForReadOnly(const Options& options, const std::string& path,
                           std::unique_ptr<DB>* db) {
  db->reset();
  Status s = options.Validate();
  if (!s.ok()) return s;
  auto impl = std::make_unique<DBImpl>(options, path, /*read_only=*/true);
  s = impl->OpenReadOnly();
  if (s.ok()) *db = std::move(impl);
  return s;
}

Status DBImpl::OpenReadOnly() {
  if (!fs_->FileExists(CurrentFileName(dbname_))) {
    return Status::InvalidArgument(dbname_, "is not a database (no CURRENT file)");
  }
  MutexLock lock(&mu_);
  level_stats_.resize(options_.num_levels);
  compact_pointers_.resize(options_.num_levels);
  constexpr int kAttempts = 4;
  Status s;
  for (int attempt = 0; attempt < kAttempts; attempt++) {
    s = OpenReadOnlyOnce();
    if (s.ok() || s.IsInvalidArgument()) break;
  }
  return s;
}

Status DBImpl::OpenReadOnlyOnce() {
  mem_ = NewMemTable();
  versions_ = std::make_unique<VersionSet>(dbname_, options_, &icmp_, info_log_.get(), &mu_);
  Status s = versions_->Recover();
  if (!s.ok()) return s;

  std::vector<uint64_t> logs;
  s = ListTablesAndLogs(&logs);
  if (!s.ok()) return s;
  ReplayResult replay;
  replay.edit = std::make_unique<VersionEdit>();
  s = ReplayLogs(logs, &replay);
  if (!s.ok()) return s;
  last_sequence_.store(std::max(versions_->last_sequence(), replay.max_sequence),
                       std::memory_order_release);
  stats_.recovered_records.store(replay.records, std::memory_order_relaxed);
  InstallReadState();
  return Status::OK();
}

}  // namespace strata
