// The write path: group commit through a queue of writers (see the invariants in db_impl.h).
#include <algorithm>
#include <cassert>
#include <chrono>
#include <cinttypes>
#include <thread>

#include "db/db_impl.h"
#include "db/write_batch_internal.h"
#include "memtable/memtable.h"
#include "util/statistics_util.h"
#include "util/wait_word.h"
#include "version/filename.h"
#include "version/version_set.h"
#include "wal/log_writer.h"

namespace strata {

// How long a writer right behind the leader spins before it sleeps: a few unsynced groups.
constexpr std::chrono::nanoseconds kWriterSpin = std::chrono::microseconds(20);
// A waiting writer warms the memtable for a batch of at most this many entries (each walk
// costs about what its insert will).
constexpr uint32_t kMaxEntriesWarmed = 8;
// How many groups one leader leads in all, its own included, before it hands the queue on and
// returns to its caller.
constexpr int kMaxGroupsLed = 64;
// A synced group of at least this many entries is inserted into the memtable while a
// LogSyncThread syncs its record: below it, the two wake-ups of the hand-off cost more than
// the insert it hides.
constexpr uint32_t kMinEntriesToInsertDuringSync = 8;

// A thread waiting in the write queue. batch == nullptr asks only for a sync (SyncWAL).
//
// A queued writer waits on its own state word, without mu_: a leader acknowledging a group
// of many writers then wakes them all without making each of them queue for mu_ again on
// the way out.

struct DBImpl::Writer {
  enum : uint32_t { kWaiting, kLeader, kDone };

  // Called by the writer itself: waits until another thread made it the leader or completed
  // it (status is then set), and returns which. `spin` is how long to spin before sleeping.
  uint32_t AwaitTurn(std::chrono::nanoseconds spin = {}) {
    const uint32_t s = state.WaitWhileEquals(kWaiting, spin);
    // The waker may still be inside its futex wake on `state`; this frame must outlive that
    // call, so wait for its last access (released).
    while (!released.load(std::memory_order_acquire)) std::this_thread::yield();
    return s;
  }

  // Called by the one thread that changes this writer's state (with or without mu_; the
  // writer is off writers_ or is the front, so no other thread touches it).
  void Wake(uint32_t new_state) {
    state.StoreAndWake(new_state);
    released.store(true, std::memory_order_release);  // the last access to *this
  }

  WriteBatch* batch = nullptr;
  bool sync = false;
  bool force_switch = false;    // Flush: freeze the active memtable even if not full
  Status status;                // set before Wake(kDone)
  Writer* next_done = nullptr;  // the next writer of a finished group still to be woken
  WaitWord state{kWaiting};
  std::atomic<bool> released{false};
};

namespace {

// Walks mem to the places of the batch's point entries (MemTable::WarmForInsert), while the
// writer still waits: once it leads or is done, the walk would only delay it.
void WarmForInsert(const MemTable& mem, const WriteBatch& batch, const WaitWord& state,
                   uint32_t waiting) {
  struct Warmer final : WriteBatch::Handler {
    Warmer(const MemTable& m, const WaitWord& s, uint32_t w) : mem(m), state(s), waiting(w) {}
    void Warm(std::string_view key) {
      if (state.Load() == waiting) mem.WarmForInsert(key);
    }
    void Put(std::string_view key, std::string_view) override { Warm(key); }
    void Delete(std::string_view key) override { Warm(key); }
    void Merge(std::string_view key, std::string_view) override { Warm(key); }
    void DeleteRange(std::string_view, std::string_view) override {}
    const MemTable& mem;
    const WaitWord& state;
    const uint32_t waiting;
  } warmer(mem, state, waiting);
  batch.Iterate(&warmer).PermitUncheckedError();  // checked already by Write
}

}  // namespace

Status DBImpl::Put(const WriteOptions& options, std::string_view key, std::string_view value) {
  WriteBatch batch;
  batch.Put(key, value);
  return Write(options, &batch);
}

Status DBImpl::Delete(const WriteOptions& options, std::string_view key) {
  WriteBatch batch;
  batch.Delete(key);
  return Write(options, &batch);
}

Status DBImpl::Flush() {
  MemTable* target = nullptr;
  Status s = WriteImpl(WriteOptions(), nullptr, /*force_switch=*/true, &target);
  if (!s.ok() || target == nullptr) return s;
  MutexLock lock(&mu_);
  auto queued = [&]() REQUIRES(mu_) {
    for (const Immutable& i : imm_) {
      if (i.mem.get() == target) return true;
    }
    return false;
  };
  while (bg_error_.ok() && queued()) bg_done_cv_.Wait();
  return bg_error_;
}

Status DBImpl::SyncWAL() {
  WriteOptions options;
  options.sync = true;
  return Write(options, nullptr);
}

Status DBImpl::Write(const WriteOptions& options, WriteBatch* batch) {
  if (batch != nullptr) {
    Status s = WriteBatchInternal::CheckForWrite(*batch, icmp_.user_comparator(),
                                                 options_.merge_operator != nullptr);
    if (!s.ok()) return s;
  }
  return WriteImpl(options, batch, /*force_switch=*/false, nullptr);
}

Status DBImpl::WriteImpl(const WriteOptions& options, WriteBatch* batch, bool force_switch,
                         MemTable** switched) {
  // Flush, SyncWAL and CompactRange come through here too.
  if (read_only_) return Status::NotSupported("the database is open read-only", dbname_);
  // Only user writes are timed (not Flush's or SyncWAL's turn in the queue).
  LatencyTimer timer(batch ? statistics_ : nullptr, HistogramType::kWriteLatency);
  auto account = [&](const Status& s) {
    if (s.ok() && batch != nullptr && statistics_ != nullptr) {
      statistics_->RecordTick(Ticker::kKeysWritten, WriteBatchInternal::Count(*batch));
      statistics_->RecordTick(Ticker::kBytesWritten, batch->ApproximateSize());
    }
    return s;
  };
  Writer w;
  w.batch = batch;
  w.sync = options.sync;
  w.force_switch = force_switch;

  mu_.Lock();
  writers_.push_back(&w);
  if (gather_target_ != 0 && writers_.size() >= gather_target_) gather_cv_.Signal();
  if (&w != writers_.front()) {
    // An unsynced writer right behind the leader will have its turn (or be done) within
    // microseconds: spinning costs less than a sleep and a wake-up. Writers further back,
    // or waiting on a disk flush, would only take the CPU the leader needs.
    const bool spin = !w.sync && writers_.size() <= 2;
    // While it waits, such a writer walks the memtable to its keys' places: the insert then
    // finds those nodes cached, and the two writers' cache misses overlap.
    std::shared_ptr<MemTable> warm;
    if (spin && batch != nullptr && WriteBatchInternal::Count(*batch) <= kMaxEntriesWarmed) {
      warm = mem_;
    }
    mu_.Unlock();
    if (warm != nullptr) WarmForInsert(*warm, *batch, w.state, Writer::kWaiting);
    if (w.AwaitTurn(spin ? kWriterSpin : std::chrono::nanoseconds{}) == Writer::kDone) {
      return account(w.status);
    }
    mu_.Lock();
  }

  // This thread leads: it alone touches log_ and mem_ until it pops its group. While
  // unsynced writers queue behind it, it goes on leading their groups (a bounded number):
  // their callers only wait either way, and the memtable's hot nodes stay in this core's
  // cache instead of moving to the other core with each group.
  const bool had_write_error = !write_error_.ok();
  Writer* head = &w;
  Status status;
  Writer* done = nullptr;  // the last group's writers, woken once the queue is handed on
  for (int groups = 1;; groups++) {
    const Status group_status = LeadGroup(head, &w, head == &w ? switched : nullptr, &done);
    if (head == &w) status = group_status;
    if (writers_.empty()) break;
    Writer* next = writers_.front();
    // Only what costs the caller no more than a memtable insert: no sync (a synced writer
    // ends the group before it, see BuildBatchGroup), no memtable switch, no write delay.
    if (groups >= kMaxGroupsLed || !group_status.ok() || next->sync || next->force_switch ||
        next->batch == nullptr || !RoomWithoutWaiting()) {
      next->Wake(Writer::kLeader);
      break;
    }
    WakeDone(done);
    done = nullptr;
    head = next;
    stats_.groups_led_on.fetch_add(1, std::memory_order_relaxed);
  }
  // A log failure in these groups (here or in MakeRoomForWrite) stops writes like a
  // background error: tell the listeners once, without the lock.
  const Status raised = had_write_error ? Status() : write_error_;
  if (!raised.ok() && !options_.listeners.empty()) error_reported_ = true;
  mu_.Unlock();
  // Without the lock, and after the next leader has its turn: a synced group of dozens of
  // writers takes longer to wake than the next group's sync, which now overlaps it.
  WakeDone(done);
  if (!raised.ok()) NotifyListeners([&raised](EventListener& l) { l.OnBackgroundError(raised); });
  return account(status);
}

Status DBImpl::SyncOlderLogsAndMark(bool* marker_refused) {
  // A marked log_ had every older log synced when its marker was written, and a switch
  // parks only logs older than the next log, which starts unmarked.
  if (log_marked_) {
    assert(unsynced_logs_.empty());
    return Status::OK();
  }
  Status s = unsynced_logs_.SyncAll();
  if (s.ok()) {
    s = log_->AddRecord(WriteBatchInternal::SyncMarker());
    // Refused whole: the older logs are synced all the same; the next sync writes the marker.
    if (marker_refused != nullptr) *marker_refused = LogRefusedWhole(s);
  }
  if (s.ok()) log_marked_ = true;
  return s;
}

bool DBImpl::LogRefusedWhole(const Status& append) const {
  return append.IsNoSpace() && !log_->failed();
}

void DBImpl::WakeDone(Writer* done) {
  while (done != nullptr) {
    Writer* next = done->next_done;  // read first: once woken, the writer may be gone
    done->Wake(Writer::kDone);
    done = next;
  }
}

Status DBImpl::LeadGroup(Writer* head, const Writer* caller, MemTable** switched, Writer** done) {
  Status status = write_error_;
  if (status.ok()) status = MakeRoomForWrite(head->force_switch, switched);
  if (status.ok() && head->sync) GatherSyncGroup();
  Writer* last = head;
  bool need_sync = false;
  bool refused = false;  // a full disk refused the group's record (or sync marker) whole
  uint64_t sync_micros = 0;
  if (status.ok()) {
    WriteBatch* group = BuildBatchGroup(&last, &need_sync, /*stop_at_sync=*/head != caller);
    const SequenceNumber first = last_sequence_.load(std::memory_order_relaxed) + 1;
    const uint32_t count = group ? WriteBatchInternal::Count(*group) : 0;
    if (count > 0 && first + count - 1 > kMaxSequenceNumber) {
      status = Status::InvalidArgument("sequence numbers exhausted");
    } else {
      mu_.Unlock();
      if (need_sync) status = SyncOlderLogsAndMark(&refused);
      if (status.ok() && count > 0) {
        WriteBatchInternal::SetSequence(group, first);
        std::string_view record = WriteBatchInternal::Contents(*group);
        status = log_->AddRecord(record);
        if (status.ok()) {
          stats_.wal_bytes.fetch_add(record.size(), std::memory_order_relaxed);
          RecordTick(statistics_, Ticker::kWalBytes, record.size());
        } else {
          refused = LogRefusedWhole(status);
        }
      }
      bool inserted = false;
      if (status.ok() && need_sync) {
        const bool overlap = count >= kMinEntriesToInsertDuringSync;
        if (overlap && log_sync_thread_ == nullptr) {
          log_sync_thread_ = LogSyncThread::Create();  // null (sync here) if refused a thread
        }
        if (overlap && log_sync_thread_ != nullptr) {
          // The entries go into the memtable before the record is durable, but they stay
          // invisible until last_sequence_ is raised below, after the sync. If the sync
          // fails, write_error_ keeps them so: no later write publishes a sequence, and no
          // memtable switch (the only way to a flush) happens until reopen.
          log_sync_thread_->Start(log_.get());
          const Status insert = WriteBatchInternal::InsertInto(*group, mem_.get());
          status = log_sync_thread_->Wait(&sync_micros);
          if (status.ok()) status = insert;
          inserted = true;
          stats_.syncs_during_insert.fetch_add(1, std::memory_order_relaxed);
        } else {
          status = TimedSync(log_.get(), &sync_micros);
        }
        stats_.syncs.fetch_add(1, std::memory_order_relaxed);
        RecordTick(statistics_, Ticker::kWalSyncs);
      }
      if (status.ok() && count > 0 && !inserted) {
        // Cannot fail: the batch was built through the WriteBatch API.
        status = WriteBatchInternal::InsertInto(*group, mem_.get());
      }
      mu_.Lock();
      if (status.ok()) {
        last_sequence_.store(first + count - 1, std::memory_order_release);
        if (need_sync) durable_sequence_.store(first + count - 1, std::memory_order_release);
        if (feed_waiters_ > 0) feed_cv_.SignalAll();
      } else if (refused) {
        // Nothing of the group reached the log, which stays as it was: these writers get the
        // error, and the next group tries again (it succeeds once space frees up).
        info_log_->Log("write refused, the log cannot grow: %s", status.ToString().c_str());
      } else {
        // The log may now end in a partial record; appending after it would turn a torn
        // tail into mid-log damage. Stop all writes until reopen.
        write_error_ = status;
        info_log_->Log("write error, writes stopped until reopen: %s", status.ToString().c_str());
      }
      stats_.groups.fetch_add(1, std::memory_order_relaxed);
    }
    if (group == &tmp_batch_) tmp_batch_.Clear();
  }

  // Pop the group; all but the calling thread's own writer (which returns by itself) go on
  // the chain to wake, in queue order.
  size_t group_writers = 0;
  Writer** tail = done;
  while (true) {
    Writer* ready = writers_.front();
    writers_.pop_front();
    group_writers++;
    if (ready != caller) {
      ready->status = status;
      ready->next_done = nullptr;
      *tail = ready;
      tail = &ready->next_done;
    }
    if (ready == last) break;
  }
  if (need_sync && status.ok()) {
    // The writers still queued will lead or join the next group; the ones just released
    // are likely to come back within microseconds.
    active_sync_writers_ = group_writers + writers_.size();
    last_sync_micros_ = sync_micros;
    stats_.sync_micros.fetch_add(sync_micros, std::memory_order_relaxed);
    stats_.sync_writers.fetch_add(group_writers, std::memory_order_relaxed);
  }
  return status;
}

Status DBImpl::RunAsSoleWriter(const std::function<Status()>& fn) {
  Writer w;
  w.force_switch = true;  // BuildBatchGroup never folds such a writer into another's group
  mu_.Lock();
  writers_.push_back(&w);
  if (&w != writers_.front()) {
    mu_.Unlock();
    w.AwaitTurn();  // only this thread completes w, so its turn comes as the leader
    mu_.Lock();
  }
  Status status = write_error_;
  if (status.ok()) status = fn();
  writers_.pop_front();
  if (!writers_.empty()) writers_.front()->Wake(Writer::kLeader);
  mu_.Unlock();
  return status;
}

// Without this, writers settle into two alternating cohorts: while one group syncs, the
// writers released by the previous group queue up, and the next leader takes just those,
// so every fdatasync serves about half the writers. Waiting a fraction of a sync for the
// released writers to come back lets one sync serve them all (the same idea as a
// database's commit delay). A single writer never waits: the target is then 1.
void DBImpl::GatherSyncGroup() {
  const size_t target = active_sync_writers_;
  if (writers_.size() >= target) return;
  const uint64_t budget = std::min<uint64_t>(last_sync_micros_ / 2, 1000);
  if (budget == 0) return;
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::microseconds(budget);
  gather_target_ = target;
  while (writers_.size() < target) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    gather_cv_.WaitFor(deadline - now);
  }
  gather_target_ = 0;
  // Shrink the estimate at once if writers went away, so a timeout is paid only once.
  active_sync_writers_ = writers_.size();
  stats_.gather_micros.fetch_add(std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::chrono::steady_clock::now() - start)
                                     .count(),
                                 std::memory_order_relaxed);
}

bool DBImpl::RoomWithoutWaiting() const {
  return bg_error_.ok() && mem_->ApproximateMemoryUsage() < options_.write_buffer_size &&
         versions_->NumLevelFiles(0) < static_cast<size_t>(options_.level0_slowdown_writes_trigger);
}

WriteBatch* DBImpl::BuildBatchGroup(Writer** last, bool* need_sync, bool stop_at_sync) {
  Writer* first = writers_.front();
  WriteBatch* result = first->batch;
  *need_sync = first->sync;
  size_t size = result ? result->ApproximateSize() : 0;
  uint64_t batches = result ? 1 : 0;

  // Bound the group so that one write stays short, and let a small leader's write not wait
  // behind a large group.
  size_t max_size = 1 << 20;
  if (size <= (128 << 10)) max_size = size + (128 << 10);

  *last = first;
  for (auto it = writers_.begin() + 1; it != writers_.end(); ++it) {
    Writer* w = *it;
    if (w->force_switch) break;          // it leads its own group, to switch the memtable first
    if (stop_at_sync && w->sync) break;  // it leads its own: no caller waits on another's sync
    if (w->batch != nullptr) {
      if (size + w->batch->ApproximateSize() > max_size) break;
      size += w->batch->ApproximateSize();
      batches++;
      if (result == nullptr) {
        result = w->batch;
      } else {
        if (result != &tmp_batch_) {
          // Merge into our own batch so that the callers' batches stay unchanged.
          tmp_batch_.Clear();
          WriteBatchInternal::Append(&tmp_batch_, *result);
          result = &tmp_batch_;
        }
        WriteBatchInternal::Append(result, *w->batch);
      }
    }
    *need_sync |= w->sync;
    *last = w;
  }
  stats_.batches.fetch_add(batches, std::memory_order_relaxed);
  stats_.user_bytes.fetch_add(size, std::memory_order_relaxed);
  return result;
}

Status DBImpl::MakeRoomForWrite(bool force, MemTable** switched) {
  const size_t max_immutable = static_cast<size_t>(options_.max_write_buffer_number - 1);
  bool allow_delay = !force;
  while (true) {
    if (!bg_error_.ok()) return bg_error_;
    const size_t level0 = versions_->NumLevelFiles(0);
    if (allow_delay && level0 >= static_cast<size_t>(options_.level0_slowdown_writes_trigger)) {
      if (SetStallCondition(WriteStallCondition::kDelayed)) continue;
      // Many L0 files: give compaction a millisecond per write rather than stop writes
      // abruptly later. Once per write, and without the lock.
      allow_delay = false;
      mu_.Unlock();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      mu_.Lock();
      stats_.slowdowns.fetch_add(1, std::memory_order_relaxed);
      stats_.slowdown_micros.fetch_add(1000, std::memory_order_relaxed);
      RecordTick(statistics_, Ticker::kStallMicros, 1000);
      continue;
    }
    const bool empty = mem_->num_entries() == 0;
    if (empty && force) {
      // Nothing new to freeze: Flush waits for the memtables already queued.
      if (switched != nullptr && !imm_.empty()) *switched = imm_.back().mem.get();
      return Status::OK();
    }
    if (!force && mem_->ApproximateMemoryUsage() < options_.write_buffer_size) {
      // Room without waiting: writes are delayed, at most, while the L0 files are there.
      const bool slow = level0 >= static_cast<size_t>(options_.level0_slowdown_writes_trigger);
      if (SetStallCondition(slow ? WriteStallCondition::kDelayed : WriteStallCondition::kNormal)) {
        continue;
      }
      return Status::OK();
    }
    if (imm_.size() >= max_immutable) {
      if (SetStallCondition(WriteStallCondition::kStopped)) continue;
      // Memory is bounded: wait for the flush thread rather than queue another memtable.
      auto start = std::chrono::steady_clock::now();
      info_log_->Log("write stall: %zu immutable memtables waiting for flush", imm_.size());
      stats_.stalls_in_progress.fetch_add(1, std::memory_order_relaxed);
      bg_done_cv_.Wait();
      stats_.stalls_in_progress.fetch_sub(1, std::memory_order_relaxed);
      auto waited = std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::steady_clock::now() - start);
      stats_.stalls.fetch_add(1, std::memory_order_relaxed);
      stats_.stall_micros.fetch_add(waited.count(), std::memory_order_relaxed);
      RecordTick(statistics_, Ticker::kStallMicros, waited.count());
      continue;
    }

    if (level0 >= static_cast<size_t>(options_.level0_stop_writes_trigger)) {
      if (SetStallCondition(WriteStallCondition::kStopped)) continue;
      // Too many L0 files: a new memtable would make reads slower still. Wait for compaction.
      auto start = std::chrono::steady_clock::now();
      info_log_->Log("write stop: %zu L0 files waiting for compaction", level0);
      stats_.stalls_in_progress.fetch_add(1, std::memory_order_relaxed);
      bg_done_cv_.Wait();
      stats_.stalls_in_progress.fetch_sub(1, std::memory_order_relaxed);
      auto waited = std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::steady_clock::now() - start);
      stats_.stops.fetch_add(1, std::memory_order_relaxed);
      stats_.stop_micros.fetch_add(waited.count(), std::memory_order_relaxed);
      RecordTick(statistics_, Ticker::kStallMicros, waited.count());
      continue;
    }

    // Switch. Where a hole in the log history stops recovery, an old log with unsynced
    // records is parked unsynced (UnsyncedLogs): most are deleted before their pages are
    // written back, and any later sync syncs them first, so a synced write still never
    // survives a lost tail of an older log. Otherwise the old log is synced now, and the
    // new one opens with a sync marker saying so (recovery then knows a hole after the old
    // log is damage, not power loss).
    const uint64_t new_number = versions_->NewFileNumber();
    const std::string new_name = LogFileName(dbname_, new_number);
    // An old log without unsynced records is parked too while older ones are: the sync
    // marker below must never claim that a parked log is synced.
    const bool park =
        ParksLogsAtSwitch() && (log_->HasUnsyncedRecords() || !unsynced_logs_.empty());
    mu_.Unlock();
    std::unique_ptr<WritableFile> file;
    Status s = CreateLogFile(new_name, &file);
    // Its entry is made durable at once: a power loss that loses an empty (never synced) log
    // while a newer one survives would read as edits missing from the MANIFEST. Failing here
    // is like failing to create it.
    if (s.ok()) {
      s = fs_->SyncDir(dbname_);
      if (!s.ok()) {
        file.reset();
        fs_->RemoveFile(new_name).PermitUncheckedError();
      }
    }
    bool log_failed = false;
    std::unique_ptr<LogWriter> new_log;
    if (s.ok()) {
      new_log = std::make_unique<LogWriter>(std::move(file));
      if (!park) {
        s = log_->Sync();
        if (s.ok()) s = log_->Close();
        if (s.ok()) s = new_log->AddRecord(WriteBatchInternal::SyncMarker());
        if (!s.ok()) {
          log_failed = true;
          new_log.reset();
          fs_->RemoveFile(new_name).PermitUncheckedError();
        }
      }
    }
    // Built without the lock: a huge-page arena maps its first block at once.
    std::shared_ptr<MemTable> fresh = s.ok() ? NewMemTable() : nullptr;
    mu_.Lock();
    if (!s.ok()) {
      // A failed create loses nothing and the next write retries; a failed sync leaves the
      // old log's tail unknown, which stops writes like any log failure.
      if (log_failed) write_error_ = s;
      info_log_->Log("log switch to %06" PRIu64 " failed%s: %s", new_number,
                     log_failed ? ", writes stopped" : "", s.ToString().c_str());
      return s;
    }
    const SequenceNumber published = last_sequence_.load(std::memory_order_relaxed);
    if (park) {
      unsynced_logs_.Add(log_number_, std::move(log_));
    } else {
      // The old log was synced: everything published so far (all of it is in that log or
      // older ones, synced before it) is durable now.
      durable_sequence_.store(published, std::memory_order_release);
      if (feed_waiters_ > 0) feed_cv_.SignalAll();
    }
    imm_.push_back({mem_, log_number_, published,
                    force ? FlushReason::kManual : FlushReason::kWriteBufferFull});
    mem_ = std::move(fresh);
    log_ = std::move(new_log);
    log_marked_ = !park;
    log_number_ = new_number;
    if (switched != nullptr) *switched = imm_.back().mem.get();
    stats_.memtable_switches.fetch_add(1, std::memory_order_relaxed);
    InstallReadState();
    bg_work_cv_.SignalAll();  // the flush thread shares it with compactions
    force = false;            // the new memtable is empty: loop once more for the error check only
  }
}

}  // namespace strata
