// HugePagePool: huge-page blocks (kHugePageBytes, aligned and advised; see large_memory.h) for
// the memtables of one database, handed from a flushed memtable to the next one, and the next
// fresh block faulted in ahead by a thread of its own.
//
// Why: the first touch of a fresh huge page has the kernel zero 2 MiB, and on a virtual
// machine also has the hypervisor back it; on this project's test machine that cost about
// 7 us per 4 KiB, on the thread that was inserting into the memtable. A memtable's blocks
// used to go back to the system when it was flushed, so every memtable paid it again. Kept
// in the pool they come back already faulted in; a fresh block, needed while the pool is
// empty (the first memtables), is prepared by a ChunkPrefaulter before it is asked for.
//
// Thread safety: any thread may call Get and Put (the memtable's writer gets, whoever drops
// the memtable's last reference puts).
#pragma once

#include <cstddef>
#include <vector>

#include "util/chunk_prefaulter.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace strata {

class HugePagePool {
 public:
  // Keeps at most max_pooled blocks; a block put back beyond that is unmapped.
  explicit HugePagePool(size_t max_pooled) : max_pooled_(max_pooled) {}
  // Unmaps the pooled blocks. Blocks still out (in arenas) are the arenas' to put back: an
  // arena holds the pool by shared_ptr.
  ~HugePagePool();
  HugePagePool(const HugePagePool&) = delete;
  HugePagePool& operator=(const HugePagePool&) = delete;

  // A block, pooled if there is one, else fresh (faulted in ahead if the prefaulter had it
  // ready); null if the system has no memory to map.
  char* Get();
  // Takes back a block from Get, to pool or to unmap.
  void Put(char* block);

  // Waits until a fresh block asked of the prefaulter is ready (tests take one this way).
  void WaitUntilPrepared() {
    MutexLock l(&mu_);
    prefaulter_.WaitUntilPrepared();
  }

  size_t pooled() const {
    MutexLock l(&mu_);
    return free_.size();
  }

 private:
  const size_t max_pooled_;
  mutable Mutex mu_;
  std::vector<char*> free_ GUARDED_BY(mu_);
  ChunkPrefaulter prefaulter_ GUARDED_BY(mu_);  // its callers are serialised by mu_
};

}  // namespace strata
