// Write-path micro benchmarks on a real database in a temporary directory: synced writes
// with 1–64 writer threads (group commit at work; the writes_per_sync counter shows how many
// writers each fdatasync served) and unsynced writes from one thread.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "strata/db.h"
#include "strata/statistics.h"

namespace {

// The Statistics of the shared database (its log syncs are counted there).
const std::shared_ptr<strata::Statistics>& Stats() {
  static const std::shared_ptr<strata::Statistics> stats = strata::CreateStatistics();
  return stats;
}

// One database shared by every benchmark of this process, removed at exit.
strata::DB* SharedDB() {
  static std::unique_ptr<strata::DB> db;
  static std::string dir;
  static std::once_flag once;
  std::call_once(once, [] {
    const char* tmp = std::getenv("TMPDIR");
    dir = std::string(tmp && *tmp ? tmp : "/tmp") + "/strata_write_bench_XXXXXX";
    if (mkdtemp(dir.data()) == nullptr) std::abort();
    strata::Options options;
    options.create_if_missing = true;
    options.statistics = Stats();
    if (!strata::DB::Open(options, dir + "/db", &db).ok()) std::abort();
    std::atexit([] {
      db.reset();
      std::filesystem::remove_all(dir);
    });
  });
  return db.get();
}

std::atomic<uint64_t> key_counter{0};

// Log syncs so far, from the database's Statistics.
uint64_t LogSyncs(strata::DB*) { return Stats()->GetTickerCount(strata::Ticker::kWalSyncs); }

void Write(benchmark::State& state, bool sync) {
  strata::DB* db = SharedDB();
  strata::WriteOptions options;
  options.sync = sync;
  std::string value(100, 'v');
  char key[32];
  const uint64_t syncs_before = LogSyncs(db);
  for (auto _ : state) {
    uint64_t k = key_counter.fetch_add(1, std::memory_order_relaxed);
    int n = std::snprintf(key, sizeof key, "%016llu", static_cast<unsigned long long>(k));
    if (!db->Put(options, std::string_view(key, n), value).ok()) {
      state.SkipWithError("Put failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  if (sync) {
    // Group commit at work: writes acknowledged per fdatasync, estimated by each thread over
    // its own loop (the threads run about equally long) and averaged.
    const uint64_t syncs = LogSyncs(db) - syncs_before;
    if (syncs > 0) {
      state.counters["writes_per_sync"] =
          benchmark::Counter(static_cast<double>(state.iterations()) * state.threads() / syncs,
                             benchmark::Counter::kAvgThreads);
    }
  }
}

void BM_SyncedPut(benchmark::State& state) { Write(state, true); }
void BM_Put(benchmark::State& state) { Write(state, false); }

BENCHMARK(BM_SyncedPut)->Threads(1)->Threads(4)->Threads(16)->Threads(64)->UseRealTime();
BENCHMARK(BM_Put)->Threads(1)->UseRealTime();

}  // namespace
