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
//
// With a filter (bloom_bytes, and the built-in bytewise comparator, under which equal keys
// are equal bytes), every added user key is also put in a bloom filter (MemTableBloom), and a
// point lookup of a key the filter rules out skips the skiplist search.
//
// Range deletions (ValueType::kRangeDeletion, user key = begin, value = end) go to a second
// skiplist of the same entry format, so point lookups and iterators never meet them. Readers
// ask for them in fragmented form (RangeTombstones), built on first need and cached until
// another range deletion arrives; a memtable without any costs one relaxed load per read.
#pragma once

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "keys/internal_key.h"
#include "keys/merge_context.h"
#include "keys/range_tombstone.h"
#include "memtable/memtable_bloom.h"
#include "memtable/skiplist.h"
#include "strata/iterator.h"
#include "strata/status.h"
#include "util/arena.h"
#include "util/bytewise_compare.h"
#include "util/mutex.h"

namespace strata {

class MemTable {
 public:
  // The comparator is copied; its user comparator must outlive the memtable. `blocks` says
  // where the entries' memory comes from (Arena::Blocks::kHugePages for large memtables).
  // bloom_bytes: the size of the user-key filter (at most MemTableBloom::kMaxBytes), 0 (or
  // under 64) for none; ignored unless the user comparator is the built-in bytewise one. The
  // filter's bytes count in ApproximateMemoryUsage, so toward the write buffer.
  explicit MemTable(const InternalKeyComparator& cmp, Arena::Blocks blocks = Arena::Blocks::kHeap,
                    size_t bloom_bytes = 0);

  MemTable(const MemTable&) = delete;
  MemTable& operator=(const MemTable&) = delete;

  // Adds an entry. A deletion (ValueType::kDeletion) ignores `value`.
  // REQUIRES: one writer at a time; (user_key, seq) not already present;
  // user_key.size() + 8 and value.size() below 4 GiB.
  void Add(SequenceNumber seq, ValueType type, std::string_view user_key, std::string_view value);

  // Adds many entries (a write group's) faster than one Add each: Add encodes an entry at
  // once, but its place in the list is found and linked later, at Finish or with the next
  // kPending entries, for all of them together (Table::InsertReservedBatch: their searches'
  // cache misses overlap). Until linked an entry is absent to readers; the caller publishes
  // the entries' sequence numbers only after Finish. Range deletions are linked at once.
  // REQUIRES: as Add, for every entry; Finish before the adder is destroyed and before any
  // other Add to the memtable; one adder at a time.
  class BatchAdder {
   public:
    explicit BatchAdder(MemTable* mem) : mem_(mem) {}
    BatchAdder(const BatchAdder&) = delete;
    BatchAdder& operator=(const BatchAdder&) = delete;
    ~BatchAdder() { assert(pending_count_ == 0); }

    void Add(SequenceNumber seq, ValueType type, std::string_view user_key, std::string_view value);
    void Finish();

   private:
    static constexpr size_t kPending = 128;  // entries encoded ahead of their linking
    MemTable* const mem_;
    char* pending_[kPending];
    size_t pending_count_ = 0;
  };

  // Walks the list to where a new entry of user_key would be linked, and requests the
  // filter line its Add sets, changing nothing: a writer waiting for its turn calls it so
  // that the insert that follows (its own, or the leader's for it) finds those nodes in the
  // shared caches instead of in memory, its misses taken while the leader inserts another
  // key. Any thread, alongside the writer.
  // Keys longer than LookupKey::kMaxInlineUserKey get only the filter line.
  void WarmForInsert(std::string_view user_key) const;

  // Looks for the newest entry of key.user_key() with sequence <= the lookup's sequence.
  // Found a value: sets *value, sets *status OK, returns true. Found a deletion, or the key
  // is covered by a range deletion of this memtable newer than any entry found: sets *status
  // NotFound, returns true. No such entry: returns false and touches neither.
  // Merge operands on the way are added to *merges, and the value or deletion under them
  // (if this memtable has it) finishes the merge: *status is its result. Operands and no
  // base here: returns false, the operands in *merges for older sources to finish. With
  // merges null, an operand ends the lookup with Corruption (no merge operator).
  bool Get(const LookupKey& key, std::string* value, Status* status,
           MergeContext* merges = nullptr) const;

  // Bytes held in arena blocks (heap or mapped) and the filter. Safe from any thread.
  size_t ApproximateMemoryUsage() const {
    return arena_.MemoryUsage() + (bloom_ ? bloom_->size() : 0);
  }
  // Whether lookups are filtered (see the top of this file).
  bool has_bloom() const { return bloom_ != nullptr; }
  // Entries added (values and deletions) / deletions added. Safe from any thread.
  uint64_t num_entries() const { return num_entries_.load(std::memory_order_relaxed); }
  uint64_t num_deletes() const { return num_deletes_.load(std::memory_order_relaxed); }

  // Range deletions added. Safe from any thread.
  uint64_t num_range_deletions() const { return num_range_dels_.load(std::memory_order_acquire); }
  // This memtable's range deletions, fragmented; nullptr if it has none. Covers at least
  // every range deletion added before the call. Safe from any thread (takes a mutex when
  // the cached form is out of date).
  std::shared_ptr<const FragmentedRangeTombstones> RangeTombstones() const;
  // The highest sequence <= snapshot of a range deletion of this memtable covering user_key,
  // or 0 (the query the merge operator uses: such an entry acts as a point deletion).
  SequenceNumber MaxCoveringTombstoneSeq(std::string_view user_key, SequenceNumber snapshot) const;

  const InternalKeyComparator& internal_comparator() const { return comparator_.icmp; }

  // The Iterator below behind the common interface (for merging with tables). Same rules;
  // status() is always OK.
  std::unique_ptr<strata::Iterator> NewIterator() const;

  // Orders the skiplist's entries (const char* to a length-prefixed internal key).
  struct KeyComparator {
    InternalKeyComparator icmp;
    // The user comparator is the built-in bytewise one: compare user keys inline, a word at a
    // time, rather than through a virtual call on every skiplist step.
    bool bytewise;
    int operator()(const char* a, const char* b) const;
  };
  using Table = SkipList<const char*, KeyComparator, /*kKeyIsReserved=*/true>;

  // Walks the entries in internal-key order (user key ascending, sequence descending). Sees
  // every entry added before it was positioned; entries added concurrently may or may not
  // appear. key() and value() point into the memtable. Starts invalid. One thread at a time
  // uses an iterator; many iterators may run at once.
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
  // Get without this memtable's range deletions: an entry older than covering reads as
  // deleted.
  bool GetNewest(const LookupKey& key, std::string* value, Status* status, SequenceNumber covering,
                 MergeContext* merges) const;

  // Writes an entry into the arena (and its key into the filter). Returns its bytes, the key
  // its node in table_ is to be linked with; null for a range deletion, linked at once into
  // range_del_table_.
  char* Encode(SequenceNumber seq, ValueType type, std::string_view user_key,
               std::string_view value);

  // False if the filter rules user_key out (counted in the perf context).
  bool MayHold(std::string_view user_key) const;

  KeyComparator comparator_;
  const std::unique_ptr<MemTableBloom> bloom_;  // null: no filter
  Arena arena_;
  Table table_;
  Table range_del_table_;  // kRangeDeletion entries only
  std::atomic<uint64_t> num_entries_{0};
  std::atomic<uint64_t> num_deletes_{0};
  std::atomic<uint64_t> num_range_dels_{0};
  // The fragmented form of range_del_table_ and how many range deletions it holds.
  mutable Mutex range_del_mu_;
  mutable std::shared_ptr<const FragmentedRangeTombstones> range_del_cache_
      GUARDED_BY(range_del_mu_);
  mutable uint64_t range_del_cache_count_ GUARDED_BY(range_del_mu_) = 0;
};

// Inline so that the skiplist's search loop compiles to straight-line code: comparisons are most
// of a memtable's CPU time.
namespace memtable_internal {

// The bytes covered by the varint32 length prefix at p. Entries and lookup keys are
// well-formed (the memtable wrote them), so only debug builds check.
inline std::string_view LengthPrefixed(const char* p) {
  uint32_t len = static_cast<unsigned char>(*p);
  if (len < 0x80) return {p + 1, len};  // keys under 128 bytes: the common case
  p = GetVarint32Ptr(p, p + kMaxVarint32Bytes, &len);
  assert(p != nullptr);
  return {p, len};
}

}  // namespace memtable_internal

inline int MemTable::KeyComparator::operator()(const char* a, const char* b) const {
  std::string_view ka = memtable_internal::LengthPrefixed(a);
  std::string_view kb = memtable_internal::LengthPrefixed(b);
  if (!bytewise) return icmp.Compare(ka, kb);
  int r = BytewiseCompare(ExtractUserKey(ka), ExtractUserKey(kb));
  if (r != 0) return r;
  uint64_t ta = ExtractTrailer(ka), tb = ExtractTrailer(kb);
  return ta > tb ? -1 : (ta < tb ? 1 : 0);
}

}  // namespace strata
