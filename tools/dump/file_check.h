// Quiet checks of whole files, for the database dump's --verify and its reading of the
// MANIFEST: the same readers and checks as the per-file dumps, collecting the problems instead
// of printing every record.
//
// Thread safety: the functions share no state; each call uses only its arguments.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sstable/table_properties.h"
#include "strata/status.h"
#include "strata/write_batch.h"
#include "tools/dump/dump.h"

namespace strata::dump {

// The offset of a problem whose place in the file is not known (found by a table scan).
constexpr uint64_t kUnknownOffset = ~uint64_t{0};

struct FileProblem {
  uint64_t offset = kUnknownOffset;
  std::string reason;
  // A log whose end was cut short mid-record: what a crash during a write leaves, and what
  // recovery drops silently at the end of the newest log.
  bool torn_tail = false;
};

struct FileCheck {
  uint64_t records = 0;  // logs: intact records whose contents are valid; tables: entries
  uint64_t blocks = 0;   // tables: blocks read
  uint64_t damaged_blocks = 0;
  uint64_t range_tombstones = 0;  // tables: fragments in the range deletion block
  std::vector<FileProblem> problems;
  bool io_error = false;  // reading stopped at an I/O error (one of the problems)
};

// The contents of an intact WAL record as a write batch; Corruption if recovery would reject
// it (too short, or a count that does not match the operations).
Status DecodeWalRecord(std::string_view record, WriteBatch* batch);

// Calls on_record(record, offset) for every intact record of the log at path; it returns
// what is wrong with the record's contents, or an empty string. Damage the reader finds and
// the contents on_record rejects are both problems in *check. Fails only if the file cannot
// be opened.
using LogRecordCheck = std::function<std::string(std::string_view record, uint64_t offset)>;
Status CheckLog(const std::string& path, FileSystem* fs, const LogRecordCheck& on_record,
                FileCheck* check);
// A WAL: every record must be a valid write batch.
Status CheckWal(const std::string& path, FileSystem* fs, FileCheck* check);

// A table, read whole: footer, meta blocks, every block's checksum, every entry in order, the
// entry count against the properties (as `strata_dump sst --verify --scan`). *properties is
// set when the table opens. Fails only if the file cannot be opened.
Status CheckTable(const std::string& path, const DumpOptions& options, FileCheck* check,
                  std::optional<TableProperties>* properties);

}  // namespace strata::dump
