// The picture of a database's tree for `strata_dump db DIR --svg FILE`: one row per level,
// each live table a box placed horizontally over the key range it covers, its height by its
// bytes; level 0 gets one line per table (newest on top) so that overlaps show. Each box is a
// <rect class="table"> carrying a <title> with the file number, level, size and key range.
//
// Keys map to x by KeyScale: interpolation on the bytes after the prefix common to every
// boundary key, each byte position scaled to the range of byte values seen there, so keys of
// decimal digits spread evenly and binary keys still keep their order.
//
// Thread safety: pure functions of their arguments.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tools/dump/db_state.h"

namespace strata::dump {

class KeyScale {
 public:
  // keys: the user keys to fit (any order; duplicates are fine).
  explicit KeyScale(const std::vector<std::string>& keys);
  // key's place in [0, 1]: 0 for the smallest key given, 1 for the largest, monotone in
  // between; keys outside the range are clamped.
  double Position(std::string_view key) const;

 private:
  double Raw(std::string_view key) const;

  static constexpr size_t kPositions = 8;  // bytes after the common prefix that count
  std::string prefix_;
  std::vector<unsigned> low_;    // per position: the smallest byte seen
  std::vector<unsigned> radix_;  // per position: how many byte values the range spans
  double low_value_ = 0;
  double span_ = 0;
};

// A whole SVG document.
std::string RenderDbSvg(const DbState& state);

}  // namespace strata::dump
