#include "wal/log_writer.h"

#include <algorithm>
#include <cstring>

#include "util/checksum.h"
#include "util/coding.h"
#include "wal/log_format.h"

namespace strata {

namespace {

// A record larger than this leaves the writer holding a buffer of its size; past this bound
// the buffer is released after the write so one huge batch does not pin its memory forever.
constexpr size_t kMaxRetainedBuffer = 1 << 20;

constexpr char kZeros[kLogHeaderSize] = {};

}  // namespace

LogWriter::LogWriter(std::unique_ptr<WritableFile> file, uint64_t initial_offset)
    : file_(std::move(file)),
      block_offset_(initial_offset % kLogBlockSize),
      size_(initial_offset),
      file_size_(file_->Size()) {}

Status LogWriter::AddRecord(std::string_view record) {
  if (!error_.ok()) return error_;
  if (closed_) return Status::InvalidArgument("log writer: AddRecord after Close");

  // Upper bound on the encoded size: one header per started block plus a trailer's padding.
  const size_t max_fragments = record.size() / (kLogBlockSize - kLogHeaderSize) + 2;
  buffer_.clear();
  buffer_.reserve(record.size() + max_fragments * kLogHeaderSize + kLogHeaderSize);

  const char* ptr = record.data();
  size_t left = record.size();
  size_t block_offset = block_offset_;
  bool begin = true;
  do {
    const size_t leftover = kLogBlockSize - block_offset;
    if (leftover < kLogHeaderSize) {
      // No room for a header: zero the rest of the block so the reader can tell it from data.
      buffer_.append(kZeros, leftover);
      block_offset = 0;
    }
    const size_t avail = kLogBlockSize - block_offset - kLogHeaderSize;
    const size_t n = std::min(left, avail);
    const bool end = (n == left);
    LogRecordType type;
    if (begin && end) {
      type = LogRecordType::kFullType;
    } else if (begin) {
      type = LogRecordType::kFirstType;
    } else if (end) {
      type = LogRecordType::kLastType;
    } else {
      type = LogRecordType::kMiddleType;
    }

    const size_t header_pos = buffer_.size();
    char header[kLogHeaderSize];
    EncodeFixed16(header + 4, static_cast<uint16_t>(n));
    header[kLogTypeOffset] = static_cast<char>(type);
    buffer_.append(header, kLogHeaderSize);
    if (n > 0) buffer_.append(ptr, n);
    // The type byte sits right before the payload, so one contiguous pass covers both.
    char* h = buffer_.data() + header_pos;
    EncodeFixed32(h, Checksum(std::string_view(h + kLogTypeOffset, 1 + n)));

    ptr += n;
    left -= n;
    block_offset += kLogHeaderSize + n;
    begin = false;
  } while (left > 0);

  Status s = file_->Append(buffer_);
  if (s.ok()) {
    block_offset_ = block_offset;
    size_ += buffer_.size();
    file_size_ += buffer_.size();
  } else if (!s.IsNoSpace() || !file_->FailedAppendsCountInSize() || file_->Size() != file_size_) {
    error_ = s;  // else a full disk refused the record whole: the log is as it was
  }
  if (buffer_.capacity() > kMaxRetainedBuffer) std::string().swap(buffer_);
  return s;
}

Status LogWriter::Sync() {
  if (!error_.ok()) return error_;
  if (closed_) return Status::InvalidArgument("log writer: Sync after Close");
  Status s = file_->Sync();
  if (s.ok()) {
    synced_size_ = size_;
  } else {
    error_ = s;
  }
  return s;
}

Status LogWriter::Close() {
  if (closed_) return error_;
  closed_ = true;
  Status s = file_->Close();
  if (!error_.ok()) return error_;
  if (!s.ok()) error_ = s;
  return s;
}

}  // namespace strata
