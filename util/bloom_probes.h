// The probe positions of the blocked bloom filters (kind 1 of sstable/bloom.h), shared by
// the table filter and the memtable's (memtable/memtable_bloom.h): a key's bits lie in one
// 64-byte line, picked by the hash's high half, at positions drawn from the splitmix64 mix
// of the hash.
#pragma once

#include <cstddef>
#include <cstdint>

namespace strata {
namespace bloom_internal {

constexpr size_t kLineBytes = 64;
constexpr size_t kLineBits = kLineBytes * 8;
constexpr int kProbesPerWord = 7;  // 9-bit positions in a 64-bit word

// The splitmix64 finalizer: a bijective mix, so bit positions are independent of the bits
// that picked the line.
inline uint64_t Mix(uint64_t h) {
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 31;
  return h;
}

// The line of a hash among num_lines.
inline uint32_t LineOf(uint64_t hash, uint32_t num_lines) {
  return static_cast<uint32_t>(((hash >> 32) * num_lines) >> 32);
}

// Calls visit(bit) for the hash's num_probes bit positions (0..511) within its line, in
// order, until visit returns false; returns whether every call returned true.
template <class Visit>
inline bool ForEachProbe(uint64_t hash, int num_probes, Visit visit) {
  uint64_t seed = Mix(hash);
  uint64_t word = seed;
  for (int i = 0, left = kProbesPerWord; i < num_probes; i++, left--) {
    if (left == 0) {
      seed = Mix(seed);
      word = seed;
      left = kProbesPerWord;
    }
    const auto pos = static_cast<uint32_t>(word & (kLineBits - 1));
    word >>= 9;
    if (!visit(pos)) return false;
  }
  return true;
}

}  // namespace bloom_internal
}  // namespace strata
