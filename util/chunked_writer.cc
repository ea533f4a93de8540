#include "util/chunked_writer.h"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace strata {

ChunkedWriter::ChunkedWriter(WritableFile* file, size_t chunk)
    : file_(file), chunk_(chunk > 0 ? chunk : kMappedChunk) {}

Status ChunkedWriter::Append(std::string_view data) {
  assert(!flushed_);
  if (!status_.ok()) return status_;
  status_ = AppendToFile(data);
  return status_;
}

Status ChunkedWriter::AppendToFile(std::string_view data) {
  if (used_ > 0) {
    const size_t take = std::min(data.size(), chunk_ - used_);
    std::memcpy(buffer_.get() + used_, data.data(), take);
    used_ += take;
    data.remove_prefix(take);
    if (used_ < chunk_) return Status::OK();
    used_ = 0;
    Status s = file_->Append(std::string_view(buffer_.get(), chunk_));
    if (!s.ok()) return s;
  }
  // The buffer is empty here, so the file's end is at a chunk boundary.
  while (data.size() >= chunk_) {
    Status s = file_->Append(data.substr(0, chunk_));
    if (!s.ok()) return s;
    data.remove_prefix(chunk_);
  }
  if (!data.empty()) {
    if (buffer_ == nullptr) buffer_ = std::make_unique_for_overwrite<char[]>(chunk_);
    std::memcpy(buffer_.get(), data.data(), data.size());
    used_ = data.size();
  }
  return Status::OK();
}

Status ChunkedWriter::Flush() {
  flushed_ = true;
  if (status_.ok() && used_ > 0) status_ = file_->Append(std::string_view(buffer_.get(), used_));
  used_ = 0;
  buffer_.reset();
  return status_;
}

}  // namespace strata
