// db_bench's runner: runs a list of named benchmarks in order on one database of the chosen
// engine, with N threads each, and reports each as db_bench always has (name, micros/op,
// ops/sec, MB/s, optional latency percentiles), plus JSON.
//
// It is a library (the db_bench executable only parses flags into a Config) so that tests
// can drive it on tiny workloads. Thread safety: one DbBench per thread; Run() once.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/db_bench_engine.h"
#include "strata/status.h"
#include "util/histogram.h"

namespace strata::bench {

// Everything db_bench's flags say (see db_bench_flags.cc for their help texts).
struct Config {
  std::string engine = "strata";
  std::vector<std::string> benchmarks = {"fillseq", "fillrandom", "overwrite", "readrandom",
                                         "readseq"};
  int64_t num = 1000000;
  int64_t reads = -1;  // < 0: num
  int threads = 1;
  int key_size = 16;
  int value_size = 100;
  double compression_ratio = 0.5;
  EngineOptions engine_options;
  bool sync = false;
  bool use_existing_db = false;
  std::string db;  // empty: a fresh temporary directory, removed at the end
  bool histogram = false;
  uint64_t seed = 301;
  int duration = 0;  // seconds; > 0: each benchmark runs for this long instead of a count
  int stats_interval_seconds = 0;
  int batch_size = 1;            // writes per batch
  int seek_nexts = 0;            // Next() calls after each Seek in seekrandom
  int64_t range_width = 10;      // keys per range deletion (deleterangerandom, range_tombstones)
  int64_t range_tombstones = 0;  // > 0: range deletions written (and flushed) after each fill
  // readwhilewriting: the writer's key and value bytes per second (0: as fast as it can).
  uint64_t benchmark_write_rate_limit = 0;
  std::string json;    // write results here if not empty
  int perf_level = 0;  // 1: count where Strata's reads went (PerfContext) and print it

  // InvalidArgument naming the first bad value (including unknown benchmarks and engines
  // not built into this binary), or OK.
  Status Validate() const;
};

// The names --benchmarks accepts, in the order the help text lists them.
const std::vector<std::string>& BenchmarkNames();

struct BenchmarkResult {
  std::string name;
  int threads = 0;
  int64_t ops = 0;
  int64_t bytes = 0;                     // key and value bytes written or read
  int64_t found = -1;                    // reads that found their key (-1: not a read benchmark)
  double seconds = 0;                    // wall time of the slowest thread
  double micros_per_op = 0;              // thread time per operation
  double ops_per_sec = 0;                // all threads together
  double mb_per_sec = 0;                 // bytes / seconds, in MiB/s as db_bench always printed
  int64_t user_bytes_written = 0;        // keys and values handed to the engine (all threads)
  uint64_t file_bytes_written = 0;       // by the whole process (WAL, tables, …) during the run
  std::string message;                   // e.g. "(632 of 1000 found)"
  std::string skip_reason;               // when skipped: why (default "--use_existing_db")
  std::optional<HistogramData> latency;  // with --histogram
  std::string text;                      // stats / levelstats output
  bool skipped = false;
};

struct RunSummary {
  std::string engine;
  std::string version;
  std::string compression;
  std::vector<std::string> notes;
  std::string date;
  std::vector<BenchmarkResult> results;
  uint64_t user_bytes_written = 0;  // keys and values handed to the engine
  uint64_t file_bytes_written = 0;  // bytes the process wrote to files (from /proc/self/io)
  // Pages the process dirtied in files, less those of files deleted before the kernel wrote
  // them back (write_bytes - cancelled_write_bytes of /proc/self/io): what reaches the
  // device. A log deleted while its pages are dirty costs nothing here. 0 where the kernel
  // does not count (tmpfs, or no /proc/self/io).
  uint64_t device_bytes_written = 0;
  uint64_t db_size_bytes = 0;   // the database directory at the end
  uint64_t peak_rss_bytes = 0;  // the process's maximum resident set
};

class DbBench {
 public:
  // Output goes to out (header and results) and err (progress, errors).
  DbBench(Config config, std::FILE* out, std::FILE* err);
  ~DbBench();
  DbBench(const DbBench&) = delete;
  DbBench& operator=(const DbBench&) = delete;

  // Validates, opens the database, runs every benchmark, writes JSON if asked, closes the
  // database and removes a temporary directory. Stops at the first error.
  Status Run();
  const RunSummary& summary() const { return summary_; }

 private:
  struct ThreadContext;
  struct Shared;
  using Method = Status (DbBench::*)(ThreadContext*);

  Status OpenEngine(bool fresh);
  void PrintHeader();
  Status RunOne(const std::string& name, BenchmarkResult* result);
  Status RunThreads(const std::string& name, Method method, int workers, bool extra_writer,
                    BenchmarkResult* result);
  void Finish(std::vector<std::unique_ptr<ThreadContext>>& threads, int workers,
              BenchmarkResult* result);
  void PrintResult(const BenchmarkResult& r);
  void PrintFooter();

  // The benchmarks, one thread each.
  Status FillSeq(ThreadContext* t);
  Status FillRandom(ThreadContext* t);
  Status FillSync(ThreadContext* t);
  Status Fill100K(ThreadContext* t);
  Status ReadRandom(ThreadContext* t);
  Status ReadMissing(ThreadContext* t);
  Status ReadHot(ThreadContext* t);
  Status ReadSeq(ThreadContext* t);
  Status ReadReverse(ThreadContext* t);
  Status SeekRandom(ThreadContext* t);
  Status ReadWhileWriting(ThreadContext* t);
  Status DeleteSeq(ThreadContext* t);
  Status DeleteRandom(ThreadContext* t);
  Status DeleteRangeRandom(ThreadContext* t);
  Status MergeRandom(ThreadContext* t);
  // --range_tombstones: writes them after a fill benchmark and flushes.
  Status AddRangeTombstones();

  enum class Order { kSequential, kRandom };
  Status DoWrite(ThreadContext* t, Order order, bool sync, int value_size, int64_t ops);
  Status DoDelete(ThreadContext* t, Order order);
  Status DoRead(ThreadContext* t, uint64_t key_range, bool missing);
  Status DoScan(ThreadContext* t, bool reverse);

  Config config_;
  std::FILE* out_;
  std::FILE* err_;
  const EngineFactory* factory_ = nullptr;
  std::string temp_dir_;  // created here; removed in the destructor
  std::string path_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Shared> shared_;
  RunSummary summary_;
};

}  // namespace strata::bench
