// A whole-table bloom filter over 64-byte lines ("blocked" bloom filter): each key sets and
// probes bits within one cache line, so a probe costs one cache miss at most.
//
// Filter bytes (stored as the table's "strata.filter" block), by kind (stored on disk: never
// renumber):
//   kind 1: line * num_lines (64 bytes each) | num_probes: u8 | kind: u8
//   kind 2: pad * n (zeros) | line * num_lines | n: u8 | num_probes: u8 | kind: u8
// Kind 2 is kind 1 with 0..63 leading bytes that put the first line at a file offset that is
// a multiple of 64, so a table read through a mapping can probe its filter in place, one
// cache line per probe, without a copy on the heap.
// For both: h = Hash64(key) (XXH3-64); the line is ((h >> 32) * num_lines) >> 32; the bit positions
// within the line are successive 9-bit fields (low bits first) of w1 = Mix(h), seven per word, then
// of w2 = Mix(w1) for probes 8 to 14, and so on. Mix is the splitmix64 finalizer. Bit p of a line
// is bit (p % 8) of its byte p / 8. A filter with no lines matches nothing (it was built over no
// keys).
//
// The reader takes the probe count from the filter bytes, never from options, so a table
// stays readable when bloom_bits_per_key changes.
//
// Thread safety: a BloomFilter is immutable and may be probed from many threads; a builder is
// used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/checksum.h"
#include "util/large_memory.h"

namespace strata {

constexpr unsigned char kBloomKindBlocked512 = 1;
constexpr unsigned char kBloomKindBlocked512LineAligned = 2;

class BloomFilterBuilder {
 public:
  // REQUIRES: bits_per_key >= 1.
  explicit BloomFilterBuilder(int bits_per_key);

  void AddKey(std::string_view key) { AddHash(Hash64(key)); }
  // A run of equal hashes (e.g. versions of one user key) counts once.
  void AddHash(uint64_t hash) {
    if (num_keys_ > 0 && last_ == hash) return;
    last_ = hash;
    const size_t slot = num_keys_ % kChunkHashes;
    if (slot == 0) chunks_.push_back(std::make_unique_for_overwrite<uint64_t[]>(kChunkHashes));
    chunks_.back()[slot] = hash;
    num_keys_++;
  }
  size_t num_keys() const { return num_keys_; }

  // Appends the filter over every key added to *dst, of kind 1.
  void Finish(std::string* dst) const;
  // The same filter of kind 2, for a block that starts at file offset block_offset.
  void FinishLineAligned(uint64_t block_offset, std::string* dst) const;

  // The probe count used for bits_per_key.
  static int NumProbes(int bits_per_key);

 private:
  // Appends the lines over every key added; returns their probe count.
  int AppendLines(std::string* dst) const;

  // The hashes wait for Finish (the filter's size depends on their count) in fixed chunks,
  // not one growing vector: a vector's doubling held up to three times the hashes of a
  // 64 MiB table (about 25 MB) at the moment it grew.
  static constexpr size_t kChunkHashes = 8192;  // 64 KiB
  int bits_per_key_;
  std::vector<std::unique_ptr<uint64_t[]>> chunks_;
  size_t num_keys_ = 0;
  uint64_t last_ = 0;
};

class BloomFilter {
 public:
  // Memory for a filter's copy of its lines (util/large_memory.h), freed with the filter.
  struct FreeLines {
    size_t size;
    void operator()(char* p) const { FreeLarge(p, size); }
  };
  using Lines = std::unique_ptr<char, FreeLines>;

  // Memory for the lines of a filter block of block_size bytes (none for 0), for Parse. Taken
  // before the block is read, the memory lies below the read's scratch buffer, which is freed once
  // the lines are copied: a scratch taken first would leave a hole below them among the tables'
  // long-lived buffers, where 2 MiB spans wholly in use become huge pages.
  static Lines ReserveLines(size_t block_size);

  // Null if the bytes are malformed (wrong size, unknown kind, zero probes). With
  // contents_outlive_filter (a mapped file's bytes) lines at a cache-line-aligned address are
  // probed where they are; otherwise they are copied into cache-line-aligned memory: into
  // reserved if it is large enough (ReserveLines of this block's size), else new memory.
  static std::unique_ptr<BloomFilter> Parse(std::string_view contents,
                                            bool contents_outlive_filter = false,
                                            Lines reserved = Lines(nullptr, FreeLines{0}));

  bool KeyMayMatch(std::string_view key) const { return HashMayMatch(Hash64(key)); }
  bool HashMayMatch(uint64_t hash) const;
  // Starts loading the line HashMayMatch(hash) reads.
  void Prefetch(uint64_t hash) const;

  size_t num_lines() const { return num_lines_; }
  int num_probes() const { return num_probes_; }
  // Bytes of filter data.
  size_t size() const { return num_lines_ * 64; }
  // Where the lines probed are.
  const char* lines_data() const { return lines_; }
  // Whether they are a copy this filter holds (else they are the caller's contents).
  bool owns_lines() const { return owned_ != nullptr; }

 private:
  BloomFilter() = default;
  // The line a key of this hash sets and probes. REQUIRES: num_lines_ > 0.
  const unsigned char* LineAt(uint64_t hash) const;

  const char* lines_ = nullptr;  // owned_, or the caller's contents
  // The copy of the lines is as large as the table's keys make it (hundreds of KiB for a
  // 64 MiB table) and lives as long as the table.
  Lines owned_{nullptr, FreeLines{0}};
  uint32_t num_lines_ = 0;
  int num_probes_ = 0;
};

}  // namespace strata
