// Keys and values for db_bench workloads.
//
// Keys are the key's number in decimal, zero-padded to --key_size bytes, so byte order is
// numeric order and sequential fills write ascending keys. A missing key is an existing key
// with "." appended: it sorts between two present keys, so only the filter or a table search
// can tell it is absent (not a file's key range).
//
// Values are slices of a pool of pseudo-random printable bytes built once per thread, where
// every 100-byte fragment holds compression_ratio * 100 random bytes repeated to fill it: a
// fast compressor shrinks values to about that ratio. Taking a value allocates nothing.
#pragma once

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

class ValueGenerator {
 public:
  // A pool of at least max(1 MiB, 2 * max_value_size) bytes.
  ValueGenerator(uint64_t seed, double compression_ratio, size_t max_value_size);
  // The next len bytes of the pool (wrapping to its start). REQUIRES: len <= max_value_size.
  std::string_view Next(size_t len) {
    if (position_ + len > pool_.size()) position_ = 0;
    std::string_view v(pool_.data() + position_, len);
    position_ += len;
    return v;
  }

 private:
  std::string pool_;
  size_t position_ = 0;
};

}  // namespace strata::bench
