// The log as a stream: a change feed of committed write batches from any sequence number, and
// log slots (named, durable consumer positions that keep the logs they still need).
//
// A ChangeFeed yields the write-ahead log's records in commit order. Each record is one
// commit group: the batches of the writers that were committed together, merged into one
// WriteBatch with consecutive sequence numbers. The feed starts with the record that holds
// the requested sequence number and never skips: a record missing from the history (deleted,
// damaged, unreadable) ends the feed with a Status, never with a later record.
//
// Two ways to open one:
// - DB::NewChangeFeed, in the process that owns the database: it hands out only records the
//   database has acknowledged (bounded by the published last sequence), or with
//   FeedOptions::durable_only only records that are synced, and it waits for the next commit
//   without touching the file system.
// - OpenChangeFeed(dir, ...), from any process, without the database's lock (whether the
//   database is closed or open in another process): it reads the retained and live log files
//   directly. It hands out every whole record written to the logs; a torn record at the end
//   of the newest log is taken as "not yet written". It cannot tell an acknowledged record
//   from one whose writer was about to fail its sync, and it cannot know what is durable (see
//   docs/DURABILITY.md, "The change feed"). Waiting polls the directory.
//
// Log slots live in the directory `slots/` of the database: one small file per slot, written
// temp + sync + rename by whoever advances it, read by the owner of the database at each
// decision to delete logs. The functions below work whether or not the database is open,
// from any process. One consumer per slot at a time.
//
// Thread safety: a ChangeFeed is used by one thread at a time; different feeds are
// independent. The slot functions may be called from any thread and process.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "strata/options.h"
#include "strata/status.h"
#include "strata/write_batch.h"

namespace strata {

// One record of the feed: a commit group.
//
// A record with count 0 is an ingestion's sequence marker: IngestExternalFiles took sequence
// number `sequence` for the tables it added, whose keys are not in the log (and the marker
// alone cannot tell whether the ingestion committed). A consumer that copies the database,
// like `strata_ctl apply`, cannot follow past one and should start again from a checkpoint.
struct ChangeBatch {
  uint64_t sequence = 0;  // of its first operation; operation i has sequence + i
  uint32_t count = 0;     // operations; 0 for an ingestion's marker, which holds `sequence`
  WriteBatch batch;       // Iterate it, or take its bytes with batch.Data()
};

struct FeedOptions {
  // DB::NewChangeFeed only: hand out only records that are durable (their log was synced by
  // a sync=true write, SyncWAL, an ingestion or a switch in the strict recovery modes, or
  // their memtable is in a synced table), so that a follower never gets ahead of what the
  // database would keep after a power loss.
  bool durable_only = false;
  // When set, the feed belongs to this slot: Next fails with the slot's invalidation once
  // the database has invalidated it (it fell behind more than Options::max_slot_lag_mb).
  std::string slot;
  // OpenChangeFeed only: the file system to read through (null: the default POSIX one).
  std::shared_ptr<FileSystem> file_system;
  // OpenChangeFeed only: how often a waiting Next looks at the directory again.
  std::chrono::milliseconds poll_interval{5};
};

class ChangeFeed {
 public:
  virtual ~ChangeFeed() = default;

  // The next record. OK with *ready = true and *out filled; OK with *ready = false when no
  // record came within wait (0: do not wait); otherwise the error that ends the feed:
  //   NotFound  the history asked for is gone ("sequence N is no longer in the logs; the
  //             oldest still available is M"), or the slot was invalidated or dropped
  //   Corruption  a damaged record, or a gap in the sequence numbers between records
  //   IOError   a log could not be read
  // After an error every later call returns it again.
  virtual Status Next(std::chrono::milliseconds wait, ChangeBatch* out, bool* ready) = 0;
};

// Opens a feed on the logs in directory dbname starting with the record that holds sequence
// from (1 is the first sequence of a database). Needs no lock; see the header comment for
// what it can promise.
Status OpenChangeFeed(const std::string& dbname, uint64_t from, const FeedOptions& options,
                      std::unique_ptr<ChangeFeed>* feed);

// A slot's state as stored.
struct LogSlot {
  std::string name;
  uint64_t sequence = 0;  // the next sequence its consumer needs; everything below is applied
  bool invalidated = false;
  std::string invalidation;  // why (when invalidated)
};

// Slot names: 1..64 characters of [A-Za-z0-9_-].
// Creates slot name at sequence (InvalidArgument if it exists or the name is bad).
Status CreateLogSlot(const std::string& dbname, const std::string& name, uint64_t sequence,
                     std::shared_ptr<FileSystem> fs = nullptr);
// Moves the slot forward to sequence (never back: InvalidArgument). NotFound if it does not
// exist; NotFound naming the reason if it was invalidated.
Status AdvanceLogSlot(const std::string& dbname, const std::string& name, uint64_t sequence,
                      std::shared_ptr<FileSystem> fs = nullptr);
// Removes the slot; the logs only it held are deleted at the owner's next deletion decision.
Status DropLogSlot(const std::string& dbname, const std::string& name,
                   std::shared_ptr<FileSystem> fs = nullptr);
Status GetLogSlot(const std::string& dbname, const std::string& name, LogSlot* slot,
                  std::shared_ptr<FileSystem> fs = nullptr);
// Every slot, by name.
Status ListLogSlots(const std::string& dbname, std::vector<LogSlot>* slots,
                    std::shared_ptr<FileSystem> fs = nullptr);

}  // namespace strata
