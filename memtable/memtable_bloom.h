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
// on any thread concurrently with Add. A bit Add sets is seen by a reader that learned of the
// entry through a release/acquire chain started after Add (the skiplist link, then the
// published sequence number), so an entry a reader may see never reads as absent here.
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

  // A filter of `bytes` rounded down to whole 64-byte lines. REQUIRES: bytes >= 64.
  explicit MemTableBloom(size_t bytes);

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

  std::atomic<uint64_t>* Line(uint64_t hash) const;

  const uint32_t num_lines_;
  const std::unique_ptr<std::atomic<uint64_t>, Free> words_;
};

}  // namespace strata
