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
// for once per span), so a huge page never starts out holding memory nobody uses; the region
// is not advised MADV_HUGEPAGE, so where huge pages are "madvise" (Debian's and Ubuntu's
// default) the kernel's background collapsing, which would fill a span's unused pages, leaves
// it alone. Where they are "always", the kernel may also fault or collapse huge pages into
// spans only partly used, which this region neither asked for nor counts (it cannot refuse
// them with MADV_NOHUGEPAGE, which MADV_COLLAPSE obeys too). A kernel without MADV_COLLAPSE
// (before Linux 6.1) just gives 4 KiB pages.
//
// Freed pages of an ordinary span go back to the system at once (MADV_DONTNEED). Freed pages
// of a huge span stay resident, inside the huge page, until the whole span is free, when it
// goes back whole; meanwhile they serve the next buffers placed there (tables close and open
// all the time). Giving back part of a huge page would split it, and the kernel frees the
// split-off part only under memory pressure: memory the process no longer counts in its
// resident set but the system still holds. Kept resident, it stays counted.
//
// Placement is in whole pages: into the lowest free run that starts inside a huge page, if one
// is large enough (its memory is already there), else first fit from the lowest address; free
// neighbours merge.
//
// Thread safety: any thread may call any method; a mutex guards the free list, taken once
// per Allocate and Free (of large buffers: a table's filter and index at its open and close,
// a block of 128 KiB or more), never on a read of the memory. A collapse runs under it and
// may wait for the kernel to compact memory for a huge page.
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
  // reserved() is 0 if the system refused (e.g. a limit on address space). Without
  // `collapse` the region is plain 4 KiB pages, each freed page going back at once, and is
  // advised MADV_NOHUGEPAGE, so that a kernel whose huge pages are "always" on gives it none
  // either (its fault would fill a 2 MiB page a buffer only partly uses).
  explicit HugePageRegion(size_t bytes, bool collapse = true);
  // REQUIRES: every buffer freed (the process-wide region is never destroyed).
  ~HugePageRegion();

  HugePageRegion(const HugePageRegion&) = delete;
  HugePageRegion& operator=(const HugePageRegion&) = delete;

  // At least n bytes (n > 0), page-aligned, of unspecified contents; null if no free stretch
  // of the region is large enough (the caller finds memory elsewhere).
  char* Allocate(size_t n);
  // Frees what Allocate(n) returned. REQUIRES: Contains(p).
  void Free(char* p, size_t n);

  bool Contains(const char* p) const { return p >= base_ && p < base_ + reserved_; }
  size_t reserved() const { return reserved_; }

  // Bytes of live buffers, in whole pages.
  size_t allocated_bytes() const;
  // Free runs between live buffers: holes that keep the spans around them from becoming
  // huge pages until they are filled.
  size_t holes() const;
  // The spans collapsed into huge pages, not yet wholly freed.
  size_t huge_spans() const;

 private:
  // Makes the region usable up to `end` (rounded up to a span); false if the system refused.
  bool Commit(size_t end) REQUIRES(mu_);
  // Asks for a huge page behind each span overlapping [offset, offset + length) that is now
  // wholly allocated.
  void CollapseCovered(size_t offset, size_t length) REQUIRES(mu_);
  bool WhollyAllocated(size_t span_offset) const REQUIRES(mu_);

  char* base_ = nullptr;
  size_t reserved_ = 0;

  mutable Mutex mu_;
  // Free runs below top_, by offset: offset -> length, never two adjacent.
  std::map<size_t, size_t> free_ GUARDED_BY(mu_);
  size_t top_ GUARDED_BY(mu_) = 0;        // everything at or above is free
  size_t committed_ GUARDED_BY(mu_) = 0;  // readable and writable below this; never lowered
  size_t allocated_ GUARDED_BY(mu_) = 0;
  std::vector<bool> huge_ GUARDED_BY(mu_);  // one a span: collapsed, not wholly freed since
  // Refused three times (EINVAL or EPERM) before any span was collapsed: not supported (too
  // old a kernel, or huge pages turned off), and no span is asked again.
  bool collapse_supported_ GUARDED_BY(mu_) = true;
  const bool collapse_;
  bool collapsed_any_ GUARDED_BY(mu_) = false;
  int refusals_ GUARDED_BY(mu_) = 0;
};

}  // namespace strata
