// Arena: a bump allocator that hands out memory carved from larger blocks and frees it all at
// once when the arena dies. Memtables use it so that an entry costs one pointer bump instead of
// a heap allocation, and so that their memory footprint is known cheaply.
//
// Thread safety: Allocate* must be called by one thread at a time (the memtable's single
// writer). MemoryUsage() may be called from any thread concurrently with allocation.
#pragma once

#include <atomic>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "util/page_size.h"

namespace strata {

class Arena {
 public:
  static constexpr size_t kDefaultBlockSize = 4096;
  // Blocks come from operator new[], which aligns this much; AllocateAligned can promise no more.
  static constexpr size_t kMaxAlignment = __STDCPP_DEFAULT_NEW_ALIGNMENT__;
  static constexpr size_t kHugePageSize = strata::kHugePageSize;

  enum class Blocks {
    kHeap,  // operator new[]
    // Blocks of kHugePageSize mapped on a kHugePageSize boundary and advised to the kernel as
    // huge-page candidates (Linux; elsewhere, or if the mapping fails, from the heap). A
    // memtable of tens of MiB walked in key order touches its entries in random address
    // order: with 4 KiB pages almost every step also misses the TLB.
    kHugePages,
  };

  // Requests larger than block_size / 4 get a block of their own (from the heap), so a big
  // allocation never wastes the remainder of the current block. With Blocks::kHugePages
  // block_size is kHugePageSize whatever is passed. REQUIRES: block_size > 0.
  explicit Arena(size_t block_size = kDefaultBlockSize, Blocks blocks = Blocks::kHeap);
  ~Arena();

  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Returns `bytes` of uninitialised memory, valid until the arena is destroyed, with no
  // alignment guarantee. REQUIRES: bytes > 0.
  char* Allocate(size_t bytes);

  // As Allocate, aligned to `alignment`.
  // REQUIRES: bytes > 0; alignment is a power of two no larger than kMaxAlignment.
  char* AllocateAligned(size_t bytes, size_t alignment = alignof(std::max_align_t));

  // Bytes of blocks obtained so far (heap or mapped), plus bookkeeping. Safe from any thread.
  size_t MemoryUsage() const { return memory_usage_.load(std::memory_order_relaxed); }

 private:
  char* AllocateFallback(size_t bytes);
  char* AllocateNewBlock(size_t block_bytes);
  char* AllocateHugePageBlock();  // null if the mapping failed

  // Unmaps a huge-page block.
  struct Unmap {
    void operator()(char* block) const;
  };

  const size_t block_size_;
  const Blocks blocks_kind_;
  char* alloc_ptr_ = nullptr;  // next free byte of the current block
  size_t alloc_bytes_remaining_ = 0;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::vector<std::unique_ptr<char, Unmap>> huge_page_blocks_;
  // Written only by the allocating thread; atomic so that other threads may read it.
  std::atomic<size_t> memory_usage_{0};
};

inline char* Arena::Allocate(size_t bytes) {
  assert(bytes > 0);
  if (bytes <= alloc_bytes_remaining_) {
    char* result = alloc_ptr_;
    alloc_ptr_ += bytes;
    alloc_bytes_remaining_ -= bytes;
    return result;
  }
  return AllocateFallback(bytes);
}

inline char* Arena::AllocateAligned(size_t bytes, size_t alignment) {
  assert(bytes > 0);
  assert(alignment > 0 && (alignment & (alignment - 1)) == 0 && alignment <= kMaxAlignment);
  size_t misalignment = reinterpret_cast<uintptr_t>(alloc_ptr_) & (alignment - 1);
  size_t slop = misalignment == 0 ? 0 : alignment - misalignment;
  size_t needed = bytes + slop;
  if (needed <= alloc_bytes_remaining_) {
    char* result = alloc_ptr_ + slop;
    alloc_ptr_ += needed;
    alloc_bytes_remaining_ -= needed;
    return result;
  }
  // A fresh block starts at kMaxAlignment, so the fallback result is aligned as well.
  return AllocateFallback(bytes);
}

}  // namespace strata
