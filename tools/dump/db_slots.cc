#include "tools/dump/db_slots.h"

#include "db/log_feed.h"
#include "strata/change_feed.h"
#include "version/filename.h"

namespace strata::dump {

LogHistoryView ReadLogHistory(FileSystem* fs, const std::string& dir,
                              const std::vector<std::pair<uint64_t, uint64_t>>& logs) {
  LogHistoryView view;
  for (const auto& [number, size] : logs) {
    LogHistoryView::Log log;
    log.number = number;
    log.size = size;
    if (!FirstSequenceOfLog(fs, LogFileName(dir, number), &log.first, &log.has_first).ok()) {
      log.has_first = false;
    }
    view.logs.push_back(log);
  }
  std::vector<LogSlot> slots;
  Status s = ListLogSlots(dir, &slots, nullptr);
  if (!s.ok()) view.slots_error = s.ToString();
  for (const LogSlot& slot : slots) {
    SlotView v;
    v.name = slot.name;
    v.sequence = slot.sequence;
    v.invalidated = slot.invalidated;
    v.invalidation = slot.invalidation;
    if (!slot.invalidated && !view.logs.empty()) {
      // The same rule as the owner's (db/wal_retention.cc): held from the last log that
      // starts at or before the slot's sequence.
      size_t from = 0;
      for (size_t i = 0; i < view.logs.size(); i++) {
        if (view.logs[i].has_first && view.logs[i].first <= slot.sequence) from = i;
      }
      v.held_from_log = view.logs[from].number;
      for (size_t i = from; i < view.logs.size(); i++) v.lag_bytes += view.logs[i].size;
    }
    view.slots.push_back(v);
  }
  return view;
}

}  // namespace strata::dump
