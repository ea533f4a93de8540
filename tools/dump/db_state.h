// DbState: what a database directory holds, read straight from its files — CURRENT, the live
// MANIFEST and the version it yields, every table and log with its role — without opening
// the database, so it works while another process holds the LOCK and changes nothing.
//
// Reading a database that another process is writing races with it: a flush or compaction
// may add and delete files between the directory listing and the MANIFEST read. A problem
// found in a pass during which CURRENT or the MANIFEST changed is not trusted: the pass (the
// listing and the MANIFEST, which are cheap) is repeated until the MANIFEST holds still
// across one. --verify then reads the files once; a live file that vanishes while it is read
// is damage only if the version as of then still names it.
//
// Thread safety: ReadDbState shares no state; each call uses only its arguments.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sstable/table_properties.h"
#include "strata/status.h"
#include "tools/dump/dump.h"
#include "tools/dump/file_check.h"
#include "version/manifest_replay.h"

namespace strata::dump {

enum class DbFileKind { kTable, kWal, kManifest, kCurrent, kTemp, kLock, kInfoLog, kOptions, kOther };
// "table", "wal", "manifest", "current", "temp", "lock", "info_log", "options", "other".
const char* DbFileKindName(DbFileKind kind);

struct DbFile {
  std::string name;  // directory entry
  DbFileKind kind = DbFileKind::kOther;
  uint64_t number = 0;  // tables, logs, manifests, temp files
  uint64_t size = 0;
  // Tables in the version, logs at or above its log number, the MANIFEST CURRENT names.
  // Tables, logs, manifests and temp files that are not live are obsolete; LOCK, LOG and
  // CURRENT are neither.
  bool live = false;
  int level = -1;         // live tables
  bool checked = false;   // read whole by --verify
  bool vanished = false;  // deleted while being read (by the process writing it)
  FileCheck check;        // --verify: what reading it found
  std::optional<TableProperties> properties;  // --verify, tables that open
};

bool IsObsolete(const DbFile& f);

struct DbProblem {
  std::string file;  // directory entry, or "" for the directory itself
  uint64_t offset = kUnknownOffset;
  std::string reason;
};

struct DbState {
  std::string dir;
  // The MANIFEST read: the one CURRENT names, or (CURRENT missing or damaged) the newest.
  std::string manifest;
  bool manifest_from_current = false;
  uint64_t manifest_size = 0;
  uint64_t manifest_edits = 0;
  ManifestReplay version;
  std::vector<DbFile> files;  // every directory entry, by kind then number

  // Damage: anything that makes the database unsound or not readable as written.
  std::vector<DbProblem> problems;
  // Tolerated: a torn tail recovery drops, damage in obsolete files, files that vanished.
  std::vector<DbProblem> notes;
  bool io_error = false;  // a file could not be read (one of the problems)

  bool verified = false;
  int passes = 0;  // reads it took to see the MANIFEST hold still

  const DbFile* Find(DbFileKind kind, uint64_t number) const;
};

// Reads dir into *state; options.verify also reads every file whole. Fails (I/O error) if
// the directory cannot be listed, or (InvalidArgument) if it holds no database files at all.
// Everything else wrong is a problem in *state.
Status ReadDbState(const std::string& dir, const DumpOptions& options, DbState* state);

}  // namespace strata::dump
