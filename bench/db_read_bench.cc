// Read-path micro benchmarks on a real database in a temporary directory: Get of keys that
// live in one flushed L0 table whose blocks are all in the block cache, Get of absent keys
// (answered by the bloom filter), and Get from the memtable for comparison.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "strata/db.h"

namespace {

constexpr int kKeys = 100000;

void KeyOf(int i, char* buf) { std::snprintf(buf, 17, "%016d", i); }

// A database holding kKeys keys, either flushed to one table or left in the memtable.
class ReadDB {
 public:
  explicit ReadDB(bool flushed) {
    const char* tmp = std::getenv("TMPDIR");
    dir_ = std::string(tmp && *tmp ? tmp : "/tmp") + "/strata_read_bench_XXXXXX";
    if (mkdtemp(dir_.data()) == nullptr) std::abort();
    strata::Options options;
    options.create_if_missing = true;
    if (!strata::DB::Open(options, dir_ + "/db", &db_).ok()) std::abort();
    std::string value(100, 'v');
    char key[17];
    for (int i = 0; i < kKeys; i++) {
      KeyOf(i * 2, key);  // even numbers present, odd ones absent
      if (!db_->Put(strata::WriteOptions(), std::string_view(key, 16), value).ok()) std::abort();
    }
    if (flushed && !db_->Flush().ok()) std::abort();
    // Warm the block cache.
    std::string v;
    for (int i = 0; i < kKeys; i++) {
      KeyOf(i * 2, key);
      db_->Get(strata::ReadOptions(), std::string_view(key, 16), &v).PermitUncheckedError();
    }
  }
  ~ReadDB() {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  strata::DB* db() { return db_.get(); }

 private:
  std::string dir_;
  std::unique_ptr<strata::DB> db_;
};

ReadDB* Flushed() {
  static ReadDB db(true);
  return &db;
}
ReadDB* InMemtable() {
  static ReadDB db(false);
  return &db;
}

void Get(benchmark::State& state, strata::DB* db, bool present) {
  std::string value;
  char key[17];
  uint64_t x = 88172645463325252ull;
  int64_t found = 0;
  for (auto _ : state) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    int i = static_cast<int>(x % kKeys) * 2 + (present ? 0 : 1);
    KeyOf(i, key);
    found += db->Get(strata::ReadOptions(), std::string_view(key, 16), &value).ok();
  }
  if (found != (present ? static_cast<int64_t>(state.iterations()) : 0)) {
    state.SkipWithError("unexpected Get result");
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_GetCachedTable(benchmark::State& state) { Get(state, Flushed()->db(), true); }
void BM_GetCachedTableAbsent(benchmark::State& state) { Get(state, Flushed()->db(), false); }
void BM_GetMemtable(benchmark::State& state) { Get(state, InMemtable()->db(), true); }

BENCHMARK(BM_GetCachedTable)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_GetCachedTableAbsent)->Threads(1)->UseRealTime();
BENCHMARK(BM_GetMemtable)->Threads(1)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
