// Power-loss cycles: a database takes a random workload (puts, deletes and batches over a
// small key space, some with sync=true, SyncWAL, Flush, CompactRange) with 64 KiB memtables
// and small levels, so background flushes and compactions run all the time, until the
// machine dies at a chosen changing file operation (FaultInjectionFileSystem's
// DeactivateAtWrite, aimed at any file, a log, a table or the MANIFEST, so that cuts land
// inside flushes, compactions and MANIFEST writes, not only between writes). Everything not
// synced is dropped, and the database is reopened in the default recovery mode, sometimes
// with a second power cut inside that recovery. Then:
// - Open succeeds;
// - a scan equals the first k acknowledged writes applied to the state recovered before, for
//   some k at least the number acknowledged up to the last sync=true write, SyncWAL or Flush
//   that returned OK (every write is checked against a model map);
// - Get agrees with the scan, and no table file is left that the database does not use.
// The recovered database then takes the next workload, so recovery of a recovered database
// is exercised; after cuts_per_database cuts a fresh database starts.
// Failures are reported with gtest assertions naming the cut and where it landed.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

namespace strata::test {

struct PowerLossOptions {
  int cuts = 40;                // power cuts in all
  int cuts_per_database = 5;    // consecutive cuts on one database
  int recovery_cut_one_in = 4;  // 1 in this many reopens gets a power cut too
  uint64_t seed = 1;
  // Torn and reordered power loss (support/crash_states.h): each file keeps a random part of
  // its unsynced bytes, perhaps with a torn last sector, or loses or keeps an unsynced
  // entry, and the operation the machine dies in reaches the disk or not. Off: every
  // unsynced byte and entry is lost.
  bool torn = false;
};

struct PowerLossResult {
  uint64_t cuts = 0;                       // power cuts simulated (in workloads)
  uint64_t cuts_after_workload = 0;        // ... of which the workload finished first
  uint64_t recovery_cuts = 0;              // power cuts inside a recovery
  uint64_t acknowledged = 0;               // writes acknowledged, over all cuts
  uint64_t durable = 0;                    // ... of which made durable before the cut
  uint64_t recovered = 0;                  // ... of which the recovered state holds (the k)
  uint64_t beyond_durable = 0;             // cuts where unsynced writes survived (k > durable)
  uint64_t violations = 0;                 // cuts whose recovery failed a check
  uint64_t torn_files = 0;     // files that kept part of their unsynced bytes or were torn
  uint64_t kept_entries = 0;   // unsynced files whose entry survived
  uint64_t distinct_states = 0;  // distinct databases on disk after a power cut
  std::map<std::string, uint64_t> landed;  // "Append table", "Sync MANIFEST", ... -> cuts
  std::map<std::string, uint64_t> recovery_landed;  // the same, for the cuts in recovery
};

// Runs the cycles in fresh subdirectories of dir.
PowerLossResult RunPowerLossCycles(const std::string& dir, const PowerLossOptions& options);

// Prints the totals and where the cuts landed, for the test log.
void PrintPowerLossResult(const PowerLossResult& result, double seconds);

}  // namespace strata::test
