// DiscardingFile: a WritableFile that keeps nothing and costs nothing. Appends only count
// their bytes (Size), Sync and Close succeed at once. For benchmarks and tests that time or
// check the writer above a file, not the file.
//
// Thread safety: one thread at a time, as any WritableFile.
#pragma once

#include <cstdint>
#include <string_view>

#include "strata/file_system.h"

namespace strata {

class DiscardingFile final : public WritableFile {
 public:
  Status Append(std::string_view data) override {
    size_ += data.size();
    return Status::OK();
  }
  Status Sync() override { return Status::OK(); }
  Status Close() override { return Status::OK(); }
  uint64_t Size() const override { return size_; }

 private:
  uint64_t size_ = 0;
};

}  // namespace strata
