// db_bench: the workload tool, with the benchmark names, flags and output of LevelDB's and
// RocksDB's, able to run the same workloads on either of them (--engine) for comparison.
// Everything but flag parsing is in the strata_db_bench_lib library (db_bench_runner.h).
#include <cstdio>

#include "bench/db_bench_flags.h"
#include "bench/db_bench_runner.h"

int main(int argc, char** argv) {
  strata::bench::Config config;
  strata::Status s = strata::bench::ParseFlags(&argc, &argv, &config);
  if (!s.ok()) {
    std::fprintf(stderr, "db_bench: %s\n", s.ToString().c_str());
    return 2;
  }
  if (argc > 1) {
    std::fprintf(stderr, "db_bench: unexpected argument '%s'\n", argv[1]);
    return 2;
  }
  strata::bench::DbBench bench(std::move(config), stdout, stderr);
  s = bench.Run();
  if (!s.ok()) {
    std::fprintf(stderr, "db_bench: %s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}
