// GatedLogSyncFileSystem: the default file system with every log file's Sync held at a
// gate, so that a test can see which writers one sync serves and queue writers behind it.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "strata/file_system.h"
#include "support/gate.h"

namespace strata::test {

class GatedLogSyncFileSystem : public FileSystemWrapper {
 public:
  GatedLogSyncFileSystem() : FileSystemWrapper(FileSystem::Default()) {}
  Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* result) override {
    Status s = target()->NewWritableFile(path, result);
    if (s.ok() && path.ends_with(".log")) {
      *result = std::make_unique<GatedSyncFile>(std::move(*result), &gate);
    }
    return s;
  }
  test::Gate gate;

 private:
  class GatedSyncFile : public WritableFile {
   public:
    GatedSyncFile(std::unique_ptr<WritableFile> base, test::Gate* gate)
        : base_(std::move(base)), gate_(gate) {}
    Status Append(std::string_view data) override { return base_->Append(data); }
    Status Sync() override {
      gate_->Pass();
      return base_->Sync();
    }
    Status Close() override { return base_->Close(); }
    uint64_t Size() const override { return base_->Size(); }

   private:
    std::unique_ptr<WritableFile> base_;
    test::Gate* gate_;
  };
};

}  // namespace strata::test
