#include "memtable/memtable_bloom.h"

#include <algorithm>
#include <cstdlib>
#include <new>

#include "util/bloom_probes.h"

namespace strata {

using bloom_internal::ForEachProbe;
using bloom_internal::kLineBytes;
using bloom_internal::LineOf;

static_assert(kLineBytes == 8 * sizeof(uint64_t));

void MemTableBloom::Free::operator()(std::atomic<uint64_t>* p) const { std::free(p); }

std::unique_ptr<MemTableBloom> MemTableBloom::Create(size_t bytes) {
  bytes = std::min(bytes, kMaxBytes);
  if (bytes < kLineBytes) return nullptr;
  const auto num_lines = static_cast<uint32_t>(bytes / kLineBytes);
  const size_t size = static_cast<size_t>(num_lines) * kLineBytes;
  // Cache-line aligned, so a key's bits share one line.
  void* p = std::aligned_alloc(kLineBytes, size);
  if (p == nullptr) return nullptr;
  auto* words = static_cast<std::atomic<uint64_t>*>(p);
  for (size_t i = 0; i < size / sizeof(uint64_t); i++) new (&words[i]) std::atomic<uint64_t>(0);
  auto* bloom = new (std::nothrow) MemTableBloom(num_lines, words);
  if (bloom == nullptr) std::free(p);
  return std::unique_ptr<MemTableBloom>(bloom);
}

std::atomic<uint64_t>* MemTableBloom::Line(uint64_t hash) const {
  return words_.get() + static_cast<size_t>(LineOf(hash, num_lines_)) * kWordsPerLine;
}

void MemTableBloom::Add(uint64_t hash) {
  std::atomic<uint64_t>* line = Line(hash);
  // One writer: a load and a store per word, no locked instruction. Readers load the words
  // relaxed; the entry's publication orders these stores before any reader that may see it.
  ForEachProbe(hash, kNumProbes, [line](uint32_t pos) {
    std::atomic<uint64_t>& word = line[pos >> 6];
    const uint64_t bit = uint64_t{1} << (pos & 63);
    const uint64_t old = word.load(std::memory_order_relaxed);
    if ((old & bit) == 0) word.store(old | bit, std::memory_order_relaxed);
    return true;
  });
}

bool MemTableBloom::MayContain(uint64_t hash) const {
  const std::atomic<uint64_t>* line = Line(hash);
  return ForEachProbe(hash, kNumProbes, [line](uint32_t pos) {
    const uint64_t word = line[pos >> 6].load(std::memory_order_relaxed);
    if ((word & (uint64_t{1} << (pos & 63))) == 0) return false;
    return true;
  });
}

}  // namespace strata
