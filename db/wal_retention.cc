// Which obsolete logs to keep for change feeds (see db/wal_retention.h).
#include "db/wal_retention.h"

#include <algorithm>
#include <chrono>
#include <cinttypes>

#include "db/log_feed.h"
#include "db/log_slots.h"
#include "version/filename.h"

namespace strata {

WalRetention::WalRetention(const Options& options, FileSystem* fs, std::string dbname, Logger* log)
    : options_(options), fs_(fs), dbname_(std::move(dbname)), log_(log) {}

void WalRetention::TEST_AdvanceClock(uint64_t seconds) {
  MutexLock lock(&mu_);
  clock_offset_ += seconds;
}

uint64_t WalRetention::NowSeconds() {
  const auto now = std::chrono::steady_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::seconds>(now).count() + clock_offset_;
}

std::vector<WalRetention::LogInfo> WalRetention::Describe(const std::vector<uint64_t>& logs) {
  std::vector<LogInfo> infos;
  for (uint64_t number : logs) {
    LogInfo info;
    info.number = number;
    const std::string path = LogFileName(dbname_, number);
    if (!fs_->GetFileSize(path, &info.size).ok()) continue;  // deleted meanwhile
    auto cached = first_sequence_.find(number);
    if (cached != first_sequence_.end()) {
      info.has_first = true;
      info.first = cached->second;
    } else if (FirstSequenceOfLog(fs_, path, &info.first, &info.has_first).ok() && info.has_first) {
      // The first record of a log never changes once written.
      first_sequence_[number] = info.first;
    }
    infos.push_back(info);
  }
  return infos;
}

size_t WalRetention::HeldFrom(const std::vector<LogInfo>& infos, uint64_t sequence) {
  // A log is not needed once a later log starts at or before the sequence: everything in it
  // is below that start. (A log whose start is unknown proves nothing, so it is kept.)
  size_t from = 0;
  for (size_t i = 0; i < infos.size(); i++) {
    if (infos[i].has_first && infos[i].first <= sequence) from = i;
  }
  return from;
}

bool WalRetention::MayRetain() {
  if (RetainsByAgeOrSize()) return true;
  std::vector<LogSlot> slots;
  return !ListLogSlots(dbname_, &slots, nullptr).ok() || !slots.empty();
}

std::vector<uint64_t> WalRetention::Choose(const std::vector<uint64_t>& obsolete,
                                           const std::vector<uint64_t>& logs) {
  const bool retaining = RetainsByAgeOrSize();
  std::vector<LogSlot> slots;
  Status s = ListLogSlots(dbname_, &slots, nullptr);
  if (!s.ok()) {
    // Not knowing what the slots hold, delete nothing: a consumer must never lose history
    // because its slot file could not be read.
    log_->Log("log slots unreadable, keeping every log: %s", s.ToString().c_str());
    return {};
  }
  if (!retaining && slots.empty()) {
    MutexLock lock(&mu_);
    obsolete_since_.clear();
    first_sequence_.clear();
    return obsolete;
  }

  MutexLock lock(&mu_);
  const std::vector<LogInfo> infos = Describe(logs);
  // The oldest log any valid slot holds.
  uint64_t held = UINT64_MAX;
  const uint64_t max_lag = options_.max_slot_lag_mb << 20;
  for (const LogSlot& slot : slots) {
    if (slot.invalidated || infos.empty()) continue;
    const size_t from = HeldFrom(infos, slot.sequence);
    uint64_t lag = 0;
    for (size_t i = from; i < infos.size(); i++) lag += infos[i].size;
    if (max_lag > 0 && lag > max_lag) {
      const std::string reason = "it held " + std::to_string(lag) +
                                 " bytes of logs from sequence " + std::to_string(slot.sequence) +
                                 ", more than max_slot_lag_mb (" +
                                 std::to_string(options_.max_slot_lag_mb) + " MiB)";
      Status inv = InvalidateLogSlot(fs_, dbname_, slot.name, reason);
      log_->Log("log slot '%s' invalidated: %s%s", slot.name.c_str(), reason.c_str(),
                inv.ok() ? "" : (" (marker not written: " + inv.ToString() + ")").c_str());
      if (!inv.ok()) held = std::min(held, infos[from].number);  // still counts: not marked
      continue;
    }
    held = std::min(held, infos[from].number);
  }

  const uint64_t now = NowSeconds();
  uint64_t retained_bytes = 0;
  for (const LogInfo& info : infos) {
    if (std::binary_search(obsolete.begin(), obsolete.end(), info.number)) {
      retained_bytes += info.size;
      obsolete_since_.emplace(info.number, now);
    }
  }
  const uint64_t size_limit = options_.wal_size_limit_mb << 20;
  std::vector<uint64_t> doomed;
  for (const LogInfo& info : infos) {
    if (!std::binary_search(obsolete.begin(), obsolete.end(), info.number)) break;
    if (info.number >= held) break;
    const uint64_t age = now - obsolete_since_[info.number];
    const bool expired = options_.wal_ttl_seconds > 0 ? age >= options_.wal_ttl_seconds
                                                      : options_.wal_size_limit_mb == 0;
    const bool over = size_limit > 0 && retained_bytes > size_limit;
    if (!expired && !over) break;  // oldest first: what follows is kept too
    doomed.push_back(info.number);
    retained_bytes -= info.size;
  }
  for (uint64_t number : doomed) {
    obsolete_since_.erase(number);
    first_sequence_.erase(number);
  }
  return doomed;
}

std::string WalRetention::Report(const std::vector<uint64_t>& logs, uint64_t live_from) {
  std::vector<LogSlot> slots;
  Status s = ListLogSlots(dbname_, &slots, nullptr);
  MutexLock lock(&mu_);
  const std::vector<LogInfo> infos = Describe(logs);
  std::string out;
  char buf[200];
  uint64_t retained = 0, retained_bytes = 0;
  for (const LogInfo& info : infos) {
    const bool live = info.number >= live_from;
    if (!live) {
      retained++;
      retained_bytes += info.size;
    }
    std::snprintf(
        buf, sizeof buf, "log %06" PRIu64 " %" PRIu64 " bytes, %s, %s\n", info.number, info.size,
        info.has_first ? ("first sequence " + std::to_string(info.first)).c_str() : "no records",
        live ? "live" : "retained");
    out += buf;
  }
  std::snprintf(buf, sizeof buf, "retained: %" PRIu64 " logs, %" PRIu64 " bytes\n", retained,
                retained_bytes);
  out += buf;
  if (!s.ok()) return out + "slots: unreadable: " + s.ToString() + "\n";
  for (const LogSlot& slot : slots) {
    uint64_t lag = 0;
    std::string held = "none";
    if (!slot.invalidated && !infos.empty()) {
      const size_t from = HeldFrom(infos, slot.sequence);
      for (size_t i = from; i < infos.size(); i++) lag += infos[i].size;
      held = std::to_string(infos[from].number);
    }
    out += "slot " + slot.name + " at sequence " + std::to_string(slot.sequence) +
           (slot.invalidated
                ? ", INVALIDATED: " + slot.invalidation
                : ", holds logs from " + held + ", lag " + std::to_string(lag) + " bytes") +
           "\n";
  }
  return out;
}

}  // namespace strata
