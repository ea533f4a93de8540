// OpenFileCounter: a file system wrapper that counts the RandomAccessFiles alive at once and
// the most ever alive, i.e. the table files a database or table cache holds open.
//
// Thread safety: files may be opened and closed from any thread; the counts are atomics.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "strata/file_system.h"

namespace strata::test {

class OpenFileCounter final : public FileSystemWrapper {
 public:
  using FileSystemWrapper::FileSystemWrapper;

  Status NewRandomAccessFile(const std::string& path,
                             std::unique_ptr<RandomAccessFile>* result) override {
    std::unique_ptr<RandomAccessFile> file;
    Status s = target()->NewRandomAccessFile(path, &file);
    if (s.ok()) *result = std::make_unique<CountedFile>(std::move(file), this);
    return s;
  }

  int open_now() const { return open_.load(); }
  int most_open() const { return most_.load(); }
  void ResetMost() { most_.store(open_.load()); }

 private:
  class CountedFile final : public RandomAccessFile {
   public:
    CountedFile(std::unique_ptr<RandomAccessFile> file, OpenFileCounter* counter)
        : file_(std::move(file)), counter_(counter) {
      const int now = counter_->open_.fetch_add(1) + 1;
      int most = counter_->most_.load();
      while (now > most && !counter_->most_.compare_exchange_weak(most, now)) {
      }
    }
    ~CountedFile() override { counter_->open_.fetch_sub(1); }
    Status Read(uint64_t offset, size_t n, std::string_view* result, char* scratch) const override {
      return file_->Read(offset, n, result, scratch);
    }

   private:
    const std::unique_ptr<RandomAccessFile> file_;
    OpenFileCounter* const counter_;
  };

  std::atomic<int> open_{0};
  std::atomic<int> most_{0};
};

}  // namespace strata::test
