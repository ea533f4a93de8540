// The engine's Statistics (include/strata/statistics.h): relaxed atomic counters, and one
// mutex-guarded Histogram per type (a histogram update touches several fields at once).
#include "strata/statistics.h"

#include <array>
#include <atomic>
#include <cinttypes>
#include <cstdio>

#include "util/histogram.h"
#include "util/mutex.h"

namespace strata {

namespace {

constexpr size_t kTickers = static_cast<size_t>(Ticker::kTickerCount);
constexpr size_t kHistograms = static_cast<size_t>(HistogramType::kHistogramCount);

// Indexed by the enums; the static_asserts keep the tables in step with them.
constexpr const char* kTickerNames[] = {
    "strata.bytes.written",
    "strata.keys.written",
    "strata.bytes.read",
    "strata.keys.read",
    "strata.get.hits",
    "strata.block.cache.data.hit",
    "strata.block.cache.data.miss",
    "strata.block.cache.index.hit",
    "strata.block.cache.index.miss",
    "strata.block.cache.filter.hit",
    "strata.block.cache.filter.miss",
    "strata.bloom.filter.useful",
    "strata.bloom.filter.checked",
    "strata.wal.syncs",
    "strata.wal.bytes",
    "strata.flush.count",
    "strata.flush.bytes",
    "strata.flush.micros",
    "strata.compaction.count",
    "strata.compaction.bytes.read",
    "strata.compaction.bytes.written",
    "strata.compaction.micros",
    "strata.stall.micros",
};
static_assert(std::size(kTickerNames) == kTickers);

constexpr const char* kHistogramNames[] = {
    "strata.get.micros",
    "strata.write.micros",
    "strata.seek.micros",
};
static_assert(std::size(kHistogramNames) == kHistograms);

class StatisticsImpl final : public Statistics {
 public:
  void RecordTick(Ticker ticker, uint64_t count) override {
    tickers_[static_cast<size_t>(ticker)].fetch_add(count, std::memory_order_relaxed);
  }
  void RecordLatency(HistogramType type, uint64_t nanos) override {
    Guarded& h = histograms_[static_cast<size_t>(type)];
    MutexLock lock(&h.mu);
    h.histogram.Add(nanos);
  }
  uint64_t GetTickerCount(Ticker ticker) const override {
    return tickers_[static_cast<size_t>(ticker)].load(std::memory_order_relaxed);
  }
  HistogramData GetHistogramData(HistogramType type) const override {
    Guarded& h = histograms_[static_cast<size_t>(type)];
    MutexLock lock(&h.mu);
    return h.histogram.Summarize();
  }
  void Reset() override {
    for (auto& t : tickers_) t.store(0, std::memory_order_relaxed);
    for (auto& h : histograms_) {
      MutexLock lock(&h.mu);
      h.histogram.Clear();
    }
  }

 private:
  struct Guarded {
    Mutex mu;
    Histogram histogram GUARDED_BY(mu);
  };
  std::array<std::atomic<uint64_t>, kTickers> tickers_{};
  mutable std::array<Guarded, kHistograms> histograms_;
};

}  // namespace

const char* TickerName(Ticker ticker) {
  const auto i = static_cast<size_t>(ticker);
  return i < kTickers ? kTickerNames[i] : "strata.unknown";
}

const char* HistogramName(HistogramType type) {
  const auto i = static_cast<size_t>(type);
  return i < kHistograms ? kHistogramNames[i] : "strata.unknown";
}

std::string Statistics::ToString() const {
  std::string out;
  char line[256];
  for (size_t i = 0; i < kTickers; i++) {
    std::snprintf(line, sizeof line, "%s %" PRIu64 "\n", kTickerNames[i],
                  GetTickerCount(static_cast<Ticker>(i)));
    out += line;
  }
  for (size_t i = 0; i < kHistograms; i++) {
    const HistogramData d = GetHistogramData(static_cast<HistogramType>(i));
    std::snprintf(line, sizeof line,
                  "%s count %" PRIu64 " mean %.3f p50 %.3f p95 %.3f p99 %.3f p999 %.3f max %.3f\n",
                  kHistogramNames[i], d.count, d.mean, d.p50, d.p95, d.p99, d.p999, d.max);
    out += line;
  }
  return out;
}

std::shared_ptr<Statistics> CreateStatistics() { return std::make_shared<StatisticsImpl>(); }

}  // namespace strata
