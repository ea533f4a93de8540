// The crash driver: kill-and-verify cycles with real processes.
//
// Each cycle starts a child (this program re-executed with --child) that writes the cycle's
// batches until the driver kills it with SIGKILL at a random moment. The driver then opens
// the database itself, checks it against the model of every acknowledged batch (see
// crash/model.h), closes it and starts the next cycle from the recovered state. The run
// stops at the first failure and keeps the database for inspection.
#pragma once

#include <cstdint>
#include <string>

namespace strata::crash {

struct DriverOptions {
  std::string self;  // the executable to re-execute as the child (e.g. /proc/self/exe)
  std::string db;    // must not exist yet; empty: a temporary directory
  int cycles = 20;
  uint64_t seed = 1;
  int min_kill_ms = 10;   // each child is killed after a delay drawn uniformly from
  int max_kill_ms = 400;  // [min_kill_ms, max_kill_ms], counted from its start
  // One cycle in n is killed within its first 15 ms instead (0: never), which mostly
  // lands inside Open's recovery.
  int early_kill_one_in = 8;
  uint32_t key_count = 4000;
  bool keep = false;     // keep the database after a successful run
  bool verbose = false;  // a line per cycle
};

// Runs the cycles and prints a summary line; returns the process exit status (0: no lost,
// torn or wrong batch and every child died by the kill).
int RunDriver(const DriverOptions& options);

}  // namespace strata::crash
