#include "version/manifest_writer.h"

#include <memory>

#include "version/filename.h"
#include "wal/log_writer.h"

namespace strata {

void AddVersionFiles(const Version& v, VersionEdit* edit) {
  for (int level = 0; level < v.num_levels(); level++) {
    for (const auto& f : v.files(level)) edit->AddFile(level, *f);
  }
}

Status WriteManifestFile(FileSystem* fs, const std::string& fname, const VersionEdit& edit) {
  std::string record;
  edit.EncodeTo(&record);
  std::unique_ptr<WritableFile> file;
  Status s = fs->NewWritableFile(fname, &file);
  if (!s.ok()) return s;
  LogWriter log(std::move(file));
  s = log.AddRecord(record);
  if (s.ok()) s = log.Sync();
  Status close = log.Close();
  if (s.ok()) s = close;
  if (!s.ok()) fs->RemoveFile(fname).PermitUncheckedError();
  return s;
}

Status SetCurrentFile(FileSystem* fs, const std::string& dbname, uint64_t manifest_number) {
  std::string name = ManifestFileName(dbname, manifest_number);
  std::string contents = name.substr(dbname.size() + 1) + "\n";
  return ReplaceFileAtomically(fs, contents, TempFileName(dbname, manifest_number),
                               CurrentFileName(dbname));
}

}  // namespace strata
