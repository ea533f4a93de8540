// The built-in merge operators (include/strata/merge_operator.h).
#include <cstdio>

#include "strata/merge_operator.h"
#include "util/coding.h"

namespace strata {
namespace {

class UInt64AddOperator final : public MergeOperator {
 public:
  const char* Name() const override { return "strata.UInt64Add"; }

  bool FullMerge(std::string_view, const std::string_view* existing_value,
                 std::span<const std::string_view> operands,
                 std::string* new_value) const override {
    uint64_t sum = 0;
    if (existing_value != nullptr && !Add(*existing_value, &sum)) return false;
    if (!Sum(operands, &sum)) return false;
    Encode(sum, new_value);
    return true;
  }

  bool PartialMerge(std::string_view, std::span<const std::string_view> operands,
                    std::string* new_operand) const override {
    uint64_t sum = 0;
    if (!Sum(operands, &sum)) return false;
    Encode(sum, new_operand);
    return true;
  }

 private:
  static bool Add(std::string_view v, uint64_t* sum) {
    if (v.size() != sizeof(uint64_t)) return false;
    *sum += DecodeFixed64(v.data());  // unsigned: wraps modulo 2^64
    return true;
  }
  static bool Sum(std::span<const std::string_view> operands, uint64_t* sum) {
    for (std::string_view op : operands) {
      if (!Add(op, sum)) return false;
    }
    return true;
  }
  static void Encode(uint64_t v, std::string* out) {
    out->clear();
    PutFixed64(out, v);
  }
};

class StringAppendOperator final : public MergeOperator {
 public:
  explicit StringAppendOperator(char delimiter) : delimiter_(delimiter) {
    if (delimiter == ',') {
      name_ = "strata.StringAppend";
    } else {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "%02x", static_cast<unsigned char>(delimiter));
      name_ = std::string("strata.StringAppend.") + hex;
    }
  }

  const char* Name() const override { return name_.c_str(); }

  bool FullMerge(std::string_view, const std::string_view* existing_value,
                 std::span<const std::string_view> operands,
                 std::string* new_value) const override {
    new_value->clear();
    if (existing_value != nullptr) new_value->append(*existing_value);
    Join(existing_value != nullptr, operands, new_value);
    return true;
  }

  bool PartialMerge(std::string_view, std::span<const std::string_view> operands,
                    std::string* new_operand) const override {
    new_operand->clear();
    Join(false, operands, new_operand);
    return true;
  }

 private:
  void Join(bool separate_first, std::span<const std::string_view> operands,
            std::string* out) const {
    size_t size = out->size();
    for (std::string_view op : operands) size += op.size() + 1;
    out->reserve(size);
    for (std::string_view op : operands) {
      if (separate_first) out->push_back(delimiter_);
      separate_first = true;
      out->append(op);
    }
  }

  const char delimiter_;
  std::string name_;
};

}  // namespace

std::shared_ptr<const MergeOperator> NewUInt64AddOperator() {
  static const std::shared_ptr<const MergeOperator> op = std::make_shared<UInt64AddOperator>();
  return op;
}

std::shared_ptr<const MergeOperator> NewStringAppendOperator(char delimiter) {
  return std::make_shared<StringAppendOperator>(delimiter);
}

std::shared_ptr<const MergeOperator> NewBuiltinMergeOperator(std::string_view name) {
  std::shared_ptr<const MergeOperator> op;
  if (name == "strata.UInt64Add") {
    op = NewUInt64AddOperator();
  } else if (name == "strata.StringAppend") {
    op = NewStringAppendOperator(',');
  } else if (name.size() == 22 && name.starts_with("strata.StringAppend.")) {
    unsigned int byte = 0;
    if (std::sscanf(std::string(name.substr(20)).c_str(), "%2x", &byte) == 1) {
      op = NewStringAppendOperator(static_cast<char>(byte));
    }
  }
  // Only a name that round-trips (sscanf accepts "A" or " a" too).
  return op != nullptr && name == op->Name() ? op : nullptr;
}

}  // namespace strata
