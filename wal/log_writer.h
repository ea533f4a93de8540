// LogWriter: appends records to a write-ahead log file (the WAL, and the MANIFEST).
//
// A record is an opaque byte string; the writer splits it into fragments that never cross a
// block boundary (see log_format.h) and hands all of a record's bytes to the file in a single
// Append, so that a record is never interleaved with anything else and a crash can only cut
// it short, never reorder it.
//
// Errors: the first failed Append, Sync or Close is sticky. After it the file's tail is
// unknown (a partial record may or may not be on disk, and after a failed fsync the kernel may
// have dropped dirty pages), so every later AddRecord and Sync returns that same error without
// touching the file. The caller must start a new log file to write again. One exception: an
// Append refused for a full disk (NoSpace) with the file's Size() unchanged, by a file whose
// Size() counts what failed Appends wrote (WritableFile::FailedAppendsCountInSize), wrote
// nothing, so the log is as it was; AddRecord returns the error and the writer stays usable
// (failed() is false): the next AddRecord tries again.
//
// Thread safety: not thread-safe; one thread at a time calls it (the DB's write leader, or
// the LogSyncThread syncing it while the leader waits; for a log a switch left unsynced,
// whoever holds UnsyncedLogs' sync mutex).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "strata/file_system.h"
#include "strata/status.h"

namespace strata {

class LogWriter {
 public:
  // Writes to file. initial_offset is the file's current length when appending to an existing
  // log (so that fragments stay block-aligned); 0 for a new file.
  explicit LogWriter(std::unique_ptr<WritableFile> file, uint64_t initial_offset = 0);
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  // Appends one record (which may be empty) with a single WritableFile::Append. OK means the
  // bytes reached the file, not that they are durable: call Sync for that.
  Status AddRecord(std::string_view record);
  // Makes every record added so far durable.
  Status Sync();
  // Closes the file (without syncing). Returns the sticky error if there is one, else the
  // result of closing. REQUIRES: no AddRecord or Sync afterwards.
  Status Close();

  // The log's length in bytes as this writer knows it: initial_offset plus every byte of every
  // record successfully added. The next record starts here.
  uint64_t Size() const { return size_; }
  // Whether records were added since the last successful Sync (or since the start, for a
  // writer that never synced; an appended-to log's initial_offset bytes count as unsynced).
  bool HasUnsyncedRecords() const { return size_ != synced_size_; }
  // True once an error is sticky: the log takes no more records.
  bool failed() const { return !error_.ok(); }
  // The underlying file, for callers that need its own Size() or want to inspect it in tests.
  WritableFile* file() { return file_.get(); }

 private:
  std::unique_ptr<WritableFile> file_;
  size_t block_offset_;  // position of the next byte within its block
  uint64_t size_;
  uint64_t synced_size_ = 0;  // size_ at the last successful Sync
  // The file's Size() after the last successful Append (it may count bytes from before this
  // writer, unlike size_): a failed Append that leaves Size() here wrote nothing.
  uint64_t file_size_;
  Status error_;  // the first failure; once set, nothing more is written
  bool closed_ = false;
  // Holds one encoded record between AddRecord calls, so that steady-state writes reuse its
  // capacity instead of allocating.
  std::string buffer_;
};

}  // namespace strata
