#include "sstable/restart_hints.h"

#include <algorithm>
#include <cstring>

namespace strata {
namespace {

// key[from, from + 8) as a big-endian number, zero-padded past the key's end.
inline uint64_t WordAt(std::string_view key, size_t from) {
  unsigned char bytes[8] = {};
  if (from < key.size())
    std::memcpy(bytes, key.data() + from, std::min<size_t>(8, key.size() - from));
  uint64_t word = 0;
  for (unsigned char b : bytes) word = (word << 8) | b;
  return word;
}

}  // namespace

std::unique_ptr<const RestartHints> RestartHints::Build(const std::vector<std::string_view>& keys,
                                                        std::vector<uint32_t> offsets) {
  if (offsets.size() != keys.size()) return nullptr;
  for (size_t i = 1; i < keys.size(); i++) {
    if (keys[i - 1].compare(keys[i]) >= 0) return nullptr;
  }
  // Sorted, so every key shares the prefix the first and the last share.
  std::string_view first = keys.front(), last = keys.back();
  size_t shared = 0;
  while (shared < first.size() && shared < last.size() && first[shared] == last[shared]) shared++;
  std::unique_ptr<RestartHints> hints(new RestartHints);
  hints->prefix_.assign(first.data(), shared);
  hints->words_.reserve(keys.size());
  for (std::string_view key : keys) hints->words_.push_back(WordAt(key, shared));
  hints->offsets_ = std::move(offsets);
  return hints;
}

void RestartHints::Narrow(std::string_view target, uint32_t* left, uint32_t* right) const {
  const uint32_t last = static_cast<uint32_t>(words_.size() - 1);
  const size_t p = prefix_.size();
  if (p > 0) {
    int c =
        target.empty() ? 0 : std::memcmp(target.data(), prefix_.data(), std::min(p, target.size()));
    if (c == 0 && target.size() < p) c = -1;  // a proper prefix of every key sorts first
    if (c != 0) {
      *left = *right = c < 0 ? 0 : last;
      return;
    }
  }
  const uint64_t word = WordAt(target, p);
  // lo: the first word not below word (keys before it are smaller). Without branches: a
  // mispredicted branch a step cost more than the steps' loads from this small array.
  const uint64_t* base = words_.data();
  size_t len = words_.size();
  while (len > 1) {
    const size_t half = len / 2;
    base += base[half - 1] < word ? half : 0;
    len -= half;
  }
  size_t lo = static_cast<size_t>(base - words_.data()) + (*base < word);
  // hi: the first word above word (keys from it on are larger). Equal words are rare.
  size_t hi = lo;
  while (hi < words_.size() && words_[hi] == word && hi - lo < 8) hi++;
  if (hi < words_.size() && words_[hi] == word) {
    hi = static_cast<size_t>(std::upper_bound(words_.begin() + hi, words_.end(), word) -
                             words_.begin());
  }
  *left = lo == 0 ? 0 : static_cast<uint32_t>(lo - 1);
  *right = hi == 0 ? 0 : static_cast<uint32_t>(hi - 1);
}

}  // namespace strata
