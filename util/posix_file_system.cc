// The POSIX FileSystem behind FileSystem::Default().
//
// Durability: a WritableFile created by NewWritableFile syncs its parent directory on its
// first successful Sync(), so a synced file cannot vanish on power loss because its directory
// entry was never written. RenameFile and RemoveFile sync the affected directories before
// returning OK. Every descriptor is opened O_CLOEXEC so that a child process started by the
// embedding program never inherits database files (or the LOCK).
//
// Locking: flock() locks belong to an open file description, so a second open() of LOCK in
// the same process would be granted a second lock. A process-wide set of locked paths closes
// that gap: two DB objects in one process on one directory conflict just as two processes do.
// Paths are compared as given; callers are expected to spell a database path consistently.
//
// Random-access reads: a file is mapped (mmap) when it is opened if the random-access files
// the file system has open, this one included and mapped or not, total at most its byte bound
// (and fewer than kMaxMappedFiles are mapped); otherwise (or if the mapping fails) reads use
// pread. A mapped read costs no system call and no copy, but every page of a mapping that a
// read touched counts in the process's resident set until the file is closed (or the pages are
// released, RandomAccessFile::ReleasePages). So a database small enough to be mapped whole is
// read through mappings, and once it outgrows the bound, the files it opens are read with
// pread, as RocksDB reads, and its resident set stays near its caches' sizes (the mappings
// made while it was small remain until their files close). A reopened database opens its
// tables one read at a time, so the first of them would fit the bound: its table cache opens
// them with NewUnmappedRandomAccessFile once the live tables outgrow MappingBound(). Counting only
// the mapped bytes instead let a 5 GB database keep up to 1 GiB of mapped pages resident. Only the
// length the file had when it was opened is mapped and read: a read past it returns fewer bytes, as
// pread would, so a file found shorter than its MANIFEST says is reported as damage, not a fault.
// Table files are never changed once written; a file shrunk by another program while it is
// mapped would fault.

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cerrno>
#include <cstring>
#include <set>
#include <vector>

#include "strata/file_system.h"
#include "util/chunk_prefaulter.h"
#include "util/mutex.h"
#include "util/page_size.h"
#include "util/thread_annotations.h"

namespace strata {

namespace {

constexpr mode_t kFileMode = 0644;
constexpr mode_t kDirMode = 0755;

Status PosixError(const std::string& context, int err) {
  // A full device is told apart: it is the error a database can resume after.
  if (err == ENOSPC || err == EDQUOT) return Status::NoSpace(context, std::strerror(err));
  return Status::IOError(context, std::strerror(err));
}

// The directory holding path, as open() understands it.
std::string ParentDir(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status SyncDirectory(const std::string& dir) {
  int fd;
  do {
    fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return PosixError(dir, errno);
  Status s;
  if (::fsync(fd) != 0) s = PosixError(dir + ": fsync", errno);
  ::close(fd);
  return s;
}

// WritableFile::Sync for a descriptor: the data, then the directory entry the first time.
Status SyncWritten(int fd, const std::string& path, bool* dir_synced) {
  if (fd < 0) return Status::IOError(path, "sync of a closed file");
  if (::fdatasync(fd) != 0) return PosixError(path + ": fdatasync", errno);
  if (!*dir_synced) {
    Status s = SyncDirectory(ParentDir(path));
    if (!s.ok()) return s;
    *dir_synced = true;
  }
  return Status::OK();
}

int OpenRetrying(const std::string& path, int flags, mode_t mode = 0) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

// Reads up to n bytes at offset (or at the file position when offset < 0). A signal or a pipe
// may deliver fewer bytes than asked without being at the end; only a zero-byte read is.
Status ReadFully(const std::string& path, int fd, off_t offset, size_t n, std::string_view* result,
                 char* scratch) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = offset < 0 ? ::read(fd, scratch + done, n - done)
                           : ::pread(fd, scratch + done, n - done, offset + done);
    if (r < 0) {
      if (errno == EINTR) continue;
      *result = std::string_view();
      return PosixError(path, errno);
    }
    if (r == 0) break;
    done += static_cast<size_t>(r);
  }
  *result = std::string_view(scratch, done);
  return Status::OK();
}

// Writes all of data at offset (or at the file position when offset < 0); *written (if not
// null) is how many bytes were written, also on failure. A write that takes no byte without
// an error is a full device.
Status WriteFully(const std::string& path, int fd, off_t offset, std::string_view data,
                  size_t* written) {
  size_t done = 0;
  Status s;
  while (done < data.size()) {
    const ssize_t w = offset < 0 ? ::write(fd, data.data() + done, data.size() - done)
                                 : ::pwrite(fd, data.data() + done, data.size() - done,
                                            offset + static_cast<off_t>(done));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      const int err = w < 0 ? errno : ENOSPC;
      s = PosixError(path, err);
      break;
    }
    done += static_cast<size_t>(w);
  }
  if (written != nullptr) *written = done;
  return s;
}

class PosixSequentialFile final : public SequentialFile {
 public:
  PosixSequentialFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixSequentialFile() override { ::close(fd_); }

  Status Read(size_t n, std::string_view* result, char* scratch) override {
    return ReadFully(path_, fd_, /*offset=*/-1, n, result, scratch);
  }

  Status Skip(uint64_t n) override {
    if (::lseek(fd_, static_cast<off_t>(n), SEEK_CUR) == static_cast<off_t>(-1)) {
      return PosixError(path_, errno);
    }
    return Status::OK();
  }

 private:
  const std::string path_;
  const int fd_;
};

// How many files one file system may map at once: each mapping takes address space and a
// kernel memory map entry, both plentiful on 64-bit Linux, yet not unbounded.
constexpr int kMaxMappedFiles = 4096;
// Default()'s byte bound (see the top of this file): the whole of a database of ten million
// 116-byte entries (about 700 MB) and more. A bound of 256 MiB cost such a database's random
// reads up to 40% (more of them through pread).
constexpr uint64_t kDefaultMaxMappedBytes = 1ull << 30;

// The random-access files a file system has open, shared with those files (which may outlive
// it): their bytes, mapped or not, and how many are mapped.
struct MapBudget {
  explicit MapBudget(uint64_t max) : max_bytes(max) {}
  const uint64_t max_bytes;
  std::atomic<uint64_t> open_bytes{0};
  std::atomic<int> mapped_files{0};

  // Counts a file of `length` bytes as open and returns whether it may be mapped: only if
  // the caller allows it and every open file, this one included, fits in max_bytes. A true
  // answer also counts it as mapped; Unmapped takes that back (a failed mmap).
  bool Open(uint64_t length, bool may_map) {
    const uint64_t before = open_bytes.fetch_add(length, std::memory_order_relaxed);
    if (!may_map || length == 0 || before + length > max_bytes) return false;
    if (mapped_files.fetch_add(1, std::memory_order_relaxed) < kMaxMappedFiles) return true;
    Unmapped();
    return false;
  }
  void Unmapped() { mapped_files.fetch_sub(1, std::memory_order_relaxed); }
  void Close(uint64_t length, bool mapped) {
    open_bytes.fetch_sub(length, std::memory_order_relaxed);
    if (mapped) Unmapped();
  }
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd, uint64_t length,
                        std::shared_ptr<MapBudget> budget)
      : path_(std::move(path)), fd_(fd), length_(length), budget_(std::move(budget)) {}
  ~PosixRandomAccessFile() override {
    ::close(fd_);
    budget_->Close(length_, /*mapped=*/false);
  }

  // pread leaves the shared file offset alone, which is what makes concurrent reads safe.
  Status Read(uint64_t offset, size_t n, std::string_view* result, char* scratch) const override {
    return ReadFully(path_, fd_, static_cast<off_t>(offset), n, result, scratch);
  }

 private:
  const std::string path_;
  const int fd_;
  const uint64_t length_;  // as counted in budget_
  const std::shared_ptr<MapBudget> budget_;
};

class PosixMappedFile final : public RandomAccessFile {
 public:
  PosixMappedFile(const char* base, size_t length, std::shared_ptr<MapBudget> budget)
      : base_(base), length_(length), budget_(std::move(budget)) {}
  ~PosixMappedFile() override {
    ::munmap(const_cast<char*>(base_), length_);
    budget_->Close(length_, /*mapped=*/true);
  }

  Status Read(uint64_t offset, size_t n, std::string_view* result, char*) const override {
    if (offset >= length_) {
      *result = std::string_view();
    } else {
      *result = std::string_view(base_ + offset, std::min<uint64_t>(n, length_ - offset));
    }
    return Status::OK();
  }
  bool IsMemoryMapped() const override { return true; }

  // The pages leave this process's page tables; a read maps them again from the page cache.
  // (On a shared file mapping MADV_DONTNEED discards no data.) Its result is ignored: a page
  // left mapped is only a hint not taken.
  void ReleasePages(uint64_t offset, uint64_t n) const override {
    if (offset >= length_) return;
    const uint64_t page = PageSize();
    const uint64_t begin = offset / page * page;
    const uint64_t end = (offset + std::min<uint64_t>(n, length_ - offset)) / page * page;
    if (begin < end) {
      (void)::madvise(const_cast<char*>(base_) + begin, end - begin, MADV_DONTNEED);
    }
  }

 private:
  const char* const base_;
  const size_t length_;
  const std::shared_ptr<MapBudget> budget_;
};

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Status Append(std::string_view data) override {
    if (fd_ < 0) return Status::IOError(path_, "append to a closed file");
    size_t written = 0;
    Status s = WriteFully(path_, fd_, /*offset=*/-1, data, &written);
    size_ += written;
    return s;
  }

  Status Sync() override { return SyncWritten(fd_, path_, &dir_synced_); }

  Status Close() override {
    if (fd_ < 0) return Status::IOError(path_, "file already closed");
    int fd = fd_;
    fd_ = -1;
    // The descriptor is gone even if close reports an error; retrying could close another.
    if (::close(fd) != 0) return PosixError(path_ + ": close", errno);
    return Status::OK();
  }

  uint64_t Size() const override { return size_; }
  bool FailedAppendsCountInSize() const override { return true; }

 private:
  const std::string path_;
  int fd_;
  uint64_t size_ = 0;
  bool dir_synced_ = false;
};

// A write-ahead log appended through a shared mapping of its file: a memcpy puts the data in
// the page cache, where it survives the process, without the system call per append that
// write() costs (the largest part of an unsynced Put on a virtual machine). The file grows a
// chunk at a time: the chunk's blocks are allocated first (a full disk is an error here, never
// a SIGBUS inside memcpy), then it is mapped. Allocation is fallocate where the file system
// has it: the chunk reads as zeros, yet no page is dirtied until a record is copied into it,
// so a log deleted before write-back costs the device nothing (at 100 M keys writing the zeros
// with pwrite cost 0.7 GB). From the third chunk of an unsynced log on, a ChunkPrefaulter
// thread faults each chunk in while the one before it fills (a page fault per 4 KiB was the
// writer's largest cost after the memtable insert), which dirties that chunk's zeros one chunk
// ahead of the records; the first Sync drops the chunk prepared ahead instead of writing it. Where
// fallocate fails (unsupported, or the disk nearly full) the chunk is written as zeros with
// pwrite, which allocates what fits. An Append that would run past the mapped chunk allocates
// what it needs before it copies a byte, so a full disk refuses it whole. Close unmaps and
// trims the zeros past the data; a process that dies leaves them, and log readers take them
// as the end of the log. fdatasync covers pages written through the mapping.
class PosixMappedLogFile final : public WritableFile {
 public:
  static constexpr size_t kChunk = 1 << 20;

  PosixMappedLogFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixMappedLogFile() override {
    if (fd_ >= 0) Close().PermitUncheckedError();
  }

  Status Append(std::string_view data) override {
    if (fd_ < 0) return Status::IOError(path_, "append to a closed file");
    // Data that runs past the mapped chunk gets its blocks first: a full disk then refuses
    // all of it, with Size() unchanged (LogWriter keeps such a log), instead of leaving its
    // first part in the file as a torn record that no later record may follow.
    const uint64_t end = size_ + data.size();
    if (end > chunk_offset_ + mapped_ && end > reserved_end_) {
      Status s = Reserve(end);
      if (!s.ok()) return s;
    }
    while (!data.empty()) {
      if (size_ == chunk_offset_ + mapped_) {
        Status s = MapNextChunk();
        if (!s.ok()) return s;
      }
      size_t n = std::min(data.size(), static_cast<size_t>(chunk_offset_ + mapped_ - size_));
      if (synced_) {
        if (chunk_allocated_) WriteRestOfChunkAsZeros();
        size_t written = 0;
        Status s = WriteFully(path_, fd_, static_cast<off_t>(size_), data.substr(0, n), &written);
        size_ += written;
        if (!s.ok()) return s;
      } else {
        std::memcpy(chunk_ + (size_ - chunk_offset_), data.data(), n);
        size_ += n;
      }
      data.remove_prefix(n);
    }
    return Status::OK();
  }

  // fdatasync writes the mapped pages back and write-protects them, so the next memcpy into
  // one faults (page_mkwrite): a synced write cost 650 us here instead of 185. Once the log
  // is synced, appends go through pwrite into the same allocated range (the page cache is
  // shared with the mapping, so readers see one file either way).
  //
  // A synced log also writes its chunks as zeros instead of allocating them: a block that
  // fallocate left unwritten changes the file's extent map when data first reaches it, so
  // each fdatasync that crosses into a new block commits the file system's journal too
  // (64 synced writers: 113 k/s fell to 102 k/s). The rest of a chunk that was allocated is
  // written as zeros by the first append after the sync (not by the sync: a log synced once
  // and then closed, as at a memtable switch, would send the zeros to the device for nothing).
  //
  // A chunk prepared ahead while the log was unsynced (see MapNextChunk) is dropped first: its
  // pages are dirty zeros, which the sync would write. The chunk the records are in, if it was
  // prepared, is all dirty too: the sync writes the rest of it (at most 1 MiB of zeros, once
  // per log synced after running unsynced; the active log would write it next anyway).
  Status Sync() override {
    if (!synced_) DropPreparedChunk();
    synced_ = true;
    return SyncWritten(fd_, path_, &dir_synced_);
  }

  Status Close() override {
    if (fd_ < 0) return Status::IOError(path_, "file already closed");
    prefaulter_.Stop();  // before the zeros it may be touching are trimmed
    Unmap();
    Status s;
    if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0)
      s = PosixError(path_ + ": ftruncate", errno);
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0 && s.ok()) s = PosixError(path_ + ": close", errno);
    return s;
  }

  uint64_t Size() const override { return size_; }
  bool FailedAppendsCountInSize() const override { return true; }

 private:
  // Maps the chunk at size_ (the end of the last one) from the blocks Reserve allocated.
  // REQUIRES: size_ < reserved_end_ (Append reserves before it runs past the mapped chunk).
  Status MapNextChunk() {
    Unmap();
    const uint64_t offset = size_;  // page-aligned: chunks are whole pages, filled whole
    assert(offset < reserved_end_);
    const size_t usable = ReservedAfterChunk();
    chunk_allocated_ = reserved_by_fallocate_;
    char* p = prefaulter_.Take(offset, usable);
    if (p == nullptr) {
      void* m = ::mmap(nullptr, usable, PROT_WRITE, MAP_SHARED, fd_, static_cast<off_t>(offset));
      if (m == MAP_FAILED) {
        const int err = errno;
        return PosixError(path_ + ": mmap", err);
      }
      p = static_cast<char*>(m);
    }
    chunk_ = p;
    chunk_offset_ = offset;
    mapped_ = usable;
    // Once the log has filled its first chunk: it is written fast enough that the
    // next chunk's pages, dirty from the moment they are prepared, fill within moments (and a
    // short or slow log dirties no page ahead of its records). Not for a synced log, whose
    // appends use pwrite and whose dirty zeros the next sync would write.
    if (!synced_ && offset > 0) PrepareNextChunk();
    return Status::OK();
  }

  // Allocates the chunk after the mapped one if Reserve has not, and has the prefaulter map
  // it and fault it in while records fill this one. Only a speed-up: if the allocation fails,
  // the Append that needs the chunk meets the failure (and reports it) as before.
  void PrepareNextChunk() {
    const uint64_t next = chunk_offset_ + mapped_;
    if (reserved_end_ <= next) Reserve(next + 1).PermitUncheckedError();
    if (const size_t length = ReservedAfterChunk(); length > 0)
      prefaulter_.Prepare(fd_, next, length);
  }

  // How much of the chunk after the mapped one (or of the one at size_, with none mapped) is
  // allocated: what MapNextChunk maps there, and what PrepareNextChunk prepared. 0: nothing.
  size_t ReservedAfterChunk() const {
    const uint64_t next = chunk_offset_ + mapped_;
    return reserved_end_ > next
               ? static_cast<size_t>(std::min<uint64_t>(kChunk, reserved_end_ - next))
               : 0;
  }

  // Drops the pages of the chunk prepared ahead (the one after the mapped chunk, once the
  // log is past its first: see MapNextChunk), dirty zeros in the page cache, without writing
  // them: a hole punched over the range discards them, and the range is allocated again, so
  // it stays reserved. If that allocation fails the range is no longer counted as reserved,
  // and the Append that needs it reserves it (or reports the full disk) as before. Where the
  // prefaulter never got to the range, the punch only finds clean blocks to allocate again.
  void DropPreparedChunk() {
    prefaulter_.Stop();
    const uint64_t next = chunk_offset_ + mapped_;
    const size_t length = ReservedAfterChunk();
    // Allocated by writing zeros: those pages were dirty before the prefaulter touched them.
    if (chunk_offset_ == 0 || length == 0 || !reserved_by_fallocate_) return;
#if defined(FALLOC_FL_PUNCH_HOLE) && defined(FALLOC_FL_KEEP_SIZE)
    const auto off = static_cast<off_t>(next);
    const auto len = static_cast<off_t>(length);
    if (::fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len) != 0) return;
    if (::fallocate(fd_, 0, off, len) != 0) reserved_end_ = next;
#endif
  }

  // Allocates the blocks past the mapped chunk up to at least end, a chunk at a time, for
  // MapNextChunk to map later: the one place the log's blocks are allocated. Not OK (NoSpace
  // on a full disk) if it could not reach end; what it allocated stays reserved.
  Status Reserve(uint64_t end) {
    uint64_t from = std::max(chunk_offset_ + mapped_, reserved_end_);
    if (reserved_end_ <= chunk_offset_ + mapped_) reserved_by_fallocate_ = true;
    while (from < end) {
      size_t usable;
      bool by_fallocate;
      Status s = AllocateChunk(from, &usable, &by_fallocate);
      if (usable == 0) return s;
      reserved_by_fallocate_ = reserved_by_fallocate_ && by_fallocate;
      from += usable;
      reserved_end_ = from;
    }
    return Status::OK();
  }

  // Allocates up to a chunk of blocks at offset (page-aligned): with fallocate (unless the
  // log was synced; see Sync), else by writing zeros, which takes what fits. *usable is the
  // whole pages allocated; 0 comes with the error. Zeros past them are trimmed.
  Status AllocateChunk(uint64_t offset, size_t* usable, bool* by_fallocate) {
    const size_t page = PageSize();
    size_t done = kChunk;
    Status zeros;
    *by_fallocate = !synced_ && ::fallocate(fd_, 0, static_cast<off_t>(offset),
                                            static_cast<off_t>(kChunk)) == 0;
    if (!*by_fallocate) zeros = WriteZeros(offset, kChunk, &done);
    // Near a full disk, the whole pages that were allocated still take records.
    *usable = done - done % page;
    if (*usable < done || *usable == 0) {
      // Leave no zeros the data does not need; if that fails they stay, taken as the end of
      // the log by readers and trimmed by Close.
      (void)::ftruncate(fd_, static_cast<off_t>(offset + *usable));
    }
    return *usable == 0 ? zeros : Status::OK();
  }

  // Writes n <= kChunk zero bytes at offset; *written (if not null) is how many were written.
  // A page per write: a kernel that forms large page-cache folios would put a 1 MiB write in
  // one folio, and every later record copied into it would dirty (and the next sync write-
  // protect and account) the whole folio instead of the page it reaches.
  Status WriteZeros(uint64_t offset, size_t n, size_t* written) {
    const size_t page = PageSize();
    static const std::vector<char> zeros(page);
    assert(n <= kChunk);
    size_t done = 0;
    Status s;
    while (done < n && s.ok()) {
      const size_t piece = std::min(page - (offset + done) % page, n - done);
      size_t w = 0;
      s = WriteFully(path_, fd_, static_cast<off_t>(offset + done),
                     std::string_view(zeros.data(), piece), &w);
      done += w;
    }
    if (written != nullptr) *written = done;
    return s;
  }

  // The rest of an allocated chunk, written as zeros (see Sync). Only a speed-up: if it
  // fails, the appends that follow go into the allocated blocks all the same.
  void WriteRestOfChunkAsZeros() {
    chunk_allocated_ = false;
    WriteZeros(size_, chunk_offset_ + mapped_ - size_, nullptr).PermitUncheckedError();
  }

  void Unmap() {
    if (chunk_ != nullptr) ::munmap(chunk_, mapped_);
    chunk_ = nullptr;
    chunk_offset_ = size_;
    mapped_ = 0;
  }

  const std::string path_;
  int fd_;
  uint64_t size_ = 0;                   // bytes appended
  char* chunk_ = nullptr;               // the mapped chunk, or null
  uint64_t chunk_offset_ = 0;           // file offset of chunk_
  size_t mapped_ = 0;                   // bytes mapped at chunk_
  bool synced_ = false;                 // Sync was called: append with pwrite from now on
  bool chunk_allocated_ = false;        // the chunk was allocated by fallocate, not written
  uint64_t reserved_end_ = 0;           // blocks up to here are allocated (Reserve), maybe unmapped
  bool reserved_by_fallocate_ = false;  // all of the reservation past the chunk by fallocate
  bool dir_synced_ = false;
  ChunkPrefaulter prefaulter_;  // the next chunk, mapped and faulted in ahead of the copies
};

// Paths locked by this process; see the comment at the top of the file.
class LockedPaths {
 public:
  bool Insert(const std::string& path) EXCLUDES(mu_) {
    MutexLock l(&mu_);
    return paths_.insert(path).second;
  }
  void Erase(const std::string& path) EXCLUDES(mu_) {
    MutexLock l(&mu_);
    paths_.erase(path);
  }

 private:
  Mutex mu_;
  std::set<std::string> paths_ GUARDED_BY(mu_);
};

LockedPaths* GlobalLockedPaths() {
  // Leaked on purpose: a FileLock held by a static object may be released after exit begins.
  static LockedPaths* paths = new LockedPaths;
  return paths;
}

class PosixFileLock final : public FileLock {
 public:
  PosixFileLock(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixFileLock() override {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
    GlobalLockedPaths()->Erase(path_);
  }

 private:
  const std::string path_;
  const int fd_;
};

Status BusyLock(const std::string& path) {
  return Status::Busy("lock held by another process or DB object", path);
}

class PosixFileSystem final : public FileSystem {
 public:
  explicit PosixFileSystem(uint64_t max_mapped_bytes)
      : map_budget_(std::make_shared<MapBudget>(max_mapped_bytes)) {}

  Status NewSequentialFile(const std::string& path,
                           std::unique_ptr<SequentialFile>* result) override {
    result->reset();
    int fd = OpenRetrying(path, O_RDONLY);
    if (fd < 0) return PosixError(path, errno);
    *result = std::make_unique<PosixSequentialFile>(path, fd);
    return Status::OK();
  }

  Status NewRandomAccessFile(const std::string& path,
                             std::unique_ptr<RandomAccessFile>* result) override {
    return OpenRandomAccess(path, /*may_map=*/true, result);
  }
  uint64_t MappingBound() const override { return map_budget_->max_bytes; }
  Status NewUnmappedRandomAccessFile(const std::string& path,
                                     std::unique_ptr<RandomAccessFile>* result) override {
    return OpenRandomAccess(path, /*may_map=*/false, result);
  }

  Status OpenRandomAccess(const std::string& path, bool may_map,
                          std::unique_ptr<RandomAccessFile>* result) {
    result->reset();
    // Without the access time: nothing reads it, and deciding on every pread whether to
    // update it took 1.6% of a 100 M readrandom. Only the file's owner may ask (EPERM).
    int fd = OpenRetrying(path, O_RDONLY | O_NOATIME);
    if (fd < 0 && errno == EPERM) fd = OpenRetrying(path, O_RDONLY);
    if (fd < 0) return PosixError(path, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      const int err = errno;
      ::close(fd);
      return PosixError(path + ": fstat", err);
    }
    // Only the length the file has now is mapped and counted (see the top of this file).
    const uint64_t length = st.st_size > 0 ? static_cast<uint64_t>(st.st_size) : 0;
    if (map_budget_->Open(length, may_map)) {
      void* base = ::mmap(nullptr, length, PROT_READ, MAP_SHARED, fd, 0);
      if (base != MAP_FAILED) {
        ::close(fd);  // the mapping keeps the file's pages reachable
        *result =
            std::make_unique<PosixMappedFile>(static_cast<const char*>(base), length, map_budget_);
        return Status::OK();
      }
      map_budget_->Unmapped();  // read with pread instead
    }
    *result = std::make_unique<PosixRandomAccessFile>(path, fd, length, map_budget_);
    return Status::OK();
  }

  Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* result) override {
    result->reset();
    int fd = OpenRetrying(path, O_WRONLY | O_CREAT | O_TRUNC, kFileMode);
    if (fd < 0) return PosixError(path, errno);
    *result = std::make_unique<PosixWritableFile>(path, fd);
    return Status::OK();
  }

  Status NewLogFile(const std::string& path, std::unique_ptr<WritableFile>* result) override {
    result->reset();
    int fd = OpenRetrying(path, O_RDWR | O_CREAT | O_TRUNC, kFileMode);
    if (fd < 0) return PosixError(path, errno);
    *result = std::make_unique<PosixMappedLogFile>(path, fd);
    return Status::OK();
  }

  bool FileExists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }

  Status GetChildren(const std::string& dir, std::vector<std::string>* names) override {
    names->clear();
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return PosixError(dir, errno);
    errno = 0;
    while (struct dirent* entry = ::readdir(d)) {
      std::string_view name(entry->d_name);
      if (name != "." && name != "..") names->emplace_back(name);
      errno = 0;
    }
    int err = errno;
    ::closedir(d);
    if (err != 0) return PosixError(dir, err);
    return Status::OK();
  }

  Status GetFileSize(const std::string& path, uint64_t* size) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
      *size = 0;
      return PosixError(path, errno);
    }
    *size = static_cast<uint64_t>(st.st_size);
    return Status::OK();
  }

  Status LinkFile(const std::string& from, const std::string& to) override {
    if (::link(from.c_str(), to.c_str()) == 0) return Status::OK();
    if (errno == EXDEV) {
      return Status::NotSupported("EXDEV: cannot link across file systems", from + " -> " + to);
    }
    return PosixError(from + " -> " + to, errno);
  }

  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return PosixError(path, errno);
    return SyncDirectory(ParentDir(path));
  }

  Status RenameFile(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return PosixError(from + " -> " + to, errno);
    }
    const std::string to_dir = ParentDir(to);
    Status s = SyncDirectory(to_dir);
    if (s.ok()) {
      const std::string from_dir = ParentDir(from);
      if (from_dir != to_dir) s = SyncDirectory(from_dir);
    }
    return s;
  }

  Status Truncate(const std::string& path, uint64_t size) override {
    int r;
    do {
      r = ::truncate(path.c_str(), static_cast<off_t>(size));
    } while (r != 0 && errno == EINTR);
    if (r != 0) return PosixError(path, errno);
    return Status::OK();
  }

  Status CreateDir(const std::string& dir) override {
    // A new directory's own entry must be durable before files in it can be.
    if (::mkdir(dir.c_str(), kDirMode) == 0) return SyncDirectory(ParentDir(dir));
    int err = errno;
    if (err == EEXIST) {
      struct stat st;
      if (::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return Status::OK();
      return Status::IOError(dir, "exists and is not a directory");
    }
    return PosixError(dir, err);
  }

  Status RemoveDir(const std::string& dir) override {
    if (::rmdir(dir.c_str()) != 0) return PosixError(dir, errno);
    return Status::OK();
  }

  Status SyncDir(const std::string& dir) override { return SyncDirectory(dir); }

  Status LockFile(const std::string& path, std::unique_ptr<FileLock>* lock) override {
    lock->reset();
    if (!GlobalLockedPaths()->Insert(path)) return BusyLock(path);
    int fd = OpenRetrying(path, O_RDWR | O_CREAT, kFileMode);
    if (fd < 0) {
      int err = errno;
      GlobalLockedPaths()->Erase(path);
      return PosixError(path, err);
    }
    int r;
    do {
      r = ::flock(fd, LOCK_EX | LOCK_NB);
    } while (r != 0 && errno == EINTR);
    if (r != 0) {
      int err = errno;
      ::close(fd);
      GlobalLockedPaths()->Erase(path);
      if (err == EWOULDBLOCK) return BusyLock(path);
      return PosixError(path + ": flock", err);
    }
    *lock = std::make_unique<PosixFileLock>(path, fd);
    return Status::OK();
  }

 private:
  const std::shared_ptr<MapBudget> map_budget_;
};

}  // namespace

std::shared_ptr<FileSystem> FileSystem::Default() {
  // Leaked on purpose so that it outlives every static that might still use it at exit.
  static auto* fs =
      new std::shared_ptr<FileSystem>(std::make_shared<PosixFileSystem>(kDefaultMaxMappedBytes));
  return *fs;
}

std::shared_ptr<FileSystem> FileSystem::NewPosix(uint64_t max_mapped_bytes) {
  return std::make_shared<PosixFileSystem>(max_mapped_bytes);
}

}  // namespace strata
