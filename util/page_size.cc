#include "util/page_size.h"

#include <sys/mman.h>

#include <cstdint>

namespace strata {

char* MapHugePageAligned(size_t bytes, int prot, int extra_flags) {
  // mmap promises only page alignment: map one huge page more than needed and trim both ends.
  const size_t span = bytes + kHugePageSize;
  void* mapped = ::mmap(nullptr, span, prot, MAP_PRIVATE | MAP_ANONYMOUS | extra_flags, -1, 0);
  if (mapped == MAP_FAILED) return nullptr;
  const auto start = reinterpret_cast<uintptr_t>(mapped);
  const uintptr_t aligned = (start + kHugePageSize - 1) & ~(uintptr_t{kHugePageSize} - 1);
  if (aligned > start) ::munmap(mapped, aligned - start);
  const uintptr_t tail = aligned + bytes;
  if (start + span > tail) ::munmap(reinterpret_cast<void*>(tail), start + span - tail);
  return reinterpret_cast<char*>(aligned);
}

}  // namespace strata
