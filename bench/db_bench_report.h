// db_bench's output besides the console lines: the JSON file of a run.
#pragma once

#include <string>

#include "bench/db_bench_runner.h"
#include "strata/status.h"

namespace strata::bench {

// The run as one JSON object: {"engine", "version", "date", "compression", "notes",
// "config": {flag: value}, "benchmarks": [{name, threads, ops, bytes, found, seconds,
// micros_per_op, ops_per_sec, mb_per_sec, user_bytes_written, file_bytes_written, message,
// skipped, latency_micros: {count, mean, stddev, min, p50, p95, p99, p99_9, max}, text}],
// "totals": {user_bytes_written, file_bytes_written, write_amplification, device_bytes_written,
// device_write_amplification, db_size_bytes,
// peak_rss_bytes}}. Absent values (found of a write, latency without --histogram) are left out.
std::string RunToJson(const Config& config, const RunSummary& summary);
Status WriteJson(const Config& config, const RunSummary& summary, const std::string& path);

}  // namespace strata::bench
