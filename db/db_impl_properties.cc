// DB::GetProperty: a table of named handlers. Each handler reads one pinned ReadState (and the
// counters in stats_, or mu_ briefly for what only it guards), so a property never blocks a
// write for longer than a lock hand-off. The names are listed in include/strata/db.h.
#include <algorithm>
#include <charconv>
#include <cinttypes>
#include <cstdio>

#include "db/db_impl.h"
#include "db/wal_retention.h"
#include "memtable/memtable.h"
#include "version/filename.h"
#include "version/table_cache.h"

namespace strata {

// The handlers, as static members of a nested struct so that they may read DBImpl's private
// state. Each returns false for a name it does not serve (a suffix it cannot parse).
struct DBImpl::PropertyHandlers {
  using Handler = bool (*)(DBImpl& db, const ReadState& state, std::string_view suffix,
                           std::string* value);
  struct Entry {
    std::string_view name;
    bool takes_suffix;  // "strata.num-files-at-level" + "<N>"
    Handler handler;
    bool text_only;  // not one decimal number (GetIntProperty refuses it)
  };

  static bool Number(uint64_t n, std::string* value) {
    *value = std::to_string(n);
    return true;
  }

  static bool MemoryUsage(DBImpl&, const ReadState& state, std::string_view, std::string* value) {
    uint64_t total = state.mem->ApproximateMemoryUsage();
    for (const auto& imm : state.imm) total += imm->ApproximateMemoryUsage();
    return Number(total, value);
  }
  static bool ReaderMemory(DBImpl& db, const ReadState&, std::string_view, std::string* value) {
    return Number(db.table_cache_->ReaderMemory(), value);
  }
  static bool CacheUsage(DBImpl& db, const ReadState&, std::string_view, std::string* value) {
    return Number(db.options_.block_cache->usage(), value);
  }
  static bool ActiveEntries(DBImpl&, const ReadState& state, std::string_view, std::string* value) {
    return Number(state.mem->num_entries(), value);
  }
  static bool Immutables(DBImpl&, const ReadState& state, std::string_view, std::string* value) {
    return Number(state.imm.size(), value);
  }
  static bool Snapshots(DBImpl& db, const ReadState&, std::string_view, std::string* value) {
    MutexLock lock(&db.mu_);
    return Number(db.snapshots_.size(), value);
  }
  static bool LastSequence(DBImpl& db, const ReadState&, std::string_view, std::string* value) {
    return Number(db.last_sequence_.load(std::memory_order_acquire), value);
  }
  static bool DurableSequence(DBImpl& db, const ReadState&, std::string_view, std::string* value) {
    return Number(db.durable_sequence_.load(std::memory_order_acquire), value);
  }
  static bool WalRetentionText(DBImpl& db, const ReadState&, std::string_view, std::string* value) {
    std::vector<std::string> names;
    Status s = db.fs_->GetChildren(db.dbname_, &names);
    if (!s.ok()) return false;
    std::vector<uint64_t> logs;
    for (const std::string& name : names) {
      uint64_t number;
      FileType type;
      if (ParseFileName(name, &number, &type) && type == FileType::kLog) logs.push_back(number);
    }
    std::sort(logs.begin(), logs.end());
    uint64_t live_from;
    {
      MutexLock lock(&db.mu_);
      live_from = std::min(db.versions_->log_number(), db.log_number_);
    }
    *value = db.wal_retention_->Report(logs, live_from);
    return true;
  }
  // The level a "...-at-level<N>" suffix names, or -1 if it names none of the version's.
  static int SuffixLevel(const ReadState& state, std::string_view suffix) {
    if (suffix.empty() || suffix.size() > 2) return -1;
    int level = 0;
    for (char c : suffix) {
      if (c < '0' || c > '9') return -1;
      level = level * 10 + (c - '0');
    }
    return level < state.version->num_levels() ? level : -1;
  }
  static bool FilesAtLevel(DBImpl&, const ReadState& state, std::string_view suffix,
                           std::string* value) {
    const int level = SuffixLevel(state, suffix);
    return level >= 0 && Number(state.version->files(level).size(), value);
  }
  static bool BytesAtLevel(DBImpl&, const ReadState& state, std::string_view suffix,
                           std::string* value) {
    const int level = SuffixLevel(state, suffix);
    return level >= 0 && Number(state.version->NumLevelBytes(level), value);
  }
  static bool EntriesInTables(DBImpl& db, const ReadState& state, std::string_view,
                              std::string* value) {
    // Exact: from each table's properties block (opens tables that are not open yet).
    uint64_t total = 0;
    for (int level = 0; level < state.version->num_levels(); level++) {
      for (const auto& f : state.version->files(level)) {
        TableProperties props;
        if (!db.table_cache_->GetProperties(f->number, f->file_size, &props).ok()) return false;
        total += props.num_entries;
      }
    }
    return Number(total, value);
  }
  static bool TotalTableSize(DBImpl&, const ReadState& state, std::string_view,
                             std::string* value) {
    return Number(state.version->TotalBytes(), value);
  }
  static bool EstimateKeys(DBImpl& db, const ReadState& state, std::string_view,
                           std::string* value) {
    // Entries in memtables and tables, less deletions in memtables: overwrites and
    // deletions still in tables make it an overestimate until compaction removes them.
    uint64_t total = state.mem->num_entries() - 2 * state.mem->num_deletes();
    for (const auto& imm : state.imm) total += imm->num_entries() - 2 * imm->num_deletes();
    for (int level = 0; level < state.version->num_levels(); level++) {
      for (const auto& f : state.version->files(level)) {
        TableProperties props;
        if (db.table_cache_->GetProperties(f->number, f->file_size, &props).ok()) {
          total += props.num_entries;
        }
      }
    }
    return Number(static_cast<int64_t>(total) < 0 ? 0 : total, value);
  }
  static bool Levels(DBImpl&, const ReadState& state, std::string_view, std::string* value) {
    *value = "level  files  size(MB)\n";
    char buf[64];
    for (int level = 0; level < state.version->num_levels(); level++) {
      std::snprintf(buf, sizeof buf, "%5d %6zu %9.1f\n", level, state.version->files(level).size(),
                    state.version->NumLevelBytes(level) / 1048576.0);
      *value += buf;
    }
    return true;
  }
  static bool Sstables(DBImpl&, const ReadState& state, std::string_view, std::string* value) {
    *value = state.version->DebugString();
    return true;
  }
  static bool StallsInProgress(DBImpl& db, const ReadState&, std::string_view, std::string* value) {
    return Number(db.stats_.stalls_in_progress.load(std::memory_order_relaxed), value);
  }
  static bool Flushes(DBImpl& db, const ReadState&, std::string_view, std::string* value) {
    return Number(db.stats_.flushes.load(std::memory_order_relaxed), value);
  }
  static bool Compactions(DBImpl& db, const ReadState&, std::string_view, std::string* value) {
    MutexLock lock(&db.mu_);
    uint64_t total = 0;
    for (const LevelStats& st : db.level_stats_) total += st.compactions + st.trivial_moves;
    return Number(total, value);
  }
  static bool StatsText(DBImpl& db, const ReadState& state, std::string_view, std::string* value);
  static bool BackgroundError(DBImpl& db, const ReadState&, std::string_view, std::string* value) {
    MutexLock lock(&db.mu_);
    *value = db.BackgroundErrorText();
    return true;
  }

  static constexpr Entry kTable[] = {
      {"strata.stats", false, &StatsText, true},
      {"strata.levels", false, &Levels, true},
      {"strata.sstables", false, &Sstables, true},
      {"strata.num-files-at-level", true, &FilesAtLevel, false},
      {"strata.bytes-at-level", true, &BytesAtLevel, false},
      {"strata.num-entries-in-tables", false, &EntriesInTables, false},
      {"strata.estimate-num-keys", false, &EstimateKeys, false},
      {"strata.total-sst-size", false, &TotalTableSize, false},
      {"strata.approximate-memory-usage", false, &MemoryUsage, false},
      {"strata.estimate-table-readers-mem", false, &ReaderMemory, false},
      {"strata.block-cache-usage", false, &CacheUsage, false},
      {"strata.num-entries-active-mem-table", false, &ActiveEntries, false},
      {"strata.num-immutable-mem-table", false, &Immutables, false},
      {"strata.num-snapshots", false, &Snapshots, false},
      {"strata.last-sequence", false, &LastSequence, false},
      {"strata.write-stalls-in-progress", false, &StallsInProgress, false},
      {"strata.num-flushes", false, &Flushes, false},
      {"strata.num-compactions", false, &Compactions, false},
      {"strata.background-error", false, &BackgroundError, true},
      {"strata.durable-sequence", false, &DurableSequence, false},
      {"strata.wal-retention", false, &WalRetentionText, true},
  };

  // The entry serving name, and the suffix after its name; null if none does.
  static const Entry* Find(std::string_view name) {
    for (const Entry& e : kTable) {
      if (e.takes_suffix ? name.starts_with(e.name) : name == e.name) return &e;
    }
    return nullptr;
  }
};

bool DBImpl::PropertyHandlers::StatsText(DBImpl& db, const ReadState& state, std::string_view,
                                         std::string* value) {
  const DBImpl::Stats& stats = db.stats_;
  auto get = [](const std::atomic<uint64_t>& a) { return a.load(std::memory_order_relaxed); };
  const uint64_t batches = get(stats.batches);
  const uint64_t groups = get(stats.groups);
  uint64_t log_number;
  {
    MutexLock lock(&db.mu_);
    log_number = db.log_number_;
  }
  char buf[2048];
  std::snprintf(
      buf, sizeof buf,
      "** Write path **\n"
      "batches written: %" PRIu64
      "\n"
      "write groups (log records): %" PRIu64 " (%.2f batches per group, %" PRIu64
      " led on by the previous group's leader)\n"
      "log syncs: %" PRIu64 " (%.2f writers per sync, %.3f s syncing, %.3f s gathering, %" PRIu64
      " while the leader inserted)\n"
      "user bytes: %" PRIu64
      "\n"
      "log bytes: %" PRIu64
      "\n"
      "current log: %06" PRIu64
      "\n"
      "** Memtables **\n"
      "active entries: %" PRIu64 " (deletes %" PRIu64
      "), memory %zu bytes\n"
      "immutable waiting for flush: %zu\n"
      "switches: %" PRIu64
      "\n"
      "table readers (indexes and filters): %" PRIu64
      " bytes\n"
      "** Flush **\n"
      "flushes: %" PRIu64
      "\n"
      "bytes written: %" PRIu64
      "\n"
      "time: %.3f s\n"
      "write stalls: %" PRIu64
      " (%.3f s waiting)\n"
      "log files deleted: %" PRIu64
      "\n"
      "table files deleted: %" PRIu64
      "\n"
      "** Recovery **\n"
      "records replayed: %" PRIu64
      "\n"
      "bytes dropped: %" PRIu64 "\n",
      batches, groups, groups ? static_cast<double>(batches) / groups : 0.0,
      get(stats.groups_led_on), get(stats.syncs),
      get(stats.syncs) ? static_cast<double>(get(stats.sync_writers)) / get(stats.syncs) : 0.0,
      get(stats.sync_micros) / 1e6, get(stats.gather_micros) / 1e6, get(stats.syncs_during_insert),
      get(stats.user_bytes), get(stats.wal_bytes), log_number, state.mem->num_entries(),
      state.mem->num_deletes(), state.mem->ApproximateMemoryUsage(), state.imm.size(),
      get(stats.memtable_switches), db.table_cache_->ReaderMemory(), get(stats.flushes),
      get(stats.flush_bytes), get(stats.flush_micros) / 1e6, get(stats.stalls),
      get(stats.stall_micros) / 1e6, get(stats.wal_files_deleted), get(stats.tables_deleted),
      get(stats.recovered_records), get(stats.recovery_dropped_bytes));
  *value = buf;
  MutexLock lock(&db.mu_);
  *value += db.LevelStatsText();
  *value += db.BackgroundErrorStatsText();
  return true;
}

bool DBImpl::GetProperty(std::string_view name, std::string* value) {
  value->clear();
  const PropertyHandlers::Entry* e = PropertyHandlers::Find(name);
  if (e == nullptr) return false;
  std::shared_ptr<const ReadState> state = GetReadState();
  return e->handler(*this, *state, name.substr(e->name.size()), value);
}

bool DBImpl::GetIntProperty(std::string_view name, uint64_t* value) {
  const PropertyHandlers::Entry* e = PropertyHandlers::Find(name);
  if (e == nullptr || e->text_only) return false;
  // The same handler as the text, read back: one implementation of each property.
  std::string text;
  if (!GetProperty(name, &text)) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace strata
