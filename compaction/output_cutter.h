// Where a compaction's output files end. A compaction writes a sorted run into output_level;
// each output will later be merged into output_level + 1 (the grandparent level) together
// with the grandparent files it overlaps. An output that ends in the middle of a grandparent
// file drags that whole file into its later merge, and so does the output after it. So an
// output is cut before a user key when:
//   - it has reached its target size;
//   - it overlaps more than max_grandparent_overlap bytes of grandparent files;
//   - the key steps over a whole grandparent file worth an eighth of the target, which the
//     output would otherwise span without holding any of its keys; or
//   - the key crosses a grandparent file's boundary and the output is already at least half
//     its target (a bar that rises by 5% of the target for each boundary the output has
//     crossed, up to 90%, so outputs stay large where boundaries are dense).
// Outputs then begin and end where grandparent files do, and their later merges take whole
// files instead of a partial one at each edge. The last two rules apply only with
// at_boundaries (Options::level_compaction_dynamic_file_size).
//
// Thread safety: one compaction's thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "keys/internal_key.h"
#include "version/version_set.h"

namespace strata {

class OutputCutter {
 public:
  // grandparents: the files of output_level + 1 that the compaction's range overlaps, in
  // key order; borrowed for the cutter's life.
  OutputCutter(const Comparator* ucmp, const FileList& grandparents, uint64_t target_file_size,
               uint64_t max_grandparent_overlap, bool at_boundaries);

  // Called once for each user key the compaction writes, in increasing order.
  // output_open: whether an output is being written (if not, user_key starts the first one);
  // output_bytes: its size so far. Returns true if the open output must end before user_key;
  // the caller then starts a new output with user_key.
  bool ShouldCutBefore(std::string_view user_key, bool output_open, uint64_t output_bytes);

 private:
  // Starts counting for an output whose first key was the last one passed.
  void StartOutput();

  const Comparator* const ucmp_;
  const FileList& grandparents_;
  const uint64_t target_file_size_;
  const uint64_t max_grandparent_overlap_;
  const bool at_boundaries_;
  // The position of the last key among the grandparents: in grandparents_[index_], or in
  // the gap before it (in_gap_; index_ == size: past the last one).
  size_t index_ = 0;
  bool in_gap_ = true;
  // Of the open output: grandparent bytes it overlaps, and boundaries it has crossed.
  uint64_t overlapped_bytes_ = 0;
  size_t boundaries_crossed_ = 0;
};

}  // namespace strata
