// The change feed's cost and speed (docs/BENCHMARKS.md, "Change feed"):
//
// BM_WriteWithFollower/F: one thread writes unsynced 100-byte values at full speed while a
//   follower (F = 0: none; 1: DB::NewChangeFeed in the same process; 2: OpenChangeFeed on the
//   directory, as another process would) tails the feed through a slot, advancing it every
//   100 ms. Counters: the writer's rate, and the follower's lag (commit to receipt, from a
//   timestamp the writer puts in each value): max and 99th percentile, in milliseconds.
// BM_ReadFeed/V: reads the feed of an existing, closed database (logs of 64 MiB, kept by
//   wal_ttl_seconds) from sequence 1 to the end; bytes/s are the log bytes read. V is the
//   value size (one Put per record).
#include <benchmark/benchmark.h>

#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "strata/change_feed.h"
#include "strata/db.h"

namespace strata {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::string TempDbPath(const char* name) {
  const char* tmp = std::getenv("TMPDIR");
  std::string dir = std::string(tmp != nullptr ? tmp : "/tmp") + "/strata_feed_bench_" + name +
                    "_" + std::to_string(::getpid());
  return dir;
}

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

// Records the lag of every operation the follower receives.
class LagHandler final : public WriteBatch::Handler {
 public:
  void Put(std::string_view, std::string_view value) override {
    int64_t sent;
    if (value.size() < sizeof sent) return;
    std::memcpy(&sent, value.data(), sizeof sent);
    lags.push_back(NowNanos() - sent);
  }
  void Delete(std::string_view) override {}
  void Merge(std::string_view, std::string_view) override {}
  void DeleteRange(std::string_view, std::string_view) override {}
  std::vector<int64_t> lags;
};

void BM_WriteWithFollower(benchmark::State& state) {
  const int mode = static_cast<int>(state.range(0));
  const std::string path = TempDbPath("write");
  DestroyDB(path, Options()).PermitUncheckedError();
  Options options;
  options.create_if_missing = true;
  std::unique_ptr<DB> db;
  if (!DB::Open(options, path, &db).ok()) {
    state.SkipWithError("open failed");
    return;
  }
  std::atomic<bool> stop{false};
  LagHandler lag;
  std::thread follower;
  if (mode != 0) {
    if (!CreateLogSlot(path, "bench", 1).ok()) {
      state.SkipWithError("slot");
      return;
    }
    follower = std::thread([&] {
      FeedOptions fo;
      fo.slot = "bench";
      fo.poll_interval = 1ms;
      std::unique_ptr<ChangeFeed> feed;
      Status s = mode == 1 ? db->NewChangeFeed(1, fo, &feed) : OpenChangeFeed(path, 1, fo, &feed);
      auto last_advance = Clock::now();
      ChangeBatch b;
      while (s.ok() && !stop.load(std::memory_order_relaxed)) {
        bool ready = false;
        s = feed->Next(20ms, &b, &ready);
        if (!s.ok() || !ready) continue;
        s = b.batch.Iterate(&lag);
        if (Clock::now() - last_advance > 100ms) {
          s = AdvanceLogSlot(path, "bench", b.sequence + b.count);
          last_advance = Clock::now();
        }
      }
      if (!s.ok()) std::fprintf(stderr, "follower: %s\n", s.ToString().c_str());
    });
  }
  char key[32];
  std::string value(100, 'v');
  uint64_t i = 0;
  for (auto _ : state) {
    std::snprintf(key, sizeof key, "key%016llu", static_cast<unsigned long long>(i++ % 1000000));
    const int64_t now = NowNanos();
    std::memcpy(value.data(), &now, sizeof now);
    if (!db->Put(WriteOptions(), key, value).ok()) {
      state.SkipWithError("put failed");
      break;
    }
  }
  if (mode != 0) {
    // Let the follower reach the end before measuring its lag.
    const auto deadline = Clock::now() + 10s;
    while (lag.lags.size() < i && Clock::now() < deadline) std::this_thread::sleep_for(1ms);
    stop = true;
    follower.join();
    std::vector<int64_t> lags = lag.lags;
    if (!lags.empty()) {
      std::sort(lags.begin(), lags.end());
      state.counters["lag_max_ms"] = lags.back() / 1e6;
      state.counters["lag_p99_ms"] = lags[lags.size() * 99 / 100] / 1e6;
      state.counters["followed"] = static_cast<double>(lags.size()) / static_cast<double>(i);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(i));
  db.reset();
  DestroyDB(path, Options()).PermitUncheckedError();
}
BENCHMARK(BM_WriteWithFollower)
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

void BM_ReadFeed(benchmark::State& state) {
  const size_t value_size = static_cast<size_t>(state.range(0));
  const std::string path = TempDbPath(("read" + std::to_string(value_size)).c_str());
  DestroyDB(path, Options()).PermitUncheckedError();
  uint64_t log_bytes = 0;
  {
    Options options;
    options.create_if_missing = true;
    options.wal_ttl_seconds = 3600;
    std::unique_ptr<DB> db;
    if (!DB::Open(options, path, &db).ok()) {
      state.SkipWithError("open failed");
      return;
    }
    std::string value(value_size, 'v');
    char key[32];
    const uint64_t n = (256ull << 20) / (value_size + 30);
    for (uint64_t i = 0; i < n; i++) {
      std::snprintf(key, sizeof key, "key%016llu", static_cast<unsigned long long>(i));
      if (!db->Put(WriteOptions(), key, value).ok()) {
        state.SkipWithError("put failed");
        return;
      }
    }
  }
  uint64_t records = 0;
  for (auto _ : state) {
    std::unique_ptr<ChangeFeed> feed;
    Status s = OpenChangeFeed(path, 1, FeedOptions(), &feed);
    ChangeBatch b;
    bool ready = true;
    log_bytes = 0;
    records = 0;
    while (s.ok() && ready) {
      s = feed->Next(0ms, &b, &ready);
      if (ready) {
        log_bytes += b.batch.Data().size() + 7;  // the record and its fragment header
        records++;
      }
    }
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
  }
  state.SetBytesProcessed(static_cast<int64_t>(log_bytes * state.iterations()));
  state.counters["records"] = static_cast<double>(records);
  DestroyDB(path, Options()).PermitUncheckedError();
}
BENCHMARK(BM_ReadFeed)->Arg(100)->Arg(1000)->Arg(4000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace strata
