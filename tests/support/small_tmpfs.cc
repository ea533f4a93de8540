#include "support/small_tmpfs.h"

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "strata/file_system.h"

namespace strata::test {

SmallTmpfs::~SmallTmpfs() {
  if (!mounted_) return;
  if (::umount(path_.c_str()) != 0) {
    ADD_FAILURE() << "umount " << path_ << ": " << std::strerror(errno);
    // Still busy: detach it, so that the test directory's removal cannot reach into it.
    ::umount2(path_.c_str(), MNT_DETACH);
  }
}

bool SmallTmpfs::Mount(const std::string& parent_dir, uint64_t size_bytes, std::string* error) {
  path_ = parent_dir + "/tmpfs";
  Status s = FileSystem::Default()->CreateDir(path_);
  if (!s.ok()) {
    *error = s.ToString();
    return false;
  }
  const std::string options = "size=" + std::to_string(size_bytes);
  if (::mount("tmpfs", path_.c_str(), "tmpfs", 0, options.c_str()) != 0) {
    *error = std::string("cannot mount a tmpfs to fill (") + std::strerror(errno) +
             "); run as root to test a really full disk";
    return false;
  }
  mounted_ = true;
  return true;
}

uint64_t SmallTmpfs::FreeBytes() const {
  struct statvfs st;
  EXPECT_EQ(0, ::statvfs(path_.c_str(), &st)) << path_ << ": " << std::strerror(errno);
  return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
}

Status SmallTmpfs::Fill(const std::string& name, uint64_t leave) const {
  std::unique_ptr<WritableFile> f;
  Status s = FileSystem::Default()->NewWritableFile(Child(name), &f);
  const std::string piece(16 << 10, 'x');
  while (s.ok() && FreeBytes() > leave + piece.size()) s = f->Append(piece);
  if (f != nullptr) {
    Status c = f->Close();
    if (s.ok()) s = c;
  }
  return s;
}

}  // namespace strata::test
