// Range tombstones: a range deletion [begin, end) written at sequence s hides every version
// of every key k with begin <= k < end whose sequence is below s, for readers whose snapshot
// is at or above s.
//
// FragmentedRangeTombstones holds a set of tombstones in fragmented form: non-overlapping,
// sorted fragments [begin, end), each with the sequence numbers (descending) of every
// tombstone that covers all of it. Lookups are binary searches over the fragments, so a
// source with thousands of tombstones costs O(log n) per key, never a scan.
//
// This is the one query the read paths (Get, iterators, compaction, the merge operator) use:
// MaxCoveringSeq(key, snapshot) is the highest sequence of a tombstone covering key visible
// at snapshot, or 0 if none. An entry of key with sequence below it behaves exactly like an
// entry hidden by a point deletion at that sequence.
//
// Thread safety: immutable after construction; any number of threads may query it.
// Lifetime: the user comparator must outlive the object.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "keys/internal_key.h"
#include "strata/comparator.h"

namespace strata {

// One range deletion as written: begin (inclusive), end (exclusive), sequence.
struct RangeTombstone {
  std::string begin;
  std::string end;
  SequenceNumber seq = 0;
};

class FragmentedRangeTombstones {
 public:
  struct Fragment {
    std::string begin;
    std::string end;     // exclusive; begin < end
    uint32_t seq_start;  // index into seqs() of this fragment's first (highest) sequence
    uint32_t seq_count;  // >= 1
  };

  // Fragments tombstones (any order, may overlap; empty or inverted ranges are ignored).
  FragmentedRangeTombstones(const Comparator* ucmp, std::vector<RangeTombstone> tombstones);
  // Takes fragments that are already sorted and non-overlapping, each with its sequences
  // strictly descending (a decoded block; the decoder checks these).
  FragmentedRangeTombstones(const Comparator* ucmp, std::vector<Fragment> fragments,
                            std::vector<SequenceNumber> seqs);

  bool empty() const { return fragments_.empty(); }
  size_t size() const { return fragments_.size(); }
  const std::vector<Fragment>& fragments() const { return fragments_; }
  // The sequences of fragment f, highest first.
  const SequenceNumber* SeqsOf(const Fragment& f) const { return seqs_.data() + f.seq_start; }

  // The highest sequence <= snapshot of a tombstone covering user_key, or 0 if none.
  SequenceNumber MaxCoveringSeq(std::string_view user_key, SequenceNumber snapshot) const;

  // The fragment covering user_key, or nullptr.
  const Fragment* FindFragment(std::string_view user_key) const;

  // True if every user key in [begin, last] (inclusive of last unless last_exclusive) is
  // covered by a tombstone whose sequence s has above < s <= at_most. Used to drop a whole
  // table whose entries (all with sequence <= above) are all deleted.
  bool CoversRange(std::string_view begin, std::string_view last, bool last_exclusive,
                   SequenceNumber above, SequenceNumber at_most) const;

  const Comparator* user_comparator() const { return ucmp_; }

  // Appends every (fragment, sequence) pair as a tombstone: the input to fragment again
  // together with other sources (a compaction).
  void AppendTo(std::vector<RangeTombstone>* out) const;

 private:
  const Comparator* ucmp_;
  std::vector<Fragment> fragments_;
  std::vector<SequenceNumber> seqs_;
};

// The largest internal key a table holding a tombstone ending at end may claim: end itself
// with the highest trailer, so it sorts before every real entry of end (end is exclusive).
// Used as a file bound (RocksDB and Pebble do the same).
inline std::string RangeTombstoneEndSentinel(std::string_view end) {
  std::string r;
  AppendInternalKey(&r, end, kMaxSequenceNumber, ValueType::kRangeDeletion);
  return r;
}
inline bool IsRangeTombstoneEndSentinel(std::string_view ikey) {
  return ikey.size() >= kInternalKeyTrailer &&
         ExtractTrailer(ikey) == PackSequenceAndType(kMaxSequenceNumber, ValueType::kRangeDeletion);
}

// Widens a table's bounds to cover its tombstones: *smallest to the first fragment's begin
// (at its highest sequence), *largest to the last fragment's end sentinel, and the sequence
// range to every sequence held. Empty bounds (a table of tombstones only) are set outright.
void ExtendBoundsForTombstones(const FragmentedRangeTombstones& tombstones,
                               const InternalKeyComparator& icmp, std::string* smallest,
                               std::string* largest, SequenceNumber* smallest_seq,
                               SequenceNumber* largest_seq);

}  // namespace strata
