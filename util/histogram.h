// Latency histogram (db_bench's per-thread latencies, the engine's Statistics): log-linear
// buckets (16 per power of two, so any quantile is within about 6% of the true value), exact
// count, mean, min and max. Values are in nanoseconds; summaries are in microseconds.
// Not thread-safe: one per thread, merged after, or guarded by the owner's lock.
#pragma once

#include <array>
#include <cstdint>

#include "strata/statistics.h"

namespace strata {

class Histogram {
 public:
  void Add(uint64_t nanos);
  void Merge(const Histogram& other);
  uint64_t count() const { return count_; }
  // The value below which a fraction q (0..1) of the samples lie, in nanoseconds.
  double Quantile(double q) const;
  HistogramData Summarize() const;
  void Clear() { *this = Histogram(); }

 private:
  static constexpr int kSubBits = 4;  // 16 buckets per power of two
  static constexpr int kSub = 1 << kSubBits;
  static constexpr int kBuckets = kSub + (64 - kSubBits) * kSub;
  static int BucketOf(uint64_t v);
  static uint64_t BucketLow(int b);
  static uint64_t BucketHigh(int b);  // exclusive

  std::array<uint64_t, kBuckets> buckets_{};
  uint64_t count_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
  double sum_ = 0;
  double sum_squares_ = 0;
};

}  // namespace strata
