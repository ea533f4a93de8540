// The one check that a database's recorded comparator is the one the options give: keys
// sorted by one order cannot be read with another. Used by MANIFEST recovery
// (version/version_set.cc) and by LoadLatestOptions (db/options_file.cc); the merge
// operator's check beside it.
//
// Thread safety: a pure function.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "strata/comparator.h"
#include "strata/merge_operator.h"
#include "strata/status.h"

namespace strata {

// OK if given (null: BytewiseComparator()) is named recorded; otherwise InvalidArgument
// naming both.
Status CheckComparatorName(std::string_view recorded, const Comparator* given);

// The same for the merge operator: OK if none is recorded (a database that never had one
// may gain one) or given is named recorded; otherwise InvalidArgument naming both (operands
// written for one operator mean nothing to another, and cannot be read without one).
Status CheckMergeOperatorName(const std::optional<std::string>& recorded,
                              const MergeOperator* given);

}  // namespace strata
