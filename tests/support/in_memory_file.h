// In-memory files for tests of the table format: a WritableFile appending to a string and a
// RandomAccessFile reading from one, so that exhaustive damage tests (a flipped byte at every
// offset, a cut at every length) run without touching the disk.
//
// Thread safety: InMemoryRandomAccessFile::Read may run concurrently; the writable file is
// used by one thread at a time. The strings must outlive the files.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "strata/file_system.h"

namespace strata::test {

// Appends to a string the test owns.
class InMemoryWritableFile final : public WritableFile {
 public:
  explicit InMemoryWritableFile(std::string* contents) : contents_(contents) {}
  Status Append(std::string_view data) override;
  Status Sync() override { return Status::OK(); }
  Status Close() override { return Status::OK(); }
  uint64_t Size() const override { return contents_->size(); }

  int appends = 0;

 private:
  std::string* const contents_;
};

// Reads from a string the test owns (not copied). By default each Read copies into the
// caller's scratch, like pread; with zero_copy it returns views into the string instead, as
// a file served from memory (a mapping) may.
class InMemoryRandomAccessFile final : public RandomAccessFile {
 public:
  explicit InMemoryRandomAccessFile(std::string_view contents, bool zero_copy = false)
      : contents_(contents), zero_copy_(zero_copy) {}
  Status Read(uint64_t offset, size_t n, std::string_view* result, char* scratch) const override;

  // Reads served so far.
  uint64_t reads() const { return reads_.load(std::memory_order_relaxed); }
  // Fails every Read with an I/O error while set.
  void set_fail_reads(bool fail) { fail_reads_.store(fail, std::memory_order_relaxed); }

 private:
  const std::string_view contents_;
  const bool zero_copy_;
  mutable std::atomic<uint64_t> reads_{0};
  std::atomic<bool> fail_reads_{false};
};

}  // namespace strata::test
