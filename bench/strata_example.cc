// A small example workload (db_bench is the main one): opens a database in a fresh temporary
// directory, writes and reads a few hundred thousand keys, reopens it (replaying the log), and
// prints what it did and how fast.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "strata/db.h"

namespace {

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void Report(const char* what, long ops, double secs, size_t bytes_per_op) {
  std::printf("%-22s %9ld ops in %6.3f s  %10.0f ops/s  %7.1f MB/s\n", what, ops, secs, ops / secs,
              ops * bytes_per_op / secs / 1e6);
}

int Fail(const strata::Status& s) {
  std::fprintf(stderr, "error: %s\n", s.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const long num = argc > 1 ? std::atol(argv[1]) : 300000;
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/strata_example_XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) return 1;
  const std::string path = pattern + "/db";
  std::printf("Strata example: %ld keys (16-byte keys, 100-byte values) in %s\n", num,
              path.c_str());

  strata::Options options;
  options.create_if_missing = true;
  std::unique_ptr<strata::DB> db;
  strata::Status s = strata::DB::Open(options, path, &db);
  if (!s.ok()) return Fail(s);

  char key[24];
  std::string value(100, 'v');
  auto make_key = [&](long i) {
    std::snprintf(key, sizeof key, "%016ld", i);
    return std::string_view(key, 16);
  };

  auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < num; i++) {
    value[i % 100] = static_cast<char>('a' + i % 26);
    s = db->Put(strata::WriteOptions(), make_key(i), value);
    if (!s.ok()) return Fail(s);
  }
  Report("fillseq", num, Seconds(start), 116);

  std::string got;
  long found = 0;
  start = std::chrono::steady_clock::now();
  unsigned long long x = 88172645463325252ull;
  for (long i = 0; i < num; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    if (db->Get(strata::ReadOptions(), make_key(static_cast<long>(x % num)), &got).ok()) found++;
  }
  Report("readrandom", num, Seconds(start), 116);
  std::printf("%-22s %ld of %ld keys found\n", "", found, num);

  strata::WriteOptions sync;
  sync.sync = true;
  const long synced = 1000;
  start = std::chrono::steady_clock::now();
  for (long i = 0; i < synced; i++) {
    s = db->Put(sync, make_key(num + i), value);
    if (!s.ok()) return Fail(s);
  }
  Report("fillsync (1 thread)", synced, Seconds(start), 116);

  db.reset();
  start = std::chrono::steady_clock::now();
  s = strata::DB::Open(options, path, &db);
  if (!s.ok()) return Fail(s);
  std::printf("%-22s %.3f s to replay the log\n", "reopen", Seconds(start));
  s = db->Get(strata::ReadOptions(), make_key(num - 1), &got);
  if (!s.ok()) return Fail(s);

  std::string stats;
  db->GetProperty("strata.stats", &stats);
  std::printf("\n%s", stats.c_str());
  db.reset();
  s = strata::DestroyDB(path, options);
  std::filesystem::remove_all(pattern);
  return s.ok() ? 0 : Fail(s);
}
