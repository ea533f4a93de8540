#include "compaction/operand_combiner.h"

namespace strata {

Status OperandCombiner::Combine(Iterator* it, const ParsedInternalKey& k, const CoveredFn& covered,
                                bool at_bottom, const EmitFn& emit, uint64_t* entries_read,
                                uint64_t* entries_dropped) {
  const std::string user_key(k.user_key);
  run_.clear();
  run_.emplace_back(std::string(it->key()), std::string(it->value()));
  enum { kNone, kValue, kDeletion } base = kNone;
  bool base_in_run = false;  // the base is run_.back() (not for a range-deleted base)
  for (it->Next(); it->Valid(); it->Next()) {
    ParsedInternalKey e;
    if (!ParseInternalKey(it->key(), &e)) return Status::Corruption("malformed internal key");
    if (ucmp_->Compare(e.user_key, user_key) != 0) break;
    ++*entries_read;
    if (covered(e.user_key, e.sequence)) {
      // No base; never written back even if the operator fails: its tombstone may be
      // dropped before it.
      base = kDeletion;
      ++*entries_dropped;
      it->Next();
      break;
    }
    run_.emplace_back(std::string(it->key()), std::string(it->value()));
    if (e.type != ValueType::kMerge) {
      base = e.type == ValueType::kValue ? kValue : kDeletion;
      base_in_run = true;
      it->Next();
      break;
    }
  }
  if (!it->status().ok()) return it->status();

  const size_t num_operands = run_.size() - (base_in_run ? 1 : 0);
  std::vector<std::string_view> operands;  // oldest first
  operands.reserve(num_operands);
  for (size_t i = num_operands; i-- > 0;) operands.push_back(run_[i].second);
  ValueType type = ValueType::kValue;
  bool ok;
  if (base != kNone || at_bottom) {
    const std::string_view base_value = run_.back().second;
    ok = op_->FullMerge(user_key, base == kValue ? &base_value : nullptr, operands, &combined_);
  } else {
    type = ValueType::kMerge;
    ok = operands.size() >= 2 && op_->PartialMerge(user_key, operands, &combined_);
  }
  if (!ok) {
    for (size_t i = 0; i < run_.size(); i++) {
      ParsedInternalKey e;
      ParseInternalKey(run_[i].first, &e);  // parsed once already
      Status s = emit(run_[i].first, run_[i].second, e, i == 0);
      if (!s.ok()) return s;
    }
    return Status::OK();
  }
  *entries_dropped += run_.size() - 1;
  ikey_.clear();
  AppendInternalKey(&ikey_, user_key, k.sequence, type);
  const ParsedInternalKey out{ExtractUserKey(ikey_), k.sequence, type};
  return emit(ikey_, combined_, out, true);
}

}  // namespace strata
