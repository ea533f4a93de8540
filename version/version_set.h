// Versions and the MANIFEST.
//
// A Version is an immutable set of table files per level. The VersionSet holds the current
// one and is the only writer of the MANIFEST: every change to the file set is a VersionEdit
// that LogAndApply appends to the MANIFEST, syncs, and only then installs as a new current
// version (the one rule of docs/ARCHITECTURE.md: nothing changes unless it is first in the log).
//
// Lifetime: readers, iterators and compactions hold a Version by shared_ptr; a table file may
// be deleted only when no live Version lists it (LiveFiles) and no job is writing it.
// Thread safety: Version is immutable and safe to share. VersionSet requires the DB mutex for
// every call; LogAndApply releases it while writing the MANIFEST.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "keys/internal_key.h"
#include "strata/file_system.h"
#include "strata/options.h"
#include "util/logger.h"
#include "util/mutex.h"
#include "version/version_edit.h"

namespace strata {

class LogWriter;
class TableCache;
class TablePins;
class LookupKey;
class MergeContext;

using FileList = std::vector<std::shared_ptr<const FileMetaData>>;

// A table file that reads keep looking past (its SeekBudget is spent): worth compacting.
struct SeekCompactionCandidate {
  int level = -1;  // -1: none
  uint64_t number = 0;
};

class Version {
 public:
  Version(const InternalKeyComparator* icmp, std::vector<FileList> levels);
  ~Version();

  int num_levels() const { return static_cast<int>(levels_.size()); }
  // Level 0: newest first (by sequence range; files may overlap). Deeper levels: ordered by
  // key, non-overlapping.
  const FileList& files(int level) const { return levels_[level]; }
  uint64_t NumLevelBytes(int level) const;
  // Bytes of all its table files.
  uint64_t TotalBytes() const;

  // Looks for the newest entry of key.user_key() with sequence <= the lookup's sequence in
  // the tables: L0 newest first, then one candidate file per deeper level. Found a value:
  // sets *value and *status OK, returns true. Found a deletion: *status NotFound, true. A
  // read error: *status is the error, true. Nothing: false.
  // Merge operands go to *merges (which may hold operands from newer sources), and a value or
  // deletion under them finishes the merge (*status its result, true); operands and no base
  // in any table: false, the operands in *merges.
  // A lookup that goes on past a file it spent work on (any level-0 file searched; below
  // level 0, a file without a filter that read a block in vain, or one that held merge
  // operands of the key) charges the first such file one seek; if that spends its budget,
  // *spent (if given) names it.
  bool Get(const ReadOptions& options, const LookupKey& key, TableCache* tables, std::string* value,
           Status* status, MergeContext* merges, SeekCompactionCandidate* spent = nullptr) const;

  // One key of MultiGet: the lookup, and where its answer goes.
  struct MultiGetKey {
    const LookupKey* lookup;
    std::string* value;
    Status* status;
    MergeContext* merges;
    bool done = false;  // the search is over: *status (and *value) are the answer
  };
  // Get for many keys, sorted by user key without repeats: for each key not done, searches
  // the tables like Get, one pass per table over the keys it may hold, and sets done when
  // the search ended there. Keys left not done are in no table.
  void MultiGet(const ReadOptions& options, std::span<MultiGetKey> keys, TableCache* tables) const;

  // Seek-compaction sampling for iterators: if two or more files may hold user_key, charges
  // the first a lookup would search one seek; returns true (and names it in *spent) if that
  // spent its budget.
  bool RecordReadSample(std::string_view user_key, SeekCompactionCandidate* spent) const;

  // "level N: file size [smallest .. largest]" lines.
  std::string DebugString() const;

 private:
  const InternalKeyComparator* icmp_;
  std::vector<FileList> levels_;
  // Get keeps the tables it finds open here, one slot per file (level by level from
  // first_slot_[level]), while the table cache has kept pins free: later Gets skip the
  // cache's lookup. Made by the first Get that keeps one; released with the version, before
  // any of its files may be deleted.
  TablePins* Pins() const;
  std::vector<size_t> first_slot_;
  size_t num_files_ = 0;
  mutable std::atomic<TablePins*> pins_{nullptr};
};

class VersionSet {
 public:
  // options must be sanitized (comparator, file system set); every pointee outlives us.
  // mu is the DB mutex that guards this object.
  VersionSet(std::string dbname, const Options& options, const InternalKeyComparator* icmp,
             Logger* info_log, Mutex* mu);
  ~VersionSet();
  VersionSet(const VersionSet&) = delete;
  VersionSet& operator=(const VersionSet&) = delete;

  // A new database: writes MANIFEST-000001 holding an empty version and points CURRENT at
  // it. REQUIRES: no CURRENT exists.
  Status CreateNew();
  // Reads CURRENT and the MANIFEST it names and makes their final state current.
  // Corruption for damage other than a torn final record; InvalidArgument if the database
  // was written with another comparator or has more levels than options.num_levels, or
  // recorded a merge operator that options.merge_operator is not.
  Status Recover();

  // Fills in the edit's log number (if unset), next file number and (if unset) last
  // sequence, appends it to the MANIFEST and syncs it, then installs the result as current.
  // The first call after Recover or CreateNew starts a fresh MANIFEST holding the whole
  // state and switches CURRENT to it. On error nothing is installed; the state on disk is
  // unknown (the edit may or may not be in the MANIFEST), so the next call starts a fresh
  // MANIFEST, and the caller must not delete any file the edit mentions.
  // REQUIRES: mu held (released during I/O). Calls are serialised internally.
  Status LogAndApply(VersionEdit* edit, Mutex* mu) REQUIRES(mu);

  std::shared_ptr<const Version> current() const { return current_; }
  // Without copying the pointer (the write path asks on every group).
  size_t NumLevelFiles(int level) const { return current_->files(level).size(); }
  uint64_t NewFileNumber() { return next_file_number_++; }
  // Makes sure later numbers are above number (for files found during recovery).
  void MarkFileNumberUsed(uint64_t number) {
    if (next_file_number_ <= number) next_file_number_ = number + 1;
  }
  uint64_t log_number() const { return log_number_; }
  SequenceNumber last_sequence() const { return last_sequence_; }
  uint64_t manifest_file_number() const { return manifest_file_number_; }
  // False after a failed MANIFEST write, until a LogAndApply writes a fresh one: what the
  // MANIFEST on disk lists is then unknown. REQUIRES: the DB mutex held.
  bool manifest_open() const { return manifest_ != nullptr; }
  // Recover found the MANIFEST ending in an incomplete record and ignored it. Legitimate
  // after a crash inside LogAndApply; the caller checks that the log such a crash would
  // have kept is really there, since damage to the last record looks the same.
  bool manifest_had_torn_tail() const { return manifest_torn_tail_; }

  // Numbers of the table files of every version still in use.
  void AddLiveFiles(std::set<uint64_t>* live);

 private:
  // Writes a record holding the whole current state (comparator, counters, every file).
  Status WriteSnapshot(LogWriter* log);
  Status SetCurrentFile(uint64_t manifest_number);
  void Install(std::shared_ptr<const Version> v);

  const std::string dbname_;
  const Options& options_;
  FileSystem* const fs_;
  const InternalKeyComparator* const icmp_;
  Logger* const info_log_;

  // All below are protected by the DB mutex (the caller of every method).
  uint64_t next_file_number_ = 2;
  uint64_t manifest_file_number_ = 0;
  uint64_t log_number_ = 0;
  SequenceNumber last_sequence_ = 0;
  std::unique_ptr<LogWriter> manifest_;  // null: the next LogAndApply starts a new MANIFEST
  bool manifest_torn_tail_ = false;
  bool manifest_busy_ = false;  // a LogAndApply is writing
  CondVar manifest_cv_;         // waits for manifest_busy_ to clear
  std::shared_ptr<const Version> current_;
  std::vector<std::weak_ptr<const Version>> live_;  // every version handed out, maybe expired
};

}  // namespace strata
