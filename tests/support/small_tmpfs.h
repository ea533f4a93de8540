// SmallTmpfs: a tmpfs of a few MiB mounted inside a test's directory, to fill up for real, so
// that ENOSPC comes from the kernel (fallocate, writes into a mapping's holes, partial
// writes) rather than from an injected fault. Mounting needs root: where Mount fails the test
// skips.
//
// Thread safety: none; the test's main thread mounts, fills and unmounts.
#pragma once

#include <cstdint>
#include <string>

#include "strata/status.h"

namespace strata::test {

class SmallTmpfs {
 public:
  SmallTmpfs() = default;
  SmallTmpfs(const SmallTmpfs&) = delete;
  SmallTmpfs& operator=(const SmallTmpfs&) = delete;
  // Unmounts (a gtest failure if that fails). Whatever holds files in it must be gone first.
  ~SmallTmpfs();

  // Mounts a tmpfs of size_bytes at parent_dir/tmpfs (created). False, with *error saying
  // why, if it cannot (not root).
  bool Mount(const std::string& parent_dir, uint64_t size_bytes, std::string* error);

  // The mount point; valid after Mount succeeded.
  const std::string& path() const { return path_; }
  std::string Child(const std::string& name) const { return path_ + "/" + name; }

  // Bytes a file may still take.
  uint64_t FreeBytes() const;

  // Writes the file name (replacing it) in 16 KiB pieces until at most leave + 16 KiB bytes
  // are free.
  Status Fill(const std::string& name, uint64_t leave) const;

 private:
  std::string path_;
  bool mounted_ = false;
};

}  // namespace strata::test
