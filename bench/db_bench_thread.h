// Internal to db_bench: the per-thread state of a running benchmark and the state its
// threads share. Included by the runner's .cc files only.
#pragma once

#include "strata/perf_context.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "bench/db_bench_data.h"
#include "bench/db_bench_runner.h"
#include "util/histogram.h"
#include "util/random.h"

namespace strata::bench {

inline uint64_t NowNanos() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

// fill100K's value size.
constexpr int kFill100KValueSize = 100000;

struct DbBench::Shared {
  // readwhilewriting: readers still running; the writer stops when it reaches zero.
  std::atomic<int> readers_running{0};
  // Values for every write benchmark: built by RunThreads before the first threads start.
  std::unique_ptr<const ValuePool> values;
};

struct DbBench::ThreadContext {
  ThreadContext(int tid_in, uint64_t seed, int key_size, bool measure, Shared* shared_in)
      : tid(tid_in), rng(seed), keys(key_size), measure_latency(measure), shared(shared_in) {}

  // Starts timing one operation (a clock read only with --histogram).
  uint64_t OpStart() const { return measure_latency ? NowNanos() : 0; }
  // Ends it: n entries were written or read.
  void OpDone(uint64_t started, int64_t n = 1) {
    if (measure_latency) hist.Add(NowNanos() - started);
    ops += n;
    progress.store(ops, std::memory_order_relaxed);
  }
  // Whether to start another operation: below max_ops, or before the deadline with
  // --duration (the clock is read every 64 calls).
  bool More(int64_t max_ops) {
    if (deadline_nanos == 0) return ops < max_ops;
    if (checks++ % 64 == 0 && NowNanos() >= deadline_nanos) expired = true;
    return !expired;
  }

  const int tid;
  Random rng;
  KeyFormatter keys;
  const bool measure_latency;
  Shared* const shared;

  uint64_t deadline_nanos = 0;  // 0: run to the operation count
  uint64_t checks = 0;
  bool expired = false;

  PerfContext perf;  // what this thread's reads did, with --perf_level=1 (Strata only)
  int64_t ops = 0;
  int64_t bytes = 0;          // key and value bytes this thread's operations moved
  int64_t bytes_written = 0;  // of which handed to the engine to write
  int64_t found = 0;
  bool counts_found = false;  // a read benchmark: report "(found of ops found)"
  uint64_t start_nanos = 0;
  uint64_t finish_nanos = 0;
  Histogram hist;
  std::string message;
  Status status;

  // Read by the progress reporter while the thread runs.
  alignas(64) std::atomic<int64_t> progress{0};
};

}  // namespace strata::bench
