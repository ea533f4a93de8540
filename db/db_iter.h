// The user-facing iterator: turns a merged stream of internal keys (every version of every
// key, newest first per key) into the user's view at one sequence number — the newest
// visible version of each key, deleted keys hidden — within optional bounds.
//
// Invariants (upheld in db_iter.cc): moving forward, the internal iterator sits on the entry
// that is the current key/value. Moving backward, it sits just before (in internal order)
// every entry of the current user key, and the current key and value are copies held by
// this iterator. Direction changes re-establish the other invariant.
//
// Thread safety: one thread at a time. Lifetime: pin keeps alive whatever the internal
// iterator reads (memtables, version); the comparator must outlive the iterator.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "db/range_del_aggregator.h"
#include "keys/internal_key.h"
#include "strata/iterator.h"

namespace strata {

struct DBIterOptions {
  SequenceNumber sequence = kMaxSequenceNumber;
  std::optional<std::string_view> lower_bound;  // inclusive
  std::optional<std::string_view> upper_bound;  // exclusive
  // Range tombstones of the sources (null: none); an entry they cover at sequence is hidden
  // like one under a point deletion.
  std::shared_ptr<const RangeDelAggregator> range_dels;
};

std::unique_ptr<Iterator> NewDBIterator(const Comparator* user_comparator,
                                        std::unique_ptr<Iterator> internal,
                                        const DBIterOptions& options,
                                        std::shared_ptr<const void> pin);

}  // namespace strata
