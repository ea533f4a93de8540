#include "util/huge_page_region.h"

#include <sys/mman.h>

#include <algorithm>
#include <cassert>
#include <cerrno>

#include "util/page_size.h"

namespace strata {
namespace {

#if defined(__linux__)
// Linux's number for it (uapi mman-common.h), which C libraries of 2022 do not name yet. A
// kernel without it (before 6.1) answers EINVAL, and the region then stops asking.
constexpr int kMadviseCollapse = 25;
#endif

}  // namespace

HugePageRegion::HugePageRegion(size_t bytes, bool collapse) : collapse_(collapse) {
  const size_t rounded = (bytes + kHugePageSize - 1) / kHugePageSize * kHugePageSize;
  if (rounded == 0) return;
  // Inaccessible address space costs no commit charge, even where the system does not
  // overcommit (which ignores MAP_NORESERVE); pages become usable as the top rises (Commit).
  base_ = MapHugePageAligned(rounded, PROT_NONE, MAP_NORESERVE);
  if (base_ == nullptr) return;
  reserved_ = rounded;
#if defined(__linux__) && defined(MADV_NOHUGEPAGE)
  if (!collapse_) ::madvise(base_, reserved_, MADV_NOHUGEPAGE);
#endif
  MutexLock l(&mu_);
  huge_.assign(reserved_ / kHugePageSize, false);
}

HugePageRegion::~HugePageRegion() {
  if (base_ != nullptr) ::munmap(base_, reserved_);
}

bool HugePageRegion::Commit(size_t end) {
  if (end <= committed_) return true;
  // In whole spans, so that a span is usable whole before it may be collapsed.
  const size_t new_committed =
      std::min(reserved_, (end + kHugePageSize - 1) / kHugePageSize * kHugePageSize);
  if (::mprotect(base_ + committed_, new_committed - committed_, PROT_READ | PROT_WRITE) != 0) {
    return false;  // the system will not commit more: the caller maps the buffer on its own
  }
  committed_ = new_committed;
  return true;
}

char* HugePageRegion::Allocate(size_t n) {
  assert(n > 0);
  if (reserved_ == 0 || n > reserved_) return nullptr;
  const size_t length = PageRoundUp(n);
  MutexLock l(&mu_);
  size_t offset = top_;
  // Freed pages a huge page still holds first (they cost no new memory), then first fit.
  auto fit = free_.end();
  auto first_fit = free_.end();
  for (auto run = free_.begin(); run != free_.end(); ++run) {
    if (run->second < length) continue;
    if (first_fit == free_.end()) first_fit = run;
    if (huge_[run->first / kHugePageSize]) {
      fit = run;
      break;
    }
  }
  if (fit == free_.end()) fit = first_fit;
  if (fit != free_.end()) {
    offset = fit->first;
    const size_t left = fit->second - length;
    free_.erase(fit);
    if (left > 0) free_.emplace(offset + length, left);
  } else if (reserved_ - top_ >= length && Commit(top_ + length)) {
    top_ += length;
  } else {
    return nullptr;
  }
  allocated_ += length;
  CollapseCovered(offset, length);
  return base_ + offset;
}

void HugePageRegion::Free(char* p, size_t n) {
  assert(Contains(p));
  const size_t freed_offset = static_cast<size_t>(p - base_);
  const size_t freed_length = PageRoundUp(n);
  MutexLock l(&mu_);
  // A buffer freed with another size than it was allocated with would free its neighbours.
  assert(freed_offset % PageSize() == 0);
  assert(freed_offset + freed_length <= top_);
  assert(freed_length <= allocated_);
  allocated_ -= freed_length;
  // Pages in ordinary spans go back to the system now; pages in a huge span stay with it (see
  // the header) until the whole span is free. Under the lock: a span holding these pages may
  // be collapsing on another thread, which would otherwise copy them in after they went back.
  // One call for each stretch of ordinary spans (the whole buffer where none is huge).
  const size_t freed_end = freed_offset + freed_length;
  size_t give_from = freed_offset;
  for (size_t s = freed_offset / kHugePageSize; s * kHugePageSize < freed_end; s++) {
    const size_t span_end = std::min(freed_end, (s + 1) * kHugePageSize);
    if (huge_[s]) {
      if (give_from < s * kHugePageSize) {
        ::madvise(base_ + give_from, s * kHugePageSize - give_from, MADV_DONTNEED);
      }
      give_from = span_end;
    }
  }
  if (give_from < freed_end) ::madvise(base_ + give_from, freed_end - give_from, MADV_DONTNEED);

  size_t offset = freed_offset;
  size_t length = freed_length;
  auto next = free_.lower_bound(offset);
  if (next != free_.begin()) {
    auto prev = std::prev(next);
    if (prev->first + prev->second == offset) {
      offset = prev->first;
      length += prev->second;
      free_.erase(prev);
    }
  }
  if (next != free_.end() && offset + length == next->first) {
    length += next->second;
    free_.erase(next);
  }
  if (offset + length == top_) {
    top_ = offset;  // the run ends at the top: the top comes down instead
  } else {
    free_.emplace(offset, length);
  }

  // Huge spans the freed pages left wholly free go back whole: a huge page unmapped entirely
  // is freed at once, with no split.
  for (size_t s = freed_offset / kHugePageSize; s * kHugePageSize < freed_end; s++) {
    const size_t span = s * kHugePageSize;
    const bool wholly_free =
        span >= top_ || (span >= offset && span + kHugePageSize <= offset + length);
    if (huge_[s] && wholly_free) {
      ::madvise(base_ + span, kHugePageSize, MADV_DONTNEED);
      huge_[s] = false;
    }
  }
}

bool HugePageRegion::WhollyAllocated(size_t span_offset) const {
  const size_t span_end = span_offset + kHugePageSize;
  if (span_end > top_) return false;
  // The free run starting at or after the span's start, and the one before it.
  auto next = free_.lower_bound(span_offset);
  if (next != free_.end() && next->first < span_end) return false;
  if (next != free_.begin()) {
    auto prev = std::prev(next);
    if (prev->first + prev->second > span_offset) return false;
  }
  return true;
}

void HugePageRegion::CollapseCovered(size_t offset, size_t length) {
#if defined(__linux__)
  for (size_t s = offset / kHugePageSize; s * kHugePageSize < offset + length; s++) {
    if (!collapse_ || !collapse_supported_) return;
    const size_t span = s * kHugePageSize;
    if (huge_[s] || !WhollyAllocated(span)) continue;
    // The kernel collapses only a span with a page written (else EINVAL, the answer an old
    // kernel gives too); the new buffer's first page in the span is the caller's to write.
    base_[std::max(offset, span)] = 0;
    if (::madvise(base_ + span, kHugePageSize, kMadviseCollapse) == 0) {
      huge_[s] = true;
      collapsed_any_ = true;
    } else if ((errno == EINVAL || errno == EPERM) && !collapsed_any_ && ++refusals_ >= 3) {
      collapse_supported_ = false;  // not this kernel, or huge pages turned off
    }
    // Otherwise (no contiguous memory free just now) the span stays in 4 KiB pages until a
    // buffer in it is freed and the span is wholly filled again.
  }
#else
  (void)offset;
  (void)length;
  collapse_supported_ = false;
#endif
}

size_t HugePageRegion::allocated_bytes() const {
  MutexLock l(&mu_);
  return allocated_;
}

size_t HugePageRegion::holes() const {
  MutexLock l(&mu_);
  return free_.size();
}

size_t HugePageRegion::huge_spans() const {
  MutexLock l(&mu_);
  return static_cast<size_t>(std::count(huge_.begin(), huge_.end(), true));
}

}  // namespace strata
