// MergeContext: the merge operands of one key that a point read has met so far, newest
// first, and the one place reads turn operands into a value (ApplyMerge).
//
// A read walks its sources newest first; each source adds the operands it holds above the
// key's newest value or deletion, and the source that holds that base (or the end of the
// sources: no base) finishes the read with Finish.
//
// Thread safety: a MergeContext belongs to one read on one thread. ApplyMerge is as
// thread-safe as the operator (which must be).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "strata/merge_operator.h"
#include "strata/status.h"

namespace strata {

// The value of key after operands (oldest first) on base (null: none), into *value (which
// base may point into). Corruption naming the key if op is null or fails.
Status ApplyMerge(const MergeOperator* op, std::string_view key, const std::string_view* base,
                  std::span<const std::string_view> operands, std::string* value);

class MergeContext {
 public:
  // op: the database's merge operator, or null (operands then fail reads with Corruption).
  explicit MergeContext(const MergeOperator* op) : op_(op) {}

  bool empty() const { return operands_.empty(); }
  // Copies the operand: the bytes may live in a block that is released after the call.
  void Add(std::string_view operand) { operands_.emplace_back(operand); }
  // ApplyMerge of the operands collected on base (null: none).
  Status Finish(std::string_view key, const std::string_view* base, std::string* value) const;
  // The end of a read at a value (base) or at a deletion or no entry at all (null): the
  // merge of the operands collected onto it, or without operands the value (copied into
  // *value, which base must not point into) or NotFound.
  Status Resolve(std::string_view key, const std::string_view* base, std::string* value) const {
    if (!operands_.empty()) [[unlikely]]
      return Finish(key, base, value);
    if (base == nullptr) return Status::NotFound(std::string_view());
    value->assign(base->data(), base->size());
    return Status::OK();
  }

 private:
  const MergeOperator* const op_;
  std::vector<std::string> operands_;  // newest first
};

}  // namespace strata
