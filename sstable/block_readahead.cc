#include "sstable/block_readahead.h"

#include <algorithm>

namespace strata {

void BlockReadahead::Moved(int direction) {
  if (direction != 0 && direction == direction_) {
    steps_++;
    return;
  }
  direction_ = direction;
  steps_ = direction != 0 ? 1 : 0;
  auto_size_ = kInitialAutoSize;
}

Status BlockReadahead::Get(const RandomAccessFile& file, uint64_t blocks_end,
                           const BlockHandle& handle, std::string_view* bytes, bool* found) {
  *found = false;
  if (!BlockFitsBefore(handle, blocks_end)) return Status::OK();  // ReadBlock names the damage
  const uint64_t n = handle.size + kBlockTrailerSize;
  if (!Holds(handle.offset, n)) {
    if (file.IsMemoryMapped()) return Status::OK();
    size_t size = fixed_size_;
    if (size == 0) {
      if (steps_ < kStepsBeforeReadahead) return Status::OK();
      size = auto_size_;
      auto_size_ = std::min(auto_size_ * 2, kMaxAutoSize);
    }
    size = std::max<uint64_t>(size, n);
    // Forward (or a fixed window after a seek): from the block on. Backward: the window that
    // ends with the block.
    uint64_t start;
    if (direction_ < 0) {
      start = handle.offset + n > size ? handle.offset + n - size : 0;
    } else {
      start = handle.offset;
    }
    const size_t len = static_cast<size_t>(std::min<uint64_t>(size, blocks_end - start));
    if (buffer_capacity_ < len) {
      buffer_ = std::make_unique_for_overwrite<char[]>(len);
      buffer_capacity_ = len;
    }
    window_ = {};
    std::string_view got;
    // A failed window read is not reported: the block read alone reports its own failure, so
    // an error in bytes the scan never needed (past its bound, say) does not end it.
    if (!file.Read(start, len, &got, buffer_.get()).ok()) return Status::OK();
    fills_++;
    window_offset_ = start;
    window_ = got;
    if (!Holds(handle.offset, n)) return Status::OK();  // cut short: let the block read say so
  }
  *bytes = window_.substr(static_cast<size_t>(handle.offset - window_offset_), n);
  *found = true;
  return Status::OK();
}

}  // namespace strata
