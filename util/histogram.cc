#include "util/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace strata {

int Histogram::BucketOf(uint64_t v) {
  if (v < kSub) return static_cast<int>(v);
  const int exp = 63 - std::countl_zero(v);  // >= kSubBits
  const int sub = static_cast<int>((v >> (exp - kSubBits)) & (kSub - 1));
  return kSub + (exp - kSubBits) * kSub + sub;
}

uint64_t Histogram::BucketLow(int b) {
  if (b < kSub) return static_cast<uint64_t>(b);
  const int exp = (b - kSub) / kSub + kSubBits;
  const uint64_t sub = static_cast<uint64_t>((b - kSub) % kSub);
  return (uint64_t{1} << exp) + (sub << (exp - kSubBits));
}

uint64_t Histogram::BucketHigh(int b) {
  if (b < kSub) return static_cast<uint64_t>(b) + 1;
  const int exp = (b - kSub) / kSub + kSubBits;
  const uint64_t low = BucketLow(b);
  const uint64_t width = uint64_t{1} << (exp - kSubBits);
  return low + width < low ? UINT64_MAX : low + width;
}

void Histogram::Add(uint64_t nanos) {
  buckets_[BucketOf(nanos)]++;
  count_++;
  min_ = std::min(min_, nanos);
  max_ = std::max(max_, nanos);
  const double v = static_cast<double>(nanos);
  sum_ += v;
  sum_squares_ += v * v;
}

void Histogram::Merge(const Histogram& other) {
  for (int b = 0; b < kBuckets; b++) buckets_[b] += other.buckets_[b];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
  sum_squares_ += other.sum_squares_;
}

double Histogram::Quantile(double q) const {
  if (count_ == 0) return 0;
  const double threshold = static_cast<double>(count_) * q;
  double cumulative = 0;
  for (int b = 0; b < kBuckets; b++) {
    if (buckets_[b] == 0) continue;
    const double next = cumulative + static_cast<double>(buckets_[b]);
    if (next >= threshold) {
      // Interpolate linearly inside the bucket, then clamp to what was really seen.
      const double low = static_cast<double>(BucketLow(b));
      const double high = static_cast<double>(BucketHigh(b));
      const double fraction = (threshold - cumulative) / static_cast<double>(buckets_[b]);
      const double v = low + (high - low) * fraction;
      return std::clamp(v, static_cast<double>(min_), static_cast<double>(max_));
    }
    cumulative = next;
  }
  return static_cast<double>(max_);
}

HistogramData Histogram::Summarize() const {
  HistogramData s;
  s.count = count_;
  if (count_ == 0) return s;
  const double n = static_cast<double>(count_);
  const double mean = sum_ / n;
  const double variance = std::max(0.0, sum_squares_ / n - mean * mean);
  s.mean = mean / 1e3;
  s.stddev = std::sqrt(variance) / 1e3;
  s.min = static_cast<double>(min_) / 1e3;
  s.max = static_cast<double>(max_) / 1e3;
  s.p50 = Quantile(0.50) / 1e3;
  s.p95 = Quantile(0.95) / 1e3;
  s.p99 = Quantile(0.99) / 1e3;
  s.p999 = Quantile(0.999) / 1e3;
  return s;
}

}  // namespace strata
