#include "util/chunk_prefaulter.h"

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <system_error>

#include "util/page_size.h"

namespace strata {

namespace {

// Set once the kernel refused MADV_POPULATE_WRITE as unknown: no chunk is worth preparing.
std::atomic<bool> populate_unsupported{false};

// The chunk mapped and faulted in, or null.
char* MapAndFault(int fd, uint64_t offset, size_t length) {
#if defined(MADV_POPULATE_WRITE)
  void* p =
      ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, static_cast<off_t>(offset));
  if (p == MAP_FAILED) return nullptr;
  // Without the populate (a kernel before 5.14) the reads below would map the pages read-only,
  // and the writer's first store into each would fault all the same: not worth a chunk.
  if (::madvise(p, length, MADV_POPULATE_WRITE) != 0) {
    if (errno == EINVAL) populate_unsupported.store(true, std::memory_order_relaxed);
    ::munmap(p, length);
    return nullptr;
  }
  const size_t page = PageSize();
  const volatile char* bytes = static_cast<const char*>(p);
  for (size_t i = 0; i < length; i += page) (void)bytes[i];
  return static_cast<char*>(p);
#else
  (void)fd;
  (void)offset;
  (void)length;
  return nullptr;
#endif
}

}  // namespace

void ChunkPrefaulter::Prepare(int fd, uint64_t offset, size_t length) {
  char* stale = nullptr;
  size_t stale_length = 0;
  {
    MutexLock l(&mu_);
    if (unavailable_ || populate_unsupported.load(std::memory_order_relaxed)) return;
    stale_length = length_;
    stale = DropLocked();
    fd_ = fd;
    offset_ = offset;
    length_ = length;
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
  if (stale != nullptr) ::munmap(stale, stale_length);
}

char* ChunkPrefaulter::Take(uint64_t offset, size_t length) {
  char* p = nullptr;
  size_t prepared_length = 0;
  bool match = false;
  {
    MutexLock l(&mu_);
    match = offset_ == offset && length_ == length;
    prepared_length = length_;
    // Not started on yet: the caller maps the chunk at once rather than wait for a thread
    // that the scheduler has not run.
    if (state_ == State::kRequested) state_ = State::kIdle;
    p = DropLocked();
  }
  if (p != nullptr && !match) {
    ::munmap(p, prepared_length);
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
  {
    MutexLock l(&mu_);
    stop_ = false;
    if (state_ == State::kRequested) state_ = State::kIdle;
    length = length_;
    p = DropLocked();
  }
  if (p != nullptr) ::munmap(p, length);
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
    mu_.Unlock();
    char* p = MapAndFault(fd, offset, length);
    mu_.Lock();
    mapped_ = p;
    state_ = State::kReady;
    done_cv_.SignalAll();
  }
  mu_.Unlock();
}

}  // namespace strata
