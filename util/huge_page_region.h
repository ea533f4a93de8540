// HugePageRegion: one reserved stretch of address space from which long-lived large buffers
// (tables' filters and index blocks, through util/large_memory.h) are carved side by side, so
// that the 2 MiB-aligned spans they wholly cover can be backed by huge pages.
//
// Why: at 100 M keys the filters and indexes of the open tables take about 100 MB, and every
// Get probes them at random addresses. In 4 KiB pages nearly each probe also misses the TLB
// and walks the page tables. A buffer mapped on its own (1 to 2 MB for a 64 MiB table) never
// holds an aligned 2 MiB span; buffers packed in one region do.
//
// Only spans wholly inside live buffers are collapsed into huge pages (MADV_COLLAPSE, asked
// for once per span), so a huge page never holds memory nobody uses; the region is not
// advised MADV_HUGEPAGE, so the kernel's background collapsing (which would fill a span's
// unused pages) leaves it alone. A kernel without MADV_COLLAPSE (before Linux 6.1) just gives
// 4 KiB pages. Freed pages go back to the system at once (MADV_DONTNEED). A huge page that
// is partly freed is split by the kernel: its freed part leaves the process's resident set at
// once, and the kernel reclaims the memory itself when it needs it (deferred split).
//
// Placement is first fit from the lowest address, in whole pages; free neighbours merge.
//
// Thread safety: any thread may call any method; a mutex guards the free list, taken once
// per Allocate and Free (a table's open and close), never on a read of the memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace strata {

class HugePageRegion {
 public:
  // Reserves `bytes` of address space (rounded up to kHugePageSize), committing no memory;
  // reserved() is 0 if the system refused (e.g. a limit on address space).
  explicit HugePageRegion(size_t bytes);
  // REQUIRES: every buffer freed (the process-wide region is never destroyed).
  ~HugePageRegion();

  HugePageRegion(const HugePageRegion&) = delete;
  HugePageRegion& operator=(const HugePageRegion&) = delete;

  // At least n bytes (n > 0), page-aligned, zero-filled on first use; null if no free
  // stretch of the region is large enough (the caller finds memory elsewhere).
  char* Allocate(size_t n);
  // Frees what Allocate(n) returned. REQUIRES: Contains(p).
  void Free(char* p, size_t n);

  bool Contains(const char* p) const { return p >= base_ && p < base_ + reserved_; }
  size_t reserved() const { return reserved_; }

  // Bytes of live buffers, in whole pages.
  size_t allocated_bytes() const;
  // The spans collapsed into huge pages and still wholly in live buffers.
  size_t huge_spans() const;
  // False once the kernel has said it does not collapse on request (too old, or huge pages
  // turned off), after which no span is asked again.
  bool collapse_supported() const;

 private:
  size_t Pages(size_t n) const;
  // Asks for a huge page behind each span overlapping [offset, offset + length) that is now
  // wholly allocated.
  void CollapseCovered(size_t offset, size_t length) REQUIRES(mu_);
  bool WhollyAllocated(size_t span_offset) const REQUIRES(mu_);

  char* base_ = nullptr;
  size_t reserved_ = 0;

  mutable Mutex mu_;
  // Free runs below top_, by offset: offset -> length, never two adjacent.
  std::map<size_t, size_t> free_ GUARDED_BY(mu_);
  size_t top_ GUARDED_BY(mu_) = 0;  // everything at or above is free
  size_t allocated_ GUARDED_BY(mu_) = 0;
  std::vector<bool> huge_ GUARDED_BY(mu_);  // one a span: collapsed and not freed since
  bool collapse_supported_ GUARDED_BY(mu_) = true;
};

}  // namespace strata
