// Statistics and an event listener: the README's monitoring example.
// Usage: example_monitoring DB_DIR
#include <strata/db.h>
#include <strata/listener.h>
#include <strata/statistics.h>

#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <memory>
#include <string>

// Called on the engine's threads, without its lock held: keep it short and thread-safe.
class FlushCounter : public strata::EventListener {
 public:
  void OnFlushCompleted(const strata::FlushJobInfo& info) override {
    flushed_bytes += info.file_size;
  }
  void OnStallConditionsChanged(const strata::WriteStallInfo& info) override {
    if (info.current != strata::WriteStallCondition::kNormal) stalls++;
  }
  std::atomic<uint64_t> flushed_bytes{0};
  std::atomic<int> stalls{0};
};

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  auto stats = strata::CreateStatistics();
  auto listener = std::make_shared<FlushCounter>();
  strata::Options options;
  options.create_if_missing = true;
  options.statistics = stats;
  options.listeners.push_back(listener);
  std::unique_ptr<strata::DB> db;
  strata::Status s = strata::DB::Open(options, argv[1], &db);
  for (int i = 0; s.ok() && i < 1000; i++) {
    s = db->Put(strata::WriteOptions(), "key" + std::to_string(i), "value");
  }
  std::string value;
  if (s.ok()) s = db->Get(strata::ReadOptions(), "key7", &value);
  if (s.ok()) s = db->Flush();
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }

  // Counters only grow: sample them periodically and graph the differences.
  std::printf("%s %" PRIu64 "\n", strata::TickerName(strata::Ticker::kKeysWritten),
              stats->GetTickerCount(strata::Ticker::kKeysWritten));
  const strata::HistogramData get = stats->GetHistogramData(strata::HistogramType::kGetLatency);
  std::printf("get: %" PRIu64 " calls, p99 %.1f us\n", get.count, get.p99);
  uint64_t level0_files = 0;
  db->GetIntProperty("strata.num-files-at-level0", &level0_files);
  std::printf("level-0 files %" PRIu64 ", flushed %" PRIu64 " bytes\n", level0_files,
              listener->flushed_bytes.load());
  std::printf("%s", stats->ToString().c_str());  // every counter, one "name value" per line
  return level0_files == 1 && listener->flushed_bytes > 0 ? 0 : 1;
}
