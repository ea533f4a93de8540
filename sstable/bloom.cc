#include "sstable/bloom.h"

#include <algorithm>
#include <cstring>

namespace strata {
namespace {

constexpr size_t kLineBytes = 64;
constexpr size_t kLineBits = kLineBytes * 8;
constexpr size_t kTailBytes = 2;   // num_probes, kind
constexpr int kProbesPerWord = 7;  // 9-bit positions in a 64-bit word

// The splitmix64 finalizer: a bijective mix, so bit positions are independent of the bits
// that picked the line.
inline uint64_t Mix(uint64_t h) {
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 31;
  return h;
}

inline uint32_t LineOf(uint64_t hash, uint32_t num_lines) {
  return static_cast<uint32_t>(((hash >> 32) * num_lines) >> 32);
}

}  // namespace

BloomFilterBuilder::BloomFilterBuilder(int bits_per_key)
    : bits_per_key_(std::max(bits_per_key, 1)) {}

int BloomFilterBuilder::NumProbes(int bits_per_key) {
  // ln 2 * bits per key minimises a classic filter's false positives. Confining a key to one
  // line makes some lines fuller than average, so fewer probes do better here: 0.6 * bits per
  // key (rounded) measured best from 6 to 20 bits per key (at 10: 6 probes, 0.97%).
  int k = (bits_per_key * 6 + 5) / 10;
  return std::clamp(k, 1, 30);
}

void BloomFilterBuilder::Finish(std::string* dst) const {
  uint64_t bits = static_cast<uint64_t>(num_keys_) * bits_per_key_;
  auto num_lines =
      static_cast<uint32_t>(std::min<uint64_t>((bits + kLineBits - 1) / kLineBits, UINT32_MAX));
  const int num_probes = NumProbes(bits_per_key_);
  const size_t start = dst->size();
  dst->resize(start + num_lines * kLineBytes, '\0');
  auto* lines = reinterpret_cast<unsigned char*>(dst->data() + start);
  if (num_lines > 0) {
    for (size_t k = 0; k < num_keys_; k++) {
      const uint64_t h = chunks_[k / kChunkHashes][k % kChunkHashes];
      unsigned char* line = lines + LineOf(h, num_lines) * kLineBytes;
      uint64_t seed = Mix(h);
      uint64_t word = seed;
      for (int i = 0, left = kProbesPerWord; i < num_probes; i++, left--) {
        if (left == 0) {
          seed = Mix(seed);
          word = seed;
          left = kProbesPerWord;
        }
        uint32_t pos = word & (kLineBits - 1);
        word >>= 9;
        line[pos >> 3] |= static_cast<unsigned char>(1u << (pos & 7));
      }
    }
  }
  dst->push_back(static_cast<char>(num_probes));
  dst->push_back(static_cast<char>(kBloomKindBlocked512));
}

std::unique_ptr<BloomFilter> BloomFilter::Parse(std::string_view contents) {
  if (contents.size() < kTailBytes) return nullptr;
  const size_t data_size = contents.size() - kTailBytes;
  const auto num_probes = static_cast<unsigned char>(contents[data_size]);
  const auto kind = static_cast<unsigned char>(contents[data_size + 1]);
  if (kind != kBloomKindBlocked512 || num_probes == 0 || data_size % kLineBytes != 0 ||
      data_size / kLineBytes > UINT32_MAX) {
    return nullptr;
  }
  std::unique_ptr<BloomFilter> filter(new BloomFilter);
  filter->num_lines_ = static_cast<uint32_t>(data_size / kLineBytes);
  filter->num_probes_ = num_probes;
  if (data_size > 0) {
    filter->lines_.reset(static_cast<char*>(std::aligned_alloc(kLineBytes, data_size)));
    if (filter->lines_ == nullptr) return nullptr;
    std::memcpy(filter->lines_.get(), contents.data(), data_size);
  }
  return filter;
}

bool BloomFilter::HashMayMatch(uint64_t hash) const {
  if (num_lines_ == 0) return false;
  const auto* line =
      reinterpret_cast<const unsigned char*>(lines_.get()) + LineOf(hash, num_lines_) * kLineBytes;
  uint64_t seed = Mix(hash);
  uint64_t word = seed;
  for (int i = 0, left = kProbesPerWord; i < num_probes_; i++, left--) {
    if (left == 0) {
      seed = Mix(seed);
      word = seed;
      left = kProbesPerWord;
    }
    uint32_t pos = word & (kLineBits - 1);
    word >>= 9;
    if ((line[pos >> 3] & (1u << (pos & 7))) == 0) return false;
  }
  return true;
}

}  // namespace strata
