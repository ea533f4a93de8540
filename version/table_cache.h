// TableCache: the open readers of a database's table files, so that a read does not reopen a
// file (and re-read its footer, index and filter) each time. Readers live in an LRU cache of
// max_open_files entries keyed by file number; the least recently used unpinned one is closed
// when another opens. A reader in use (an iterator over it, a Get in progress) is pinned and
// stays open even if evicted or over the limit, until its last user is done. A file is opened
// before the reader it displaces is closed, so a call that opens holds one file more than the
// limit for a moment.
//
// Thread safety: every method may be called from any thread at once. Two threads missing on
// the same file at once may both open it; one reader stays cached, the other closes when its
// user is done.
// Lifetime: fs and the objects table_options points to (comparator, block cache) must outlive
// the cache; iterators it returned must be destroyed before it.
// Errors: a file that fails to open (missing, unreadable, corrupt) is not cached, so the next
// call tries again.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "keys/internal_key.h"
#include "sstable/table.h"
#include "sstable/table_options.h"
#include "sstable/table_properties.h"
#include "strata/cache.h"
#include "strata/file_system.h"
#include "strata/iterator.h"
#include "strata/options.h"
#include "strata/status.h"

namespace strata {

class TableCache {
 public:
  // dbname: the database directory, whose table files are TableFileName(dbname, number).
  // REQUIRES: max_open_files >= 0 (0 caches nothing: every call opens the file).
  TableCache(std::string dbname, FileSystem* fs, const TableOptions& table_options,
             int max_open_files);
  TableCache(const TableCache&) = delete;
  TableCache& operator=(const TableCache&) = delete;
  // REQUIRES: no iterator from NewIterator is alive.
  ~TableCache();

  // An iterator over table file_number, of file_size bytes (as recorded in the version). The
  // table stays open while the iterator lives. An open error comes back as an empty iterator
  // whose status() is the error.
  // global_seqno: non-zero for an ingested table (version/ingested_table.h).
  std::unique_ptr<Iterator> NewIterator(const ReadOptions& options, uint64_t file_number,
                                        uint64_t file_size, SequenceNumber global_seqno = 0);

  // An open table kept open (pinned) until the PinnedTable is reset or destroyed. Move-only;
  // must not outlive the cache.
  class PinnedTable {
   public:
    PinnedTable() = default;
    PinnedTable(PinnedTable&& other) noexcept
        : cache_(other.cache_), handle_(std::exchange(other.handle_, nullptr)) {}
    PinnedTable& operator=(PinnedTable&& other) noexcept {
      if (this != &other) {
        Reset();
        cache_ = other.cache_;
        handle_ = std::exchange(other.handle_, nullptr);
      }
      return *this;
    }
    ~PinnedTable() { Reset(); }

    explicit operator bool() const { return handle_ != nullptr; }
    // REQUIRES: pinned (true).
    const Table& table() const { return *static_cast<const Table*>(cache_->Value(handle_)); }
    void Reset() {
      if (handle_ != nullptr) cache_->Release(std::exchange(handle_, nullptr));
    }

   private:
    friend class TableCache;
    PinnedTable(Cache* cache, Cache::Handle* handle) : cache_(cache), handle_(handle) {}

    Cache* cache_ = nullptr;
    Cache::Handle* handle_ = nullptr;
  };

  // Pins the open reader of file_number, opening it if needed (the open error otherwise, with
  // *pinned left empty).
  Status Pin(uint64_t file_number, uint64_t file_size, PinnedTable* pinned);
  // Pins the reader of file_number only if it is open: never opens the file, and counts no
  // statistics. Returns whether it pinned (*pinned is left empty otherwise).
  bool PinIfOpen(uint64_t file_number, PinnedTable* pinned);

  // Table::Get on the file (see sstable/table.h), opening it if needed. Returns the open error
  // or Get's.
  // covering: if not null, set to the highest sequence at or below key's sequence of a range
  // tombstone of the table covering filter_key (the user key), or 0 (set even when the
  // filter rules the key out, and before found is first called, so found may read it).
  // has_filter: as Table::Get sets it (untouched if the table cannot be opened).
  Status Get(const ReadOptions& options, uint64_t file_number, uint64_t file_size,
             std::string_view key, std::string_view filter_key, Table::GetCallback found, void* arg,
             SequenceNumber global_seqno = 0, SequenceNumber* covering = nullptr,
             bool* has_filter = nullptr);

  // As Get, on a table the caller keeps open (pinned by Pin or PinIfOpen, or kept in
  // TablePins; counted as a table cache hit).
  Status Get(const ReadOptions& options, const Table& table, std::string_view key,
             std::string_view filter_key, Table::GetCallback found, void* arg,
             SequenceNumber global_seqno = 0, SequenceNumber* covering = nullptr,
             bool* has_filter = nullptr);

  // Pins kept by TablePins (versions') across the cache: at most half of max_open_files,
  // however many versions live, so that kept pins never fill the cache and leave every
  // other table to reopen on each read. TakeKeptPin returns whether one was free; a taken
  // one goes back with ReturnKeptPin.
  bool TakeKeptPin() {
    // A load first: once none is free, readers share the line instead of writing it.
    if (kept_pins_left_.load(std::memory_order_relaxed) <= 0) return false;
    if (kept_pins_left_.fetch_sub(1, std::memory_order_relaxed) > 0) return true;
    ReturnKeptPin();
    return false;
  }
  void ReturnKeptPin() { kept_pins_left_.fetch_add(1, std::memory_order_relaxed); }
  // Whether a kept pin may be free now (a hint: TakeKeptPin decides).
  bool KeptPinMayBeFree() const { return kept_pins_left_.load(std::memory_order_relaxed) > 0; }

  using Lookup = Table::Lookup;
  // Table::MultiGet on the file (keys in increasing order), opening it if needed; with
  // global_seqno, through IngestedLookup as Get does.
  // covering: empty, or one per lookup, set as Get sets *covering.
  void MultiGet(const ReadOptions& options, uint64_t file_number, uint64_t file_size,
                SequenceNumber global_seqno, std::span<Lookup> lookups,
                std::span<SequenceNumber> covering = {});

  // The table's range tombstones (nullptr if none), opening it if needed. They stay valid
  // after the table closes.
  Status GetRangeTombstones(uint64_t file_number, uint64_t file_size,
                            std::shared_ptr<const FragmentedRangeTombstones>* tombstones);

  // Table::ApproximateOffsetOf on the file, opening it if needed; 0 if it cannot be opened.
  uint64_t ApproximateOffsetOf(uint64_t file_number, uint64_t file_size, std::string_view key);

  // A copy of the table's properties, opening it if needed.
  Status GetProperties(uint64_t file_number, uint64_t file_size, TableProperties* properties);

  // Opens table file_number as the first read would (footer, index, filter, properties and
  // range deletions, each checksummed) and closes it again, caching nothing: a new table is
  // checked before it replaces others without holding its index and filter beside theirs.
  Status Verify(uint64_t file_number, uint64_t file_size) const;

  // The bytes of the database's live tables (the current version's), which decide how the
  // cache opens a table: with pread when they exceed the file system's mapping bound
  // (FileSystem::MappingBound), else as the file system chooses. Any thread.
  void SetLiveTableBytes(uint64_t bytes) {
    live_table_bytes_.store(bytes, std::memory_order_relaxed);
  }

  // The options to build a table with now: the tables' options, with the chunk the file is
  // written in (TableOptions::write_chunk) chosen for how it will be read:
  // ChunkedWriter::kPreadChunk when tables opened now are read with pread (the live tables
  // outgrow the mapping bound), else kMappedChunk, as the table may be mapped. A guess made
  // when the table starts: a compaction that shrinks the database below the bound opens its
  // outputs mapped, and a file system whose MappingBound() is 0 (never maps, or a wrapper
  // that does not say) gets kMappedChunk. Either way only speed and resident pages differ.
  // Any thread.
  TableOptions OptionsForNewTable() const;

  // Bytes the open tables hold in memory for their lives (indexes and filters).
  uint64_t ReaderMemory() const { return reader_memory_.load(std::memory_order_relaxed); }

  // Drops the cached reader of file_number (for a file being deleted); a reader still in use
  // closes when its last user is done. No effect if the file is not open.
  void Evict(uint64_t file_number);

 private:
  // Finds the open reader of file_number or opens it; on OK, *handle pins it (release it with
  // cache_->Release) and its value is the Table.
  Status FindTable(uint64_t file_number, uint64_t file_size, Cache::Handle** handle);
  // Opens the file as a Table (not cached).
  Status OpenTable(uint64_t file_number, uint64_t file_size, std::unique_ptr<Table>* table) const;
  // True when a table opened now is read with pread whatever the file system would choose.
  bool OpensWithPread() const;
  // The Get of a table kept open, counting nothing.
  Status GetPinned(const ReadOptions& options, const Table& table, std::string_view key,
                   std::string_view filter_key, Table::GetCallback found, void* arg,
                   SequenceNumber global_seqno, SequenceNumber* covering, bool* has_filter);
  // The order of user keys, for lookups in ingested tables (bytewise if not given).
  const Comparator* UserComparator() const {
    return table_options_.user_comparator ? table_options_.user_comparator : BytewiseComparator();
  }

  // All const after construction; the cache does its own locking.
  const std::string dbname_;
  FileSystem* const fs_;
  // What the open tables hold in memory (TableOptions::reader_memory); before cache_, so it
  // outlives the tables the cache closes as it goes.
  std::atomic<uint64_t> reader_memory_{0};
  std::atomic<uint64_t> live_table_bytes_{0};  // SetLiveTableBytes
  const TableOptions table_options_;
  std::atomic<int64_t> kept_pins_left_;  // TakeKeptPin
  const std::shared_ptr<Cache> cache_;
};

// TablePins: the open tables of a fixed set of files (a Version's), one slot per file, each
// pinned by the first read that finds the table open and kept until the TablePins is
// destroyed. A later read reaches the table with one atomic load instead of a cache lookup
// and release (a shard lock and LRU list work each way, several times per Get).
// Pins kept past the cache's LRU order are few: Keep takes each from the cache's budget
// (TableCache::TakeKeptPin) and the TablePins returns it when destroyed.
// Thread safety: Find and Keep from any thread at once. Lifetime: the cache the pins came
// from must outlive the TablePins.
class TablePins {
 public:
  explicit TablePins(size_t slots);
  ~TablePins();
  TablePins(const TablePins&) = delete;
  TablePins& operator=(const TablePins&) = delete;

  // The table kept in slot i, or null. REQUIRES: i < slots.
  const Table* Find(size_t i) const {
    const Pin* pin = Slot(i).load(std::memory_order_acquire);
    return pin != nullptr ? pin->table : nullptr;
  }
  // Keeps *pinned (taking it) in slot i if cache has a kept pin free and no other read kept
  // one first (then *pinned is released), and returns the slot's table; with no pin free,
  // leaves *pinned to the caller and returns its table. REQUIRES: *pinned holds the table of
  // the slot's file, from cache.
  const Table& Keep(size_t i, TableCache::PinnedTable* pinned, TableCache* cache);

 private:
  // Read by every Get, written once: whole cache lines of their own, so that no write to a
  // neighbouring object (a reference count bumped on each read) moves them between cores.
  struct alignas(64) Pin {
    Pin(TableCache::PinnedTable p, TableCache* c)
        : pinned(std::move(p)), table(&pinned.table()), cache(c) {}
    ~Pin() { cache->ReturnKeptPin(); }
    TableCache::PinnedTable pinned;
    const Table* table;
    TableCache* cache;
  };
  static constexpr size_t kSlotsPerLine = 8;
  struct alignas(64) Line {
    std::atomic<Pin*> slots[kSlotsPerLine];
  };
  std::atomic<Pin*>& Slot(size_t i) const {
    return lines_[i / kSlotsPerLine].slots[i % kSlotsPerLine];
  }

  const size_t size_;
  const std::unique_ptr<Line[]> lines_;
};

}  // namespace strata
