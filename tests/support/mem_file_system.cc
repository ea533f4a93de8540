#include "support/mem_file_system.h"

#include <algorithm>
#include <cstring>

namespace strata::test {

namespace {

using Node = MemFileSystem::Node;

std::string Parent(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
}

Status NotThere(const std::string& path) {
  return Status::IOError(path, "No such file or directory");
}

// Copies up to n bytes at offset into scratch.
void ReadAt(Node& node, uint64_t offset, size_t n, std::string_view* result, char* scratch) {
  std::lock_guard<std::mutex> lock(node.mu);
  const size_t len = offset >= node.data.size()
                         ? 0
                         : static_cast<size_t>(std::min<uint64_t>(n, node.data.size() - offset));
  if (len > 0) std::memcpy(scratch, node.data.data() + offset, len);
  *result = std::string_view(scratch, len);
}

class MemSequentialFile final : public SequentialFile {
 public:
  explicit MemSequentialFile(std::shared_ptr<Node> node) : node_(std::move(node)) {}
  Status Read(size_t n, std::string_view* result, char* scratch) override {
    ReadAt(*node_, pos_, n, result, scratch);
    pos_ += result->size();
    return Status::OK();
  }
  Status Skip(uint64_t n) override {
    pos_ += n;
    return Status::OK();
  }

 private:
  const std::shared_ptr<Node> node_;
  uint64_t pos_ = 0;
};

class MemRandomAccessFile final : public RandomAccessFile {
 public:
  explicit MemRandomAccessFile(std::shared_ptr<Node> node) : node_(std::move(node)) {}
  Status Read(uint64_t offset, size_t n, std::string_view* result, char* scratch) const override {
    ReadAt(*node_, offset, n, result, scratch);
    return Status::OK();
  }

 private:
  const std::shared_ptr<Node> node_;
};

class MemWritableFile final : public WritableFile {
 public:
  explicit MemWritableFile(std::shared_ptr<Node> node) : node_(std::move(node)) {}
  Status Append(std::string_view data) override {
    if (closed_) return Status::IOError("append to a closed file");
    std::lock_guard<std::mutex> lock(node_->mu);
    node_->data.append(data);
    return Status::OK();
  }
  Status Sync() override { return closed_ ? Status::IOError("sync of a closed file") : Status(); }
  Status Close() override {
    closed_ = true;
    return Status::OK();
  }
  uint64_t Size() const override {
    std::lock_guard<std::mutex> lock(node_->mu);
    return node_->data.size();
  }

 private:
  const std::shared_ptr<Node> node_;
  bool closed_ = false;
};

}  // namespace

class MemFileSystem::Lock final : public FileLock {
 public:
  Lock(std::shared_ptr<LockTable> table, std::string path)
      : table_(std::move(table)), path_(std::move(path)) {}
  ~Lock() override {
    std::lock_guard<std::mutex> lock(table_->mu);
    table_->paths.erase(path_);
  }

 private:
  const std::shared_ptr<LockTable> table_;
  const std::string path_;
};

std::shared_ptr<Node> MemFileSystem::Find(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  return it == files_.end() ? nullptr : it->second;
}

Status MemFileSystem::NewSequentialFile(const std::string& path,
                                        std::unique_ptr<SequentialFile>* result) {
  std::shared_ptr<Node> node = Find(path);
  if (!node) return NotThere(path);
  *result = std::make_unique<MemSequentialFile>(std::move(node));
  return Status::OK();
}

Status MemFileSystem::NewRandomAccessFile(const std::string& path,
                                          std::unique_ptr<RandomAccessFile>* result) {
  std::shared_ptr<Node> node = Find(path);
  if (!node) return NotThere(path);
  *result = std::make_unique<MemRandomAccessFile>(std::move(node));
  return Status::OK();
}

Status MemFileSystem::NewWritableFile(const std::string& path,
                                      std::unique_ptr<WritableFile>* result) {
  std::shared_ptr<Node> node;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!dirs_.count(Parent(path))) return NotThere(path);
    std::shared_ptr<Node>& slot = files_[path];
    if (!slot) slot = std::make_shared<Node>();
    node = slot;
  }
  {
    std::lock_guard<std::mutex> lock(node->mu);
    node->data.clear();
  }
  *result = std::make_unique<MemWritableFile>(std::move(node));
  return Status::OK();
}

bool MemFileSystem::FileExists(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  return files_.count(path) > 0 || dirs_.count(path) > 0;
}

Status MemFileSystem::GetChildren(const std::string& dir, std::vector<std::string>* names) {
  names->clear();
  std::lock_guard<std::mutex> lock(mu_);
  if (!dirs_.count(dir)) return NotThere(dir);
  for (const auto& [path, node] : files_) {
    if (Parent(path) == dir) names->push_back(path.substr(path.find_last_of('/') + 1));
  }
  for (const std::string& d : dirs_) {
    if (d != dir && Parent(d) == dir) names->push_back(d.substr(d.find_last_of('/') + 1));
  }
  return Status::OK();
}

Status MemFileSystem::GetFileSize(const std::string& path, uint64_t* size) {
  std::shared_ptr<Node> node = Find(path);
  if (!node) return NotThere(path);
  std::lock_guard<std::mutex> lock(node->mu);
  *size = node->data.size();
  return Status::OK();
}

Status MemFileSystem::RemoveFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  return files_.erase(path) > 0 ? Status::OK() : NotThere(path);
}

Status MemFileSystem::RenameFile(const std::string& from, const std::string& to) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(from);
  if (it == files_.end()) return NotThere(from);
  if (!dirs_.count(Parent(to))) return NotThere(to);
  std::shared_ptr<Node> node = it->second;
  files_.erase(it);
  files_[to] = std::move(node);
  return Status::OK();
}

Status MemFileSystem::LinkFile(const std::string& from, const std::string& to) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(from);
  if (it == files_.end()) return NotThere(from);
  if (!dirs_.count(Parent(to))) return NotThere(to);
  if (files_.count(to)) return Status::IOError(to, "File exists");
  files_[to] = it->second;
  return Status::OK();
}

Status MemFileSystem::Truncate(const std::string& path, uint64_t size) {
  std::shared_ptr<Node> node = Find(path);
  if (!node) return NotThere(path);
  std::lock_guard<std::mutex> lock(node->mu);
  node->data.resize(size, '\0');
  return Status::OK();
}

Status MemFileSystem::CreateDir(const std::string& dir) {
  std::lock_guard<std::mutex> lock(mu_);
  dirs_.insert(dir);
  return Status::OK();
}

Status MemFileSystem::RemoveDir(const std::string& dir) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!dirs_.count(dir)) return NotThere(dir);
  for (const auto& [path, node] : files_) {
    if (Parent(path) == dir) return Status::IOError(dir, "Directory not empty");
  }
  dirs_.erase(dir);
  return Status::OK();
}

Status MemFileSystem::SyncDir(const std::string& dir) {
  std::lock_guard<std::mutex> lock(mu_);
  return dirs_.count(dir) ? Status::OK() : NotThere(dir);
}

Status MemFileSystem::LockFile(const std::string& path, std::unique_ptr<FileLock>* lock) {
  {
    std::lock_guard<std::mutex> guard(mu_);
    if (!dirs_.count(Parent(path))) return NotThere(path);
    std::shared_ptr<Node>& slot = files_[path];
    if (!slot) slot = std::make_shared<Node>();
  }
  std::lock_guard<std::mutex> guard(locks_->mu);
  if (!locks_->paths.insert(path).second) return Status::Busy(path, "is locked by another open");
  *lock = std::make_unique<Lock>(locks_, path);
  return Status::OK();
}

}  // namespace strata::test
