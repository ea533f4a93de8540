// OPTIONS files: the text form of Options (docs/FORMATS.md, "OPTIONS file") and the writing
// and reading of OPTIONS-NNNNNN files. DB::Open writes one (WriteOptionsFile);
// LoadLatestOptions (include/strata/options_file.h) and strata_dump read them.
//
// Thread safety: pure functions, apart from the file system calls.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "strata/file_system.h"
#include "strata/options.h"

namespace strata {

// The format version written; a reader refuses a larger major version.
inline constexpr int kOptionsFileVersion = 1;

// The text of an OPTIONS file for options (its comparator must be set or null).
std::string SerializeOptions(const Options& options);

// What ParseOptions found besides the fields.
struct ParsedOptionsFile {
  int format_version = 0;
  std::string strata_version;
  std::string comparator;      // the recorded comparator's name
  std::string merge_operator;  // the recorded merge operator's name; empty: none
  int unknown_fields = 0;      // names this version does not know (written by a newer one): skipped
};

// Sets the recorded fields of *options from text. Corruption (with the line number) for
// malformed lines or values, NotSupported for a newer major format version.
Status ParseOptions(std::string_view text, Options* options, ParsedOptionsFile* parsed);

// Writes the file OPTIONS-<number> for options by write-temp, sync, rename.
Status WriteOptionsFile(FileSystem* fs, const std::string& dbname, uint64_t number,
                        const Options& options);

}  // namespace strata
