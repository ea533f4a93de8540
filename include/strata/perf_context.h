// PerfContext: per-thread counters of where this thread's reads went (tables probed, filter
// checks, block cache hits, blocks read from files), for profiling one workload without a
// profiler. Counting is off by default and costs one thread-local load per event when off.
//
// Thread safety: each thread has its own context and level; a thread reads and resets only
// its own.
#pragma once

#include <cstdint>
#include <string>

namespace strata {

enum class PerfLevel : uint8_t {
  kDisable = 0,      // count nothing (the default)
  kEnableCount = 1,  // count events
};

struct PerfContext {
  uint64_t get_count = 0;          // DB::Get calls
  uint64_t get_from_memtable = 0;  // Gets answered by a memtable (value or deletion)
  uint64_t tables_probed = 0;      // table files a Get searched (after the key range check)
  uint64_t filter_checks = 0;      // bloom filter probes
  uint64_t filter_negatives = 0;   // probes that ruled a table out (saved a block read)
  uint64_t block_cache_hits = 0;   // data blocks found in the block cache
  uint64_t block_reads = 0;        // data blocks read from a file (cache misses)
  uint64_t block_read_bytes = 0;   // bytes of those blocks as stored (compressed)
  uint64_t iterator_seeks = 0;     // Seek/SeekForPrev/SeekToFirst/SeekToLast on DB iterators
  uint64_t internal_entries_skipped =
      0;  // hidden versions and deletions a DB iterator stepped over
  // Memtable searches that a memtable's key filter saved (Options::memtable_bloom_size_ratio).
  uint64_t memtable_filter_negatives = 0;
  // Blocks a long scan read and kept to itself because the block cache had no room for them
  // without evicting (ReadOptions::fill_cache).
  uint64_t scan_blocks_not_cached = 0;
  // Blocks other reads kept to themselves because the block cache was full and they had not
  // been missed recently (Options::block_cache_admit_on_first_miss).
  uint64_t blocks_not_admitted = 0;

  void Reset() { *this = PerfContext(); }
  // Adds other's counts (to total several threads).
  PerfContext& operator+=(const PerfContext& other);
  // "get_count = 3, tables_probed = 5, ..." with every counter that is not zero.
  std::string ToString() const;
};

// The calling thread's context and level.
PerfContext* GetPerfContext();
void SetPerfLevel(PerfLevel level);
PerfLevel GetPerfLevel();

}  // namespace strata
