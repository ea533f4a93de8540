// VersionEdit: one change to the set of table files — files added and removed per level,
// plus the counters recovery needs. The MANIFEST is a log (wal/ record format) whose
// records are encoded edits; replaying them in order rebuilds the current version.
// The byte layout is in docs/FORMATS.md ("MANIFEST").
//
// Thread safety: a value type; no internal synchronisation.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "keys/internal_key.h"
#include "strata/status.h"

namespace strata {

// Seek compaction: how many more point reads may look past a file (search it and then
// another) before the file is worth compacting. Readers count it down without a lock; a
// copy takes the count. Zero (the start) never comes due.
class SeekBudget {
 public:
  SeekBudget() = default;
  SeekBudget(const SeekBudget& other) : left_(other.left_.load(std::memory_order_relaxed)) {}
  SeekBudget& operator=(const SeekBudget& other) {
    left_.store(other.left_.load(std::memory_order_relaxed), std::memory_order_relaxed);
    return *this;
  }
  // One wasted search costs about as much as compacting 16 KiB (LevelDB's estimate: one
  // seek against reading and writing 40 KB), but a file is given at least 100.
  void SetFor(uint64_t file_size) {
    left_.store(std::max<int64_t>(100, static_cast<int64_t>(file_size / 16384)),
                std::memory_order_relaxed);
  }
  // True for the one call that spends the last of the budget.
  bool Charge() { return left_.fetch_sub(1, std::memory_order_relaxed) == 1; }
  int64_t left() const { return left_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> left_{0};
};

// One table file of a version. Immutable once in a version, but for its seek budget.
struct FileMetaData {
  uint64_t number = 0;
  uint64_t file_size = 0;
  std::string smallest;  // internal keys: the first and last entry of the table
  std::string largest;
  SequenceNumber smallest_seqno = 0;
  SequenceNumber largest_seqno = 0;
  // Non-zero for an ingested table (DB::IngestExternalFiles): its entries are stored with
  // sequence 0 and read as this one (TableCache rewrites them). smallest and largest carry
  // it already.
  SequenceNumber global_seqno = 0;
  mutable SeekBudget seeks;  // not stored: set when a version first lists the file
};

class VersionEdit {
 public:
  void SetComparatorName(std::string_view name) { comparator_ = std::string(name); }
  // Recorded once the database has a merge operator; never empty.
  void SetMergeOperatorName(std::string_view name) { merge_operator_ = std::string(name); }
  // Logs numbered below this hold nothing that is not in tables.
  void SetLogNumber(uint64_t n) { log_number_ = n; }
  void SetNextFileNumber(uint64_t n) { next_file_number_ = n; }
  void SetLastSequence(SequenceNumber s) { last_sequence_ = s; }

  void AddFile(int level, const FileMetaData& f) { new_files_.emplace_back(level, f); }
  void RemoveFile(int level, uint64_t number) { deleted_files_.emplace(level, number); }

  const std::optional<std::string>& comparator() const { return comparator_; }
  const std::optional<std::string>& merge_operator() const { return merge_operator_; }
  const std::optional<uint64_t>& log_number() const { return log_number_; }
  const std::optional<uint64_t>& next_file_number() const { return next_file_number_; }
  const std::optional<SequenceNumber>& last_sequence() const { return last_sequence_; }
  const std::vector<std::pair<int, FileMetaData>>& new_files() const { return new_files_; }
  const std::set<std::pair<int, uint64_t>>& deleted_files() const { return deleted_files_; }

  void EncodeTo(std::string* dst) const;
  // Corruption (with the reason) for anything malformed, truncated or unknown.
  Status DecodeFrom(std::string_view src);

  // One line per field, for tools and logs.
  std::string DebugString() const;

 private:
  std::optional<std::string> comparator_;
  std::optional<std::string> merge_operator_;
  std::optional<uint64_t> log_number_;
  std::optional<uint64_t> next_file_number_;
  std::optional<SequenceNumber> last_sequence_;
  std::set<std::pair<int, uint64_t>> deleted_files_;
  std::vector<std::pair<int, FileMetaData>> new_files_;
};

}  // namespace strata
