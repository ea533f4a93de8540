#include "strata/comparator.h"

#include "util/bytewise_compare.h"
#include "util/comparator_check.h"

#include <algorithm>
#include <string>

namespace strata {
namespace {

class BytewiseComparatorImpl final : public Comparator {
 public:
  int Compare(std::string_view a, std::string_view b) const override {
    return BytewiseCompare(a, b);
  }
  const char* Name() const override { return "strata.BytewiseComparator"; }

  void FindShortestSeparator(std::string* start, std::string_view limit) const override {
    size_t n = std::min(start->size(), limit.size());
    size_t diff = 0;
    while (diff < n && (*start)[diff] == limit[diff]) diff++;
    if (diff >= n) return;  // one is a prefix of the other: no shorter separator
    auto byte = static_cast<unsigned char>((*start)[diff]);
    if (byte < 0xff && byte + 1 < static_cast<unsigned char>(limit[diff])) {
      (*start)[diff] = static_cast<char>(byte + 1);
      start->resize(diff + 1);
    }
  }

  void FindShortSuccessor(std::string* key) const override {
    for (size_t i = 0; i < key->size(); i++) {
      auto byte = static_cast<unsigned char>((*key)[i]);
      if (byte != 0xff) {
        (*key)[i] = static_cast<char>(byte + 1);
        key->resize(i + 1);
        return;
      }
    }
    // All 0xff: leave it, there is no shorter successor.
  }
};

}  // namespace

const Comparator* BytewiseComparator() {
  static const BytewiseComparatorImpl kInstance;
  return &kInstance;
}

Status CheckComparatorName(std::string_view recorded, const Comparator* given) {
  const char* name = (given ? given : BytewiseComparator())->Name();
  if (recorded == name) return Status::OK();
  return Status::InvalidArgument(
      "comparator mismatch: the database was written with " + std::string(recorded),
      std::string("options give ") + name);
}

Status CheckMergeOperatorName(const std::optional<std::string>& recorded,
                              const MergeOperator* given) {
  if (!recorded || (given != nullptr && *recorded == given->Name())) return Status::OK();
  return Status::InvalidArgument(
      "merge operator mismatch: the database was written with " + *recorded,
      given ? std::string("options give ") + given->Name() : "options give none");
}

}  // namespace strata
