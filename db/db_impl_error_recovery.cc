// Background errors and resuming after them without reopening (see the invariants of
// background errors in db_impl.h): recording a failed flush or compaction, the automatic
// resume after a full disk with exponential backoff, DB::Resume, and their statistics.
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>

#include "db/db_impl.h"
#include "version/version_edit.h"
#include "version/version_set.h"

namespace strata {

void DBImpl::SetBackgroundError(const Status& s, const char* job) {
  if (s.ok() || !bg_error_.ok()) return;  // the first error is the one reported
  bg_error_ = s;
  recovery_.errors++;
  if (s.IsNoSpace()) recovery_.no_space_errors++;
  recovery_.consecutive_failures++;
  recovery_.last_error = std::string(job) + ": " + s.ToString();
  // Only a full disk heals by itself; any other I/O error waits for Resume() or a reopen.
  const uint64_t max_attempts = static_cast<uint64_t>(options_.max_bg_error_resume_count);
  recovery_.auto_resume =
      s.IsNoSpace() && write_error_.ok() && recovery_.consecutive_failures <= max_attempts;
  info_log_->Log(
      "%s failed, writes stopped until %s: %s", job,
      recovery_.auto_resume ? "space frees up (resuming automatically)" : "Resume() or reopen",
      s.ToString().c_str());
  bg_work_cv_.SignalAll();  // the flush thread starts the backoff
  if (options_.listeners.empty()) return;
  error_reported_ = true;
  const Status error = s;  // s may be a member that changes while mu_ is released
  mu_.Unlock();
  NotifyListeners([&error](EventListener& l) { l.OnBackgroundError(error); });
  mu_.Lock();
}

void DBImpl::NoteBackgroundSuccess() { recovery_.consecutive_failures = 0; }

void DBImpl::WaitOrAutoResume() {
  if (!recovery_.auto_resume) {
    bg_work_cv_.Wait();
    return;
  }
  // 1, 2, 4, ... 64 intervals: a disk that stays full costs few MANIFEST writes.
  const uint64_t shift = std::min<uint64_t>(
      recovery_.consecutive_failures > 0 ? recovery_.consecutive_failures - 1 : 0, 6);
  const auto deadline =
      std::chrono::steady_clock::now() +
      std::chrono::microseconds(options_.bg_error_resume_retry_interval_micros << shift);
  while (!shutting_down_ && !bg_error_.ok()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    bg_work_cv_.WaitFor(deadline - now);
  }
  if (shutting_down_ || bg_error_.ok() || !recovery_.auto_resume) return;
  Status s = ResumeImpl(/*automatic=*/true);
  if (!s.ok() && !bg_error_.ok() && recovery_.auto_resume) {
    recovery_.consecutive_failures++;
    if (recovery_.consecutive_failures >
        static_cast<uint64_t>(options_.max_bg_error_resume_count)) {
      recovery_.auto_resume = false;
      info_log_->Log("gave up resuming automatically after %" PRIu64
                     " attempts; Resume() or reopen",
                     recovery_.consecutive_failures);
    }
  }
}

Status DBImpl::Resume() {
  MutexLock lock(&mu_);
  return ResumeImpl(/*automatic=*/false);
}

Status DBImpl::ResumeImpl(bool automatic) {
  // A failed log write may have lost acknowledged data: only a reopen's replay, which
  // tolerates the torn tail, can continue from there.
  if (!write_error_.ok()) return write_error_;
  // Another thread is resuming: its outcome is ours.
  while (recovery_.resuming) bg_done_cv_.Wait();
  if (bg_error_.ok()) return Status::OK();
  // Damage met by a compaction would be met again; it needs a reopen (and a repair).
  if (!bg_error_.IsIOError()) return bg_error_;

  // The state on disk is unknown: the MANIFEST may hold the failed job's edit or not, and
  // if its write failed it is closed. One synced edit of the state in memory (a fresh
  // MANIFEST if the old one failed, with CURRENT switched to it) makes the disk agree with
  // memory again. Until it succeeds nothing is deleted and no write is accepted.
  recovery_.resuming = true;
  VersionEdit edit;
  Status s = versions_->LogAndApply(&edit, &mu_);
  if (s.ok() && !imm_.empty()) {
    // A flush that failed is retried before writes are accepted: on a disk still full the
    // MANIFEST edit above may well fit (a page the file system already holds) while a table
    // does not, and writes let through would pile up in memtables that cannot be flushed.
    jobs_running_++;
    s = FlushOldestImmutable();
    jobs_running_--;
    if (s.ok()) NoteBackgroundSuccess();
    // Only a full disk heals by itself (as in SetBackgroundError); a flush that lost a log
    // sync stops writes until a reopen.
    if (!s.ok() && (!s.IsNoSpace() || !write_error_.ok())) recovery_.auto_resume = false;
  }
  recovery_.resuming = false;
  if (!s.ok()) {
    recovery_.failed_resumes++;
    info_log_->Log("%s resume failed, writes still stopped: %s",
                   automatic ? "automatic" : "requested", s.ToString().c_str());
    bg_done_cv_.SignalAll();
    return s;
  }
  const std::string was = bg_error_.ToString();
  bg_error_ = Status::OK();
  recovery_.auto_resume = false;
  recovery_.resumes++;
  if (automatic) recovery_.auto_resumes++;
  info_log_->Log("%s resume after: %s; writes go on", automatic ? "automatic" : "requested",
                 was.c_str());
  // The failed job's outputs are now known to be unused.
  DeleteObsoleteFiles();
  if (error_reported_) {
    error_reported_ = false;
    mu_.Unlock();
    NotifyListeners([](EventListener& l) { l.OnBackgroundErrorCleared(); });
    mu_.Lock();
  }
  // The flush thread retries the failed flush, compactions are picked again, and stalled
  // writers look again.
  bg_work_cv_.SignalAll();
  bg_done_cv_.SignalAll();
  return Status::OK();
}

std::string DBImpl::BackgroundErrorText() {
  if (!write_error_.ok()) return write_error_.ToString() + " (a log write failed: reopen)";
  if (bg_error_.ok()) return "OK";
  return bg_error_.ToString() +
         (recovery_.auto_resume ? " (resuming automatically)" : " (until Resume() or reopen)");
}

std::string DBImpl::BackgroundErrorStatsText() {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "** Background errors **\n"
                "errors: %" PRIu64 " (disk full %" PRIu64
                ")\n"
                "resumes: %" PRIu64 " (automatic %" PRIu64 "), failed resume attempts: %" PRIu64
                "\n",
                recovery_.errors, recovery_.no_space_errors, recovery_.resumes,
                recovery_.auto_resumes, recovery_.failed_resumes);
  std::string out = buf;
  out += "now: " + BackgroundErrorText() + "\n";
  if (!recovery_.last_error.empty()) out += "last: " + recovery_.last_error + "\n";
  return out;
}

}  // namespace strata
