#include "util/large_memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <new>

#include "util/huge_page_region.h"
#include "util/page_size.h"
#include "util/sanitizers.h"

namespace strata {
namespace {

// Address space only: memory is committed page by page as buffers are used. 16 GiB holds the
// filters and indexes of about 10 billion keys; beyond that a buffer is mapped on its own.
constexpr size_t kRegionBytes = size_t{16} << 30;

// Two regions, both never destroyed (buffers may be freed by static destructors of other
// files): one of plain pages, and one whose wholly used spans become huge pages, made when
// SetLargeMemoryHugePages first turns them on. New buffers go to the one in use now.
HugePageRegion& PlainRegion() {
  static HugePageRegion* region = new HugePageRegion(kRegionBytes, /*collapse=*/false);
  return *region;
}

HugePageRegion& HugeRegion() {
  static HugePageRegion* region = new HugePageRegion(kRegionBytes, /*collapse=*/true);
  return *region;
}

std::atomic<bool> use_huge_pages{false};
std::atomic<bool> use_huge_pages_ever{false};  // whether HugeRegion() may exist

HugePageRegion& CurrentRegion() {
  return use_huge_pages.load(std::memory_order_acquire) ? HugeRegion() : PlainRegion();
}

// The region p lies in, or null.
HugePageRegion* RegionOf(const char* p) {
  if (PlainRegion().Contains(p)) return &PlainRegion();
  if (use_huge_pages_ever.load(std::memory_order_acquire) && HugeRegion().Contains(p)) {
    return &HugeRegion();
  }
  return nullptr;
}

}  // namespace

// Under AddressSanitizer every size comes from operator new, so that its redzones and its
// quarantine of freed memory still catch overruns and uses after free of these buffers.
constexpr bool kMapLarge = !STRATA_ASAN;

char* AllocateLarge(size_t n) noexcept {
  if (!kMapLarge || n < kMinMappedBytes) {
    return static_cast<char*>(::operator new (n, std::align_val_t{kLargeAlignment}, std::nothrow));
  }
  if (char* p = CurrentRegion().Allocate(n)) return p;
  void* p =
      ::mmap(nullptr, PageRoundUp(n), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? nullptr : static_cast<char*>(p);
}

void FreeLarge(char* p, size_t n) noexcept {
  if (p == nullptr) return;
  if (!kMapLarge || n < kMinMappedBytes) {
    ::operator delete (p, std::align_val_t{kLargeAlignment});
    return;
  }
  if (HugePageRegion* region = RegionOf(p)) {
    region->Free(p, n);
  } else {
    ::munmap(p, PageRoundUp(n));
  }
}

size_t LargeMemoryHoles() { return CurrentRegion().holes(); }

void SetLargeMemoryHugePages(bool on) {
  if (on) {
    HugeRegion();  // made before any buffer can be placed in it
    use_huge_pages_ever.store(true, std::memory_order_release);
  }
  use_huge_pages.store(on, std::memory_order_release);
}

size_t LargeMemoryHugeSpans() {
  return use_huge_pages_ever.load(std::memory_order_acquire) ? HugeRegion().huge_spans() : 0;
}

}  // namespace strata
