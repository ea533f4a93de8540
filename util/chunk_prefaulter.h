// ChunkPrefaulter: maps the next chunk of a file that its writer fills through a shared
// mapping, and faults the chunk's pages in, on a thread of its own, so that the writer finds
// the chunk ready and its stores take no page faults.
//
// Why: the first store into each page of a fresh shared mapping faults (a page-cache page is
// made, zeroed, and made writable and dirty), and on a virtual machine every fault also exits
// to the hypervisor. A write-ahead log filled by memcpy took one fault per 4 KiB, about one
// per 30 small records, and on this project's test machine those faults were the largest
// part of an unsynced Put after the memtable insert. One MADV_POPULATE_WRITE over the chunk,
// then one read of each page (which takes the hypervisor's exit for the page on this thread
// too), leaves the writer's stores fault-free.
//
// The price: the pages are dirty from the moment they are prepared, zeros included, so a
// chunk should be prepared only when its writer is about to need it (the log prepares the next
// chunk when it starts filling the current one).
//
// Thread safety: Prepare, Take and Stop are for one thread at a time (the file's writer); the
// work runs on an internal thread, started by the first Prepare.
#pragma once

#include <cstddef>
#include <cstdint>
#include <thread>

#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace strata {

class ChunkPrefaulter {
 public:
  ChunkPrefaulter() = default;
  ~ChunkPrefaulter() { Stop(); }
  ChunkPrefaulter(const ChunkPrefaulter&) = delete;
  ChunkPrefaulter& operator=(const ChunkPrefaulter&) = delete;

  // Asks for the length bytes of fd at offset to be mapped (shared, read and write) and
  // faulted in; a chunk prepared and not taken is unmapped. Only a speed-up: if the thread
  // cannot start, or the mapping fails, Take returns null. REQUIRES: offset is page-aligned;
  // the range lies within the file (its blocks allocated) and fd stays open until Take or Stop
  // returns.
  void Prepare(int fd, uint64_t offset, size_t length);

  // The mapping of exactly (offset, length) if it was prepared, waiting for it if the thread is
  // at work on it; the caller owns it then (munmap(p, length)). Null if there is none (not
  // asked, another range, the thread not yet started on it, or the mapping failed): the caller
  // maps the range itself. Whatever else was prepared is unmapped.
  char* Take(uint64_t offset, size_t length);

  // Waits until the chunk asked for is prepared (or its mapping failed, or the thread could not
  // start), for a caller that would rather wait than fault (tests take a chunk this way).
  void WaitUntilPrepared();

  // Waits for the thread to finish and unmaps what was prepared and not taken.
  void Stop();

 private:
  enum class State { kIdle, kRequested, kWorking, kReady };

  void Run();
  // Waits out a chunk in the works; returns what is prepared (or null) and leaves kIdle.
  char* DropLocked() REQUIRES(mu_);

  Mutex mu_;
  CondVar work_cv_{&mu_};  // a request or stop_ for the thread
  CondVar done_cv_{&mu_};  // the thread finished a chunk
  State state_ GUARDED_BY(mu_) = State::kIdle;
  bool stop_ GUARDED_BY(mu_) = false;
  bool unavailable_ GUARDED_BY(mu_) = false;  // the thread could not be started
  int fd_ GUARDED_BY(mu_) = -1;
  uint64_t offset_ GUARDED_BY(mu_) = 0;
  size_t length_ GUARDED_BY(mu_) = 0;
  char* mapped_ GUARDED_BY(mu_) = nullptr;  // kReady: the chunk, or null if mapping failed
  std::thread thread_;                      // touched by the calling thread only
};

}  // namespace strata
