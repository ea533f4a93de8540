// EventListener: callbacks about the database's background work, for monitoring (graphs,
// alerts) without polling. Register listeners in Options::listeners.
//
// Threading contract:
// - Callbacks run on the engine's threads (the flush thread, a compaction thread, or a writer
//   thread for stall changes and write errors), possibly several at once: an implementation
//   must be thread-safe.
// - They are called without the database's mutex held, so they may call the DB's read
//   methods and GetProperty/GetIntProperty. They must not destroy the DB, and should return
//   quickly: the thread that calls them waits (a slow OnFlushCompleted delays the next flush).
// - Each callback for one event is called once per listener, in registration order.
// - No callback runs after the DB's destructor has returned.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "strata/status.h"

namespace strata {

enum class FlushReason : unsigned char {
  kWriteBufferFull,  // the active memtable reached write_buffer_size
  kManual,           // DB::Flush or CompactRange
  kRecovery,         // Open wrote what it replayed from the logs
};

enum class CompactionReason : unsigned char {
  kLevel0FileCount,  // level 0 reached level0_file_num_compaction_trigger
  kLevelSize,        // a level exceeded its target size
  kManual,           // DB::CompactRange
  kSeeks,            // reads kept searching a file before another (Options::seek_compaction)
};

struct FlushJobInfo {
  std::string db_name;
  uint64_t file_number = 0;  // the level-0 table written
  uint64_t file_size = 0;    // its bytes
  uint64_t num_entries = 0;  // entries (values and deletions) it holds
  uint64_t micros = 0;       // time the flush took
  FlushReason reason = FlushReason::kWriteBufferFull;
};

struct CompactionJobInfo {
  std::string db_name;
  int input_level = 0;
  int output_level = 0;
  std::vector<uint64_t> input_files;   // table numbers read (both levels)
  std::vector<uint64_t> output_files;  // table numbers written (a trivial move: the same files)
  uint64_t bytes_read = 0;
  uint64_t bytes_written = 0;
  uint64_t micros = 0;
  bool trivial_move = false;  // files moved down without rewriting
  CompactionReason reason = CompactionReason::kLevelSize;
  Status status;  // not OK if the compaction failed (then output_files is empty)
};

enum class WriteStallCondition : unsigned char {
  kNormal,   // writes proceed at full speed
  kDelayed,  // writes are slowed (too many level-0 files)
  kStopped,  // writes wait (too many level-0 files, or every memtable is full)
};

struct WriteStallInfo {
  std::string db_name;
  WriteStallCondition previous = WriteStallCondition::kNormal;
  WriteStallCondition current = WriteStallCondition::kNormal;
};

class EventListener {
 public:
  virtual ~EventListener() = default;

  // After a flush's table is recorded in the MANIFEST.
  virtual void OnFlushCompleted(const FlushJobInfo& /*info*/) {}
  // After a compaction's result is installed, or it failed.
  virtual void OnCompactionCompleted(const CompactionJobInfo& /*info*/) {}
  // A background error (a failed flush, compaction or log write) now stops writes; every
  // later write returns it until it is resumed (DB::Resume, or automatically after a full
  // disk) or the database is reopened.
  virtual void OnBackgroundError(const Status& /*error*/) {}
  // The stopped state of OnBackgroundError ended: a resume succeeded, or the DB that raised
  // it was destroyed.
  virtual void OnBackgroundErrorCleared() {}
  // Writes began or stopped being delayed or stopped.
  virtual void OnStallConditionsChanged(const WriteStallInfo& /*info*/) {}
};

}  // namespace strata
