// The read path: Get and NewIterator over a pinned ReadState (see ReadSequence in db_impl.h
// for why the sources are taken before the sequence).
#include "db/db_impl.h"
#include "db/db_iter.h"
#include "db/statistics_iterator.h"
#include "memtable/memtable.h"
#include "sstable/merging_iterator.h"
#include "util/perf_context_imp.h"
#include "util/statistics_util.h"
#include "version/level_iterator.h"
#include "version/table_cache.h"

namespace strata {

Status DBImpl::Get(const ReadOptions& options, std::string_view key, std::string* value) {
  if (statistics_ == nullptr) return GetImpl(options, key, value);
  Status s;
  {
    LatencyTimer timer(statistics_, HistogramType::kGetLatency);
    s = GetImpl(options, key, value);
  }
  statistics_->RecordTick(Ticker::kKeysRead, 1);
  if (s.ok()) {
    statistics_->RecordTick(Ticker::kGetHits, 1);
    statistics_->RecordTick(Ticker::kBytesRead, value->size());
  }
  return s;
}

Status DBImpl::GetImpl(const ReadOptions& options, std::string_view key, std::string* value) {
  // The sources first, then the sequence (see ReadSequence).
  std::shared_ptr<const ReadState> state = GetReadState();
  const SequenceNumber seq = ReadSequence(options);
  LookupKey lookup(key, seq);
  STRATA_PERF_COUNT(get_count);
  Status s;
  MergeContext merges(options_.merge_operator.get());
  if (state->mem->Get(lookup, value, &s, &merges)) {
    STRATA_PERF_COUNT(get_from_memtable);
    return s;
  }
  for (const auto& imm : state->imm) {
    if (imm->Get(lookup, value, &s, &merges)) {
      STRATA_PERF_COUNT(get_from_memtable);
      return s;
    }
  }
  SeekCompactionCandidate spent;
  const bool found =
      state->version->Get(options, lookup, table_cache_.get(), value, &s, &merges,
                          options_.seek_compaction && !read_only_ ? &spent : nullptr);
  if (spent.level >= 0) NoteSeekCandidate(spent);
  if (found) return s;
  // No entry anywhere (operands without a value or deletion under them: merged onto nothing).
  return merges.Resolve(key, nullptr, value);
}

SequenceNumber DBImpl::ReadSequence(const ReadOptions& options) const {
  if (options.snapshot != nullptr) {
    return static_cast<const SnapshotImpl*>(options.snapshot)->sequence;
  }
  return last_sequence_.load(std::memory_order_acquire);
}

std::unique_ptr<Iterator> DBImpl::NewIterator(const ReadOptions& options) {
  std::shared_ptr<const ReadState> state = GetReadState();
  const SequenceNumber seq = ReadSequence(options);
  std::vector<std::unique_ptr<Iterator>> children;
  children.push_back(state->mem->NewIterator());
  for (const auto& imm : state->imm) children.push_back(imm->NewIterator());
  const Version& v = *state->version;
  for (const auto& f : v.files(0)) {
    children.push_back(
        table_cache_->NewIterator(options, f->number, f->file_size, f->global_seqno));
  }
  for (int level = 1; level < v.num_levels(); level++) {
    if (v.files(level).empty()) continue;
    children.push_back(NewLevelIterator(&icmp_, &v.files(level), table_cache_.get(), options));
  }
  DBIterOptions iter_options;
  // Range tombstones of every source; left out (the common case) when there are none.
  RangeDelAggregator range_dels;
  range_dels.AddMemTable(*state->mem);
  for (const auto& imm : state->imm) range_dels.AddMemTable(*imm);
  Status s = state->table_tombstones->AddTo(v, table_cache_.get(), &range_dels);
  if (!s.ok()) return NewEmptyIterator(s);
  if (!range_dels.empty()) {
    iter_options.range_dels = std::make_shared<const RangeDelAggregator>(std::move(range_dels));
  }
  iter_options.sequence = seq;
  iter_options.merge_operator = options_.merge_operator.get();
  iter_options.lower_bound = options.iterate_lower_bound;
  iter_options.upper_bound = options.iterate_upper_bound;
  if (options_.seek_compaction && !read_only_) {
    // The version lives as long as the iterator (it holds the read state).
    iter_options.read_sample = [this, version = &v](std::string_view user_key) {
      SeekCompactionCandidate spent;
      if (version->RecordReadSample(user_key, &spent)) NoteSeekCandidate(spent);
    };
  }
  // The iterator holds the read state: its memtables and version (so its tables) live on.
  auto iter =
      NewDBIterator(icmp_.user_comparator(), NewMergingIterator(&icmp_, std::move(children)),
                    iter_options, std::move(state));
  return statistics_ ? NewStatisticsIterator(std::move(iter), statistics_) : std::move(iter);
}

}  // namespace strata
