#include "util/large_memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <new>

#include "util/sanitizers.h"

namespace strata {
namespace {

size_t PageRounded(size_t n) {
  static const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  return (n + page - 1) / page * page;
}

}  // namespace

// Under AddressSanitizer every size comes from operator new, so that its redzones and its
// quarantine of freed memory still catch overruns and uses after free of these buffers.
constexpr bool kMapLarge = !STRATA_ASAN;

char* AllocateLarge(size_t n) noexcept {
  if (!kMapLarge || n < kMinMappedBytes) {
    return static_cast<char*>(::operator new (n, std::align_val_t{kLargeAlignment}, std::nothrow));
  }
  void* p =
      ::mmap(nullptr, PageRounded(n), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? nullptr : static_cast<char*>(p);
}

void FreeLarge(char* p, size_t n) noexcept {
  if (p == nullptr) return;
  if (!kMapLarge || n < kMinMappedBytes) {
    ::operator delete (p, std::align_val_t{kLargeAlignment});
    return;
  }
  ::munmap(p, PageRounded(n));
}

char* MapHugePage() noexcept {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  // mmap promises only page alignment: map one huge page more than needed and trim both ends.
  const size_t span = 2 * kHugePageBytes;
  void* mapped = ::mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapped == MAP_FAILED) return nullptr;
  const auto start = reinterpret_cast<uintptr_t>(mapped);
  const uintptr_t aligned = (start + kHugePageBytes - 1) & ~(uintptr_t{kHugePageBytes} - 1);
  if (aligned > start) ::munmap(mapped, aligned - start);
  const uintptr_t tail = aligned + kHugePageBytes;
  if (start + span > tail) ::munmap(reinterpret_cast<void*>(tail), start + span - tail);
  char* block = reinterpret_cast<char*>(aligned);
  ::madvise(block, kHugePageBytes, MADV_HUGEPAGE);
  return block;
#else
  return nullptr;
#endif
}

void UnmapHugePage(char* p) noexcept {
  if (p != nullptr) ::munmap(p, kHugePageBytes);
}

}  // namespace strata
