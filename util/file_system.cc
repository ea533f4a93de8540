// Helpers over any FileSystem, declared in strata/file_system.h.

#include <memory>

#include "strata/file_system.h"

namespace strata {

Status WriteStringToFile(FileSystem* fs, std::string_view data, const std::string& path,
                         bool sync) {
  std::unique_ptr<WritableFile> file;
  Status s = fs->NewWritableFile(path, &file);
  if (!s.ok()) return s;
  s = file->Append(data);
  if (s.ok() && sync) s = file->Sync();
  if (s.ok()) s = file->Close();
  file.reset();
  if (!s.ok()) {
    // A partial file must not be mistaken for a complete one by a later reader.
    fs->RemoveFile(path).PermitUncheckedError();
  }
  return s;
}

Status ReplaceFileAtomically(FileSystem* fs, std::string_view data, const std::string& tmp,
                             const std::string& path) {
  Status s = WriteStringToFile(fs, data, tmp, /*sync=*/true);
  if (s.ok()) s = fs->RenameFile(tmp, path);
  if (!s.ok()) fs->RemoveFile(tmp).PermitUncheckedError();
  return s;
}

Status ReadFileToString(FileSystem* fs, const std::string& path, std::string* data) {
  data->clear();
  std::unique_ptr<SequentialFile> file;
  Status s = fs->NewSequentialFile(path, &file);
  if (!s.ok()) return s;
  constexpr size_t kBufferSize = 64 * 1024;
  auto scratch = std::make_unique<char[]>(kBufferSize);
  while (true) {
    std::string_view fragment;
    s = file->Read(kBufferSize, &fragment, scratch.get());
    if (!s.ok()) break;
    if (fragment.empty()) break;
    data->append(fragment);
  }
  return s;
}

}  // namespace strata

namespace strata {

Status FileSystem::LinkFile(const std::string& from, const std::string& to) {
  return Status::NotSupported("this file system cannot link files", from + " -> " + to);
}

Status CopyFile(FileSystem* fs, const std::string& from, const std::string& to) {
  std::unique_ptr<SequentialFile> in;
  Status s = fs->NewSequentialFile(from, &in);
  if (!s.ok()) return s;
  std::unique_ptr<WritableFile> out;
  s = fs->NewWritableFile(to, &out);
  if (!s.ok()) return s;
  constexpr size_t kBufferSize = 256 * 1024;
  auto scratch = std::make_unique<char[]>(kBufferSize);
  while (s.ok()) {
    std::string_view fragment;
    s = in->Read(kBufferSize, &fragment, scratch.get());
    if (!s.ok() || fragment.empty()) break;
    s = out->Append(fragment);
  }
  if (s.ok()) s = out->Sync();
  if (s.ok()) s = out->Close();
  out.reset();
  // A partial copy must never pass for the file.
  if (!s.ok()) fs->RemoveFile(to).PermitUncheckedError();
  return s;
}

Status LinkOrCopyFile(FileSystem* fs, const std::string& from, const std::string& to,
                      bool* copied) {
  Status s = fs->LinkFile(from, to);
  const bool copy = IsLinkUnsupported(s);
  if (copied != nullptr) *copied = copy;
  return copy ? CopyFile(fs, from, to) : s;
}

}  // namespace strata
