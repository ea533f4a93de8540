#include "sstable/block.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "util/coding.h"

namespace strata {
namespace {

// Decodes an entry header at p; returns where its key bytes start, or nullptr if the header
// is malformed or the entry runs past limit.
inline const char* DecodeEntry(const char* p, const char* limit, uint32_t* shared,
                               uint32_t* non_shared, uint32_t* value_size) {
  if (limit - p < 3) return nullptr;
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  *shared = u[0];
  *non_shared = u[1];
  *value_size = u[2];
  if ((*shared | *non_shared | *value_size) < 128) {
    p += 3;  // the usual case: three one-byte varints
  } else {
    if ((p = GetVarint32Ptr(p, limit, shared)) == nullptr) return nullptr;
    if ((p = GetVarint32Ptr(p, limit, non_shared)) == nullptr) return nullptr;
    if ((p = GetVarint32Ptr(p, limit, value_size)) == nullptr) return nullptr;
  }
  if (static_cast<uint64_t>(limit - p) < static_cast<uint64_t>(*non_shared) + *value_size) {
    return nullptr;
  }
  return p;
}

}  // namespace

Block::Block(BlockContents contents) : data_(contents.data), heap_(std::move(contents.heap)) {
  const size_t size = data_.size();
  if (size < 4 || size > UINT32_MAX) return;
  const uint32_t n = DecodeFixed32(data_.data() + size - 4);
  if (n == 0 || n > (size - 4) / 4) return;
  const uint32_t restarts_offset = static_cast<uint32_t>(size - 4 - 4 * static_cast<size_t>(n));
  // Restart points: the first at 0, strictly increasing, each the start of an entry (so before
  // the restart array); an empty block has just the one at 0.
  const char* array = data_.data() + restarts_offset;
  uint32_t prev = 0;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t r = DecodeFixed32(array + 4 * static_cast<size_t>(i));
    if (i == 0 ? r != 0 : r <= prev) return;
    if (r >= restarts_offset && restarts_offset != 0) return;
    prev = r;
  }
  if (restarts_offset == 0 && n != 1) return;
  restarts_offset_ = restarts_offset;
  num_restarts_ = n;
  ok_ = true;
}

void Block::AddRestartHints() {
  if (!ok_ || hints_ || restarts_offset_ == 0) return;  // damaged, done, or empty
  std::vector<std::string_view> keys;
  std::vector<uint32_t> offsets;
  keys.reserve(num_restarts_);
  offsets.reserve(num_restarts_);
  const char* limit = data_.data() + restarts_offset_;
  for (uint32_t i = 0; i < num_restarts_; i++) {
    const uint32_t offset =
        DecodeFixed32(data_.data() + restarts_offset_ + 4 * static_cast<size_t>(i));
    uint32_t shared, non_shared, value_size;
    const char* p = DecodeEntry(data_.data() + offset, limit, &shared, &non_shared, &value_size);
    if (p == nullptr || shared != 0) return;
    keys.emplace_back(p, non_shared);
    offsets.push_back(offset);
  }
  hints_ = RestartHints::Build(keys, std::move(offsets));
}

std::string_view BlockKeyBuffer::Assemble(std::string_view prev, size_t shared,
                                          std::string_view rest) {
  assert(shared <= prev.size());
  const bool prev_is_buffer = prev.data() == data_;
  const size_t n = shared + rest.size();
  if (n > capacity_) {
    size_t capacity = std::max(n, 2 * capacity_);
    auto heap = std::make_unique_for_overwrite<char[]>(capacity);
    if (prev_is_buffer && shared > 0) std::memcpy(heap.get(), data_, shared);
    heap_ = std::move(heap);
    data_ = heap_.get();
    capacity_ = capacity;
  }
  // A prefix that is the buffer's own contents is already in place.
  if (!prev_is_buffer && shared > 0) std::memcpy(data_, prev.data(), shared);
  if (!rest.empty()) std::memcpy(data_ + shared, rest.data(), rest.size());
  return std::string_view(data_, n);
}

void BlockIter::Init(const Comparator* comparator, const Block* block) {
  comparator_ = comparator;
  key_ = {};
  value_ = {};
  decoded_valid_ = false;
  hints_ = nullptr;
  if (block->ok()) {
    hints_ = block->hints_.get();
    data_ = block->data_.data();
    restarts_ = block->restarts_offset_;
    num_restarts_ = block->num_restarts_;
    status_ = Status::OK();
  } else {
    data_ = nullptr;
    restarts_ = 0;
    num_restarts_ = 0;
    status_ = Status::Corruption("malformed block restart array");
  }
  current_ = restarts_;
  next_ = restarts_;
  restart_index_ = num_restarts_;
  next_restart_ = restarts_;
}

void BlockIter::Clear() {
  hints_ = nullptr;
  data_ = nullptr;
  restarts_ = num_restarts_ = current_ = next_ = restart_index_ = next_restart_ = 0;
  decoded_valid_ = false;
  key_ = {};
  value_ = {};
  status_ = Status::OK();
}

inline uint32_t BlockIter::RestartPoint(uint32_t index) const {
  return DecodeFixed32(data_ + restarts_ + 4 * static_cast<size_t>(index));
}

inline uint32_t BlockIter::RestartOffset(uint32_t index) const {
  return hints_ != nullptr ? hints_->offset(index) : RestartPoint(index);
}

inline void BlockIter::SeekToRestartPoint(uint32_t index) {
  key_ = {};  // an entry at a restart point must not share a prefix
  restart_index_ = index;
  next_ = RestartOffset(index);
  next_restart_ = index + 1 < num_restarts_ ? RestartOffset(index + 1) : restarts_;
}

void BlockIter::MarkInvalid() {
  current_ = next_ = next_restart_ = restarts_;
  restart_index_ = num_restarts_;
  key_ = {};
  value_ = {};
}

void BlockIter::MarkCorrupt() {
  MarkInvalid();
  // Sticky: with no restart points every later seek leaves the iterator invalid, so it never
  // shows entries while status() reports the damage.
  num_restarts_ = 0;
  restart_index_ = 0;
  if (status_.ok()) status_ = Status::Corruption("malformed block entry");
}

inline bool BlockIter::ParseNextEntry() {
  current_ = next_;
  if (current_ >= restarts_) {
    MarkInvalid();
    return false;
  }
  const char* limit = data_ + restarts_;
  uint32_t shared, non_shared, value_size;
  const char* p = DecodeEntry(data_ + current_, limit, &shared, &non_shared, &value_size);
  if (p == nullptr || shared > key_.size()) {
    MarkCorrupt();
    return false;
  }
  if (shared == 0) {
    key_ = std::string_view(p, non_shared);
  } else {
    key_ = key_buffer_.Assemble(key_, shared, std::string_view(p, non_shared));
  }
  value_ = std::string_view(p + non_shared, value_size);
  next_ = static_cast<uint32_t>(p + non_shared + value_size - data_);
  while (current_ >= next_restart_) {  // into the next restart interval
    restart_index_++;
    next_restart_ =
        restart_index_ + 1 < num_restarts_ ? RestartOffset(restart_index_ + 1) : restarts_;
  }
  return true;
}

void BlockIter::SeekToFirst() {
  if (num_restarts_ == 0) return;
  SeekToRestartPoint(0);
  ParseNextEntry();
}

void BlockIter::SeekToLast() {
  if (num_restarts_ == 0) return;
  SeekToRestartPoint(num_restarts_ - 1);
  while (ParseNextEntry() && next_ < restarts_) {
  }
}

void BlockIter::Seek(std::string_view target) {
  if (num_restarts_ == 0) return;
  // Find the last restart point whose key is before target (or the first one).
  uint32_t left = 0;
  uint32_t right = num_restarts_ - 1;
  if (hints_ != nullptr) hints_->Narrow(target, &left, &right);
  const char* limit = data_ + restarts_;
  while (left < right) {
    uint32_t mid = left + (right - left + 1) / 2;
    uint32_t shared, non_shared, value_size;
    const char* p =
        DecodeEntry(data_ + RestartOffset(mid), limit, &shared, &non_shared, &value_size);
    if (p == nullptr || shared != 0) {
      MarkCorrupt();
      return;
    }
    if (comparator_->Compare(std::string_view(p, non_shared), target) < 0) {
      left = mid;
    } else {
      right = mid - 1;
    }
  }
  SeekToRestartPoint(left);
  while (ParseNextEntry()) {
    if (comparator_->Compare(key_, target) >= 0) return;
  }
}

void BlockIter::SeekForPrev(std::string_view target) {
  Seek(target);
  if (!Valid()) {
    if (status_.ok()) SeekToLast();  // every key is before target
  } else if (comparator_->Compare(key_, target) > 0) {
    Prev();
  }
}

void BlockIter::Next() {
  assert(Valid());
  ParseNextEntry();
}

void BlockIter::Prev() {
  assert(Valid());
  if (decoded_valid_ && decoded_pos_ > 0 && decoded_pos_ < decoded_.size() &&
      decoded_[decoded_pos_].offset == current_) {
    PositionAtDecoded(decoded_pos_ - 1);
    return;
  }
  const uint32_t original = current_;
  while (RestartPoint(restart_index_) >= original) {
    if (restart_index_ == 0) {  // the first entry: nothing before it
      MarkInvalid();
      return;
    }
    restart_index_--;
  }
  SeekToRestartPoint(restart_index_);
  decoded_.clear();
  prev_keys_.clear();
  decoded_valid_ = false;
  while (ParseNextEntry()) {
    decoded_.push_back({current_, next_, static_cast<uint32_t>(prev_keys_.size()),
                        static_cast<uint32_t>(key_.size()),
                        static_cast<uint32_t>(value_.data() - data_),
                        static_cast<uint32_t>(value_.size())});
    prev_keys_.append(key_);
    if (next_ >= original) break;
  }
  if (!Valid()) return;  // damage: ParseNextEntry marked it
  decoded_valid_ = true;
  decoded_pos_ = decoded_.size() - 1;
}

void BlockIter::PositionAtDecoded(size_t i) {
  const DecodedEntry& e = decoded_[i];
  decoded_pos_ = i;
  current_ = e.offset;
  next_ = e.next;
  key_ = std::string_view(prev_keys_.data() + e.key_offset, e.key_size);
  value_ = std::string_view(data_ + e.value_offset, e.value_size);
}

}  // namespace strata
