#include "util/arena.h"

namespace strata {

Arena::Arena(size_t block_size) : block_size_(block_size) { assert(block_size > 0); }

Arena::~Arena() = default;

char* Arena::AllocateFallback(size_t bytes) {
  if (bytes > block_size_ / 4) {
    // Keep the current block: its remainder still serves the small requests that follow.
    return AllocateNewBlock(bytes);
  }
  // The remainder of the current block is too small and is wasted (at most a quarter block).
  alloc_ptr_ = AllocateNewBlock(block_size_);
  alloc_bytes_remaining_ = block_size_;
  char* result = alloc_ptr_;
  alloc_ptr_ += bytes;
  alloc_bytes_remaining_ -= bytes;
  return result;
}

char* Arena::AllocateNewBlock(size_t block_bytes) {
  blocks_.push_back(std::make_unique_for_overwrite<char[]>(block_bytes));
  // Only this thread writes the counter, so a plain load and store need no read-modify-write.
  memory_usage_.store(MemoryUsage() + block_bytes + sizeof(char*), std::memory_order_relaxed);
  return blocks_.back().get();
}

}  // namespace strata
