// RestartHints: a dense copy of eight bytes of each restart key of a long-lived block (and of
// its restart array), so that a Seek's binary search over the restart points reads small
// arrays instead of an entry scattered through the block at each step.
//
// Why: a table's index block stays in memory for the table's life, and at 100 M keys the
// index blocks of all open tables (tens of MB) no longer stay in the processor's caches. The
// binary search then missed the cache at nearly every step on the restart entry it decoded;
// the hints of a 64 MiB table take about 24 KB and stay cached.
//
// The word of a key is the 8 bytes after the prefix that every restart key of the block
// shares, big-endian, zero-padded: keys whose words differ compare as their words do under a
// bytewise order. Keys with equal words need the real comparison, which the caller does, so
// hints only narrow the search. They are only valid for blocks ordered bytewise
// (BytewiseComparator); the owner of the block decides.
//
// Thread safety: immutable after Build; any number of threads may call Narrow at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace strata {

class RestartHints {
 public:
  // Hints for these restart keys, in block order, and their entries' offsets in the block
  // (the restart array); null if the keys are not in strictly increasing bytewise order (a
  // damaged block gets no hints and is searched as before) or the sizes differ.
  // REQUIRES: !keys.empty().
  static std::unique_ptr<const RestartHints> Build(const std::vector<std::string_view>& keys,
                                                   std::vector<uint32_t> offsets);

  // The restart indexes [*left, *right] within which the last restart key before target
  // lies, or 0 if none is: every restart key below *left is before target and every key
  // above *right is not. The caller compares the keys in (*left, *right] itself.
  void Narrow(std::string_view target, uint32_t* left, uint32_t* right) const;

  // The offset of restart point i's entry: the block's restart array, without its cache miss.
  uint32_t offset(uint32_t i) const { return offsets_[i]; }

  size_t memory_usage() const {
    return sizeof(*this) + prefix_.capacity() + 8 * words_.capacity() + 4 * offsets_.capacity();
  }

 private:
  RestartHints() = default;

  std::string prefix_;             // shared by every restart key
  std::vector<uint64_t> words_;    // one a restart key, non-decreasing
  std::vector<uint32_t> offsets_;  // one a restart key
};

}  // namespace strata
