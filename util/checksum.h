// Checksums for every on-disk record and block: the low 32 bits of XXH3-64.
//
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace strata {

uint32_t Checksum(std::string_view data);

// 64-bit hash for in-memory use (cache sharding, bloom filters).
uint64_t Hash64(std::string_view data);

}  // namespace strata
