// DamageBattery: the damaged-files part of the durability battery. Builds a small database
// whose data lies in two write-ahead logs, in L0 and in L1 (with the exact expected contents
// kept beside it; L0 holds range deletions, the logs merge operands), then checks what DB::Open,
// Get, full scans both ways, CompactRange and a reopen do with a copy of it in which one file is
// damaged: a byte xor-ed with a nonzero mask, a run of bytes zeroed, or the file cut short.
//
// The rule: every outcome is the right data or a clear Corruption/IOError status -- never a
// crash, a hang (a watchdog aborts a case that runs too long), a wrong value, or a silent
// NotFound. Data may be missing only where the WAL recovery mode documents it, and exactly
// as documented (see WalRule in the .cc). After a CompactRange that returned OK, reads must be
// error-free and correct: a compaction must never turn damage into silent loss.
//
// Failures are reported with ADD_FAILURE naming the case. Shared by the unit suite (a
// strided sample) and the long suite (full density). Thread safety: one test thread.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "strata/options.h"
#include "support/test_util.h"
#include "util/random.h"
#include "version/filename.h"

namespace strata::test {

enum class DamageKind { kFlip, kZero, kTruncate };

struct Damage {
  std::string file;  // name within the database directory
  DamageKind kind = DamageKind::kFlip;
  uint64_t offset = 0;  // the byte changed, the first byte zeroed, or the size cut to
  uint64_t length = 0;  // kZero: bytes zeroed (clipped at the end of the file)
  uint8_t mask = 0;     // kFlip: nonzero

  std::string Describe() const;
};

// How densely a file is damaged. Files up to every_byte_up_to bytes get every position;
// larger ones get the edges of their blocks and records (every byte within edge_radius)
// plus random_positions random ones. Of the resulting positions, every stride-th gets each
// kind of damage (the kinds start at different phases, so together they cover more).
struct Density {
  uint64_t every_byte_up_to = 4096;
  uint64_t edge_radius = 3;
  int random_positions = 200;
  int stride = 1;
};

// What one case came to.
enum class Outcome {
  kOpenCorruption,  // Open refused with Corruption
  kOpenIOError,     // Open refused with IOError
  kCorrect,         // opened; every read was complete and correct
  kDropped,         // opened; WAL records were missing, as the recovery mode documents
  kReadError,       // opened; some read or the compaction reported Corruption/IOError
  kFailed,          // the rule was broken (reported)
};
inline constexpr int kNumOutcomes = static_cast<int>(Outcome::kFailed) + 1;

class DamageBattery {
 public:
  // In memory (MemFileSystem) unless on_disk: thousands of opens cost seconds instead of
  // minutes of fsyncs, and the engine runs the same code either way.
  explicit DamageBattery(bool on_disk = false);
  ~DamageBattery();
  DamageBattery(const DamageBattery&) = delete;
  DamageBattery& operator=(const DamageBattery&) = delete;

  // Builds the pristine database. Use through ASSERT_NO_FATAL_FAILURE.
  void Build();

  // Pristine file names of one kind, by number.
  std::vector<std::string> Files(FileType type) const;
  // The write-ahead logs, oldest first (the last one is the last log replayed).
  const std::vector<std::string>& logs() const { return logs_; }
  uint64_t FileSize(const std::string& name) const { return pristine_.at(name).size(); }
  // Offset of the last record of the last log.
  uint64_t LastRecordOffset() const { return records_.back().first_fragment; }

  // Damages file at the positions density picks, each kind of damage, and runs every case
  // under each of modes. Returns the number of cases run.
  int DamageFile(const std::string& file, const Density& density,
                 const std::vector<WalRecoveryMode>& modes);
  // One case. A damage that changes nothing is skipped (returns nullopt).
  std::optional<Outcome> RunCase(const Damage& damage, WalRecoveryMode mode);

  // Cases per label ("wal/last tolerate", "sst", "MANIFEST", ...) and outcome.
  void PrintTallies(std::ostream& out) const;
  // Cases with this label and outcome so far.
  int Count(const std::string& label, Outcome outcome) const;
  int failures() const { return failures_; }
  int cases() const;

 private:
  struct Op {
    std::string key;
    std::optional<std::string> value;  // nullopt: a deletion
    bool merge = false;                // value is an operand (string append with ',')
  };
  struct WalRecord {
    size_t log = 0;               // index into logs_
    uint64_t first_fragment = 0;  // offset of its first fragment's header
    uint64_t end = 0;             // just past its last fragment
    std::vector<Op> ops;
  };
  // Every key ever written, with what the tables hold and what a WAL record (each key is
  // written by at most one) makes of it.
  struct KeyInfo {
    std::string key;
    std::optional<std::string> base;  // nullopt: absent from the tables
    int record = -1;                  // index into records_, or -1
    std::optional<std::string> wal;   // the record's value (nullopt: it deletes the key;
                                      // a merge: the operand appended to base)
  };
  struct Rule;
  class Case;
  class Watchdog;

  std::vector<Op> MakeWalOps(Random* rnd, size_t record, std::vector<std::string>* unused_base,
                             std::map<std::string, std::string>* model);
  void LocateRecords(size_t log_index, size_t first_record, uint64_t first_sequence);
  // Runs the checks on an undamaged copy.
  Outcome RunIntact();
  void LoadPristine();
  std::vector<uint64_t> Positions(const std::string& file, const Density& density) const;
  Rule RuleFor(const Damage& damage, const std::string& damaged, WalRecoveryMode mode) const;
  Rule WalRule(const Damage& damage, const std::string& damaged, WalRecoveryMode mode) const;
  std::string Label(const std::string& file, WalRecoveryMode mode) const;

  const bool on_disk_;
  TempDir dir_;
  std::string path_;  // the pristine database (kept closed)
  Options options_;   // with the file system the pristine database lives in
  std::map<std::string, std::string> pristine_;  // file name -> bytes (LOCK excluded)
  std::vector<KeyInfo> keys_;                    // sorted by key
  std::vector<WalRecord> records_;               // live log records, in replay order
  std::vector<std::string> logs_;
  std::map<std::string, std::array<int, kNumOutcomes>> tallies_;
  int failures_ = 0;
  std::unique_ptr<Watchdog> watchdog_;
};

const char* WalRecoveryModeName(WalRecoveryMode mode);
const char* OutcomeName(Outcome outcome);

}  // namespace strata::test
