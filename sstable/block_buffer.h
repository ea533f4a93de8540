// BlockBuffer: the heap memory behind a block read from a table (a read buffer, a
// decompressed block, a copy of mapped bytes), recycled through a small list per thread
// instead of going back to malloc.
//
// Why: a cached block is allocated by the thread that read it and freed by whichever thread
// evicts it. A block (about 4 KiB) is too large for glibc's per-thread cache of freed chunks,
// so each such free takes the lock of the arena the block came from, and readers that fill
// one block cache keep waking each other on those locks; with two readers that cost a third
// of readrandom's throughput. A freed buffer instead joins the freeing thread's list, and that
// thread's next block read takes it: each miss both allocates and evicts about one block, so
// the lists stay balanced and malloc is rarely reached.
//
// Bounds: a thread keeps at most kPooledPerThread buffers of at most kMaxPooledCapacity bytes
// each (about 0.5 MiB); larger buffers (index blocks, whole-file reads) come from
// AllocateLarge (util/large_memory.h), which maps those of 128 KiB or more. Capacities are rounded
// up to kGranularity, so a buffer can be reused for a block a little larger than the one it held;
// what the block cache charges for a block includes that rounding.
//
// Thread safety: a BlockBuffer is a plain owned value; it may be freed on any thread (it joins
// that thread's list), also from thread-local and static destructors. The lists are
// thread-local and are freed when their thread exits.
#pragma once

#include <cstddef>
#include <utility>

namespace strata {

class BlockBuffer {
 public:
  static constexpr size_t kGranularity = 256;
  static constexpr size_t kMaxPooledCapacity = 64 * 1024;
  static constexpr size_t kPooledPerThread = 8;

  BlockBuffer() = default;
  // A buffer of at least n bytes (at least one), uninitialised, from this thread's list when
  // it holds one that fits without wasting more than half of it.
  static BlockBuffer Allocate(size_t n);

  BlockBuffer(BlockBuffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), capacity_(std::exchange(other.capacity_, 0)) {}
  BlockBuffer& operator=(BlockBuffer&& other) noexcept {
    if (this != &other) {
      Release();
      data_ = std::exchange(other.data_, nullptr);
      capacity_ = std::exchange(other.capacity_, 0);
    }
    return *this;
  }
  BlockBuffer(const BlockBuffer&) = delete;
  BlockBuffer& operator=(const BlockBuffer&) = delete;
  ~BlockBuffer() { Release(); }

  char* data() const { return data_; }
  // Bytes usable at data(); zero for an empty buffer.
  size_t capacity() const { return capacity_; }
  explicit operator bool() const { return data_ != nullptr; }

  // How many spare buffers the calling thread holds (for tests and diagnostics).
  static size_t SparesOnThisThread();

 private:
  BlockBuffer(char* data, size_t capacity) : data_(data), capacity_(capacity) {}
  // Hands the memory to this thread's list, or frees it; leaves the buffer empty.
  void Release() noexcept;

  char* data_ = nullptr;
  size_t capacity_ = 0;
};

}  // namespace strata
