// BlockReadahead: one table iterator's read-ahead window, so a scan of a table read with
// pread costs one system call per window instead of one per block.
//
// The iterator reports every move to a block (a step forward, a step back, or a jump) and
// asks the window for the bytes of each block that missed the block cache. A fixed size
// (ReadOptions::readahead_size > 0, and compaction's inputs) reads ahead from the first miss.
// Automatic mode (size 0) waits for kStepsBeforeReadahead steps in one direction, then reads
// kInitialAutoSize bytes, doubling at each refill up to kMaxAutoSize; a jump or a change of
// direction starts over. Backward scans read the window that ends at the block, so a reverse
// scan is served as well as a forward one. A mapped file gets no window: its reads cost
// no system call.
//
// Errors: none of its own. A window read that fails or comes back short (a truncated file),
// or a damaged handle, leaves the block to be read alone, which reports the failure or names
// the damage.
//
// Memory: the window's buffer, up to kMaxAutoSize (or the fixed size), lives as long as the
// iterator.
//
// Thread safety: one thread at a time, like the iterator that owns it. Every call must pass
// the same file: the window is known by its offsets alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "sstable/format.h"
#include "strata/file_system.h"
#include "strata/status.h"

namespace strata {

class BlockReadahead {
 public:
  static constexpr int kStepsBeforeReadahead = 2;
  static constexpr size_t kInitialAutoSize = 16 * 1024;
  static constexpr size_t kMaxAutoSize = 256 * 1024;

  // fixed_size: the window's size, or 0 for automatic.
  explicit BlockReadahead(size_t fixed_size) : fixed_size_(fixed_size) {}
  BlockReadahead(const BlockReadahead&) = delete;
  BlockReadahead& operator=(const BlockReadahead&) = delete;

  // The iterator moved to another block: direction +1 (the next block), -1 (the previous) or
  // 0 (a seek).
  void Moved(int direction);

  // For the block at handle, which missed the cache: sets *found, and then *bytes to the
  // block's contents and trailer, if the window holds them (refilled first if a read-ahead is
  // due); otherwise *found is false, *bytes untouched, and the caller reads the block alone.
  // blocks_end: where the table's blocks end (no window reaches past it). A view into the
  // window lasts until the next call. Always returns OK (see "Errors").
  Status Get(const RandomAccessFile& file, uint64_t blocks_end, const BlockHandle& handle,
             std::string_view* bytes, bool* found);

  // How many times the window was filled from the file (for tests and statistics).
  uint64_t fills() const { return fills_; }
  // Steps in one direction since the last jump or change of direction (the iterator treats
  // long scans' blocks differently in the cache).
  int steps() const { return steps_; }

 private:
  bool Holds(uint64_t offset, uint64_t n) const {
    return window_.data() != nullptr && offset >= window_offset_ &&
           offset + n <= window_offset_ + window_.size();
  }

  const size_t fixed_size_;
  int direction_ = 0;                    // of the current run of steps
  int steps_ = 0;                        // steps in that direction since the last jump
  size_t auto_size_ = kInitialAutoSize;  // the next automatic window's size
  std::unique_ptr<char[]> buffer_;
  size_t buffer_capacity_ = 0;
  uint64_t window_offset_ = 0;
  std::string_view window_;  // the bytes read, at window_offset_ in the file
  uint64_t fills_ = 0;
};

}  // namespace strata
