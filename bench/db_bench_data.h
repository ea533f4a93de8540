// Keys and values for db_bench workloads.
//
// Keys are the key's number in decimal, zero-padded to --key_size bytes, so byte order is
// numeric order and sequential fills write ascending keys. A missing key is an existing key
// with "." appended: it sorts between two present keys, so only the filter or a table search
// can tell it is absent (not a file's key range).
//
// Values are slices of a pool of pseudo-random printable bytes, where every 100-byte fragment
// holds compression_ratio * 100 random bytes repeated to fill it: a fast compressor shrinks
// values to about that ratio. The pool is built once per run, before any thread's clock
// starts, and shared read-only: building a megabyte per thread inside the timed run costs
// 64 synced writers a fifth of their CPU. Each thread starts at its own offset. Taking a
// value allocates nothing.
#pragma once

#include <cassert>
#include <cstdint>
#include <string>
#include <string_view>

namespace strata::bench {

class KeyFormatter {
 public:
  explicit KeyFormatter(int key_size) : buffer_(static_cast<size_t>(key_size) + 1, '0') {}
  // The key of number n (its low key_size digits if n has more). Valid until the next call.
  std::string_view Key(uint64_t n) {
    Format(n);
    return std::string_view(buffer_.data(), buffer_.size() - 1);
  }
  // Key(n) + ".": absent from any database db_bench wrote.
  std::string_view MissingKey(uint64_t n) {
    Format(n);
    buffer_.back() = '.';
    return buffer_;
  }
  // Decimal digits needed for n (at least 1).
  static int Digits(uint64_t n);

 private:
  void Format(uint64_t n) {
    for (size_t i = buffer_.size() - 1; i-- > 0;) {
      buffer_[i] = static_cast<char>('0' + n % 10);
      n /= 10;
    }
  }
  std::string buffer_;
};

class ValuePool {
 public:
  // At least max(1 MiB, 2 * max_value_size) bytes. Immutable once built: any thread may read.
  ValuePool(uint64_t seed, double compression_ratio, size_t max_value_size);
  std::string_view bytes() const { return bytes_; }
  size_t max_value_size() const { return max_value_size_; }

 private:
  std::string bytes_;
  size_t max_value_size_;
};

// One thread's cursor into a pool. REQUIRES: the pool outlives it.
class ValueGenerator {
 public:
  ValueGenerator(const ValuePool& pool, uint64_t start)
      : pool_(pool.bytes()), max_len_(pool.max_value_size()), position_(start % pool_.size()) {}
  // The next len bytes of the pool (wrapping to its start). REQUIRES: len <= max_value_size.
  std::string_view Next(size_t len) {
    assert(len <= max_len_);
    if (position_ + len > pool_.size()) position_ = 0;
    std::string_view v = pool_.substr(position_, len);
    position_ += len;
    return v;
  }

 private:
  std::string_view pool_;
  size_t max_len_;
  size_t position_;
};

}  // namespace strata::bench
