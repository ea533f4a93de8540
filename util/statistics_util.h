// Recording into an optional Statistics: every call is a no-op when the pointer is null, so
// code paths record unconditionally and a database without statistics pays one branch (and
// no clock reads).
//
// Thread safety: as the Statistics recorded into (the engine's is fully thread-safe).
#pragma once

#include <chrono>
#include <cstdint>

#include "strata/statistics.h"

namespace strata {

inline void RecordTick(Statistics* stats, Ticker ticker, uint64_t count = 1) {
  if (stats != nullptr) stats->RecordTick(ticker, count);
}

// Records the nanoseconds from construction to destruction into a histogram.
class LatencyTimer {
 public:
  LatencyTimer(Statistics* stats, HistogramType type) : stats_(stats), type_(type) {
    if (stats_ != nullptr) start_ = std::chrono::steady_clock::now();
  }
  ~LatencyTimer() {
    if (stats_ == nullptr) return;
    const auto elapsed = std::chrono::steady_clock::now() - start_;
    stats_->RecordLatency(type_,
                          std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count());
  }
  LatencyTimer(const LatencyTimer&) = delete;
  LatencyTimer& operator=(const LatencyTimer&) = delete;

 private:
  Statistics* const stats_;
  const HistogramType type_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace strata
