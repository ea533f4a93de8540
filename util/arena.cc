#include "util/arena.h"

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace strata {

Arena::Arena(size_t block_size, Blocks blocks)
    : block_size_(blocks == Blocks::kHugePages ? kHugePageSize : block_size), blocks_kind_(blocks) {
  assert(block_size > 0);
}

Arena::~Arena() = default;

char* Arena::AllocateFallback(size_t bytes) {
  if (bytes > block_size_ / 4) {
    // Keep the current block: its remainder still serves the small requests that follow.
    return AllocateNewBlock(bytes);
  }
  // The remainder of the current block is too small and is wasted (at most a quarter block).
  char* block = blocks_kind_ == Blocks::kHugePages ? AllocateHugePageBlock() : nullptr;
  alloc_ptr_ = block != nullptr ? block : AllocateNewBlock(block_size_);
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

char* Arena::AllocateHugePageBlock() {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  std::unique_ptr<char, Unmap> block(MapHugePageAligned(kHugePageSize, PROT_READ | PROT_WRITE, 0));
  if (block == nullptr) return nullptr;
  // Advice only: with transparent huge pages off the block is ordinary memory.
  madvise(block.get(), kHugePageSize, MADV_HUGEPAGE);
  char* result = block.get();
  huge_page_blocks_.push_back(std::move(block));
  memory_usage_.store(MemoryUsage() + kHugePageSize + sizeof(char*), std::memory_order_relaxed);
  return result;
#else
  return nullptr;
#endif
}

void Arena::Unmap::operator()(char* block) const {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  munmap(block, kHugePageSize);
#else
  (void)block;
#endif
}

}  // namespace strata
