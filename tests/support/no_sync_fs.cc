#include "support/no_sync_fs.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace strata::test {
namespace {

class NoSyncWritableFile final : public WritableFile {
 public:
  explicit NoSyncWritableFile(std::unique_ptr<WritableFile> target) : target_(std::move(target)) {}
  Status Append(std::string_view data) override { return target_->Append(data); }
  Status Sync() override { return Status::OK(); }
  Status Close() override { return target_->Close(); }
  uint64_t Size() const override { return target_->Size(); }
  bool FailedAppendsCountInSize() const override { return target_->FailedAppendsCountInSize(); }

 private:
  const std::unique_ptr<WritableFile> target_;
};

Status Error(const std::string& context, int err) {
  return Status::IOError(context, std::strerror(err));
}

// Reads, file creation, locking and the rest go to the POSIX file system; only the calls
// that would sync are replaced, by their plain system calls.
class NoSyncFileSystem final : public FileSystemWrapper {
 public:
  NoSyncFileSystem() : FileSystemWrapper(FileSystem::Default()) {}

  Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* result) override {
    std::unique_ptr<WritableFile> file;
    Status s = target()->NewWritableFile(path, &file);
    if (s.ok()) *result = std::make_unique<NoSyncWritableFile>(std::move(file));
    return s;
  }
  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return Error(path, errno);
    return Status::OK();
  }
  Status RenameFile(const std::string& from, const std::string& to) override {
    if (std::rename(from.c_str(), to.c_str()) != 0) return Error(from + " -> " + to, errno);
    return Status::OK();
  }
  Status CreateDir(const std::string& dir) override {
    if (::mkdir(dir.c_str(), 0755) == 0) return Status::OK();
    return target()->CreateDir(dir);  // exists (or fails) as the POSIX one says, no sync
  }
  Status SyncDir(const std::string&) override { return Status::OK(); }
};

}  // namespace

std::shared_ptr<FileSystem> NewNoSyncFileSystem() { return std::make_shared<NoSyncFileSystem>(); }

}  // namespace strata::test
