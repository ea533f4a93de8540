// BuildTable: writes the entries of a memtable into a new table file (a flush).
//
// Thread safety: any thread; the memtable must be immutable (no writer) while this runs.
#pragma once

#include <string>

#include "sstable/table_options.h"
#include "strata/file_system.h"
#include "strata/merge_operator.h"
#include "strata/status.h"
#include "version/version_edit.h"

namespace strata {

class MemTable;

// Writes every entry of mem to table file meta->number in dbname, syncs and closes it, and
// fills in the rest of *meta. An empty memtable writes no file and leaves file_size 0. On
// error the partial file is removed.
// With a merge operator, merge operands every snapshot sees (sequence <= smallest_snapshot)
// are combined with the entries under them in mem (compaction/operand_combiner.h; the
// memtable is never the bottom: without a base they become one operand), and the entries
// of their key under the result are left out.
Status BuildTable(const std::string& dbname, FileSystem* fs, const TableOptions& options,
                  const MemTable& mem, FileMetaData* meta,
                  const MergeOperator* merge_operator = nullptr,
                  SequenceNumber smallest_snapshot = 0);

}  // namespace strata
