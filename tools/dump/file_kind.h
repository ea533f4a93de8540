// What kind of thing a path is, for `strata_dump PATH` without a sub-command: a directory is
// a database; otherwise the file name decides (NNNNNN.log, NNNNNN.sst, MANIFEST-NNNNNN,
// OPTIONS-NNNNNN), then
// the contents: a table ends in the magic "strataST"; a WAL and a MANIFEST share the log
// format and have no magic, so the first records are read and decoded both ways.
//
// Thread safety: pure functions of their arguments and the files they read.
#pragma once

#include <string>
#include <string_view>

#include "strata/file_system.h"

namespace strata::dump {

enum class FileKind { kUnknown, kWal, kTable, kManifest, kOptions, kDb };

// "wal", "sst", "manifest", "options", "db" (the sub-command names); "" for kUnknown.
const char* FileKindCommand(FileKind kind);
// The kind a sub-command names, or kUnknown.
FileKind FileKindOfCommand(std::string_view word);
// The kind of path per the rules above. kUnknown with *why set when nothing tells.
FileKind DetectFileKind(const std::string& path, FileSystem* fs, std::string* why);

}  // namespace strata::dump
