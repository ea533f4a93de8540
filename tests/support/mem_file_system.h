// MemFileSystem: a whole FileSystem in memory, for suites that open thousands of databases
// (each fsync on a real disk costs milliseconds; here nothing is ever synced, so power loss
// is not modelled -- use FaultInjectionFileSystem for that).
//
// Semantics follow POSIX where the engine can tell: reads past the end return fewer bytes;
// an open file stays readable after it is removed or renamed over; NewWritableFile truncates
// an existing file in place; RenameFile replaces its target atomically; directories must
// exist before files are created in them; LockFile refuses a second lock on a path (Busy)
// until the first is released.
//
// Thread safety: every method, and every file object, may be used from any thread (reads of
// a file concurrent with appends to it see a prefix of the appends).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "strata/file_system.h"

namespace strata::test {

class MemFileSystem final : public FileSystem {
 public:
  Status NewSequentialFile(const std::string& path,
                           std::unique_ptr<SequentialFile>* result) override;
  Status NewRandomAccessFile(const std::string& path,
                             std::unique_ptr<RandomAccessFile>* result) override;
  Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* result) override;
  bool FileExists(const std::string& path) override;
  Status GetChildren(const std::string& dir, std::vector<std::string>* names) override;
  Status GetFileSize(const std::string& path, uint64_t* size) override;
  Status RemoveFile(const std::string& path) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status Truncate(const std::string& path, uint64_t size) override;
  Status CreateDir(const std::string& dir) override;
  Status RemoveDir(const std::string& dir) override;
  Status SyncDir(const std::string& dir) override;
  // A second name for the same contents, as a hard link.
  Status LinkFile(const std::string& from, const std::string& to) override;
  Status LockFile(const std::string& path, std::unique_ptr<FileLock>* lock) override;

  // A file's contents (shared by the open file objects, which lock it to read or append).
  struct Node {
    std::mutex mu;
    std::string data;
  };

 private:
  class Lock;
  // Held paths; shared with the locks, which may outlive the file system.
  struct LockTable {
    std::mutex mu;
    std::set<std::string> paths;
  };
  std::shared_ptr<Node> Find(const std::string& path);

  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Node>> files_;
  std::set<std::string> dirs_;
  const std::shared_ptr<LockTable> locks_ = std::make_shared<LockTable>();
};

}  // namespace strata::test
