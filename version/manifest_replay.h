// ManifestReplay: the one implementation of "a sequence of version edits adds up to a state".
// Recovery (VersionSet::Recover), every new version (VersionSet::LogAndApply) and the dump
// tools all apply edits through it, so the engine and the tools cannot disagree about what a
// MANIFEST says.
//
// Apply applies every part of an edit it can and reports what recovery rejects: a level the
// database cannot hold (InvalidArgument), a removal of a file that is not in its level or an
// addition of one that already is (Corruption). The engine stops at the first such status;
// the tools report it and read on.
//
// Thread safety: a value type; no internal synchronisation.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "version/version_edit.h"
#include "version/version_set.h"

namespace strata {

class ManifestReplay {
 public:
  // An empty state. Edits naming a level at or beyond max_levels are refused.
  explicit ManifestReplay(int max_levels = std::numeric_limits<int>::max())
      : max_levels_(max_levels) {}
  // The file set of base (levels limited to base's), counters unset.
  explicit ManifestReplay(const Version& base);

  Status Apply(const VersionEdit& edit);

  // The newest value of each counter any edit set; unset if none did.
  std::optional<std::string> comparator;
  std::optional<std::string> merge_operator;
  std::optional<uint64_t> log_number;
  std::optional<uint64_t> next_file_number;
  std::optional<SequenceNumber> last_sequence;

  // level -> file number -> file. Levels emptied by later edits may stay as empty maps.
  const std::map<int, std::map<uint64_t, std::shared_ptr<const FileMetaData>>>& levels() const {
    return levels_;
  }
  // The file of that number in level, or null.
  const FileMetaData* Find(int level, uint64_t number) const;
  // The files of one level in the engine's order: level 0 newest first, other levels by
  // smallest key (per icmp).
  FileList Ordered(int level, const InternalKeyComparator& icmp) const;
  uint64_t LevelBytes(int level) const;
  // The state as a Version with num_levels levels. REQUIRES: every level < num_levels.
  std::shared_ptr<const Version> Build(const InternalKeyComparator* icmp, int num_levels) const;

 private:
  int max_levels_;
  std::map<int, std::map<uint64_t, std::shared_ptr<const FileMetaData>>> levels_;
};

}  // namespace strata
