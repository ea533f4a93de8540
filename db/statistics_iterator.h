// An Iterator wrapper that records into Statistics: each seek's latency, and the entries and
// bytes the caller is handed. DBImpl::NewIterator adds it only when Options::statistics is
// set, so iterators without statistics pay nothing.
//
// Thread safety: as any Iterator (one thread at a time).
#pragma once

#include <memory>

#include "strata/iterator.h"
#include "strata/statistics.h"

namespace strata {

// REQUIRES: stats outlives the returned iterator (the DB's Options keep it alive).
std::unique_ptr<Iterator> NewStatisticsIterator(std::unique_ptr<Iterator> iter, Statistics* stats);

}  // namespace strata
