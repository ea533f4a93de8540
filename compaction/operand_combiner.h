// OperandCombiner: the one implementation of "merge operands every reader sees become one
// entry", shared by compaction (compaction/compaction_job.cc) and flush (db/build_table.cc).
//
// Given an iterator on a merge operand that every snapshot sees (sequence <= the smallest
// snapshot) and that is the newest such entry of its key, Combine reads the operands under
// it and their base — a value, or a deletion, or an entry under a range deletion every
// reader sees (no base) — and yields what replaces them: the full merge, as a value with the
// newest operand's sequence, when there is a base or nothing older of the key exists outside
// the input (at_bottom); else the partial merge, as one operand. If the operator fails (or
// there is a single operand and no base to merge it onto), the entries come out unchanged —
// except an entry under a range deletion, which is dropped. A read then reports the failure
// as Corruption naming the key; a flush or compaction never stalls on it.
//
// Thread safety: one thread at a time per object (it reuses buffers).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "keys/internal_key.h"
#include "strata/iterator.h"
#include "strata/merge_operator.h"
#include "strata/status.h"

namespace strata {

class OperandCombiner {
 public:
  // Both borrowed; must outlive the combiner.
  OperandCombiner(const MergeOperator* op, const Comparator* ucmp) : op_(op), ucmp_(ucmp) {}

  // True if an entry of user_key at seq lies under a range deletion every reader sees.
  using CoveredFn = std::function<bool(std::string_view user_key, SequenceNumber seq)>;
  // Called once per entry to write, in order (first: the first entry written for the key).
  using EmitFn = std::function<Status(std::string_view ikey, std::string_view value,
                                      const ParsedInternalKey& parsed, bool first)>;

  // REQUIRES: it is on operand k as described above. Leaves it on the first entry not
  // consumed: the next key, or an older entry of this key (which the new entry hides from
  // every reader, and the caller drops). Adds the entries it read past k to *entries_read
  // and the ones that do not come out to *entries_dropped. Returns emit's first error, the
  // iterator's, or Corruption for a malformed key.
  Status Combine(Iterator* it, const ParsedInternalKey& k, const CoveredFn& covered, bool at_bottom,
                 const EmitFn& emit, uint64_t* entries_read, uint64_t* entries_dropped);

 private:
  const MergeOperator* const op_;
  const Comparator* const ucmp_;
  std::vector<std::pair<std::string, std::string>> run_;  // (internal key, value), newest first
  std::string combined_;
  std::string ikey_;
};

}  // namespace strata
