// MemTableBloom: a blocked bloom filter over the user keys of one memtable, so a point lookup
// of a key the memtable does not hold costs one cache miss instead of a skiplist search (a
// dozen or more misses in a memtable of hundreds of thousands of entries).
//
// Same probe positions as the table filter (util/bloom_probes.h): a key sets and probes
// bits of one 64-byte line. Its size is fixed when the memtable is made, so the false
// positive rate rises as the memtable fills; a false positive costs only the search it would
// have cost without the filter.
//
// Thread safety: Add needs one caller at a time (the memtable's writer); MayContain may run
// on any thread concurrently with Add. A bit Add sets is seen by any reader whose knowledge of
// the key comes through a release/acquire pair ordered after Add: in a DB, the leader
// publishes last_sequence_ (release) after the memtable insert and a reader loads it
// (acquire) before its lookup, so an entry a reader's sequence covers never reads as absent.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace strata {

class MemTableBloom {
 public:
  // Probes per key: what the table filter uses at 10 bits a key.
  static constexpr int kNumProbes = 6;

  // The largest filter: 2^20 lines (16 M keys at about 10 bits each, far more than a
  // memtable holds at 64 MiB); a larger request is cut to it.
  static constexpr size_t kMaxBytes = size_t{64} << 20;

  // A zeroed filter of `bytes` (at most kMaxBytes) rounded down to whole 64-byte lines; null
  // if bytes < 64 or the memory cannot be had (the memtable then goes without).
  static std::unique_ptr<MemTableBloom> Create(size_t bytes);

  MemTableBloom(const MemTableBloom&) = delete;
  MemTableBloom& operator=(const MemTableBloom&) = delete;

  // Starts loading the hash's line, so that Add or MayContain later finds it in cache.
  void Prefetch(uint64_t hash) const { __builtin_prefetch(Line(hash)); }
  // REQUIRES: one caller at a time.
  void Add(uint64_t hash);
  // False only if no key of this hash was added. From any thread.
  bool MayContain(uint64_t hash) const;

  // Bytes of filter held.
  size_t size() const { return static_cast<size_t>(num_lines_) * kWordsPerLine * 8; }

 private:
  static constexpr int kWordsPerLine = 8;
  struct Free {
    void operator()(std::atomic<uint64_t>* p) const;
  };

  MemTableBloom(uint32_t num_lines, std::atomic<uint64_t>* words)
      : num_lines_(num_lines), words_(words) {}

  std::atomic<uint64_t>* Line(uint64_t hash) const;

  const uint32_t num_lines_;
  const std::unique_ptr<std::atomic<uint64_t>, Free> words_;
};

}  // namespace strata
