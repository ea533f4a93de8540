// FileSystem: the only way Strata touches files, so that tests can substitute a file system
// that injects faults or simulates power loss.
//
// Thread safety: a FileSystem may be used from any number of threads at once. A file object
// is used by one thread at a time, except RandomAccessFile::Read, which is safe to call
// concurrently.
//
// Durability contract (what an implementation must provide and the engine relies on):
// - Data appended to a WritableFile is durable once Sync() returns OK.
// - A file created by NewWritableFile has a durable directory entry once its first Sync()
//   returns OK (the implementation syncs the parent directory then).
// - RenameFile, RemoveFile and CreateDir are durable when they return OK (the parent
//   directory is synced), and RenameFile atomically replaces an existing target.
// - Truncate is not durable by itself.
// - LinkFile's new entry is not durable by itself: SyncDir its directory.
// - After a failed Sync the durability of everything appended to that file is unknown (Linux
//   may drop the dirty pages): callers must not retry and trust a later Sync.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "strata/status.h"

namespace strata {

// Sequential reading, for logs.
class SequentialFile {
 public:
  virtual ~SequentialFile() = default;
  // Reads up to n bytes into scratch (which must have room for n) and points *result at the
  // bytes read; fewer than n bytes (possibly zero) means end of file.
  virtual Status Read(size_t n, std::string_view* result, char* scratch) = 0;
  virtual Status Skip(uint64_t n) = 0;
};

// Positional reading, for tables. Read may be called concurrently from many threads.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Like SequentialFile::Read, at an absolute offset. *result may point into scratch or into
  // memory the file owns (valid while the file lives).
  virtual Status Read(uint64_t offset, size_t n, std::string_view* result, char* scratch) const = 0;
  // True if Read never writes to scratch (it returns memory the file owns, e.g. a mapping):
  // callers may then pass a null scratch.
  virtual bool IsMemoryMapped() const { return false; }
  // A hint that [offset, offset + n) will not be read again soon (a compaction's scan has
  // passed it). A mapped file lets go of its pages from the one holding offset up to, not
  // including, the one holding offset + n (so calls for consecutive ranges release every page
  // once, and the page where the next range starts stays), so they stop counting in the
  // process's resident set; the page cache keeps them and a later read maps them again.
  // Memory returned by earlier reads stays valid and reads the same. May run concurrently
  // with Read. By default nothing happens.
  virtual void ReleasePages(uint64_t /*offset*/, uint64_t /*n*/) const {}
};

// Appending writes. Strata buffers its own writes, so each Append is one write system call.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  // Makes everything appended so far durable (fdatasync), and, the first time, the file's
  // directory entry too.
  virtual Status Sync() = 0;
  // Closes the file; later calls fail. Does not sync. The destructor closes too.
  virtual Status Close() = 0;
  // Bytes appended so far.
  virtual uint64_t Size() const = 0;
  // True if Size() also counts the bytes of a failed Append that reached the file, so that an
  // Append failing with NoSpace while Size() stays unchanged wrote nothing: a log writer then
  // keeps the file after a full disk refused a record whole. False by default: every failed
  // Append stops a log.
  virtual bool FailedAppendsCountInSize() const { return false; }
};

// An exclusive lock on a file, held until released or the process exits.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // The process-wide POSIX file system. It maps a file opened for random access while the
  // files it has open for random access (mapped or not, the new one included) total at most
  // 1 GiB, and reads with pread otherwise: a database up to that size is read through
  // mappings, a larger one with pread (its table cache asks for pread once the database
  // outgrows the bound: MappingBound, NewUnmappedRandomAccessFile).
  static std::shared_ptr<FileSystem> Default();
  // A POSIX file system of its own, with max_mapped_bytes as that bound on the bytes of open
  // random-access files under which a file is mapped (0: every read is a pread into the block
  // cache, as RocksDB reads by default). Reads through a mapping cost no system call and no
  // copy, but every page of a mapping that a read touched counts in the process's resident
  // set until the file is closed or the page released (RandomAccessFile::ReleasePages; the
  // page cache behind pread counts in no process's): a smaller bound trades read speed for a
  // resident set near the caches' sizes. Thread-safe, like Default().
  static std::shared_ptr<FileSystem> NewPosix(uint64_t max_mapped_bytes);

  virtual Status NewSequentialFile(const std::string& path,
                                   std::unique_ptr<SequentialFile>* result) = 0;
  virtual Status NewRandomAccessFile(const std::string& path,
                                     std::unique_ptr<RandomAccessFile>* result) = 0;
  // The bound under which NewRandomAccessFile maps a file (the bytes of the random-access
  // files open at once; see NewPosix), or 0 if this file system never maps. A caller that
  // knows the files it will read together outgrow it (a database larger than the bound, whose
  // tables open one read at a time) opens them with NewUnmappedRandomAccessFile, so that the
  // first of them do not take the bound and keep their touched pages resident.
  virtual uint64_t MappingBound() const { return 0; }
  // As NewRandomAccessFile, but read with pread where the file would have been mapped. The
  // default is NewRandomAccessFile: a wrapper that overrides only that sees these opens too.
  virtual Status NewUnmappedRandomAccessFile(const std::string& path,
                                             std::unique_ptr<RandomAccessFile>* result) {
    return NewRandomAccessFile(path, result);
  }
  // Creates the file, truncating any existing one.
  virtual Status NewWritableFile(const std::string& path,
                                 std::unique_ptr<WritableFile>* result) = 0;
  // Creates a write-ahead log: a WritableFile whose appends reach the operating system (so
  // survive the death of the process) as Append returns, and whose file may hold zero bytes
  // past the appended data until Close trims them (preallocation; log readers take a zero run
  // that reaches the end of the file as the end of the log). The POSIX file system appends
  // through a shared memory mapping, without a system call per append. The default is
  // NewWritableFile, so a file system that overrides only that (a wrapper injecting faults)
  // sees logs too.
  virtual Status NewLogFile(const std::string& path, std::unique_ptr<WritableFile>* result) {
    return NewWritableFile(path, result);
  }

  virtual bool FileExists(const std::string& path) = 0;
  // Names (not paths) of the entries of dir, without "." and "..".
  virtual Status GetChildren(const std::string& dir, std::vector<std::string>* names) = 0;
  virtual Status GetFileSize(const std::string& path, uint64_t* size) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  // Shortens (or extends with zeros) a file that is not open for writing.
  virtual Status Truncate(const std::string& path, uint64_t size) = 0;
  // Creates dir if missing (not its parents); OK if it exists.
  virtual Status CreateDir(const std::string& dir) = 0;
  virtual Status RemoveDir(const std::string& dir) = 0;
  // Makes the creation, renaming and removal of dir's entries durable.
  virtual Status SyncDir(const std::string& dir) = 0;
  // Makes `to` a second name (a hard link) of the existing file `from`; fails if `to`
  // exists. NotSupported when the two paths are on different file systems (EXDEV) or this
  // file system cannot link: the caller copies instead (IsLinkUnsupported tells). Not
  // durable until SyncDir of to's directory. The default implementation is NotSupported.
  virtual Status LinkFile(const std::string& from, const std::string& to);

  // Takes an exclusive advisory lock (flock) on path, creating the file if needed. Fails with
  // Busy, naming the path, if another process or another open in this process holds it
  // (within this process, paths are compared as spelled).
  virtual Status LockFile(const std::string& path, std::unique_ptr<FileLock>* lock) = 0;
};

// Forwards every call to a target file system; subclasses override what they change. Not
// forwarded: MappingBound (0) and NewUnmappedRandomAccessFile (NewRandomAccessFile), so that
// every random-access open goes through a subclass's NewRandomAccessFile.
class FileSystemWrapper : public FileSystem {
 public:
  explicit FileSystemWrapper(std::shared_ptr<FileSystem> target) : target_(std::move(target)) {}
  FileSystem* target() const { return target_.get(); }

  Status NewSequentialFile(const std::string& p, std::unique_ptr<SequentialFile>* r) override {
    return target_->NewSequentialFile(p, r);
  }
  Status NewRandomAccessFile(const std::string& p, std::unique_ptr<RandomAccessFile>* r) override {
    return target_->NewRandomAccessFile(p, r);
  }
  Status NewWritableFile(const std::string& p, std::unique_ptr<WritableFile>* r) override {
    return target_->NewWritableFile(p, r);
  }
  bool FileExists(const std::string& p) override { return target_->FileExists(p); }
  Status GetChildren(const std::string& d, std::vector<std::string>* n) override {
    return target_->GetChildren(d, n);
  }
  Status GetFileSize(const std::string& p, uint64_t* s) override {
    return target_->GetFileSize(p, s);
  }
  Status RemoveFile(const std::string& p) override { return target_->RemoveFile(p); }
  Status RenameFile(const std::string& f, const std::string& t) override {
    return target_->RenameFile(f, t);
  }
  Status Truncate(const std::string& p, uint64_t s) override { return target_->Truncate(p, s); }
  Status CreateDir(const std::string& d) override { return target_->CreateDir(d); }
  Status RemoveDir(const std::string& d) override { return target_->RemoveDir(d); }
  Status SyncDir(const std::string& d) override { return target_->SyncDir(d); }
  Status LinkFile(const std::string& f, const std::string& t) override {
    return target_->LinkFile(f, t);
  }
  Status LockFile(const std::string& p, std::unique_ptr<FileLock>* l) override {
    return target_->LockFile(p, l);
  }

 private:
  std::shared_ptr<FileSystem> target_;
};

// Convenience helpers over any FileSystem.
Status WriteStringToFile(FileSystem* fs, std::string_view data, const std::string& path, bool sync);
Status ReadFileToString(FileSystem* fs, const std::string& path, std::string* data);
// Writes data to tmp, syncs it and renames it over path: afterwards path holds either its
// old contents or all of data, never a part (tmp is removed on failure).
Status ReplaceFileAtomically(FileSystem* fs, std::string_view data, const std::string& tmp,
                             const std::string& path);
// True for the LinkFile status that asks the caller to copy instead (cross-device, or no
// links on this file system).
inline bool IsLinkUnsupported(const Status& s) { return s.IsNotSupported(); }
// Copies the file from into a new file to (replacing it), syncs and closes it: the copy is
// durable, its directory entry included, when this returns OK. On error to is removed.
Status CopyFile(FileSystem* fs, const std::string& from, const std::string& to);
// LinkFile, or CopyFile when links are unsupported. *copied (if given) says which. A link
// still needs a SyncDir of to's directory to be durable.
Status LinkOrCopyFile(FileSystem* fs, const std::string& from, const std::string& to,
                      bool* copied = nullptr);

}  // namespace strata
