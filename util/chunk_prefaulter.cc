#include "util/chunk_prefaulter.h"

#include <sys/mman.h>
#include <unistd.h>

#include <system_error>

#include "util/large_memory.h"

namespace strata {

namespace {

// Faults in the length bytes at p, mapped writable: populated writable (the kernel's page
// tables), then read a page at a time (on a virtual machine the first access still exits to
// the hypervisor, now on this thread). False if the kernel cannot populate: the reads alone
// would map a file's pages read-only, and the writer's first store into each would fault.
bool FaultIn(char* p, size_t length) {
#if defined(MADV_POPULATE_WRITE)
  if (::madvise(p, length, MADV_POPULATE_WRITE) != 0) return false;
  static const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  const volatile char* bytes = p;
  for (size_t i = 0; i < length; i += page) (void)bytes[i];
  return true;
#else
  (void)p;
  (void)length;
  return false;
#endif
}

void UnmapChunk(char* p, size_t length, bool huge_page) {
  if (p == nullptr) return;
  if (huge_page) {
    UnmapHugePage(p);
  } else {
    ::munmap(p, length);
  }
}

// The chunk mapped and faulted in, or null.
char* MapAndFault(int fd, uint64_t offset, size_t length, bool huge_page) {
  char* p = nullptr;
  if (huge_page) {
    p = MapHugePage();
  } else {
    void* m =
        ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, static_cast<off_t>(offset));
    if (m != MAP_FAILED) p = static_cast<char*>(m);
  }
  if (p == nullptr) return nullptr;
  if (!FaultIn(p, length)) {
    UnmapChunk(p, length, huge_page);
    return nullptr;
  }
  return p;
}

}  // namespace

void ChunkPrefaulter::Prepare(int fd, uint64_t offset, size_t length) {
  Request(fd, offset, length, /*huge_page=*/false);
}

void ChunkPrefaulter::PrepareHugePage() { Request(-1, 0, kHugePageBytes, /*huge_page=*/true); }

void ChunkPrefaulter::Request(int fd, uint64_t offset, size_t length, bool huge_page) {
  char* stale = nullptr;
  size_t stale_length = 0;
  bool stale_huge = false;
  {
    MutexLock l(&mu_);
    if (unavailable_) return;
    stale_length = length_;
    stale_huge = huge_page_;
    stale = DropLocked();
    fd_ = fd;
    offset_ = offset;
    length_ = length;
    huge_page_ = huge_page;
    state_ = State::kRequested;
    if (!thread_.joinable()) {
      try {
        thread_ = std::thread([this] { Run(); });
      } catch (const std::system_error&) {
        unavailable_ = true;  // out of threads: the writer faults its pages itself
        state_ = State::kIdle;
      }
    }
    work_cv_.Signal();
  }
  UnmapChunk(stale, stale_length, stale_huge);
}

char* ChunkPrefaulter::Take(uint64_t offset, size_t length) {
  char* p = nullptr;
  size_t prepared_length = 0;
  bool huge_page = false;
  bool match = false;
  {
    MutexLock l(&mu_);
    match = offset_ == offset && length_ == length;
    prepared_length = length_;
    huge_page = huge_page_;
    // Not started on yet: the caller maps the chunk at once rather than wait for a thread
    // that the scheduler has not run.
    if (state_ == State::kRequested) state_ = State::kIdle;
    p = DropLocked();
  }
  if (p != nullptr && !match) {
    UnmapChunk(p, prepared_length, huge_page);
    p = nullptr;
  }
  return p;
}

void ChunkPrefaulter::WaitUntilPrepared() {
  MutexLock l(&mu_);
  while (state_ == State::kRequested || state_ == State::kWorking) done_cv_.Wait();
}

void ChunkPrefaulter::Stop() {
  if (!thread_.joinable()) return;
  char* p = nullptr;
  size_t length = 0;
  {
    MutexLock l(&mu_);
    stop_ = true;
    work_cv_.Signal();
  }
  thread_.join();
  bool huge_page = false;
  {
    MutexLock l(&mu_);
    stop_ = false;
    if (state_ == State::kRequested) state_ = State::kIdle;
    length = length_;
    huge_page = huge_page_;
    p = DropLocked();
  }
  UnmapChunk(p, length, huge_page);
}

char* ChunkPrefaulter::DropLocked() {
  while (state_ == State::kWorking) done_cv_.Wait();
  char* p = state_ == State::kReady ? mapped_ : nullptr;
  mapped_ = nullptr;
  state_ = State::kIdle;
  return p;
}

void ChunkPrefaulter::Run() {
  mu_.Lock();
  while (true) {
    while (!stop_ && state_ != State::kRequested) work_cv_.Wait();
    if (stop_) break;
    state_ = State::kWorking;
    const int fd = fd_;
    const uint64_t offset = offset_;
    const size_t length = length_;
    const bool huge_page = huge_page_;
    mu_.Unlock();
    char* p = MapAndFault(fd, offset, length, huge_page);
    mu_.Lock();
    mapped_ = p;
    state_ = State::kReady;
    done_cv_.SignalAll();
  }
  mu_.Unlock();
}

}  // namespace strata
