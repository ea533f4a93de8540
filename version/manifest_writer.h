// Writing a database's MANIFEST and CURRENT from scratch: a new database, and a checkpoint
// (a copy of a live database in another directory) share this with VersionSet.
//
// Thread safety: free functions over a FileSystem; no shared state.
#pragma once

#include <cstdint>
#include <string>

#include "strata/file_system.h"
#include "version/version_edit.h"
#include "version/version_set.h"

namespace strata {

// Adds every file of v, per level, to edit (a full-state record starts with this).
void AddVersionFiles(const Version& v, VersionEdit* edit);

// Writes a MANIFEST holding the one record edit to fname, synced and closed. Guarantees: on
// OK the file is durable, its directory entry included; on error it is removed.
Status WriteManifestFile(FileSystem* fs, const std::string& fname, const VersionEdit& edit);

// Points dbname/CURRENT at MANIFEST-<manifest_number>: a temporary file written and synced,
// then renamed over CURRENT, so that CURRENT names the old or the new MANIFEST, never a
// half-written name. Durable when it returns OK (the rename syncs the directory).
Status SetCurrentFile(FileSystem* fs, const std::string& dbname, uint64_t manifest_number);

}  // namespace strata
