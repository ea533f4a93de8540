// Background flush of immutable memtables (see the invariants in db_impl.h).
#include <chrono>
#include <cinttypes>
#include <utility>

#include "db/build_table.h"
#include "db/db_impl.h"
#include "db/wal_retention.h"
#include "memtable/memtable.h"
#include "version/filename.h"
#include "version/table_cache.h"

namespace strata {

void DBImpl::InstallReadState() {
  auto state = std::make_shared<ReadState>();
  state->mem = mem_;
  for (auto it = imm_.rbegin(); it != imm_.rend(); ++it) state->imm.push_back(it->mem);
  state->version = versions_->current();
  table_cache_->SetLiveTableBytes(state->version->TotalBytes());
  std::shared_ptr<const ReadState> old;
  {
    MutexLock lock(&read_state_mu_);
    // Same version (a memtable switch): its tables' tombstones, once gathered, still hold.
    if (read_state_ != nullptr && read_state_->version == state->version) {
      state->table_tombstones = read_state_->table_tombstones;
    }
    old = std::exchange(read_state_, std::move(state));
  }
  // old (possibly the last reference to a flushed memtable) is freed here, outside the lock.
}

void DBImpl::BackgroundThread() {
  MutexLock lock(&mu_);
  while (true) {
    while (!shutting_down_ && (imm_.empty() || !bg_error_.ok())) {
      if (bg_error_.ok()) {
        bg_work_cv_.Wait();
      } else {
        WaitOrAutoResume();
      }
    }
    if (shutting_down_) break;
    jobs_running_++;
    Status s = FlushOldestImmutable();
    if (s.ok()) {
      NoteBackgroundSuccess();
    } else {
      SetBackgroundError(s, "flush");
    }
    jobs_running_--;
    bg_done_cv_.SignalAll();
    bg_work_cv_.SignalAll();  // a new L0 table may call for a compaction
  }
}

Status DBImpl::WriteLevel0Table(const MemTable& mem, VersionEdit* edit) {
  auto start = std::chrono::steady_clock::now();
  FileMetaData meta;
  meta.number = versions_->NewFileNumber();
  pending_outputs_.insert(meta.number);
  // Operands no snapshot separates can be combined: a snapshot taken later sees all of mem
  // (its writes were published before it became immutable; in recovery there are none yet,
  // and last_sequence_ is not set until the logs are replayed).
  const SequenceNumber smallest_snapshot =
      snapshots_.empty() ? kMaxSequenceNumber : snapshots_.oldest();
  mu_.Unlock();
  Status s = BuildTable(dbname_, fs_, table_cache_->OptionsForNewTable(), mem, &meta,
                        options_.merge_operator.get(), smallest_snapshot);
  if (s.ok() && meta.file_size > 0) {
    // Read the new table back before the MANIFEST names it: a table that cannot be opened
    // must never replace the log that still holds its data.
    TableProperties props;
    s = table_cache_->GetProperties(meta.number, meta.file_size, &props);
  }
  mu_.Lock();
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - start)
                    .count();
  if (!s.ok()) {
    pending_outputs_.erase(meta.number);
    info_log_->Log("flush to table %06" PRIu64 " failed: %s", meta.number, s.ToString().c_str());
    return s;
  }
  // Stays pending until the edit is installed (the caller erases it).
  if (meta.file_size > 0) edit->AddFile(0, meta);
  stats_.flushes.fetch_add(1, std::memory_order_relaxed);
  level_stats_[0].bytes_written += meta.file_size;
  level_stats_[0].micros += micros;
  stats_.flush_bytes.fetch_add(meta.file_size, std::memory_order_relaxed);
  stats_.flush_micros.fetch_add(micros, std::memory_order_relaxed);
  if (statistics_ != nullptr) {
    statistics_->RecordTick(Ticker::kFlushCount, 1);
    statistics_->RecordTick(Ticker::kFlushBytes, meta.file_size);
    statistics_->RecordTick(Ticker::kFlushMicros, micros);
  }
  info_log_->Log("flushed %" PRIu64 " entries to table %06" PRIu64 ": %" PRIu64 " bytes in %.3f s",
                 mem.num_entries(), meta.number, meta.file_size, micros / 1e6);
  return Status::OK();
}

Status DBImpl::FlushOldestImmutable() {
  const auto start = std::chrono::steady_clock::now();
  Immutable imm = imm_.front();
  VersionEdit edit;
  Status s = WriteLevel0Table(*imm.mem, &edit);
  if (!s.ok()) return s;
  if (!unsynced_logs_.empty()) {
    // The edit below makes the log obsolete, and retention may keep it for change feeds:
    // kept logs must be whole after a power loss, as nothing replays them into tables.
    mu_.Unlock();
    s = wal_retention_->MayRetain() ? unsynced_logs_.SyncThrough(imm.log_number) : Status::OK();
    mu_.Lock();
    if (!s.ok()) {
      // As for any failed log sync: the log's tail is unknown, so no later write may be
      // acknowledged as if what came before it were whole.
      write_error_ = s;
      return s;
    }
  }
  // Logs before the next memtable's (or the active one's) hold nothing unflushed now.
  edit.SetLogNumber(imm_.size() > 1 ? imm_[1].log_number : log_number_);
  // What the tables hold, not what was published since: recovery expects the first record
  // it replays to be the next sequence, and a newer log parked unsynced may lose all of its
  // records in a power loss (LogAndApply never lowers the counter).
  edit.SetLastSequence(imm.last_sequence);
  s = versions_->LogAndApply(&edit, &mu_);
  for (const auto& [level, f] : edit.new_files()) pending_outputs_.erase(f.number);
  if (!s.ok()) return s;
  // Everything published before the switch is in synced tables now (the parked log itself
  // is let go by DeleteObsoleteFiles).
  if (imm.last_sequence > durable_sequence_.load(std::memory_order_relaxed)) {
    durable_sequence_.store(imm.last_sequence, std::memory_order_release);
    if (feed_waiters_ > 0) feed_cv_.SignalAll();
  }
  imm_.pop_front();
  InstallReadState();
  DeleteObsoleteFiles();
  if (!options_.listeners.empty()) {
    FlushJobInfo info;
    info.db_name = dbname_;
    if (!edit.new_files().empty()) {
      info.file_number = edit.new_files().front().second.number;
      info.file_size = edit.new_files().front().second.file_size;
    }
    info.num_entries = imm.mem->num_entries();
    info.reason = imm.reason;
    info.micros = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
    mu_.Unlock();
    NotifyListeners([&info](EventListener& l) { l.OnFlushCompleted(info); });
    mu_.Lock();
  }
  return Status::OK();
}

}  // namespace strata
