#include "util/huge_page_pool.h"

#include "util/large_memory.h"

namespace strata {

HugePagePool::~HugePagePool() {
  MutexLock l(&mu_);
  prefaulter_.Stop();
  for (char* block : free_) UnmapHugePage(block);
  free_.clear();
}

char* HugePagePool::Get() {
  MutexLock l(&mu_);
  if (!free_.empty()) {
    char* block = free_.back();
    free_.pop_back();
    return block;
  }
  char* block = prefaulter_.Take(0, kHugePageBytes);
  if (block == nullptr) block = MapHugePage();
  // The pool is empty: memtables are still growing into fresh memory, so the next Get will
  // most likely want a fresh block too.
  prefaulter_.PrepareHugePage();
  return block;
}

void HugePagePool::Put(char* block) {
  if (block == nullptr) return;
  {
    MutexLock l(&mu_);
    if (free_.size() < max_pooled_) {
      free_.push_back(block);
      return;
    }
  }
  UnmapHugePage(block);
}

}  // namespace strata
