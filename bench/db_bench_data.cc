#include "bench/db_bench_data.h"

#include <algorithm>
#include <cmath>

#include "util/random.h"

namespace strata::bench {

int KeyFormatter::Digits(uint64_t n) {
  int digits = 1;
  while (n >= 10) {
    n /= 10;
    digits++;
  }
  return digits;
}

ValuePool::ValuePool(uint64_t seed, double compression_ratio, size_t max_value_size)
    : max_value_size_(max_value_size) {
  constexpr size_t kFragment = 100;
  const size_t size = std::max<size_t>(1 << 20, 2 * max_value_size);
  const size_t random_bytes = std::clamp<size_t>(
      static_cast<size_t>(std::lround(compression_ratio * kFragment)), 1, kFragment);
  Random rng(seed);
  bytes_.reserve(size + kFragment);
  while (bytes_.size() < size) {
    const size_t start = bytes_.size();
    for (size_t i = 0; i < random_bytes; i++) {
      bytes_.push_back(static_cast<char>(' ' + rng.Uniform(95)));
    }
    for (size_t i = random_bytes; i < kFragment; i++)
      bytes_.push_back(bytes_[start + i % random_bytes]);
  }
  bytes_.resize(size);
}

}  // namespace strata::bench
