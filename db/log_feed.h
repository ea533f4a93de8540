// LogFeed: the ChangeFeed over the log files of a database directory (strata/change_feed.h).
// The same reader serves DB::NewChangeFeed, in the owner's process, and OpenChangeFeed, from
// any process; what differs is a FeedBound, which says how far the feed may go and how it
// waits for more.
//
// How it reads: it finds the log holding the first sequence asked for (the last log whose
// first record starts at or before it), then reads records in order, log after log, checking
// that sequence numbers run on without a hole. At the end of the data in a log it looks for
// a newer log; once one exists the current log is complete (the writer syncs and closes a
// log before it creates the next), so after reading it once more to the end it moves on. A
// torn record at the end of a log is "not written yet" while the log is the newest, and the
// end of the log once a newer one exists (a torn write was never acknowledged; a hole it
// hides would show as a gap in the sequence numbers). A log deleted under the feed (nothing
// kept it once its memtable was flushed) is left for the next log that holds a record, if
// that record is the one due: nothing was lost; out of process, while no newer log holds a
// record yet, the feed waits for one (it cannot tell whether the record due was written).
// Any other damage, a gap, a log that vanished with records the feed still needed, or one
// that cannot be read end the feed with a Status: it never skips.
//
// A resumed read of a growing log opens it again and skips to the end of the last record
// handed out (LogReader::SkipTo), so following a log costs one read per new block.
//
// Thread safety: one thread at a time per feed.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "strata/change_feed.h"
#include "strata/file_system.h"

namespace strata {

class FeedBound {
 public:
  virtual ~FeedBound() = default;
  // Records whose last sequence is above this are not handed out yet.
  virtual uint64_t Limit() = 0;
  // True if every sequence up to Limit() is known to be whole in some log (the owner's
  // process, which publishes a sequence only after its record is written); false when the
  // files are the only truth.
  virtual bool Acknowledged() const = 0;
  // Waits until Limit() exceeds sequence, or something else may have changed (new files),
  // or deadline passes.
  virtual void Wait(uint64_t sequence, std::chrono::steady_clock::time_point deadline) = 0;
};

// A feed on the logs of dbname from sequence `from`, or the error that stops it from
// starting (NotFound when that history is gone). The feed owns bound.
Status NewLogFeed(std::shared_ptr<FileSystem> fs, const std::string& dbname, uint64_t from,
                  const FeedOptions& options, std::unique_ptr<FeedBound> bound,
                  std::unique_ptr<ChangeFeed>* feed);

// The first sequence of the log's first record that holds one (an ingestion's marker does, a
// sync marker does not): OK and *found = false if the log holds no such record (or starts
// with damage). Used to locate sequences in the log history.
Status FirstSequenceOfLog(FileSystem* fs, const std::string& path, uint64_t* first, bool* found);

}  // namespace strata
