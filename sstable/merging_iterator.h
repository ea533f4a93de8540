// A merging iterator: the union of several sorted iterators, in comparator order.
//
// Children are kept in a binary heap (a min-heap while moving forward, a max-heap while
// moving backward) of preallocated slots. A slot holds a view of its child's key, valid
// until that child moves and read again after each move, so a step costs one child move,
// one key read and one sift, and no allocation. Keys equal across children are all yielded
// (for internal keys they never are: every entry has a unique sequence number).
// Errors: if any child fails, the merging iterator becomes invalid and status() returns that
// error — a scan never silently skips what a damaged child held.
//
// Thread safety: one thread at a time. Lifetime: the comparator must outlive the iterator;
// the children are owned.
#pragma once

#include <memory>
#include <vector>

#include "strata/comparator.h"
#include "strata/iterator.h"

namespace strata {

// One child: returned as is. None: an empty iterator.
std::unique_ptr<Iterator> NewMergingIterator(const Comparator* comparator,
                                             std::vector<std::unique_ptr<Iterator>> children);

}  // namespace strata
