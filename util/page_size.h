// PageSize: the size of a virtual memory page, asked of the system once per process; and
// mappings aligned for transparent huge pages (the memtable's huge-page arena blocks, the
// region of tables' long-lived buffers).
//
// Thread safety: any thread may call either.
#pragma once

#include <unistd.h>

#include <cstddef>

namespace strata {

inline size_t PageSize() {
  static const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  return page;
}

// n rounded up to whole pages.
inline size_t PageRoundUp(size_t n) {
  const size_t page = PageSize();
  return (n + page - 1) / page * page;
}

// The size of a transparent huge page on x86-64 and most arm64 kernels.
constexpr size_t kHugePageSize = size_t{2} << 20;

// A private anonymous mapping of `bytes` (a multiple of kHugePageSize) with protection prot
// (PROT_NONE to reserve address space only) that starts on a kHugePageSize boundary, or null
// if the system refused. extra_flags is or-ed into mmap's flags. Unmap it with munmap.
char* MapHugePageAligned(size_t bytes, int prot, int extra_flags);

}  // namespace strata
