// Background compaction: the threads that pick and run compactions, manual CompactRange,
// and the per-level statistics (see the invariants in db_impl.h).
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>

#include "compaction/compaction_job.h"
#include "compaction/compaction_picker.h"
#include "db/db_impl.h"
#include "util/statistics_util.h"
#include "version/table_cache.h"

namespace strata {

void DBImpl::CompactionThread() {
  MutexLock lock(&mu_);
  while (true) {
    std::unique_ptr<Compaction> c;
    while (!shutting_down_ && bg_error_.ok()) {
      c = PickNextCompaction();
      if (c != nullptr) break;
      bg_work_cv_.Wait();
    }
    if (shutting_down_) break;
    if (c == nullptr) {  // a background error: wait for shutdown
      bg_work_cv_.Wait();
      continue;
    }
    jobs_running_++;
    Status s = DoCompaction(c.get());
    if (s.ok()) {
      NoteBackgroundSuccess();
    } else if (!shutting_down_) {
      SetBackgroundError(s, "compaction");
    }
    jobs_running_--;
    bg_done_cv_.SignalAll();
    bg_work_cv_.SignalAll();
  }
}

Status DBImpl::WaitForCompact() {
  MutexLock lock(&mu_);
  if (read_only_) return Status::OK();
  while (true) {
    if (!bg_error_.ok()) return bg_error_;
    if (shutting_down_) return Status::IOError("database is closing");
    // Work the background threads have not taken yet is due too: compare with nothing busy.
    const bool due = jobs_running_ > 0 || !imm_.empty() ||
                     PickCompaction(versions_->current(), options_, icmp_, compact_pointers_, {},
                                    seek_candidate_) != nullptr;
    if (!due) return Status::OK();
    bg_done_cv_.Wait();  // signalled as each flush and compaction ends
  }
}

void DBImpl::NoteSeekCandidate(const SeekCompactionCandidate& spent) {
  MutexLock lock(&mu_);
  // The first comes first (its budget is spent for good); PickNextCompaction frees the slot.
  if (seek_candidate_.level >= 0) return;
  seek_candidate_ = spent;
  bg_work_cv_.SignalAll();
}

std::unique_ptr<Compaction> DBImpl::PickNextCompaction() {
  std::shared_ptr<const Version> current = versions_->current();
  auto c =
      PickCompaction(current, options_, icmp_, compact_pointers_, compacting_, seek_candidate_);
  if (seek_candidate_.level >= 0) {
    const uint64_t number = seek_candidate_.number;
    auto is_candidate = [number](const auto& f) { return f->number == number; };
    const FileList& level = current->files(seek_candidate_.level);
    const bool gone = std::none_of(level.begin(), level.end(), is_candidate);
    const bool taken =
        c != nullptr && std::any_of(c->inputs[0].begin(), c->inputs[0].end(), is_candidate);
    if (gone || taken) seek_candidate_ = {};
  }
  return c;
}

Status DBImpl::DoCompaction(Compaction* c) {
  for (int which = 0; which < 2; which++) {
    for (const auto& f : c->inputs[which]) compacting_.insert(f->number);
  }
  const SequenceNumber smallest_snapshot =
      snapshots_.empty() ? last_sequence_.load(std::memory_order_acquire) : snapshots_.oldest();

  VersionEdit edit;
  CompactionResult result;
  std::vector<uint64_t> reserved;  // output numbers, protected from deletion until installed
  Status s;
  if (c->trivial_move) {
    for (const auto& f : c->inputs[0]) {
      edit.RemoveFile(c->level, f->number);
      edit.AddFile(c->output_level, *f);
    }
  } else {
    CompactionJobContext ctx;
    ctx.dbname = dbname_;
    ctx.fs = fs_;
    ctx.table_cache = table_cache_.get();
    ctx.icmp = &icmp_;
    ctx.smallest_snapshot = smallest_snapshot;
    ctx.merge_operator = options_.merge_operator.get();
    ctx.new_file_number = [this, &reserved] {
      MutexLock l(&mu_);
      uint64_t n = versions_->NewFileNumber();
      pending_outputs_.insert(n);
      reserved.push_back(n);
      return n;
    };
    ctx.should_stop = [this] { return shutting_down_.load(std::memory_order_relaxed); };
    mu_.Unlock();
    s = RunCompaction(c, ctx, &result);
    mu_.Lock();
    if (s.ok()) {
      for (int which = 0; which < 2; which++) {
        for (const auto& f : c->inputs[which])
          edit.RemoveFile(which == 0 ? c->level : c->output_level, f->number);
      }
      for (const FileMetaData& out : result.outputs) edit.AddFile(c->output_level, out);
    }
  }
  if (s.ok()) s = versions_->LogAndApply(&edit, &mu_);
  for (uint64_t n : reserved) pending_outputs_.erase(n);
  for (int which = 0; which < 2; which++) {
    for (const auto& f : c->inputs[which]) compacting_.erase(f->number);
  }
  if (!s.ok()) {
    info_log_->Log("compaction L%d -> L%d failed: %s", c->level, c->output_level,
                   s.ToString().c_str());
    NotifyCompaction(*c, result, s);
    return s;
  }

  // The next compaction of this level starts after this one's keys.
  std::string& pointer = compact_pointers_[c->level];
  pointer.clear();
  for (const auto& f : c->inputs[0]) {
    if (pointer.empty() || icmp_.Compare(f->largest, pointer) > 0) pointer = f->largest;
  }

  LevelStats& st = level_stats_[c->output_level];
  if (c->trivial_move) {
    st.trivial_moves += c->inputs[0].size();
    std::string names;
    for (const auto& f : c->inputs[0]) {
      char name[32];
      std::snprintf(name, sizeof name, " %06" PRIu64 ".sst", f->number);
      names += name;
    }
    info_log_->Log("compaction (%s): moved%s (%" PRIu64 " bytes) from L%d to L%d",
                   c->reason.c_str(), names.c_str(), c->InputBytes(0), c->level, c->output_level);
  } else {
    st.compactions++;
    st.micros += result.micros;
    st.bytes_read_upper += c->InputBytes(0);
    st.bytes_read_output += c->InputBytes(1);
    st.bytes_written += result.bytes_written;
    st.entries_dropped += result.entries_dropped;
    info_log_->Log(
        "compaction (%s): L%d %zu files + L%d %zu files (%" PRIu64 " bytes) -> %zu files (%" PRIu64
        " bytes), %" PRIu64 " of %" PRIu64 " entries dropped, %.3f s",
        c->reason.c_str(), c->level, c->inputs[0].size(), c->output_level, c->inputs[1].size(),
        result.bytes_read, result.outputs.size(), result.bytes_written, result.entries_dropped,
        result.entries_read, result.micros / 1e6);
  }
  if (statistics_ != nullptr) {
    statistics_->RecordTick(Ticker::kCompactionCount, 1);
    if (!c->trivial_move) {
      statistics_->RecordTick(Ticker::kCompactionBytesRead, c->InputBytes(0) + c->InputBytes(1));
      statistics_->RecordTick(Ticker::kCompactionBytesWritten, result.bytes_written);
      statistics_->RecordTick(Ticker::kCompactionMicros, result.micros);
    }
  }
  InstallReadState();
  // The compaction pins the version it was picked from: let go of it first, or its inputs
  // would still count as live and outlive the compaction on disk.
  c->version.reset();
  DeleteObsoleteFiles();
  OpenOutputs(c->output_level, result.outputs);
  NotifyCompaction(*c, result, s);
  return Status::OK();
}

void DBImpl::OpenOutputs(int level, const std::vector<FileMetaData>& outputs) {
  // The version keeps the files on disk while mu_ is released; an output another compaction
  // has consumed meanwhile is not opened (it would only wait in the cache for eviction).
  std::shared_ptr<const Version> current = versions_->current();
  std::vector<const FileMetaData*> open;
  for (const auto& f : current->files(level)) {
    for (const FileMetaData& out : outputs) {
      if (f->number == out.number) open.push_back(f.get());
    }
  }
  if (open.empty()) return;
  mu_.Unlock();
  for (const FileMetaData* f : open) {
    if (shutting_down_.load(std::memory_order_relaxed)) break;
    TableCache::PinnedTable pinned;
    Status s = table_cache_->Pin(f->number, f->file_size, &pinned);
    if (!s.ok()) {
      // Verified when written: this is a read fault, which the read that needs the table
      // meets again when it opens the table itself (and reports).
      info_log_->Log("could not open %06" PRIu64 ".sst ahead of reads: %s", f->number,
                     s.ToString().c_str());
    }
  }
  mu_.Lock();
}

void DBImpl::NotifyCompaction(const Compaction& c, const CompactionResult& result,
                              const Status& s) {
  if (options_.listeners.empty()) return;
  CompactionJobInfo info;
  info.db_name = dbname_;
  info.input_level = c.level;
  info.output_level = c.output_level;
  for (int which = 0; which < 2; which++) {
    for (const auto& f : c.inputs[which]) info.input_files.push_back(f->number);
  }
  info.trivial_move = c.trivial_move;
  if (s.ok()) {
    if (c.trivial_move) {
      info.output_files = info.input_files;
    } else {
      for (const FileMetaData& out : result.outputs) info.output_files.push_back(out.number);
    }
  }
  info.bytes_read = c.trivial_move ? 0 : result.bytes_read;  // less tables dropped unread
  info.bytes_written = result.bytes_written;
  info.micros = result.micros;
  info.reason = c.reason.starts_with("manual") ? CompactionReason::kManual
                : c.reason.starts_with("L0")   ? CompactionReason::kLevel0FileCount
                : c.reason == "seeks"          ? CompactionReason::kSeeks
                                               : CompactionReason::kLevelSize;
  info.status = s;
  mu_.Unlock();
  NotifyListeners([&info](EventListener& l) { l.OnCompactionCompleted(info); });
  mu_.Lock();
}

Status DBImpl::CompactRange(const std::string_view* begin, const std::string_view* end) {
  Status s = Flush();
  if (!s.ok()) return s;
  MutexLock lock(&mu_);
  // The deepest level holding any of the range.
  int deepest = 0;
  {
    auto v = versions_->current();
    for (int level = 0; level < v->num_levels(); level++) {
      if (!OverlappingFiles(*v, icmp_.user_comparator(), level, begin, end).empty()) {
        deepest = level;
      }
    }
  }
  // Each level above it merges down into the next level holding any of the same keys (or
  // the deepest); the deepest level is rewritten in place if nothing merged into it, so that
  // what no snapshot needs is dropped there too.
  bool merged_into_deepest = false;
  const int last = std::min(std::max(deepest, 1), options_.num_levels - 1);
  for (int level = 0; level <= last; level++) {
    const bool in_place = level == last;
    if (in_place && (merged_into_deepest || deepest == 0)) break;
    while (true) {
      if (!bg_error_.ok()) return bg_error_;
      if (shutting_down_) return Status::IOError("database is closing");
      bool blocked = false;
      auto c = PickRangeCompaction(versions_->current(), options_, icmp_, level, begin, end, last,
                                   compacting_, &blocked);
      if (c == nullptr) {
        if (!blocked) break;  // nothing of the range at this level
        bg_done_cv_.Wait();   // a background compaction holds some of its files
        continue;
      }
      c->trivial_move = false;  // the caller wants the data rewritten (deletions dropped)
      jobs_running_++;
      s = DoCompaction(c.get());
      if (s.ok()) {
        NoteBackgroundSuccess();
      } else {
        SetBackgroundError(s, "manual compaction");
      }
      jobs_running_--;
      bg_done_cv_.SignalAll();
      bg_work_cv_.SignalAll();
      if (!s.ok()) return s;
      if (c->output_level == last) merged_into_deepest = true;
      break;
    }
  }
  return Status::OK();
}

std::string DBImpl::LevelStatsText() {
  auto v = versions_->current();
  std::string out =
      "** Compaction **\n"
      "(L0 write: flushes; w-amp: bytes written into a level per byte read from the level "
      "above)\n"
      "level files  size(MB)  score  read(MB)  write(MB)  w-amp  compactions  moves  "
      "time(s)\n";
  char buf[256];
  uint64_t total_written = 0;
  for (int level = 0; level < v->num_levels(); level++) {
    const LevelStats& st = level_stats_[level];
    const uint64_t read = st.bytes_read_upper + st.bytes_read_output;
    // Write amplification of a level: bytes written into it per byte that came from above.
    const double wamp =
        st.bytes_read_upper > 0 ? static_cast<double>(st.bytes_written) / st.bytes_read_upper : 0;
    std::snprintf(buf, sizeof buf,
                  "L%-4d %5zu %9.1f %6.2f %9.1f %10.1f %6.2f %12" PRIu64 " %6" PRIu64 " %8.2f\n",
                  level, v->files(level).size(), v->NumLevelBytes(level) / 1048576.0,
                  LevelScore(*v, options_, level), read / 1048576.0, st.bytes_written / 1048576.0,
                  wamp, st.compactions, st.trivial_moves, st.micros / 1e6);
    out += buf;
    if (level > 0) total_written += st.bytes_written;
  }
  const uint64_t flushed = stats_.flush_bytes.load(std::memory_order_relaxed);
  const uint64_t user = stats_.user_bytes.load(std::memory_order_relaxed);
  std::snprintf(buf, sizeof buf,
                "compaction bytes written: %" PRIu64
                "\n"
                "write amplification (flush + compaction bytes / user bytes): %.2f\n",
                total_written,
                user > 0 ? static_cast<double>(flushed + total_written) / user : 0.0);
  out += buf;
  return out;
}

}  // namespace strata
