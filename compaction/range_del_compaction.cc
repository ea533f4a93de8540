#include "compaction/range_del_compaction.h"

#include <algorithm>

#include "version/table_cache.h"

namespace strata {

Status CompactionRangeDels::Init(const Compaction& c, TableCache* tables, const Comparator* ucmp,
                                 SequenceNumber smallest_snapshot) {
  ucmp_ = ucmp;
  smallest_snapshot_ = smallest_snapshot;
  std::vector<RangeTombstone> tombstones;
  for (const FileList& inputs : c.inputs) {
    for (const auto& f : inputs) {
      std::shared_ptr<const FragmentedRangeTombstones> t;
      Status s = tables->GetRangeTombstones(f->number, f->file_size, &t);
      if (!s.ok()) return s;
      if (t != nullptr) t->AppendTo(&tombstones);
    }
  }
  all_.reset();
  if (!tombstones.empty()) {
    all_ = std::make_unique<FragmentedRangeTombstones>(ucmp, std::move(tombstones));
    if (all_->empty()) all_.reset();
  }
  return Status::OK();
}

bool CompactionRangeDels::CoversFile(const FileMetaData& f) const {
  if (all_ == nullptr || f.global_seqno != 0) return false;
  return all_->CoversRange(ExtractUserKey(f.smallest), ExtractUserKey(f.largest),
                           IsRangeTombstoneEndSentinel(f.largest), f.largest_seqno,
                           smallest_snapshot_);
}

bool CompactionRangeDels::BaseLevelForRange(const Compaction& c, std::string_view begin,
                                            std::string_view end) const {
  for (int level = c.output_level + 1; level < c.version->num_levels(); level++) {
    const FileList& files = c.version->files(level);
    // The first file ending at or after begin; it overlaps if it starts before end.
    auto it =
        std::lower_bound(files.begin(), files.end(), begin,
                         [this](const std::shared_ptr<const FileMetaData>& f, std::string_view k) {
                           return ucmp_->Compare(ExtractUserKey(f->largest), k) < 0;
                         });
    if (it != files.end() && ucmp_->Compare(ExtractUserKey((*it)->smallest), end) < 0) {
      return false;
    }
  }
  return true;
}

std::unique_ptr<FragmentedRangeTombstones> CompactionRangeDels::ForOutput(
    std::optional<std::string_view> lower, std::optional<std::string_view> upper,
    const Compaction& c) const {
  if (all_ == nullptr) return nullptr;
  std::vector<FragmentedRangeTombstones::Fragment> fragments;
  std::vector<SequenceNumber> seqs;
  for (const auto& f : all_->fragments()) {
    if (lower && ucmp_->Compare(f.end, *lower) <= 0) continue;
    if (upper && ucmp_->Compare(f.begin, *upper) >= 0) break;
    std::string_view begin = f.begin, end = f.end;
    if (lower && ucmp_->Compare(begin, *lower) < 0) begin = *lower;
    if (upper && ucmp_->Compare(end, *upper) > 0) end = *upper;
    const uint32_t start = static_cast<uint32_t>(seqs.size());
    const SequenceNumber* s = all_->SeqsOf(f);
    for (uint32_t i = 0; i < f.seq_count; i++) {
      if (s[i] > smallest_snapshot_) {
        seqs.push_back(s[i]);  // some snapshot may not see it: keep
        continue;
      }
      // The newest tombstone every reader sees makes the older ones redundant; it goes too
      // when nothing below may hold a key it covers.
      if (!BaseLevelForRange(c, begin, end)) seqs.push_back(s[i]);
      break;
    }
    const uint32_t n = static_cast<uint32_t>(seqs.size()) - start;
    if (n == 0) continue;
    fragments.push_back({std::string(begin), std::string(end), start, n});
  }
  if (fragments.empty()) return nullptr;
  return std::make_unique<FragmentedRangeTombstones>(ucmp_, std::move(fragments), std::move(seqs));
}

}  // namespace strata
