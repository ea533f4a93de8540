// The range tombstones of one compaction: gathered from every input table, fragmented
// together, and used three ways by compaction_job.cc:
// - a point entry covered by a tombstone that every snapshot sees (sequence <= the smallest
//   snapshot) is dropped: no reader can see it, so tombstone and entry share the oldest
//   snapshot stripe;
// - an input table whose whole key range is covered by such a tombstone newer than all its
//   entries is not read at all: it leaves the tree without being rewritten;
// - each output gets the fragments inside its key range [lower, upper), where the bounds are
//   the user keys at which the outputs were cut, so the output files of a level never
//   overlap; per fragment the sequences every snapshot sees collapse to the newest, which is
//   dropped too when no level below the output may hold a key of the fragment.
//
// Thread safety: one compaction thread.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "compaction/compaction.h"
#include "keys/range_tombstone.h"
#include "strata/status.h"

namespace strata {

class TableCache;

class CompactionRangeDels {
 public:
  // Reads the tombstones of every input of c (opening the tables through tables).
  Status Init(const Compaction& c, TableCache* tables, const Comparator* ucmp,
              SequenceNumber smallest_snapshot);

  bool empty() const { return all_ == nullptr; }

  // True if an entry of user_key at seq is hidden from every reader by a tombstone.
  bool CoversEntry(std::string_view user_key, SequenceNumber seq) const {
    return all_ != nullptr && all_->MaxCoveringSeq(user_key, smallest_snapshot_) > seq;
  }

  // True if every entry of input table f is hidden from every reader (see above).
  bool CoversFile(const FileMetaData& f) const;

  // The tombstones an output covering user keys [lower, upper) keeps (no bound: unbounded),
  // or null if none. Fragments are clipped to the bounds.
  std::unique_ptr<FragmentedRangeTombstones> ForOutput(std::optional<std::string_view> lower,
                                                       std::optional<std::string_view> upper,
                                                       const Compaction& c) const;

 private:
  // True if no level below c's output level holds a file overlapping [begin, end).
  bool BaseLevelForRange(const Compaction& c, std::string_view begin, std::string_view end) const;

  const Comparator* ucmp_ = nullptr;
  SequenceNumber smallest_snapshot_ = 0;
  std::unique_ptr<FragmentedRangeTombstones> all_;  // null if the inputs have none
};

}  // namespace strata
