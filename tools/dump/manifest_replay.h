// ManifestReplay: the state a MANIFEST's version edits add up to, with the consistency checks
// recovery's replay makes (a file removed that is not there, a file added twice). Shared by
// the manifest dump and the database dump, which must agree on what a MANIFEST says.
//
// Thread safety: a value type; no internal synchronisation.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "db/version_edit.h"

namespace strata::dump {

struct ManifestReplay {
  std::optional<std::string> comparator;
  std::optional<uint64_t> log_number;
  std::optional<uint64_t> next_file_number;
  std::optional<SequenceNumber> last_sequence;
  // level -> file number -> file. Levels emptied by later edits may stay as empty maps.
  std::map<int, std::map<uint64_t, FileMetaData>> levels;

  // Applies edit; returns what recovery would reject in it (empty if nothing).
  std::string Apply(const VersionEdit& edit);

  // The files of one level in the engine's order: level 0 newest first, other levels by
  // smallest key.
  std::vector<const FileMetaData*> Ordered(int level) const;
  // Bytes of the files in level.
  uint64_t LevelBytes(int level) const;
};

}  // namespace strata::dump
