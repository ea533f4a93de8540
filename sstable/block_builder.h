// BlockBuilder: lays out the sorted entries of one block with shared-prefix key compression
// and restart points.
//
// Block layout (all within the block's contents, before its trailer):
//   entry*  |  restart offset: fixed32 * num_restarts  |  num_restarts: fixed32
//   entry:  shared: varint32 | non_shared: varint32 | value_size: varint32 |
//           key bytes after the shared prefix (non_shared) | value (value_size)
// Every restart_interval-th entry is a restart point: it stores its whole key (shared == 0)
// and its offset is listed in the restart array, so a reader can binary-search the restarts
// and decode forward from any of them. A block always has at least one restart (offset 0),
// so an empty block is just 8 bytes: restart 0 and a count of 1.
//
// Thread safety: one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata {

class BlockBuilder {
 public:
  // REQUIRES: restart_interval >= 1.
  explicit BlockBuilder(int restart_interval);
  BlockBuilder(const BlockBuilder&) = delete;
  BlockBuilder& operator=(const BlockBuilder&) = delete;

  // REQUIRES: key is after the previous key (the caller orders them); Finish not called
  // since the last Reset; key and value shorter than 4 GiB.
  void Add(std::string_view key, std::string_view value);

  // Appends the restart array and returns the complete block. The caller may append to the
  // returned buffer (e.g. the block trailer) before Reset. Valid until Reset or destruction.
  std::string& Finish();
  // Starts a new, empty block (keeps the buffers' capacity).
  void Reset();

  // The size of the block if finished now.
  size_t CurrentSizeEstimate() const { return buffer_.size() + 4 * restarts_.size() + 4; }
  bool empty() const { return buffer_.empty(); }
  size_t num_entries() const { return num_entries_; }

 private:
  const int restart_interval_;
  std::string buffer_;
  std::vector<uint32_t> restarts_;
  int counter_ = 0;  // entries since the last restart
  size_t num_entries_ = 0;
  bool finished_ = false;
  std::string last_key_;
};

}  // namespace strata
