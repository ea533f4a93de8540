// BuildTable: writes the entries of a memtable into a new table file (a flush).
//
// Thread safety: any thread; the memtable must be immutable (no writer) while this runs.
#pragma once

#include <string>

#include "sstable/table_options.h"
#include "strata/file_system.h"
#include "strata/status.h"
#include "version/version_edit.h"

namespace strata {

class MemTable;

// Writes every entry of mem to table file meta->number in dbname, syncs and closes it, and
// fills in the rest of *meta. An empty memtable writes no file and leaves file_size 0. On
// error the partial file is removed.
Status BuildTable(const std::string& dbname, FileSystem* fs, const TableOptions& options,
                  const MemTable& mem, FileMetaData* meta);

}  // namespace strata
