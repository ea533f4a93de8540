#include "tools/dump/file_kind.h"

#include <memory>
#include <vector>

#include "sstable/format.h"
#include "tools/dump/file_check.h"
#include "util/coding.h"
#include "version/filename.h"
#include "version/version_edit.h"
#include "wal/log_reader.h"

namespace strata::dump {

namespace {

// Records read when telling a WAL from a MANIFEST: enough to outvote a stray record.
constexpr int kRecordsToTry = 16;

FileKind KindOfFileName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  std::string_view base = path;
  if (slash != std::string::npos) base.remove_prefix(slash + 1);
  uint64_t number;
  FileType type;
  if (!ParseFileName(base, &number, &type)) return FileKind::kUnknown;
  switch (type) {
    case FileType::kLog:
      return FileKind::kWal;
    case FileType::kTable:
      return FileKind::kTable;
    case FileType::kManifest:
      return FileKind::kManifest;
    case FileType::kOptions:
      return FileKind::kOptions;
    default:
      return FileKind::kUnknown;
  }
}

bool HasTableMagic(const std::string& path, FileSystem* fs) {
  uint64_t size = 0;
  std::unique_ptr<RandomAccessFile> file;
  if (!fs->GetFileSize(path, &size).ok() || size < Footer::kEncodedLength) return false;
  if (!fs->NewRandomAccessFile(path, &file).ok()) return false;
  char scratch[8];
  std::string_view bytes;
  if (!file->Read(size - 8, 8, &bytes, scratch).ok() || bytes.size() != 8) return false;
  return DecodeFixed64(bytes.data()) == kTableMagicNumber;
}

// Reads the first records as a log and decodes each as a write batch and as a version edit.
FileKind KindOfLogContents(const std::string& path, FileSystem* fs) {
  std::unique_ptr<SequentialFile> file;
  if (!fs->NewSequentialFile(path, &file).ok()) return FileKind::kUnknown;
  LogReader reader(std::move(file), nullptr);
  std::string scratch;
  std::string_view record;
  int batches = 0, edits = 0;
  for (int i = 0; i < kRecordsToTry && reader.ReadRecord(&record, &scratch); i++) {
    WriteBatch batch;
    if (DecodeWalRecord(record, &batch).ok()) batches++;
    VersionEdit edit;
    if (edit.DecodeFrom(record).ok()) edits++;
  }
  if (batches > edits) return FileKind::kWal;
  if (edits > batches) return FileKind::kManifest;
  return FileKind::kUnknown;
}

}  // namespace

const char* FileKindCommand(FileKind kind) {
  switch (kind) {
    case FileKind::kWal:
      return "wal";
    case FileKind::kTable:
      return "sst";
    case FileKind::kManifest:
      return "manifest";
    case FileKind::kOptions:
      return "options";
    case FileKind::kDb:
      return "db";
    case FileKind::kUnknown:
      break;
  }
  return "";
}

FileKind FileKindOfCommand(std::string_view word) {
  for (FileKind kind : {FileKind::kWal, FileKind::kTable, FileKind::kManifest, FileKind::kOptions,
                        FileKind::kDb}) {
    if (word == FileKindCommand(kind)) return kind;
  }
  return FileKind::kUnknown;
}

FileKind DetectFileKind(const std::string& path, FileSystem* fs, std::string* why) {
  std::vector<std::string> children;
  if (fs->GetChildren(path, &children).ok()) return FileKind::kDb;
  FileKind kind = KindOfFileName(path);
  if (kind != FileKind::kUnknown) return kind;
  if (!fs->FileExists(path)) {
    *why = "no such file or directory";
    return FileKind::kUnknown;
  }
  if (HasTableMagic(path, fs)) return FileKind::kTable;
  kind = KindOfLogContents(path, fs);
  if (kind == FileKind::kUnknown) {
    *why =
        "neither its name nor its contents tell its kind (no table magic, and its first "
        "records read neither as write batches nor as version edits)";
  }
  return kind;
}

}  // namespace strata::dump
