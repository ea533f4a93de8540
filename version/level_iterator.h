// LevelIterator: the entries of one level >= 1 (sorted, non-overlapping tables) as one
// sorted sequence, opening each table only when the scan reaches it.
//
// Errors: a table that fails to open or read makes the iterator invalid with that status.
// Thread safety: one thread at a time. Lifetime: files (owned by a Version), icmp and
// tables must outlive the iterator.
#pragma once

#include <memory>

#include "keys/internal_key.h"
#include "strata/iterator.h"
#include "strata/options.h"
#include "version/version_set.h"

namespace strata {

class TableCache;

std::unique_ptr<Iterator> NewLevelIterator(const InternalKeyComparator* icmp, const FileList* files,
                                           TableCache* tables, const ReadOptions& options);

}  // namespace strata
