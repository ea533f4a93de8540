// memcmp order for byte strings, inline and without a library call: keys are short (16 bytes
// in db_bench), and a call to memcmp per comparison was a tenth of a scan's time. Eight
// bytes at a time, compared as big-endian integers; the rest byte by byte; then the shorter
// string first.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace strata {

// Loading eight bytes and swapping them gives their memcmp order on little-endian machines
// only (and this order decides the order of keys in files).
static_assert(std::endian::native == std::endian::little, "BytewiseCompare assumes little-endian");

inline int BytewiseCompare(std::string_view a, std::string_view b) {
  const char* pa = a.data();
  const char* pb = b.data();
  size_t n = std::min(a.size(), b.size());
  for (; n >= 8; n -= 8, pa += 8, pb += 8) {
    uint64_t x, y;
    std::memcpy(&x, pa, 8);
    std::memcpy(&y, pb, 8);
    if (x != y) return __builtin_bswap64(x) < __builtin_bswap64(y) ? -1 : 1;
  }
  for (; n > 0; n--, pa++, pb++) {
    if (*pa != *pb) {
      return static_cast<unsigned char>(*pa) < static_cast<unsigned char>(*pb) ? -1 : 1;
    }
  }
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

}  // namespace strata
