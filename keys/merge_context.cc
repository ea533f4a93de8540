#include "keys/merge_context.h"

#include "util/escape.h"

namespace strata {

Status ApplyMerge(const MergeOperator* op, std::string_view key, const std::string_view* base,
                  std::span<const std::string_view> operands, std::string* value) {
  if (op == nullptr) {
    return Status::Corruption("merge operand but no merge operator for key", EscapeBytes(key));
  }
  std::string result;
  if (!op->FullMerge(key, base, operands, &result)) {
    return Status::Corruption(std::string("merge operator ") + op->Name() + " failed for key",
                              EscapeBytes(key));
  }
  value->swap(result);
  return Status::OK();
}

Status MergeContext::Finish(std::string_view key, const std::string_view* base,
                            std::string* value) const {
  std::vector<std::string_view> oldest_first(operands_.rbegin(), operands_.rend());
  return ApplyMerge(op_, key, base, oldest_first, value);
}

}  // namespace strata
