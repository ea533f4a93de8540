// Compaction: the description of one unit of compaction work — which files of a level are
// merged with which files of the next — as chosen by compaction/compaction_picker.h and
// carried out by compaction/compaction_job.h.
//
// Thread safety: immutable once picked; it pins the version it was picked from.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "keys/internal_key.h"
#include "version/version_set.h"

namespace strata {

struct Compaction {
  // The version the inputs come from (kept alive, and with it the input files).
  std::shared_ptr<const Version> version;
  int level = 0;         // inputs[0] come from here
  int output_level = 1;  // inputs[1] come from here; outputs go here
  FileList inputs[2];
  // Files of output_level + 1 overlapping the inputs: an output is cut before it would
  // overlap too many of them, so that a later compaction of it stays small.
  FileList grandparents;
  uint64_t max_output_file_size = 0;
  uint64_t max_grandparent_overlap = 0;
  // Also cut outputs at grandparent file boundaries (Options::level_compaction_dynamic_file_size).
  bool cut_at_grandparent_boundaries = true;
  // Files of a level > 0 that overlap nothing below: the edit moves them, nothing is
  // rewritten.
  bool trivial_move = false;
  std::string reason;  // for the LOG: "L0 file count", "level size", "manual"

  // Input bytes per side.
  uint64_t InputBytes(int which) const;
  // True if no level below output_level may hold user_key: a deletion of it can be dropped
  // once no snapshot needs it. Keys must be asked in increasing order (the per-level scan
  // position is kept between calls).
  bool IsBaseLevelForKey(const Comparator* ucmp, std::string_view user_key);

  // Positions for IsBaseLevelForKey, one per level.
  std::vector<size_t> level_ptrs;
};

}  // namespace strata
