// Kill-and-verify crash cycles with real processes.
//
// Each cycle forks a child that opens the database and writes numbered batches in a loop,
// reporting each acknowledged batch number to the parent over a pipe before writing the
// next. The parent kills the child with SIGKILL at a random moment, reopens the database and
// checks that every acknowledged batch is present, that the one batch that may have been in
// flight is wholly present or wholly absent, and that nothing later exists.
//
// Batch b puts keys "b<b>-0" … "b<b>-<n-1>" (n = 1 + b % 4) with value "v<b>", and when
// b % 4 == 0 also deletes every key of batch b - 8: deletions must survive crashes too. Every
// batch also adds 1 to the counter "count" through the uint64 add merge operator, so the
// counter must equal the number of batches applied: an operand lost, or applied twice (a
// log replayed over a memtable already flushed, a compaction combining twice), shows.
#pragma once

#include <cstdint>
#include <string>

namespace strata::test {

struct CrashOptions {
  bool sync = false;     // WriteOptions::sync for every batch
  int cycles = 10;       // kill/verify rounds
  int min_kill_ms = 5;   // the child is killed after a delay drawn from
  int max_kill_ms = 80;  // [min_kill_ms, max_kill_ms]
  uint64_t seed = 301;
  // Options::write_buffer_size for the child and the verifier; 0 keeps the default. Small
  // values make kills land during memtable switches and flushes.
  size_t write_buffer_size = 0;
};

// Runs the cycles against dbname (created if missing). Reports failures with gtest
// assertions; returns the number of acknowledged batches verified.
uint64_t RunCrashCycles(const std::string& dbname, const CrashOptions& options);

}  // namespace strata::test
