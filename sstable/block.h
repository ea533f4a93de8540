// Block: an immutable, uncompressed block in memory (layout in sstable/block_builder.h), and
// BlockIter, the iterator over its entries.
//
// A block's bytes are untrusted: the restart array is validated when the Block is built, and
// every entry is bounds-checked as it is decoded. Damage makes the iterator invalid with a
// Corruption status (until the next Init), never an out-of-bounds read.
//
// Reading allocates nothing per entry: a key stored whole (shared == 0, e.g. at every restart
// point) is a view into the block; a prefix-compressed key is assembled in a buffer owned by
// the iterator, inline for keys up to BlockKeyBuffer::kInlineSize bytes and reused otherwise.
//
// Seek binary-searches the restart points for the last one whose key is before the target,
// then scans forward. A block kept in memory for long (a table's index) may carry
// RestartHints, which narrow that search without reading the entries. Prev goes back to the restart
// point before the current entry and scans forward to the entry just before it (blocks store no
// backward links).
//
// Thread safety: a Block is immutable and may be read by many iterators at once; one thread
// at a time per BlockIter. Lifetime: the block (and the comparator) must outlive its
// iterators, and key()/value() views last until the iterator moves.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sstable/format.h"
#include "sstable/restart_hints.h"
#include "strata/comparator.h"
#include "strata/iterator.h"
#include "strata/status.h"

namespace strata {

class Block {
 public:
  explicit Block(BlockContents contents);
  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;

  // The uncompressed contents, restart array included.
  std::string_view contents() const { return data_; }
  size_t size() const { return data_.size(); }
  // True if the block holds its bytes on the heap; false if they are the file's (mapped).
  bool owns_contents() const { return static_cast<bool>(heap_); }
  // The memory the block holds: what a cache should charge for it.
  size_t memory_usage() const { return sizeof(Block) + heap_.capacity() + hints_memory_usage(); }
  // Builds RestartHints for Seek. REQUIRES: the block's keys are ordered bytewise, and no
  // iterator is using the block yet. A damaged block gets none (its iterators report the
  // damage as before). Worth it only for a block searched many times.
  void AddRestartHints();
  // What the hints hold on the heap; 0 without hints.
  size_t hints_memory_usage() const { return hints_ ? hints_->memory_usage() : 0; }
  // False if the restart array is damaged (every iterator then reports Corruption).
  bool ok() const { return ok_; }
  uint32_t num_restarts() const { return num_restarts_; }

 private:
  friend class BlockIter;

  std::string_view data_;
  BlockBuffer heap_;              // owns data_ unless the file does
  uint32_t restarts_offset_ = 0;  // where the entries end and the restart array begins
  uint32_t num_restarts_ = 0;
  bool ok_ = false;
  std::unique_ptr<const RestartHints> hints_;  // null unless AddRestartHints found none damaged
};

// Holds one key: inline up to kInlineSize bytes, else in a heap buffer kept for reuse.
class BlockKeyBuffer {
 public:
  static constexpr size_t kInlineSize = 120;

  BlockKeyBuffer() = default;
  BlockKeyBuffer(const BlockKeyBuffer&) = delete;
  BlockKeyBuffer& operator=(const BlockKeyBuffer&) = delete;

  // Makes the buffer hold prev[0, shared) followed by rest and returns it. prev may be the
  // buffer's own current contents. REQUIRES: shared <= prev.size().
  std::string_view Assemble(std::string_view prev, size_t shared, std::string_view rest);

 private:
  char* data_ = inline_;
  size_t capacity_ = kInlineSize;
  std::unique_ptr<char[]> heap_;
  char inline_[kInlineSize];
};

class BlockIter final : public Iterator {
 public:
  // Over nothing (invalid, OK) until Init.
  BlockIter() = default;
  BlockIter(const Comparator* comparator, const Block* block) { Init(comparator, block); }

  // Points the iterator at block (unpositioned). Status becomes Corruption if the block is
  // damaged, else OK.
  void Init(const Comparator* comparator, const Block* block);
  // Back to iterating over nothing, status OK.
  void Clear();

  bool Valid() const override { return current_ < restarts_; }
  void SeekToFirst() override;
  void SeekToLast() override;
  void Seek(std::string_view target) override;
  void SeekForPrev(std::string_view target) override;
  void Next() override;
  void Prev() override;
  std::string_view key() const override { return key_; }
  std::string_view value() const override { return value_; }
  Status status() const override { return status_; }
  bool status_ok() const { return status_.ok(); }

 private:
  uint32_t RestartPoint(uint32_t index) const;
  // RestartPoint from the hints when the block has them (no cache miss in the block).
  uint32_t RestartOffset(uint32_t index) const;
  void SeekToRestartPoint(uint32_t index);
  // Decodes the entry at next_; false at the end of the entries or on damage.
  bool ParseNextEntry();
  void MarkCorrupt();
  void MarkInvalid();

  // Prev decodes the restart interval before the current entry from its start; it keeps
  // every entry it decoded so that the Prevs that follow within the interval step back
  // without decoding again (reverse scans would otherwise decode each interval ~8 times).
  struct DecodedEntry {
    uint32_t offset, next;          // as current_, next_
    uint32_t key_offset, key_size;  // in prev_keys_
    uint32_t value_offset, value_size;
  };
  void PositionAtDecoded(size_t i);

  const Comparator* comparator_ = nullptr;
  const RestartHints* hints_ = nullptr;  // the block's, if any
  const char* data_ = nullptr;
  uint32_t restarts_ = 0;       // offset of the restart array; current_ == restarts_: invalid
  uint32_t num_restarts_ = 0;   // 0: nothing to iterate
  uint32_t current_ = 0;        // offset of the current entry
  uint32_t next_ = 0;           // offset just past the current entry
  uint32_t restart_index_ = 0;  // the restart block holding the current entry
  uint32_t next_restart_ = 0;   // where restart block restart_index_ + 1 starts (or restarts_)
  std::string_view key_;
  std::string_view value_;
  Status status_;
  BlockKeyBuffer key_buffer_;
  std::vector<DecodedEntry> decoded_;  // of one restart interval, for Prev; reused
  std::string prev_keys_;              // their keys
  size_t decoded_pos_ = 0;             // decoded_[decoded_pos_] is the current entry, if valid
  bool decoded_valid_ = false;         // decoded_ describes the block being iterated
};

}  // namespace strata
