#include "keys/range_tombstone.h"

#include <algorithm>
#include <functional>

namespace strata {

FragmentedRangeTombstones::FragmentedRangeTombstones(const Comparator* ucmp,
                                                     std::vector<RangeTombstone> tombstones)
    : ucmp_(ucmp) {
  auto less = [ucmp](std::string_view a, std::string_view b) { return ucmp->Compare(a, b) < 0; };
  std::erase_if(tombstones,
                [ucmp](const RangeTombstone& t) { return ucmp->Compare(t.begin, t.end) >= 0; });
  if (tombstones.empty()) return;
  // Sorted first: the boundaries below point into the tombstones' strings.
  std::sort(
      tombstones.begin(), tombstones.end(),
      [&](const RangeTombstone& a, const RangeTombstone& b) { return less(a.begin, b.begin); });
  // Every begin and end is a fragment boundary.
  std::vector<std::string_view> points;
  points.reserve(tombstones.size() * 2);
  for (const RangeTombstone& t : tombstones) {
    points.push_back(t.begin);
    points.push_back(t.end);
  }
  std::sort(points.begin(), points.end(), less);
  points.erase(std::unique(points.begin(), points.end(),
                           [ucmp](std::string_view a, std::string_view b) {
                             return ucmp->Compare(a, b) == 0;
                           }),
               points.end());

  // Sweep the boundaries left to right, keeping the tombstones that span the current one.
  std::vector<const RangeTombstone*> active;
  std::vector<SequenceNumber> covering;
  size_t next = 0;
  for (size_t i = 0; i + 1 < points.size(); i++) {
    const std::string_view lo = points[i], hi = points[i + 1];
    std::erase_if(active, [&](const RangeTombstone* t) { return ucmp->Compare(t->end, lo) <= 0; });
    while (next < tombstones.size() && ucmp->Compare(tombstones[next].begin, lo) <= 0) {
      active.push_back(&tombstones[next++]);
    }
    if (active.empty()) continue;
    covering.clear();
    for (const RangeTombstone* t : active) covering.push_back(t->seq);
    std::sort(covering.begin(), covering.end(), std::greater<>());
    covering.erase(std::unique(covering.begin(), covering.end()), covering.end());
    fragments_.push_back(Fragment{std::string(lo), std::string(hi),
                                  static_cast<uint32_t>(seqs_.size()),
                                  static_cast<uint32_t>(covering.size())});
    seqs_.insert(seqs_.end(), covering.begin(), covering.end());
  }
}

FragmentedRangeTombstones::FragmentedRangeTombstones(const Comparator* ucmp,
                                                     std::vector<Fragment> fragments,
                                                     std::vector<SequenceNumber> seqs)
    : ucmp_(ucmp), fragments_(std::move(fragments)), seqs_(std::move(seqs)) {}

const FragmentedRangeTombstones::Fragment* FragmentedRangeTombstones::FindFragment(
    std::string_view user_key) const {
  // The last fragment whose begin is <= user_key.
  auto it = std::upper_bound(
      fragments_.begin(), fragments_.end(), user_key,
      [this](std::string_view k, const Fragment& f) { return ucmp_->Compare(k, f.begin) < 0; });
  if (it == fragments_.begin()) return nullptr;
  --it;
  return ucmp_->Compare(user_key, it->end) < 0 ? &*it : nullptr;
}

SequenceNumber FragmentedRangeTombstones::MaxCoveringSeq(std::string_view user_key,
                                                         SequenceNumber snapshot) const {
  const Fragment* f = FindFragment(user_key);
  if (f == nullptr) return 0;
  const SequenceNumber* s = SeqsOf(*f);
  for (uint32_t i = 0; i < f->seq_count; i++) {
    if (s[i] <= snapshot) return s[i];
  }
  return 0;
}

bool FragmentedRangeTombstones::CoversRange(std::string_view begin, std::string_view last,
                                            bool last_exclusive, SequenceNumber above,
                                            SequenceNumber at_most) const {
  const Fragment* f = FindFragment(begin);
  if (f == nullptr) return false;
  size_t i = static_cast<size_t>(f - fragments_.data());
  std::string_view pos = begin;
  while (true) {
    if (i >= fragments_.size()) return false;
    const Fragment& frag = fragments_[i];
    if (ucmp_->Compare(frag.begin, pos) > 0) return false;  // a gap
    bool qualifies = false;
    const SequenceNumber* s = SeqsOf(frag);
    for (uint32_t j = 0; j < frag.seq_count && !qualifies; j++) {
      qualifies = s[j] > above && s[j] <= at_most;
    }
    if (!qualifies) return false;
    pos = frag.end;
    const int c = ucmp_->Compare(pos, last);
    if (c > 0 || (c == 0 && last_exclusive)) return true;
    i++;
  }
}

void FragmentedRangeTombstones::AppendTo(std::vector<RangeTombstone>* out) const {
  for (const Fragment& f : fragments_) {
    for (uint32_t i = 0; i < f.seq_count; i++) out->push_back({f.begin, f.end, SeqsOf(f)[i]});
  }
}

void ExtendBoundsForTombstones(const FragmentedRangeTombstones& tombstones,
                               const InternalKeyComparator& icmp, std::string* smallest,
                               std::string* largest, SequenceNumber* smallest_seq,
                               SequenceNumber* largest_seq) {
  if (tombstones.empty()) return;
  const auto& first = tombstones.fragments().front();
  std::string lo;
  AppendInternalKey(&lo, first.begin, tombstones.SeqsOf(first)[0], ValueType::kRangeDeletion);
  if (smallest->empty() || icmp.Compare(lo, *smallest) < 0) *smallest = std::move(lo);
  std::string hi = RangeTombstoneEndSentinel(tombstones.fragments().back().end);
  if (largest->empty() || icmp.Compare(hi, *largest) > 0) *largest = std::move(hi);
  for (const auto& f : tombstones.fragments()) {
    const SequenceNumber* s = tombstones.SeqsOf(f);
    *largest_seq = std::max(*largest_seq, s[0]);
    *smallest_seq = std::min(*smallest_seq, s[f.seq_count - 1]);
  }
}

}  // namespace strata
