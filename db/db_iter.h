// The user-facing iterator: turns a merged stream of internal keys (every version of every
// key, newest first per key) into the user's view at one sequence number — the newest
// visible version of each key, deleted keys hidden — within optional bounds.
//
// Invariants (upheld in db_iter.cc): moving forward, the internal iterator sits on the entry
// that is the current key/value — unless that value was merged from operands, when the
// current key and value are copies held by this iterator and the internal iterator sits past
// the entries merged (on the base entry, or on a later key). Moving backward, it sits just
// before (in internal order) every entry of the current user key, and the current key and
// value are copies. Direction changes re-establish the other invariant.
//
// A key whose newest visible entry is a merge operand shows the merge of its operands onto
// the value or deletion under them; a merge that fails makes the iterator invalid with
// status() Corruption naming the key, until the next Seek*, which starts afresh.
//
// Thread safety: one thread at a time. Lifetime: pin keeps alive whatever the internal
// iterator reads (memtables, version); the comparator must outlive the iterator.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "db/range_del_aggregator.h"
#include "keys/internal_key.h"
#include "strata/iterator.h"
#include "strata/merge_operator.h"

namespace strata {

struct DBIterOptions {
  SequenceNumber sequence = kMaxSequenceNumber;
  std::optional<std::string_view> lower_bound;  // inclusive
  std::optional<std::string_view> upper_bound;  // exclusive
  // Range tombstones of the sources (null: none); an entry they cover at sequence is hidden
  // like one under a point deletion.
  std::shared_ptr<const RangeDelAggregator> range_dels;
  // The database's merge operator (null: none; an operand then fails the iteration).
  const MergeOperator* merge_operator = nullptr;
  // Seek-compaction sampling (empty: none): called with the target of every Seek and
  // SeekForPrev, and with a user key about once per MiB of entries (keys and values) the
  // iterator passes over, at random intervals.
  std::function<void(std::string_view user_key)> read_sample;
};

std::unique_ptr<Iterator> NewDBIterator(const Comparator* user_comparator,
                                        std::unique_ptr<Iterator> internal,
                                        const DBIterOptions& options,
                                        std::shared_ptr<const void> pin);

}  // namespace strata
