#include "support/in_memory_file.h"

#include <algorithm>
#include <cstring>

namespace strata::test {

Status InMemoryWritableFile::Append(std::string_view data) {
  appends++;
  contents_->append(data);
  return Status::OK();
}

Status InMemoryRandomAccessFile::Read(uint64_t offset, size_t n, std::string_view* result,
                                      char* scratch) const {
  reads_.fetch_add(1, std::memory_order_relaxed);
  if (fail_reads_.load(std::memory_order_relaxed)) {
    *result = std::string_view();
    return Status::IOError("injected read failure");
  }
  if (offset >= contents_.size()) {
    *result = std::string_view();
    return Status::OK();
  }
  const size_t len = std::min<uint64_t>(n, contents_.size() - offset);
  if (zero_copy_) {
    *result = contents_.substr(offset, len);
  } else {
    if (len > 0) std::memcpy(scratch, contents_.data() + offset, len);
    *result = std::string_view(scratch, len);
  }
  return Status::OK();
}

}  // namespace strata::test
