// GatedLogSyncFileSystem: the default file system with every log file's Sync held at a
// gate, so that a test can see which writers one sync serves and queue writers behind it.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "strata/file_system.h"
#include "support/gate.h"

namespace strata::test {

class GatedLogSyncFileSystem : public FileSystemWrapper {
 public:
  GatedLogSyncFileSystem() : FileSystemWrapper(FileSystem::Default()) {}
  Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* result) override {
    Status s = target()->NewWritableFile(path, result);
    if (s.ok() && path.ends_with(".log")) {
      *result = std::make_unique<GatedSyncFile>(std::move(*result), this);
    }
    return s;
  }
  // The threads that called a log's Sync, in order.
  std::vector<std::thread::id> SyncThreads() {
    std::lock_guard<std::mutex> lock(mu_);
    return sync_threads_;
  }
  test::Gate gate;
  // While set, a log Sync that passed the gate fails with an IOError (the file's data stays).
  std::atomic<bool> fail_syncs{false};

 private:
  class GatedSyncFile : public WritableFile {
   public:
    GatedSyncFile(std::unique_ptr<WritableFile> base, GatedLogSyncFileSystem* fs)
        : base_(std::move(base)), fs_(fs) {}
    Status Append(std::string_view data) override { return base_->Append(data); }
    Status Sync() override {
      {
        std::lock_guard<std::mutex> lock(fs_->mu_);
        fs_->sync_threads_.push_back(std::this_thread::get_id());
      }
      fs_->gate.Pass();
      if (fs_->fail_syncs.load()) return Status::IOError("injected log sync failure");
      return base_->Sync();
    }
    Status Close() override { return base_->Close(); }
    uint64_t Size() const override { return base_->Size(); }
    bool FailedAppendsCountInSize() const override { return base_->FailedAppendsCountInSize(); }

   private:
    std::unique_ptr<WritableFile> base_;
    GatedLogSyncFileSystem* fs_;
  };

  std::mutex mu_;
  std::vector<std::thread::id> sync_threads_;
};

}  // namespace strata::test
