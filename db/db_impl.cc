// Construction, shutdown, the read path and properties of DBImpl. Opening and recovery live
// in db_open.cc, the write path in db_impl_write.cc, flushes in db_impl_flush.cc.
#include "db/db_impl.h"

#include <cinttypes>
#include <cstdio>

#include "db/db_iter.h"
#include "db/filename.h"
#include "db/level_iterator.h"
#include "db/table_cache.h"
#include "memtable/memtable.h"
#include "sstable/merging_iterator.h"
#include "wal/log_writer.h"

namespace strata {
namespace {

Options Sanitize(const Options& in) {
  Options out = in;
  if (out.comparator == nullptr) out.comparator = BytewiseComparator();
  if (out.file_system == nullptr) out.file_system = FileSystem::Default();
  if (out.block_cache == nullptr) out.block_cache = NewLRUCache(out.block_cache_capacity);
  return out;
}

std::string_view UserKeyOf(std::string_view internal_key) { return ExtractUserKey(internal_key); }

}  // namespace

DBImpl::DBImpl(const Options& options, const std::string& dbname)
    : options_(Sanitize(options)),
      dbname_(dbname),
      fs_(options_.file_system.get()),
      icmp_(options_.comparator),
      info_log_(std::make_unique<Logger>()),
      bg_work_cv_(&mu_),
      bg_done_cv_(&mu_),
      mem_(std::make_shared<MemTable>(icmp_)) {
  table_options_.comparator = &icmp_;
  table_options_.filter_key = &UserKeyOf;
  table_options_.compression = options_.compression;
  table_options_.block_size = options_.block_size;
  table_options_.block_restart_interval = options_.block_restart_interval;
  table_options_.bloom_bits_per_key = options_.bloom_bits_per_key;
  table_options_.block_cache = options_.block_cache.get();
  table_cache_ =
      std::make_unique<TableCache>(dbname_, fs_, table_options_, options_.max_open_files);
}

DBImpl::~DBImpl() {
  {
    MutexLock lock(&mu_);
    shutting_down_ = true;
    bg_work_cv_.SignalAll();
  }
  // The thread finishes a flush in progress (its edit is then in the MANIFEST); queued
  // memtables stay in their logs and are replayed by the next Open.
  if (bg_thread_.joinable()) bg_thread_.join();
  for (auto& t : compaction_threads_) t.join();
  if (log_) log_->Close().PermitUncheckedError();
  // Versions hold tables open through the table cache: drop them first.
  {
    MutexLock lock(&read_state_mu_);
    read_state_.reset();
  }
  {
    MutexLock lock(&mu_);
    versions_.reset();
  }
  table_cache_.reset();
  if (db_lock_) info_log_->Log("closed");
}

Status DBImpl::Get(const ReadOptions& options, std::string_view key, std::string* value) {
  // The sources first, then the sequence (see ReadSequence).
  std::shared_ptr<const ReadState> state = GetReadState();
  const SequenceNumber seq = ReadSequence(options);
  LookupKey lookup(key, seq);
  Status s;
  if (state->mem->Get(lookup, value, &s)) return s;
  for (const auto& imm : state->imm) {
    if (imm->Get(lookup, value, &s)) return s;
  }
  if (state->version->Get(options, lookup, table_cache_.get(), value, &s)) return s;
  return Status::NotFound(std::string_view());
}

SequenceNumber DBImpl::ReadSequence(const ReadOptions& options) const {
  if (options.snapshot != nullptr) {
    return static_cast<const SnapshotImpl*>(options.snapshot)->sequence;
  }
  return last_sequence_.load(std::memory_order_acquire);
}

std::unique_ptr<Iterator> DBImpl::NewIterator(const ReadOptions& options) {
  std::shared_ptr<const ReadState> state = GetReadState();
  const SequenceNumber seq = ReadSequence(options);
  std::vector<std::unique_ptr<Iterator>> children;
  children.push_back(state->mem->NewIterator());
  for (const auto& imm : state->imm) children.push_back(imm->NewIterator());
  const Version& v = *state->version;
  for (const auto& f : v.files(0)) {
    children.push_back(table_cache_->NewIterator(options, f->number, f->file_size));
  }
  for (int level = 1; level < v.num_levels(); level++) {
    if (v.files(level).empty()) continue;
    children.push_back(NewLevelIterator(&icmp_, &v.files(level), table_cache_.get(), options));
  }
  DBIterOptions iter_options;
  iter_options.sequence = seq;
  iter_options.lower_bound = options.iterate_lower_bound;
  iter_options.upper_bound = options.iterate_upper_bound;
  // The iterator holds the read state: its memtables and version (so its tables) live on.
  return NewDBIterator(icmp_.user_comparator(), NewMergingIterator(&icmp_, std::move(children)),
                       iter_options, std::move(state));
}

const Snapshot* DBImpl::GetSnapshot() {
  MutexLock lock(&mu_);
  return snapshots_.New(last_sequence_.load(std::memory_order_acquire));
}

void DBImpl::ReleaseSnapshot(const Snapshot* snapshot) {
  if (snapshot == nullptr) return;
  MutexLock lock(&mu_);
  snapshots_.Delete(static_cast<const SnapshotImpl*>(snapshot));
}

bool DBImpl::GetProperty(std::string_view name, std::string* value) {
  value->clear();
  auto number = [value](uint64_t n) {
    *value = std::to_string(n);
    return true;
  };
  std::shared_ptr<const ReadState> state = GetReadState();
  if (name == "strata.approximate-memory-usage") {
    uint64_t total = state->mem->ApproximateMemoryUsage();
    for (const auto& imm : state->imm) total += imm->ApproximateMemoryUsage();
    return number(total);
  }
  if (name == "strata.num-entries-active-mem-table") return number(state->mem->num_entries());
  if (name == "strata.num-immutable-mem-table") return number(state->imm.size());
  if (name == "strata.num-snapshots") {
    MutexLock lock(&mu_);
    return number(snapshots_.size());
  }
  if (name == "strata.last-sequence") {
    return number(last_sequence_.load(std::memory_order_acquire));
  }
  constexpr std::string_view kFilesAtLevel = "strata.num-files-at-level";
  if (name.starts_with(kFilesAtLevel)) {
    std::string_view rest = name.substr(kFilesAtLevel.size());
    int level = 0;
    if (rest.empty() || rest.size() > 2) return false;
    for (char c : rest) {
      if (c < '0' || c > '9') return false;
      level = level * 10 + (c - '0');
    }
    if (level >= state->version->num_levels()) return false;
    return number(state->version->files(level).size());
  }
  if (name == "strata.num-entries-in-tables") {
    // Exact: from each table's properties block (opens tables that are not open yet).
    uint64_t total = 0;
    for (int level = 0; level < state->version->num_levels(); level++) {
      for (const auto& f : state->version->files(level)) {
        TableProperties props;
        if (!table_cache_->GetProperties(f->number, f->file_size, &props).ok()) return false;
        total += props.num_entries;
      }
    }
    return number(total);
  }
  if (name == "strata.total-sst-size") {
    uint64_t total = 0;
    for (int level = 0; level < state->version->num_levels(); level++) {
      total += state->version->NumLevelBytes(level);
    }
    return number(total);
  }
  if (name == "strata.estimate-num-keys") {
    // Entries in memtables and tables, less deletions in memtables: overwrites and
    // deletions still in tables make it an overestimate until compaction removes them.
    uint64_t total = state->mem->num_entries() - 2 * state->mem->num_deletes();
    for (const auto& imm : state->imm) total += imm->num_entries() - 2 * imm->num_deletes();
    for (int level = 0; level < state->version->num_levels(); level++) {
      for (const auto& f : state->version->files(level)) {
        TableProperties props;
        if (table_cache_->GetProperties(f->number, f->file_size, &props).ok()) {
          total += props.num_entries;
        }
      }
    }
    return number(static_cast<int64_t>(total) < 0 ? 0 : total);
  }
  if (name == "strata.levels") {
    *value = "level  files  size(MB)\n";
    char buf[64];
    for (int level = 0; level < state->version->num_levels(); level++) {
      std::snprintf(buf, sizeof buf, "%5d %6zu %9.1f\n", level, state->version->files(level).size(),
                    state->version->NumLevelBytes(level) / 1048576.0);
      *value += buf;
    }
    return true;
  }
  if (name == "strata.sstables") {
    *value = state->version->DebugString();
    return true;
  }
  if (name == "strata.stats") {
    uint64_t batches = stats_.batches.load(std::memory_order_relaxed);
    uint64_t groups = stats_.groups.load(std::memory_order_relaxed);
    auto get = [](const std::atomic<uint64_t>& a) { return a.load(std::memory_order_relaxed); };
    uint64_t log_number;
    {
      MutexLock lock(&mu_);
      log_number = log_number_;
    }
    char buf[2048];
    std::snprintf(
        buf, sizeof buf,
        "** Write path **\n"
        "batches written: %" PRIu64
        "\n"
        "write groups (log records): %" PRIu64
        " (%.2f batches per group)\n"
        "log syncs: %" PRIu64
        " (%.2f writers per sync, %.3f s syncing, %.3f s gathering)\n"
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
        batches, groups, groups ? static_cast<double>(batches) / groups : 0.0, get(stats_.syncs),
        get(stats_.syncs) ? static_cast<double>(get(stats_.sync_writers)) / get(stats_.syncs) : 0.0,
        get(stats_.sync_micros) / 1e6, get(stats_.gather_micros) / 1e6, get(stats_.user_bytes),
        get(stats_.wal_bytes), log_number, state->mem->num_entries(), state->mem->num_deletes(),
        state->mem->ApproximateMemoryUsage(), state->imm.size(), get(stats_.memtable_switches),
        get(stats_.flushes), get(stats_.flush_bytes), get(stats_.flush_micros) / 1e6,
        get(stats_.stalls), get(stats_.stall_micros) / 1e6, get(stats_.wal_files_deleted),
        get(stats_.tables_deleted), get(stats_.recovered_records),
        get(stats_.recovery_dropped_bytes));
    *value = buf;
    MutexLock lock(&mu_);
    *value += LevelStatsText();
    return true;
  }
  return false;
}

}  // namespace strata
