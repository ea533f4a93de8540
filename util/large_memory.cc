#include "util/large_memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <new>

#include "util/huge_page_region.h"
#include "util/page_size.h"
#include "util/sanitizers.h"

namespace strata {
namespace {

size_t PageRounded(size_t n) {
  const size_t page = PageSize();
  return (n + page - 1) / page * page;
}

// Address space only: memory is committed page by page as buffers are used. 16 GiB holds the
// filters and indexes of about 10 billion keys; beyond that a buffer is mapped on its own.
constexpr size_t kRegionBytes = size_t{16} << 30;

// Never destroyed: buffers may be freed by static destructors of other files.
HugePageRegion& Region() {
  static HugePageRegion* region = new HugePageRegion(kRegionBytes, /*collapse=*/false);
  return *region;
}

}  // namespace

// Under AddressSanitizer every size comes from operator new, so that its redzones and its
// quarantine of freed memory still catch overruns and uses after free of these buffers.
constexpr bool kMapLarge = !STRATA_ASAN;

char* AllocateLarge(size_t n) noexcept {
  if (!kMapLarge || n < kMinMappedBytes) {
    return static_cast<char*>(::operator new (n, std::align_val_t{kLargeAlignment}, std::nothrow));
  }
  if (char* p = Region().Allocate(n)) return p;
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
  if (Region().Contains(p)) {
    Region().Free(p, n);
  } else {
    ::munmap(p, PageRounded(n));
  }
}

size_t LargeMemoryHoles() { return Region().holes(); }

void SetLargeMemoryHugePages(bool on) { Region().EnableCollapse(on); }

size_t LargeMemoryHugeSpans() { return Region().huge_spans(); }

}  // namespace strata
