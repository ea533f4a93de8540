#include "memtable/memtable_bloom.h"

#include <algorithm>
#include <cassert>
#include <cstdlib>
#include <new>

#include "util/bloom_probes.h"

namespace strata {

using bloom_internal::ForEachProbe;
using bloom_internal::kLineBytes;
using bloom_internal::LineOf;

static_assert(kLineBytes == 8 * sizeof(uint64_t));

namespace {

uint32_t LinesFor(size_t bytes) {
  assert(bytes >= kLineBytes);
  return static_cast<uint32_t>(std::clamp<size_t>(bytes / kLineBytes, 1, UINT32_MAX));
}

std::atomic<uint64_t>* AllocateLines(uint32_t num_lines) {
  const size_t bytes = static_cast<size_t>(num_lines) * kLineBytes;
  // Cache-line aligned, so a key's bits share one line.
  void* p = std::aligned_alloc(kLineBytes, bytes);
  if (p == nullptr) throw std::bad_alloc();
  auto* words = static_cast<std::atomic<uint64_t>*>(p);
  for (size_t i = 0; i < bytes / sizeof(uint64_t); i++) new (&words[i]) std::atomic<uint64_t>(0);
  return words;
}

}  // namespace

void MemTableBloom::Free::operator()(std::atomic<uint64_t>* p) const { std::free(p); }

MemTableBloom::MemTableBloom(size_t bytes)
    : num_lines_(LinesFor(bytes)), words_(AllocateLines(num_lines_)) {}

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
    return (line[pos >> 6].load(std::memory_order_relaxed) >> (pos & 63)) & 1;
  });
}

}  // namespace strata
