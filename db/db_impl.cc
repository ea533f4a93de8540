// Construction, shutdown and snapshots of DBImpl. The rest is in files named for what they
// do: db_impl_open.cc (Open, recovery, DestroyDB), db_impl_write.cc (the write path and group
// commit), db_impl_read.cc (Get, iterators), db_impl_flush.cc (background flush),
// db_impl_compaction.cc, db_impl_obsolete_files.cc, db_impl_properties.cc (GetProperty).
#include "db/db_impl.h"

#include <cinttypes>
#include <cstdio>

#include "db/db_iter.h"
#include "db/wal_retention.h"
#include "memtable/memtable.h"
#include "sstable/merging_iterator.h"
#include "util/large_memory.h"
#include "util/logger.h"
#include "version/filename.h"
#include "version/level_iterator.h"
#include "version/table_cache.h"
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

}  // namespace

DBImpl::DBImpl(const Options& options, const std::string& dbname, bool read_only)
    : options_(Sanitize(options)),
      dbname_(dbname),
      read_only_(read_only),
      fs_(options_.file_system.get()),
      icmp_(options_.comparator),
      info_log_(std::make_shared<NullLogger>()),
      statistics_(options_.statistics.get()),
      bg_work_cv_(&mu_),
      bg_done_cv_(&mu_),
      mem_(NewMemTable()),
      feed_cv_(&mu_) {
  table_options_ = DatabaseTableOptions(options_, &icmp_);
  table_options_.statistics = statistics_;
  if (!options_.block_cache_admit_on_first_miss && options_.block_cache != nullptr) {
    block_admission_ =
        std::make_unique<BlockAdmission>(options_.block_cache->capacity(), options_.block_size);
    table_options_.block_admission = block_admission_.get();
  }
  table_cache_ =
      std::make_unique<TableCache>(dbname_, fs_, table_options_, options_.max_open_files);
  // Before any table opens; process-wide, and never turned off again (Options).
  if (options_.table_memory_huge_pages) SetLargeMemoryHugePages(true);
}

DBImpl::~DBImpl() {
  {
    MutexLock lock(&mu_);
    shutting_down_ = true;
    bg_work_cv_.SignalAll();
    feed_cv_.SignalAll();
  }
  // The thread finishes a flush in progress (its edit is then in the MANIFEST); queued
  // memtables stay in their logs and are replayed by the next Open.
  const bool opened_for_writes = bg_thread_.joinable();
  if (bg_thread_.joinable()) bg_thread_.join();
  for (auto& t : compaction_threads_) t.join();
  // Older logs first, as a switch would have closed them; unsynced, as a close never syncs.
  unsynced_logs_.ReleaseBelow(UINT64_MAX);
  if (log_) log_->Close().PermitUncheckedError();
  // Versions hold tables open through the table cache: drop them first.
  {
    MutexLock lock(&read_state_mu_);
    read_state_.reset();
  }
  {
    MutexLock lock(&mu_);
    // Tables that only an older version still needed (a released iterator's, or a
    // compaction's that the close stopped) are deleted now that nothing holds one, rather
    // than left on disk until the next Open.
    if (opened_for_writes) DeleteObsoleteFiles();
    versions_.reset();
  }
  table_cache_.reset();
  if (db_lock_) info_log_->Log("closed");
  // The error ends with this object (a reopen starts clean); no thread calls listeners now.
  bool reported;
  {
    MutexLock lock(&mu_);
    reported = error_reported_;
  }
  if (reported) NotifyListeners([](EventListener& l) { l.OnBackgroundErrorCleared(); });
}

std::shared_ptr<MemTable> DBImpl::NewMemTable() const {
  // Below 8 huge pages a block would be too coarse a step of the memtable's size, which
  // decides when it is flushed.
  const bool huge =
      options_.memtable_huge_pages && options_.write_buffer_size >= 8 * Arena::kHugePageSize;
  const auto bloom_bytes =
      static_cast<size_t>(options_.memtable_bloom_size_ratio * options_.write_buffer_size);
  return std::make_shared<MemTable>(icmp_, huge ? Arena::Blocks::kHugePages : Arena::Blocks::kHeap,
                                    bloom_bytes);
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

}  // namespace strata
