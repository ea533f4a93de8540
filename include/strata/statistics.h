// Statistics: counters and latency histograms the engine keeps when asked, for dashboards and
// graphs. Set Options::statistics to CreateStatistics() (or to your own implementation, to
// forward the numbers elsewhere); null, the default, keeps nothing and costs nothing.
//
// Thread safety: the engine records from its foreground and background threads at once, so
// every method of an implementation must be safe to call concurrently. One Statistics object
// may be shared by several databases (their numbers then add up).
//
// Counters only grow (until Reset); sample them periodically and graph the differences.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace strata {

// Counters. The numeric values are not stored anywhere; names (TickerName) are stable.
enum class Ticker : uint32_t {
  kBytesWritten,       // bytes of the batches accepted by Put/Delete/Write (keys and
                       // values plus a few bytes of framing each: WriteBatch's size)
  kKeysWritten,        // operations (puts and deletes) accepted
  kBytesRead,          // user value bytes returned by Get and key+value bytes by iterators
  kKeysRead,           // Get calls (found or not) and iterator entries returned
  kGetHits,            // Get calls that found a value
  kBlockCacheDataHit,  // data block lookups in the block cache
  kBlockCacheDataMiss,
  kBlockCacheIndexHit,   // a table's index and filter are held with the open table (the
  kBlockCacheIndexMiss,  // table cache): a hit is a read that found the table open, a
  kBlockCacheFilterHit,  // miss one that had to open it and read them from the file
  kBlockCacheFilterMiss,
  kBloomFilterUseful,       // table reads avoided because the bloom filter ruled the key out
  kBloomFilterChecked,      // bloom filter probes (useful or not)
  kWalSyncs,                // fsyncs of the write-ahead log
  kWalBytes,                // bytes appended to the write-ahead log
  kFlushCount,              // memtables written to level-0 tables
  kFlushBytes,              // bytes of the tables flushes wrote
  kFlushMicros,             // time spent flushing
  kCompactionCount,         // compactions run (trivial moves included)
  kCompactionBytesRead,     // bytes of input tables compactions read
  kCompactionBytesWritten,  // bytes of output tables compactions wrote
  kCompactionMicros,        // time spent compacting
  kStallMicros,             // time writers spent waiting (slowdown delays and stops)
  kTickerCount              // not a counter: the number of counters
};

// Latency histograms, in nanoseconds as recorded; summarised in microseconds.
enum class HistogramType : uint32_t {
  kGetLatency,    // DB::Get
  kWriteLatency,  // DB::Put, Delete and Write (including the wait for the group's log write)
  kSeekLatency,   // Iterator::Seek, SeekForPrev, SeekToFirst and SeekToLast on a DB iterator
  kHistogramCount
};

// A summary of one histogram. Quantiles are within about 6% of the true value.
struct HistogramData {
  uint64_t count = 0;
  double mean = 0, stddev = 0, min = 0, max = 0;  // microseconds
  double p50 = 0, p95 = 0, p99 = 0, p999 = 0;
};

// Stable names for graphs, e.g. "strata.block.cache.data.hit", "strata.get.micros".
const char* TickerName(Ticker ticker);
const char* HistogramName(HistogramType histogram);

class Statistics {
 public:
  virtual ~Statistics() = default;

  // Called by the engine. Must be cheap and thread-safe.
  virtual void RecordTick(Ticker ticker, uint64_t count) = 0;
  virtual void RecordLatency(HistogramType histogram, uint64_t nanos) = 0;

  virtual uint64_t GetTickerCount(Ticker ticker) const = 0;
  virtual HistogramData GetHistogramData(HistogramType histogram) const = 0;
  // Zeroes every counter and histogram.
  virtual void Reset() = 0;

  // Every counter, one "name value" line each, then each histogram as
  // "name count N mean M p50 A p95 B p99 C p999 D max E" (microseconds): easy to parse and
  // to graph.
  std::string ToString() const;
};

// The engine's implementation: lock-free counters and a mutex-guarded histogram per type.
std::shared_ptr<Statistics> CreateStatistics();

}  // namespace strata
