#include "sstable/range_del_block.h"

#include "util/coding.h"

namespace strata {

std::string EncodeRangeDelBlock(const FragmentedRangeTombstones& tombstones) {
  std::string r;
  PutVarint32(&r, static_cast<uint32_t>(tombstones.size()));
  for (const auto& f : tombstones.fragments()) {
    PutLengthPrefixed(&r, f.begin);
    PutLengthPrefixed(&r, f.end);
    PutVarint32(&r, f.seq_count);
    const SequenceNumber* s = tombstones.SeqsOf(f);
    for (uint32_t i = 0; i < f.seq_count; i++) PutVarint64(&r, s[i]);
  }
  return r;
}

Status DecodeRangeDelBlock(std::string_view contents, const Comparator* ucmp,
                           std::shared_ptr<const FragmentedRangeTombstones>* out) {
  out->reset();
  auto bad = [](const char* why) {
    return Status::Corruption(std::string("range deletion block: ") + why);
  };
  std::string_view in = contents;
  uint32_t count = 0;
  if (!GetVarint32(&in, &count)) return bad("truncated fragment count");
  // Each fragment takes at least 4 bytes: a cheap bound before reserving.
  if (count > in.size() / 4) return bad("fragment count exceeds the block");
  std::vector<FragmentedRangeTombstones::Fragment> fragments;
  std::vector<SequenceNumber> seqs;
  fragments.reserve(count);
  for (uint32_t i = 0; i < count; i++) {
    std::string_view begin, end;
    uint32_t n = 0;
    if (!GetLengthPrefixed(&in, &begin) || !GetLengthPrefixed(&in, &end) || !GetVarint32(&in, &n)) {
      return bad("truncated fragment");
    }
    if (ucmp->Compare(begin, end) >= 0) return bad("fragment begin not below its end");
    if (!fragments.empty() && ucmp->Compare(fragments.back().end, begin) > 0) {
      return bad("fragments out of order or overlapping");
    }
    if (n == 0 || n > in.size()) return bad("bad sequence count");
    const uint32_t start = static_cast<uint32_t>(seqs.size());
    for (uint32_t j = 0; j < n; j++) {
      uint64_t s = 0;
      if (!GetVarint64(&in, &s)) return bad("truncated sequence");
      if (s > kMaxSequenceNumber) return bad("sequence out of range");
      if (j > 0 && s >= seqs.back()) return bad("sequences not strictly descending");
      seqs.push_back(s);
    }
    fragments.push_back({std::string(begin), std::string(end), start, n});
  }
  if (!in.empty()) return bad("trailing bytes");
  *out = std::make_shared<const FragmentedRangeTombstones>(ucmp, std::move(fragments),
                                                           std::move(seqs));
  return Status::OK();
}

}  // namespace strata
