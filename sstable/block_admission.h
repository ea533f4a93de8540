// BlockAdmission: which data blocks that a read missed in the block cache may push other
// blocks out of it. A block read on a miss always enters the cache while the cache has room
// for it; once the cache is full, it enters (evicting the least recently used) only if it
// was missed before, within a window of recent misses. Other blocks are read, used by the
// read that wanted them, and dropped.
//
// Why: an insert into a full cache costs an eviction and the free of the evicted block, a
// fresh block buffer the processor has not touched lately, and a second visit to the shard's
// lock and hash table; a block kept by its reader reuses the thread's spare buffer, still in
// the processor's caches. Where reads spread over data many times larger than the cache (100 M
// keys and a 32 MiB cache: 0.3% of lookups hit), every read paid that for nothing, and each
// block read once pushed out one that might have been read again. A block missed twice within
// the window is likely to be read again: this is the second-chance admission of 2Q's A1out
// list and TinyLFU's doorkeeper.
//
// The window is a direct-mapped table of the hashes of recent misses, with about twice as
// many slots as the cache holds blocks: a block missed twice within about that many misses is
// admitted. A collision only makes the table forget a block, which is then admitted one miss
// later. "Full" is the sharded cache's: the block's shard has no room for it.
// Options::block_cache_admit_on_first_miss turns the policy off (every miss inserts, as LevelDB's
// and RocksDB's caches do).
//
// Thread safety: AdmitAfterMiss may be called from any thread. The slots are relaxed atomics:
// a race only delays or repeats an admission.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace strata {

class BlockAdmission {
 public:
  // For a cache of cache_capacity bytes holding blocks of about block_size bytes each.
  BlockAdmission(size_t cache_capacity, size_t block_size);
  BlockAdmission(const BlockAdmission&) = delete;
  BlockAdmission& operator=(const BlockAdmission&) = delete;

  // After a cache miss for the block whose cache key hashes to key_hash: true if the block
  // missed within the window (which then forgets it), else false (and it is remembered).
  bool AdmitAfterMiss(uint64_t key_hash) {
    // Zero marks an empty slot, so the low bit (which also picks the slot) is set.
    const uint64_t tag = key_hash | 1;
    std::atomic<uint64_t>& slot = slots_[key_hash & mask_];
    if (slot.load(std::memory_order_relaxed) == tag) {
      slot.store(0, std::memory_order_relaxed);
      return true;
    }
    slot.store(tag, std::memory_order_relaxed);
    return false;
  }

  // How many misses the window holds (a power of two).
  size_t window() const { return mask_ + 1; }

 private:
  const uint64_t mask_;
  const std::unique_ptr<std::atomic<uint64_t>[]> slots_;
};

}  // namespace strata
