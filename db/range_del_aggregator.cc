#include "db/range_del_aggregator.h"

#include <algorithm>

#include "memtable/memtable.h"
#include "version/table_cache.h"
#include "version/version_set.h"

namespace strata {

void RangeDelAggregator::Add(std::shared_ptr<const FragmentedRangeTombstones> tombstones) {
  if (tombstones != nullptr && !tombstones->empty()) sources_.push_back(std::move(tombstones));
}

void RangeDelAggregator::AddMemTable(const MemTable& mem) {
  if (mem.num_range_deletions() != 0) Add(mem.RangeTombstones());
}

SequenceNumber RangeDelAggregator::MaxCoveringSeq(std::string_view user_key,
                                                  SequenceNumber snapshot) const {
  SequenceNumber best = 0;
  for (const auto& s : sources_) best = std::max(best, s->MaxCoveringSeq(user_key, snapshot));
  return best;
}

Status TableTombstoneCache::AddTo(const Version& version, TableCache* tables,
                                  RangeDelAggregator* agg) {
  MutexLock l(&mu_);
  if (!loaded_) {
    std::vector<std::shared_ptr<const FragmentedRangeTombstones>> lists;
    for (int level = 0; level < version.num_levels(); level++) {
      for (const auto& f : version.files(level)) {
        std::shared_ptr<const FragmentedRangeTombstones> t;
        Status s = tables->GetRangeTombstones(f->number, f->file_size, &t);
        if (!s.ok()) return s;
        if (t != nullptr) lists.push_back(std::move(t));
      }
    }
    lists_ = std::move(lists);
    loaded_ = true;
  }
  for (const auto& t : lists_) agg->Add(t);
  return Status::OK();
}

}  // namespace strata
