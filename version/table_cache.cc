#include "version/table_cache.h"

#include <cassert>
#include <utility>
#include <vector>

#include "util/coding.h"
#include "util/statistics_util.h"
#include "version/filename.h"
#include "version/ingested_table.h"

namespace strata {
namespace {

// Cache key of a table: its file number, fixed64.
class FileKey {
 public:
  explicit FileKey(uint64_t file_number) { EncodeFixed64(buf_, file_number); }
  std::string_view view() const { return std::string_view(buf_, sizeof buf_); }

 private:
  char buf_[8];
};

void DeleteTable(std::string_view /*key*/, void* value) { delete static_cast<Table*>(value); }

// Shards of the reader cache: up to 16, keeping at least 32 readers per shard so that the
// per-shard split of max_open_files stays close to a global LRU.
int ShardBitsFor(int max_open_files) {
  int bits = 0;
  while (bits < 4 && (max_open_files >> (bits + 1)) >= 32) bits++;
  return bits;
}

// An iterator over a cached table that keeps the table pinned in the cache while it lives.
class PinnedTableIterator final : public Iterator {
 public:
  PinnedTableIterator(TableCache::PinnedTable table, std::unique_ptr<Iterator> iter)
      : table_(std::move(table)), iter_(std::move(iter)) {}

  bool Valid() const override { return iter_->Valid(); }
  void SeekToFirst() override { iter_->SeekToFirst(); }
  void SeekToLast() override { iter_->SeekToLast(); }
  void Seek(std::string_view target) override { iter_->Seek(target); }
  void SeekForPrev(std::string_view target) override { iter_->SeekForPrev(target); }
  void Next() override { iter_->Next(); }
  void Prev() override { iter_->Prev(); }
  std::string_view key() const override { return iter_->key(); }
  std::string_view value() const override { return iter_->value(); }
  Status status() const override { return iter_->status(); }

 private:
  TableCache::PinnedTable table_;
  std::unique_ptr<Iterator> iter_;  // declared after table_: destroyed before the table closes
};

}  // namespace

TableCache::TableCache(std::string dbname, FileSystem* fs, const TableOptions& table_options,
                       int max_open_files)
    : dbname_(std::move(dbname)),
      fs_(fs),
      table_options_([&] {
        TableOptions o = table_options;
        o.reader_memory = &reader_memory_;
        return o;
      }()),
      kept_pins_left_(max_open_files / 2),
      cache_(NewLRUCache(max_open_files > 0 ? static_cast<size_t>(max_open_files) : 0,
                         ShardBitsFor(max_open_files))) {}

TableCache::~TableCache() = default;

Status TableCache::FindTable(uint64_t file_number, uint64_t file_size, Cache::Handle** handle) {
  const FileKey key(file_number);
  *handle = cache_->Lookup(key.view());
  // A table's index and filter live with the open table: found here, they are in memory
  // (a cache hit); otherwise Open reads them (a miss).
  Statistics* stats = table_options_.statistics;
  if (*handle != nullptr) {
    RecordTick(stats, Ticker::kBlockCacheIndexHit);
    RecordTick(stats, Ticker::kBlockCacheFilterHit);
    return Status::OK();
  }
  RecordTick(stats, Ticker::kBlockCacheIndexMiss);
  RecordTick(stats, Ticker::kBlockCacheFilterMiss);

  // Opened without any lock held: a slow open does not block readers of other tables.
  std::unique_ptr<Table> table;
  Status s = OpenTable(file_number, file_size, &table);
  if (!s.ok()) return s;  // nothing is cached: the next call tries again
  *handle = cache_->Insert(key.view(), table.release(), 1, &DeleteTable);
  return Status::OK();
}

bool TableCache::OpensWithPread() const {
  const uint64_t bound = fs_->MappingBound();
  return bound > 0 && live_table_bytes_.load(std::memory_order_relaxed) > bound;
}

TableOptions TableCache::OptionsForNewTable() const {
  TableOptions options = table_options_;
  options.write_chunk = OpensWithPread() ? ChunkedWriter::kPreadChunk : ChunkedWriter::kMappedChunk;
  return options;
}

Status TableCache::OpenTable(uint64_t file_number, uint64_t file_size,
                             std::unique_ptr<Table>* table) const {
  std::string file_name = TableFileName(dbname_, file_number);
  std::unique_ptr<RandomAccessFile> file;
  // A database larger than the mapping bound is read with pread whatever order its tables
  // open in: a reopened one opens them a read at a time, and the file system alone would map
  // the first bound's worth and keep every page a read touched resident.
  Status s = OpensWithPread() ? fs_->NewUnmappedRandomAccessFile(file_name, &file)
                              : fs_->NewRandomAccessFile(file_name, &file);
  if (!s.ok()) return s;
  return Table::Open(table_options_, std::move(file_name), std::move(file), file_size, table);
}

Status TableCache::Verify(uint64_t file_number, uint64_t file_size) const {
  std::unique_ptr<Table> table;
  return OpenTable(file_number, file_size, &table);
}

std::unique_ptr<Iterator> TableCache::NewIterator(const ReadOptions& options, uint64_t file_number,
                                                  uint64_t file_size, SequenceNumber global_seqno) {
  PinnedTable pinned;
  Status s = Pin(file_number, file_size, &pinned);
  if (!s.ok()) return NewEmptyIterator(std::move(s));
  std::unique_ptr<Iterator> iter = pinned.table().NewIterator(options);
  if (global_seqno != 0) {
    iter = NewIngestedTableIterator(std::move(iter), table_options_.comparator, global_seqno);
  }
  return std::make_unique<PinnedTableIterator>(std::move(pinned), std::move(iter));
}

Status TableCache::Pin(uint64_t file_number, uint64_t file_size, PinnedTable* pinned) {
  pinned->Reset();
  Cache::Handle* handle = nullptr;
  Status s = FindTable(file_number, file_size, &handle);
  if (!s.ok()) return s;
  *pinned = PinnedTable(cache_.get(), handle);
  return Status::OK();
}

bool TableCache::PinIfOpen(uint64_t file_number, PinnedTable* pinned) {
  pinned->Reset();
  Cache::Handle* handle = cache_->Lookup(FileKey(file_number).view());
  if (handle == nullptr) return false;
  *pinned = PinnedTable(cache_.get(), handle);
  return true;
}

Status TableCache::Get(const ReadOptions& options, uint64_t file_number, uint64_t file_size,
                       std::string_view key, std::string_view filter_key, Table::GetCallback found,
                       void* arg, SequenceNumber global_seqno, SequenceNumber* covering,
                       bool* has_filter) {
  PinnedTable pinned;
  Status s = Pin(file_number, file_size, &pinned);
  if (!s.ok()) return s;
  return GetPinned(options, pinned.table(), key, filter_key, found, arg, global_seqno, covering,
                   has_filter);
}

Status TableCache::Get(const ReadOptions& options, const Table& table, std::string_view key,
                       std::string_view filter_key, Table::GetCallback found, void* arg,
                       SequenceNumber global_seqno, SequenceNumber* covering, bool* has_filter) {
  RecordTick(table_options_.statistics, Ticker::kBlockCacheIndexHit);
  RecordTick(table_options_.statistics, Ticker::kBlockCacheFilterHit);
  return GetPinned(options, table, key, filter_key, found, arg, global_seqno, covering, has_filter);
}

Status TableCache::GetPinned(const ReadOptions& options, const Table& table, std::string_view key,
                             std::string_view filter_key, Table::GetCallback found, void* arg,
                             SequenceNumber global_seqno, SequenceNumber* covering,
                             bool* has_filter) {
  if (covering != nullptr) {
    const auto& tombstones = table.range_tombstones();
    *covering = tombstones ? tombstones->MaxCoveringSeq(filter_key, ExtractTrailer(key) >> 8) : 0;
  }
  if (global_seqno == 0) return table.Get(options, key, filter_key, found, arg, has_filter);
  IngestedLookup lookup{global_seqno, key, UserComparator(), found, arg, {}};
  return table.Get(options, key, filter_key, &IngestedLookup::Callback, &lookup, has_filter);
}

void TableCache::MultiGet(const ReadOptions& options, uint64_t file_number, uint64_t file_size,
                          SequenceNumber global_seqno, std::span<Lookup> lookups,
                          std::span<SequenceNumber> covering) {
  PinnedTable pinned;
  Status s = Pin(file_number, file_size, &pinned);
  if (!s.ok()) {
    for (Lookup& l : lookups) l.status = s;
    return;
  }
  const Table& table = pinned.table();
  if (!covering.empty()) {
    const auto& tombstones = table.range_tombstones();
    for (size_t i = 0; i < lookups.size(); i++) {
      covering[i] = tombstones ? tombstones->MaxCoveringSeq(lookups[i].filter_key,
                                                            ExtractTrailer(lookups[i].key) >> 8)
                               : 0;
    }
  }
  if (global_seqno == 0) {
    table.MultiGet(options, lookups);
  } else {
    const Comparator* ucmp = UserComparator();
    std::vector<IngestedLookup> adapters;
    adapters.reserve(lookups.size());
    std::vector<Lookup> wrapped;
    for (const Lookup& l : lookups) {
      adapters.push_back(IngestedLookup{global_seqno, l.key, ucmp, l.found, l.arg, {}});
      wrapped.push_back({l.key, l.filter_key, &IngestedLookup::Callback, &adapters.back(), {}});
    }
    table.MultiGet(options, wrapped);
    for (size_t i = 0; i < lookups.size(); i++) lookups[i].status = wrapped[i].status;
  }
}

uint64_t TableCache::ApproximateOffsetOf(uint64_t file_number, uint64_t file_size,
                                         std::string_view key) {
  PinnedTable pinned;
  if (!Pin(file_number, file_size, &pinned).ok()) return 0;
  return pinned.table().ApproximateOffsetOf(key);
}

Status TableCache::GetProperties(uint64_t file_number, uint64_t file_size,
                                 TableProperties* properties) {
  PinnedTable pinned;
  Status s = Pin(file_number, file_size, &pinned);
  if (!s.ok()) return s;
  *properties = pinned.table().properties();
  return Status::OK();
}

Status TableCache::GetRangeTombstones(
    uint64_t file_number, uint64_t file_size,
    std::shared_ptr<const FragmentedRangeTombstones>* tombstones) {
  tombstones->reset();
  PinnedTable pinned;
  Status s = Pin(file_number, file_size, &pinned);
  if (!s.ok()) return s;
  *tombstones = pinned.table().range_tombstones();
  return Status::OK();
}

void TableCache::Evict(uint64_t file_number) { cache_->Erase(FileKey(file_number).view()); }

TablePins::TablePins(size_t slots)
    : size_(slots), lines_(std::make_unique<Line[]>((slots + kSlotsPerLine - 1) / kSlotsPerLine)) {
  for (size_t i = 0; i < size_; i++) Slot(i).store(nullptr, std::memory_order_relaxed);
}

TablePins::~TablePins() {
  for (size_t i = 0; i < size_; i++) delete Slot(i).load(std::memory_order_acquire);
}

const Table& TablePins::Keep(size_t i, TableCache::PinnedTable* pinned, TableCache* cache) {
  assert(i < size_ && *pinned);
  if (const Pin* kept = Slot(i).load(std::memory_order_acquire)) {
    pinned->Reset();  // kept by another read since the caller looked
    return *kept->table;
  }
  if (!cache->TakeKeptPin()) return pinned->table();
  auto pin = std::make_unique<Pin>(std::move(*pinned), cache);
  Pin* expected = nullptr;
  // Release: a reader that loads the pointer sees the Pin built. A loser's pin is released.
  if (Slot(i).compare_exchange_strong(expected, pin.get(), std::memory_order_acq_rel,
                                      std::memory_order_acquire)) {
    return *pin.release()->table;
  }
  return *expected->table;
}

}  // namespace strata
