// RangeDelAggregator: the range tombstones of every source one read sees (memtables and
// tables), each source kept in its own fragmented list, so that "is this entry deleted by a
// range deletion?" is one binary search per source that has tombstones. An aggregator with
// no sources answers without looking at anything, so reads of a database that never used
// DeleteRange pay one branch.
//
// TableTombstoneCache: the tombstones of one version's tables, gathered once (opening each
// table through the table cache) by the first iterator that needs them and shared by the
// iterators that follow on the same read state.
//
// Thread safety: an aggregator is immutable once built (any threads may query it);
// TableTombstoneCache::AddTo may be called from any thread.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "keys/range_tombstone.h"
#include "strata/status.h"
#include "util/mutex.h"

namespace strata {

class MemTable;
class TableCache;
class Version;

class RangeDelAggregator {
 public:
  // Ignores null or empty lists.
  void Add(std::shared_ptr<const FragmentedRangeTombstones> tombstones);
  void AddMemTable(const MemTable& mem);
  bool empty() const { return sources_.empty(); }

  // The highest sequence <= snapshot of a tombstone covering user_key in any source, or 0.
  SequenceNumber MaxCoveringSeq(std::string_view user_key, SequenceNumber snapshot) const;
  // True if an entry of user_key written at seq is hidden from a reader at snapshot.
  bool ShouldDelete(std::string_view user_key, SequenceNumber seq, SequenceNumber snapshot) const {
    return !sources_.empty() && MaxCoveringSeq(user_key, snapshot) > seq;
  }

 private:
  std::vector<std::shared_ptr<const FragmentedRangeTombstones>> sources_;
};

class TableTombstoneCache {
 public:
  // Adds the tombstones of every table of version to agg (loading them on the first call).
  // A table that cannot be opened is the error; the next call tries again.
  Status AddTo(const Version& version, TableCache* tables, RangeDelAggregator* agg);

 private:
  Mutex mu_;
  bool loaded_ GUARDED_BY(mu_) = false;
  std::vector<std::shared_ptr<const FragmentedRangeTombstones>> lists_ GUARDED_BY(mu_);
};

}  // namespace strata
