#include "sstable/block_admission.h"

#include <algorithm>
#include <bit>

namespace strata {

namespace {

// Twice the blocks the cache holds, rounded up to a power of two; at least 1024 slots (8 KiB),
// at most 2^22 (32 MiB, allocated when the database opens: twice the blocks of an 8 GiB cache
// of 4 KiB blocks; a larger cache gets a window shorter than its contents).
uint64_t WindowFor(size_t cache_capacity, size_t block_size) {
  const uint64_t blocks = cache_capacity / std::max<size_t>(block_size, 1);
  return std::bit_ceil(std::clamp<uint64_t>(2 * blocks, 1024, uint64_t{1} << 22));
}

}  // namespace

BlockAdmission::BlockAdmission(size_t cache_capacity, size_t block_size)
    : mask_(WindowFor(cache_capacity, block_size) - 1),
      slots_(new std::atomic<uint64_t>[mask_ + 1]()) {}

}  // namespace strata
