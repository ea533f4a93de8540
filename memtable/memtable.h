// MemTable: the in-memory, sorted buffer of recent writes, as internal keys in a skiplist.
//
// Thread safety: one writer at a time (Add needs external synchronisation); any number of
// concurrent readers (Get, Iterator, the counters) need no lock, even while Add runs.
// Lifetime: the memtable must outlive its iterators and every string_view they returned; the
// owner (the DB holds memtables by shared_ptr) keeps it alive while readers use it.
//
// Entry format, one arena allocation per entry (right behind its skiplist node):
//   varint32 internal_key_len | user_key | fixed64 (sequence << 8 | type) | varint32 value_len
//   | value
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "db/dbformat.h"
#include "memtable/skiplist.h"
#include "strata/status.h"
#include "util/arena.h"

namespace strata {

class MemTable {
 public:
  // The comparator is copied; its user comparator must outlive the memtable.
  explicit MemTable(const InternalKeyComparator& cmp);

  MemTable(const MemTable&) = delete;
  MemTable& operator=(const MemTable&) = delete;

  // Adds an entry. A deletion (ValueType::kDeletion) ignores `value`.
  // REQUIRES: one writer at a time; (user_key, seq) not already present;
  // user_key.size() + 8 and value.size() below 4 GiB.
  void Add(SequenceNumber seq, ValueType type, std::string_view user_key, std::string_view value);

  // Looks for the newest entry of key.user_key() with sequence <= the lookup's sequence.
  // Found a value: sets *value, sets *status OK, returns true. Found a deletion: sets
  // *status NotFound, returns true. No such entry: returns false and touches neither.
  bool Get(const LookupKey& key, std::string* value, Status* status) const;

  // Heap bytes held (arena blocks). Safe from any thread.
  size_t ApproximateMemoryUsage() const { return arena_.MemoryUsage(); }
  // Entries added (values and deletions) / deletions added. Safe from any thread.
  uint64_t num_entries() const { return num_entries_.load(std::memory_order_relaxed); }
  uint64_t num_deletes() const { return num_deletes_.load(std::memory_order_relaxed); }

  const InternalKeyComparator& internal_comparator() const { return comparator_.icmp; }

  // Orders the skiplist's entries (const char* to a length-prefixed internal key).
  struct KeyComparator {
    InternalKeyComparator icmp;
    // The user comparator is the built-in bytewise one: compare with memcmp inline rather
    // than through a virtual call on every skiplist step.
    bool bytewise;
    int operator()(const char* a, const char* b) const;
  };
  using Table = SkipList<const char*, KeyComparator>;

  // Walks the entries in internal-key order (user key ascending, sequence descending). Sees
  // every entry added before it was positioned; entries added concurrently may or may not
  // appear. key() and value() point into the memtable. Starts invalid.
  class Iterator {
   public:
    explicit Iterator(const MemTable* mem);

    bool Valid() const { return iter_.Valid(); }
    void SeekToFirst() { iter_.SeekToFirst(); }
    void SeekToLast() { iter_.SeekToLast(); }
    // To the first entry >= internal_key.
    void Seek(std::string_view internal_key);
    // To the last entry <= internal_key.
    void SeekForPrev(std::string_view internal_key);
    // REQUIRES: Valid() for Next, Prev, key, value.
    void Next() { iter_.Next(); }
    void Prev() { iter_.Prev(); }
    // The internal key (user key and trailer).
    std::string_view key() const;
    std::string_view value() const;

   private:
    const char* EncodeTarget(std::string_view internal_key);

    Table::Iterator iter_;
    std::string target_;  // length-prefixed seek target, reused across seeks
  };

 private:
  KeyComparator comparator_;
  Arena arena_;
  Table table_;
  std::atomic<uint64_t> num_entries_{0};
  std::atomic<uint64_t> num_deletes_{0};
};

}  // namespace strata
