// The failing-file-system battery: one fixed workload (writes with some syncs, memtable
// switches with background flushes, a Flush, a CompactRange, a close and reopen, more
// writes) is run on a fresh database once per fault position n, the fault failing the n-th
// file operation of the mode's kind. For every run:
// - the first call that fails returns an IOError carrying the injected message (it names
//   the operation and the file), and a write after it fails too, unless the fault only
//   stopped a new log from being created (the old one is intact and still in use);
// - once the fault is removed, the database opens on the plain file system, holds every
//   acknowledged write with each failed batch wholly present or absent, leaves no temporary
//   or unreferenced files, accepts writes, and opens again with the same contents.
// Failures are reported with gtest assertions naming the mode, n and where the fault landed.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace strata::test {

enum class FaultMode {
  kEioOnce,             // the n-th changing operation fails with EIO, later ones succeed
  kEnospcUntilCleared,  // the n-th and every later changing operation fail with ENOSPC
                        // (appends torn), like a full disk
  kEioAfterTheChange,   // the n-th changing operation does its work, then reports EIO
  kCloseFails,          // the n-th WritableFile::Close fails with EIO
};
const char* FaultModeName(FaultMode mode);

struct FaultBatteryOptions {
  FaultMode mode = FaultMode::kEioOnce;
  uint64_t first = 1;   // fault positions first, first + stride, ... up to the count of the
  uint64_t stride = 1;  // fault-free run plus a few (timing moves the count a little)
  uint64_t seed = 1;    // the workload's keys, values, batches and syncs
  // Off: only CompactRange compacts, so every call has finished its file operations when it
  // returns and a fault cannot go unseen. On: compactions also run in the background, and
  // a fault in one that fails only as the database closes goes unreported (it loses
  // nothing; the checks after reopening still apply).
  bool automatic_compaction = false;
};

struct FaultBatteryResult {
  uint64_t operations = 0;      // operations of the mode's kind in the fault-free run
  uint64_t runs = 0;            // fault positions tried
  uint64_t past_end = 0;        // ... beyond the operations of the fault-free run
  uint64_t fired = 0;           // runs in which the fault was injected
  uint64_t reported = 0;        // ... and a call returned the injected error
  uint64_t absorbed = 0;        // ... and every call succeeded (a best-effort file operation)
  uint64_t open_failed = 0;     // ... by failing an Open of the workload
  uint64_t writes_went_on = 0;  // ... after which a write still succeeded
  uint64_t failed_batches = 0;  // batches whose Write failed (present or absent after)
  std::map<std::string, uint64_t> landed;  // "Append log", "Rename CURRENT", ... -> runs
};

// Runs the battery in fresh subdirectories of dir (removed as it goes).
FaultBatteryResult RunFaultBattery(const std::string& dir, const FaultBatteryOptions& options);

// Prints the totals and where the faults landed, for the test log.
void PrintFaultBatteryResult(const FaultBatteryOptions& options, const FaultBatteryResult& result);

// "Sync log", "Rename CURRENT", ...: an operation and the kind of file it touched.
std::string DescribeLanding(const std::string& op, const std::string& path);

}  // namespace strata::test
