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

HugePageRegion::HugePageRegion(size_t bytes) {
  const size_t rounded = (bytes + kHugePageSize - 1) / kHugePageSize * kHugePageSize;
  if (rounded == 0) return;
  base_ = MapHugePageAligned(rounded, MAP_NORESERVE);
  if (base_ == nullptr) return;
  reserved_ = rounded;
  MutexLock l(&mu_);
  huge_.assign(reserved_ / kHugePageSize, false);
}

HugePageRegion::~HugePageRegion() {
  if (base_ != nullptr) ::munmap(base_, reserved_);
}

size_t HugePageRegion::Pages(size_t n) const {
  const size_t page = PageSize();
  return (n + page - 1) / page * page;
}

char* HugePageRegion::Allocate(size_t n) {
  assert(n > 0);
  if (reserved_ == 0 || n > reserved_) return nullptr;
  const size_t length = Pages(n);
  MutexLock l(&mu_);
  size_t offset = top_;
  auto fit = std::find_if(free_.begin(), free_.end(),
                          [length](const auto& run) { return run.second >= length; });
  if (fit != free_.end()) {
    offset = fit->first;
    const size_t left = fit->second - length;
    free_.erase(fit);
    if (left > 0) free_.emplace(offset + length, left);
  } else if (reserved_ - top_ >= length) {
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
  size_t offset = static_cast<size_t>(p - base_);
  size_t length = Pages(n);
  MutexLock l(&mu_);
  // Back to the system, under the lock: a span holding these pages may be collapsing on
  // another thread, which would otherwise copy them into its huge page after they went back.
  ::madvise(p, length, MADV_DONTNEED);
  allocated_ -= length;
  for (size_t s = offset / kHugePageSize; s * kHugePageSize < offset + length; s++) {
    huge_[s] = false;
  }
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
    if (!collapse_supported_) return;
    const size_t span = s * kHugePageSize;
    if (huge_[s] || !WhollyAllocated(span)) continue;
    // A span nobody has touched has no page table, and the kernel refuses to collapse that
    // (EINVAL, the answer an old kernel gives too); a read maps the zero page and makes one.
    (void)*static_cast<volatile const char*>(base_ + span);
    if (::madvise(base_ + span, kHugePageSize, kMadviseCollapse) == 0) {
      huge_[s] = true;
    } else if (errno == EINVAL || errno == EPERM) {
      collapse_supported_ = false;  // not this kernel, or huge pages turned off
    }
    // Otherwise (no contiguous memory free just now) the span is asked again when another
    // allocation touches it.
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

size_t HugePageRegion::huge_spans() const {
  MutexLock l(&mu_);
  return static_cast<size_t>(std::count(huge_.begin(), huge_.end(), true));
}

bool HugePageRegion::collapse_supported() const {
  MutexLock l(&mu_);
  return collapse_supported_;
}

}  // namespace strata
