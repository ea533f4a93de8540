#include "db/unsynced_logs.h"

#include <algorithm>
#include <cassert>

namespace strata {

void UnsyncedLogs::Add(uint64_t number, std::unique_ptr<LogWriter> log) {
  MutexLock l(&mu_);
  assert(logs_.empty() || logs_.back().number < number);
  logs_.push_back({number, std::move(log)});
  count_.store(logs_.size(), std::memory_order_release);
}

Status UnsyncedLogs::SyncThrough(uint64_t through) {
  MutexLock sync_lock(&sync_mu_);
  std::vector<Held> due;
  {
    MutexLock l(&mu_);
    for (const Held& h : logs_) {
      if (h.number <= through) due.push_back(h);
    }
  }
  for (const Held& h : due) {
    Status s = h.log->Sync();
    MutexLock l(&mu_);
    auto it = std::find_if(logs_.begin(), logs_.end(),
                           [&h](const Held& x) { return x.number == h.number; });
    if (it == logs_.end()) continue;  // released meanwhile: its data is in a table
    if (!s.ok()) return s;
    logs_.erase(it);
    count_.store(logs_.size(), std::memory_order_release);
  }
  return Status::OK();
}

void UnsyncedLogs::ReleaseBelow(uint64_t number) {
  std::vector<Held> released;
  {
    MutexLock l(&mu_);
    auto end = std::find_if(logs_.begin(), logs_.end(),
                            [number](const Held& h) { return h.number >= number; });
    released.assign(std::make_move_iterator(logs_.begin()), std::make_move_iterator(end));
    logs_.erase(logs_.begin(), end);
    count_.store(logs_.size(), std::memory_order_release);
  }
  // Each file is closed as its last reference goes: here, or when a sync in progress
  // finishes. It is about to be deleted or kept as it is, so an error closing it (which the
  // destructor ignores) changes nothing.
  released.clear();
}

}  // namespace strata
