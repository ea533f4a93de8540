// The read-fault battery: one workload of reads and background reads (Open with log replay,
// Gets, scans both ways, writes and a Flush, which reads its new table back, a CompactRange,
// which reads every table, Gets again) runs on a copy of a prepared database once per fault
// position n, the n-th reading file operation (an open for reading, a read, a directory
// listing, a file size; FaultInjectionFileSystem::FailNthRead) failing with EIO once. For
// every run:
// - every call that fails returns an IOError (never a crash, never another kind of error),
//   and no call returns a wrong value: a Get or a scan returns only what the model holds;
// - after the fault, without reopening (after Resume if a background job failed), every Get
//   and a scan return exactly the model: nothing stays cached from the failure (table cache,
//   block cache), and a CompactRange that returned OK lost nothing;
// - the database then flushes, compacts, and opens again with the same contents.
// Failures are reported with gtest assertions naming n and where the fault landed.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace strata::test {

struct ReadFaultOptions {
  // Fault positions 1, 2, ... dense (Open's reads come first), then every stride-th up to
  // the reads of the fault-free run.
  uint64_t dense = 30;
  uint64_t stride = 1;
};

struct ReadFaultResult {
  uint64_t reads = 0;      // reading operations of the fault-free run
  uint64_t runs = 0;       // fault positions tried
  uint64_t fired = 0;      // ... in which the fault was injected
  uint64_t reported = 0;   // ... and some call returned the error
  uint64_t absorbed = 0;   // ... and no call did (a listing for file deletion, say)
  uint64_t violations = 0;
  std::map<std::string, uint64_t> landed;  // "Read table", "Open log", ... -> runs
};

ReadFaultResult RunReadFaultBattery(const std::string& dir, const ReadFaultOptions& options);
void PrintReadFaultResult(const ReadFaultResult& result, double seconds);

}  // namespace strata::test
