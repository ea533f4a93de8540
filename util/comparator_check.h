// The one check that a database's recorded comparator is the one the options give: keys
// sorted by one order cannot be read with another. Used by MANIFEST recovery
// (version/version_set.cc) and by LoadLatestOptions (db/options_file.cc).
//
// Thread safety: a pure function.
#pragma once

#include <string_view>

#include "strata/comparator.h"
#include "strata/status.h"

namespace strata {

// OK if given (null: BytewiseComparator()) is named recorded; otherwise InvalidArgument
// naming both.
Status CheckComparatorName(std::string_view recorded, const Comparator* given);

}  // namespace strata
