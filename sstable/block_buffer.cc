#include "sstable/block_buffer.h"

#include <cstdint>
#include <new>

#include "util/large_memory.h"
#include "util/sanitizers.h"
#if STRATA_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace strata {
namespace {

// Under AddressSanitizer a buffer's bytes past what was asked for, and a whole pooled buffer,
// are poisoned, so a read past a block's end or a use after free is still caught although
// the memory was not returned to malloc.
void Poison([[maybe_unused]] char* p, [[maybe_unused]] size_t n) {
#if STRATA_ASAN
  ASAN_POISON_MEMORY_REGION(p, n);
#endif
}
void Unpoison([[maybe_unused]] char* p, [[maybe_unused]] size_t n) {
#if STRATA_ASAN
  ASAN_UNPOISON_MEMORY_REGION(p, n);
#endif
}

// One thread's spare buffers. Trivially destructible, so it stays usable until its thread's
// storage goes away: a block freed by a thread-local or static destructor after the thread's
// reaper ran (below) is simply freed. Lookups scan the few slots; order does not matter.
struct PooledBuffers {
  struct Slot {
    char* data;
    size_t capacity;
  };
  Slot slots[BlockBuffer::kPooledPerThread];
  size_t count;
  bool reaper_registered;
  bool closed;  // the thread is exiting: keep nothing more

  // Takes a buffer of capacity in [n, 2n] (so a small block does not pin a large buffer), or
  // returns false.
  bool Take(size_t n, char** data, size_t* capacity) {
    for (size_t i = 0; i < count; i++) {
      if (slots[i].capacity >= n && slots[i].capacity <= 2 * n) {
        *data = slots[i].data;
        *capacity = slots[i].capacity;
        slots[i] = slots[--count];
        return true;
      }
    }
    return false;
  }

  // Keeps the buffer if there is room; returns false if the caller must free it.
  bool Put(char* data, size_t capacity);

  void FreeAll() {
    for (size_t i = 0; i < count; i++) {
      Unpoison(slots[i].data, slots[i].capacity);
      ::operator delete(slots[i].data);
    }
    count = 0;
  }
};

constinit thread_local PooledBuffers pooled{};

// Frees the thread's spare buffers when the thread exits.
struct PoolReaper {
  ~PoolReaper() {
    pooled.FreeAll();
    pooled.closed = true;
  }
};

bool PooledBuffers::Put(char* data, size_t capacity) {
  if (closed || count == BlockBuffer::kPooledPerThread) return false;
  if (!reaper_registered) {
    // The first use of a thread_local with a destructor registers it for this thread's exit.
    // (On the main thread during static destruction that is too late to run: up to
    // kPooledPerThread buffers are then left to the process's exit.)
    thread_local PoolReaper reaper;
    (void)reaper;
    reaper_registered = true;
  }
  slots[count++] = {data, capacity};
  return true;
}

}  // namespace

BlockBuffer BlockBuffer::Allocate(size_t n) {
  if (n == 0) n = 1;
  // Near SIZE_MAX rounding would wrap; such a size is refused by operator new anyway.
  const size_t capacity =
      n > SIZE_MAX - kGranularity ? n : (n + kGranularity - 1) / kGranularity * kGranularity;
  char* data;
  size_t have;
  if (capacity > kMaxPooledCapacity) {
    // An index block or a whole-file read: it may live as long as its table.
    data = AllocateLarge(capacity);
    if (data == nullptr) throw std::bad_alloc();
    have = capacity;
  } else if (!pooled.Take(capacity, &data, &have)) {
    data = static_cast<char*>(::operator new(capacity));
    have = capacity;
  }
  Unpoison(data, n);
  Poison(data + n, have - n);
  return BlockBuffer(data, have);
}

size_t BlockBuffer::SparesOnThisThread() { return pooled.count; }

void BlockBuffer::Release() noexcept {
  if (data_ == nullptr) return;
  Poison(data_, capacity_);
  if (capacity_ > kMaxPooledCapacity) {
    Unpoison(data_, capacity_);
    FreeLarge(data_, capacity_);
  } else if (!pooled.Put(data_, capacity_)) {
    Unpoison(data_, capacity_);
    ::operator delete(data_);
  }
  data_ = nullptr;
  capacity_ = 0;
}

}  // namespace strata
