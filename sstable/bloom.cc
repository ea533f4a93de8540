#include "sstable/bloom.h"

#include <algorithm>
#include <cstring>
#include <new>

#include "util/bloom_probes.h"

namespace strata {
using bloom_internal::ForEachProbe;
using bloom_internal::kLineBits;
using bloom_internal::kLineBytes;
using bloom_internal::LineOf;

namespace {
constexpr size_t kTailBytes = 2;  // num_probes, kind (kind 2 has its pad count before them)
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
  const int num_probes = AppendLines(dst);
  dst->push_back(static_cast<char>(num_probes));
  dst->push_back(static_cast<char>(kBloomKindBlocked512));
}

void BloomFilterBuilder::FinishLineAligned(uint64_t block_offset, std::string* dst) const {
  const size_t pad = static_cast<size_t>((kLineBytes - block_offset % kLineBytes) % kLineBytes);
  dst->append(pad, '\0');
  const int num_probes = AppendLines(dst);
  dst->push_back(static_cast<char>(pad));
  dst->push_back(static_cast<char>(num_probes));
  dst->push_back(static_cast<char>(kBloomKindBlocked512LineAligned));
}

int BloomFilterBuilder::AppendLines(std::string* dst) const {
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
      ForEachProbe(h, num_probes, [line](uint32_t pos) {
        line[pos >> 3] |= static_cast<unsigned char>(1u << (pos & 7));
        return true;
      });
    }
  }
  return num_probes;
}

BloomFilter::Lines BloomFilter::ReserveLines(size_t block_size) {
  if (block_size == 0) return Lines(nullptr, FreeLines{0});
  Lines lines(AllocateLarge(block_size), FreeLines{block_size});
  if (lines == nullptr) throw std::bad_alloc();  // as operator new reports it
  return lines;
}

std::unique_ptr<BloomFilter> BloomFilter::Parse(std::string_view contents,
                                                bool contents_outlive_filter, Lines reserved) {
  if (contents.size() < kTailBytes) return nullptr;
  const auto kind = static_cast<unsigned char>(contents.back());
  const auto num_probes = static_cast<unsigned char>(contents[contents.size() - 2]);
  contents.remove_suffix(kTailBytes);
  if (kind == kBloomKindBlocked512LineAligned) {
    if (contents.empty()) return nullptr;
    const auto pad = static_cast<unsigned char>(contents.back());
    contents.remove_suffix(1);
    if (pad >= kLineBytes || pad > contents.size()) return nullptr;
    contents.remove_prefix(pad);
  } else if (kind != kBloomKindBlocked512) {
    return nullptr;
  }
  if (num_probes == 0 || contents.size() % kLineBytes != 0 ||
      contents.size() / kLineBytes > UINT32_MAX) {
    return nullptr;
  }
  std::unique_ptr<BloomFilter> filter(new BloomFilter);
  filter->num_lines_ = static_cast<uint32_t>(contents.size() / kLineBytes);
  filter->num_probes_ = num_probes;
  if (contents.empty()) return filter;
  if (contents_outlive_filter && reinterpret_cast<uintptr_t>(contents.data()) % kLineBytes == 0) {
    filter->lines_ = contents.data();
    return filter;
  }
  static_assert(kLargeAlignment % kLineBytes == 0);
  if (reserved != nullptr && reserved.get_deleter().size >= contents.size()) {
    filter->owned_ = std::move(reserved);
  } else {
    filter->owned_ = {AllocateLarge(contents.size()), FreeLines{contents.size()}};
  }
  // Out of memory, as operator new reports it (a null return would read as a damaged filter).
  if (filter->owned_ == nullptr) throw std::bad_alloc();
  std::memcpy(filter->owned_.get(), contents.data(), contents.size());
  filter->lines_ = filter->owned_.get();
  return filter;
}

const unsigned char* BloomFilter::LineAt(uint64_t hash) const {
  return reinterpret_cast<const unsigned char*>(lines_) + LineOf(hash, num_lines_) * kLineBytes;
}

void BloomFilter::Prefetch(uint64_t hash) const {
  if (num_lines_ != 0) __builtin_prefetch(LineAt(hash));
}

bool BloomFilter::HashMayMatch(uint64_t hash) const {
  if (num_lines_ == 0) return false;
  const unsigned char* line = LineAt(hash);
  // An if rather than a returned comparison: GCC then tests the bit with one instruction.
  return ForEachProbe(hash, num_probes_, [line](uint32_t pos) {
    if ((line[pos >> 3] & (1u << (pos & 7))) == 0) return false;
    return true;
  });
}

}  // namespace strata
