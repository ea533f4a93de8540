// Checks an Iterator against a model: the sorted (key, value) pairs it should show. Used by
// the block and table suites (and any other ordered iterator).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "strata/comparator.h"
#include "strata/iterator.h"

namespace strata::test {

// (key, value) pairs in cmp order, keys distinct.
using KVModel = std::vector<std::pair<std::string, std::string>>;

// Compares it with model: forward and backward full scans; Seek and SeekForPrev to every key
// and to every probe (targets between and beyond the keys); and a random walk of seeks,
// Next and Prev with direction changes, drawn from seed. Stops at the first mismatch and
// describes it. The iterator's status() must stay OK throughout.
::testing::AssertionResult IteratorMatchesModel(Iterator* it, const KVModel& model,
                                                const Comparator* cmp,
                                                const std::vector<std::string>& probes,
                                                uint64_t seed, int walk_steps = 2000);

}  // namespace strata::test
