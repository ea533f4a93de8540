// Table: an open, immutable sorted table file.
//
// Thread safety: every method may be called from many threads at once.
// Lifetime: iterators from NewIterator must be destroyed before the table; the table owns
// its file.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "keys/range_tombstone.h"
#include "sstable/table_options.h"
#include "sstable/table_properties.h"
#include "strata/file_system.h"
#include "strata/iterator.h"
#include "strata/options.h"
#include "strata/status.h"

namespace strata {

class Table {
 public:
  // Reads the footer, index, filter and properties of a table of file_size bytes. Damage
  // is Corruption naming file_name and the offset. options.comparator must order the keys as
  // the builder's did.
  static Status Open(const TableOptions& options, std::string file_name,
                     std::unique_ptr<RandomAccessFile> file, uint64_t file_size,
                     std::unique_ptr<Table>* table);

  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;
  ~Table();

  // Walks every entry in key order. Read errors show in the iterator's status().
  std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) const;

  // Point lookup. Unless the filter rules out filter_key (options.filter_key applied to key
  // by the caller), finds the first entry >= key and, if there is one in the block the index
  // points to, calls found(arg, entry_key, entry_value); the views are valid only during the
  // call. While found returns true it is called again with the next entry (into the next
  // blocks if need be): a lookup that met a merge operand reads the entries under it without
  // a second search. Returns a read or checksum error, else OK (found or not).
  // has_filter: if not null, set to whether the table has a filter: a block read that finds
  // no entry of the key visible to the lookup was then (but for entries newer than the
  // lookup) the filter's false positive.
  using GetCallback = bool (*)(void* arg, std::string_view key, std::string_view value);
  Status Get(const ReadOptions& options, std::string_view key, std::string_view filter_key,
             GetCallback found, void* arg, bool* has_filter = nullptr) const;

  // One lookup of MultiGet: Get's arguments, and its result in status.
  struct Lookup {
    std::string_view key;
    std::string_view filter_key;
    GetCallback found;
    void* arg;
    Status status;
  };
  // Get for each lookup, in one pass: given keys in increasing order, a key whose index
  // entry points to the block the previous key read reuses it, so each data block is read
  // (and decompressed) once for all its keys, even with fill_cache off.
  void MultiGet(const ReadOptions& options, std::span<Lookup> lookups) const;

  // False if the filter proves filter_key is absent (true without a filter).
  bool KeyMayMatch(std::string_view filter_key) const;
  // Starts loading the filter bits that a Get of a filter key with this hash (Hash64 of the
  // key) probes, nothing without a filter, so that the cache misses of several tables'
  // probes overlap. One hash serves every table a lookup visits.
  void PrefetchFilter(uint64_t filter_key_hash) const;

  // The file offset where key's data would begin (the file size past the last key).
  uint64_t ApproximateOffsetOf(std::string_view key) const;

  const TableProperties& properties() const;

  // Bytes the open table holds in memory for its life: its index and filter (and whatever
  // small state goes with them), not the data blocks it reads.
  uint64_t ApproximateMemoryUsage() const;
  // Of it, what the index's RestartHints hold: 0 unless the index holds user keys ordered by
  // BytewiseComparator (hints are only valid for bytewise order).
  uint64_t IndexHintsMemoryUsage() const;

  // The table's range tombstones (read and verified at Open), or nullptr if it has none.
  // Their user keys are ordered by options.user_comparator (bytewise if unset).
  const std::shared_ptr<const FragmentedRangeTombstones>& range_tombstones() const;

 private:
  struct Rep;
  explicit Table(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

}  // namespace strata
