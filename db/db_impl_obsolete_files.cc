// Deletion of files no database state needs any more: logs below the MANIFEST's log number
// (unless WalRetention keeps them for change feeds), tables no live version lists and no job
// is writing, MANIFESTs older than the live one, OPTIONS files but the two newest. See the
// invariants of flush and file deletion in db_impl.h.
#include <algorithm>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "db/db_impl.h"
#include "db/wal_retention.h"
#include "version/filename.h"
#include "version/table_cache.h"

namespace strata {

void DBImpl::DeleteObsoleteFiles() {
  // Two passes at once would list the same doomed files, and the second one's removals fail
  // (at 100 M keys, about 28 "could not delete" lines in the LOG of each fill).
  while (deleting_files_) deleting_files_cv_.Wait();
  // The state on disk is unknown after a background error, and after a failed MANIFEST write
  // that no error recorded (a compaction's, stopped by the close): the MANIFEST may list
  // files that are not live here.
  if (!bg_error_.ok() || !versions_->manifest_open()) return;
  std::set<uint64_t> live = pending_outputs_;
  versions_->AddLiveFiles(&live);
  const uint64_t min_log = versions_->log_number();
  const uint64_t manifest = versions_->manifest_file_number();

  std::vector<std::string> names;
  fs_->GetChildren(dbname_, &names).PermitUncheckedError();  // retried after the next flush
  // The two newest OPTIONS files stay: the live one and the one before it.
  std::vector<uint64_t> options_files;
  for (const std::string& name : names) {
    uint64_t number;
    FileType type;
    if (ParseFileName(name, &number, &type) && type == FileType::kOptions) {
      options_files.push_back(number);
    }
  }
  std::sort(options_files.begin(), options_files.end(), std::greater<>());
  const uint64_t oldest_kept_options = options_files.size() > 1 ? options_files[1] : 0;
  std::vector<std::pair<std::string, FileType>> doomed;
  std::vector<uint64_t> evict;
  std::vector<uint64_t> logs, obsolete_logs;  // all logs; those the database no longer needs
  for (const std::string& name : names) {
    uint64_t number;
    FileType type;
    if (!ParseFileName(name, &number, &type)) continue;
    bool keep = true;
    switch (type) {
      case FileType::kLog:
        // Obsolete logs go to the retention policy (below), which may keep some for feeds;
        // a log a checkpoint in progress copies is not obsolete yet.
        logs.push_back(number);
        if (number < min_log && number != log_number_ &&
            (log_pins_.empty() || number < *log_pins_.begin())) {
          obsolete_logs.push_back(number);
        }
        break;
      case FileType::kTable:
        keep = live.count(number) > 0;
        if (!keep) evict.push_back(number);
        break;
      case FileType::kManifest:
        keep = number >= manifest;  // newer ones: a failed attempt CURRENT might name
        break;
      case FileType::kTemp:
        // A new CURRENT being written names a MANIFEST newer than the live one.
        keep = number > manifest;
        break;
      case FileType::kOptions:
        keep = number >= oldest_kept_options;
        break;
      case FileType::kCurrent:
      case FileType::kLock:
      case FileType::kInfoLog:
      case FileType::kOldInfoLog:  // pruned by count when the LOG is opened
        break;
    }
    if (!keep) doomed.emplace_back(name, type);
  }

  // File removal is slow: do it without the lock. Every file here is unreachable from any
  // version, log number or pending job, so nothing can need it again.
  deleting_files_ = true;
  mu_.Unlock();
  std::sort(logs.begin(), logs.end());
  std::sort(obsolete_logs.begin(), obsolete_logs.end());
  const std::vector<uint64_t> deleted_logs = wal_retention_->Choose(obsolete_logs, logs);
  for (uint64_t number : deleted_logs) {
    doomed.emplace_back(LogFileName(dbname_, number).substr(dbname_.size() + 1), FileType::kLog);
  }
  // Obsolete logs a switch left unsynced are let go; the kept ones (what follows the deleted
  // prefix) are synced first: the flush did so when retention was on then, but a slot made
  // since may keep one too.
  if (!unsynced_logs_.empty()) {
    if (deleted_logs.size() < obsolete_logs.size()) {
      unsynced_logs_.ReleaseBelow(obsolete_logs[deleted_logs.size()]);
      Status s = unsynced_logs_.SyncThrough(obsolete_logs.back());
      if (!s.ok()) {
        info_log_->Log("kept logs could not be synced (a power loss may cut them): %s",
                       s.ToString().c_str());
      }
    }
    unsynced_logs_.ReleaseBelow(min_log);
  }
  for (uint64_t number : evict) table_cache_->Evict(number);
  for (const auto& [name, type] : doomed) {
    Status s = fs_->RemoveFile(dbname_ + "/" + name);
    if (!s.ok()) {
      info_log_->Log("could not delete %s: %s", name.c_str(), s.ToString().c_str());
      continue;
    }
    if (type == FileType::kLog) stats_.wal_files_deleted.fetch_add(1, std::memory_order_relaxed);
    if (type == FileType::kTable) stats_.tables_deleted.fetch_add(1, std::memory_order_relaxed);
    info_log_->Log("deleted %s", name.c_str());
  }
  mu_.Lock();
  deleting_files_ = false;
  deleting_files_cv_.SignalAll();
}

}  // namespace strata
