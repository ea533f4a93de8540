// Fuzz target: Block and BlockIter (seek, next, prev) over arbitrary block contents.
//
// Input: flags byte, op-count byte, the block's bytes, then 2 bytes per op at the end.
//   flags bit 0: order keys with the InternalKeyComparator (as the database does), else
//                bytewise;
//   flags bit 1: model mode: the bytes are length-prefixed key/value pairs, which are sorted,
//                built into a block with BlockBuilder (restart interval (flags >> 2) + 1) and
//                the iterator is compared with a std::map at every step;
//   otherwise the bytes are the block itself, which must never make the iterator read out of
//   bounds, loop or show an entry while reporting damage.
// An op is (kind, arg): kind picks SeekToFirst/SeekToLast/Seek/SeekForPrev/Next/Prev; arg
// picks a target derived from a key seen in a full scan (itself, or just after or before it).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "keys/internal_key.h"
#include "sstable/block.h"
#include "sstable/block_builder.h"
#include "util/coding.h"

namespace strata::fuzz {
namespace {

struct Op {
  uint8_t kind;
  uint8_t arg;
};

Block MakeBlock(std::string_view bytes) {
  BlockContents contents;
  CopyBlockContents(bytes, &contents);
  return Block(std::move(contents));
}

// A seek target near a key seen in the block; internal keys keep at least a trailer's bytes so
// that the model's order stays a strict weak order.
std::string Target(const std::vector<std::string>& keys, uint8_t arg, bool internal) {
  std::string t = keys.empty() ? std::string() : keys[(arg >> 2) % keys.size()];
  switch (arg & 3) {
    case 1:
      t.push_back('\0');
      break;
    case 2:
      if (!t.empty()) t.pop_back();
      break;
    case 3:
      if (!t.empty()) t.back() = static_cast<char>(t.back() + 1);
      break;
  }
  if (internal && t.size() < kInternalKeyTrailer) t.resize(kInternalKeyTrailer, '\0');
  return t;
}

void CheckPosition(const BlockIter& it) {
  if (!it.status().ok()) FUZZ_CHECK(!it.Valid());
  if (it.Valid()) {
    Touch(it.key());
    Touch(it.value());
  }
}

// Arbitrary bytes as a block: no crash, no endless loop, no entry shown with a damage status.
void FuzzRawBlock(const Comparator* cmp, std::string_view bytes, const std::vector<Op>& ops) {
  Block block = MakeBlock(bytes);
  BlockIter it(cmp, &block);
  const size_t max_entries = bytes.size() / 3 + 1;  // an entry takes at least 3 bytes
  std::vector<std::string> keys;
  size_t n = 0;
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    CheckPosition(it);
    FUZZ_CHECK(++n <= max_entries);
    if (keys.size() < 256) keys.emplace_back(it.key());
  }
  CheckPosition(it);
  n = 0;
  for (it.SeekToLast(); it.Valid(); it.Prev()) {
    CheckPosition(it);
    FUZZ_CHECK(++n <= max_entries);
  }
  CheckPosition(it);

  it.Init(cmp, &block);
  for (const Op& op : ops) {
    const std::string target = Target(keys, op.arg, false);
    switch (op.kind % 6) {
      case 0:
        it.SeekToFirst();
        break;
      case 1:
        it.SeekToLast();
        break;
      case 2:
        it.Seek(target);
        // Seek stops only at an entry at or after the target, whatever the block holds.
        if (it.Valid()) FUZZ_CHECK(cmp->Compare(it.key(), target) >= 0);
        break;
      case 3:
        it.SeekForPrev(target);
        break;
      case 4:
        if (it.Valid()) it.Next();
        break;
      case 5:
        if (it.Valid()) it.Prev();
        break;
    }
    CheckPosition(it);
  }
}

// Well-formed blocks: the iterator must agree with a sorted map at every step.
void FuzzModelBlock(const Comparator* cmp, bool internal, int restart_interval,
                    std::string_view bytes, const std::vector<Op>& ops) {
  struct Less {
    const Comparator* cmp;
    bool operator()(const std::string& a, const std::string& b) const {
      return cmp->Compare(a, b) < 0;
    }
  };
  std::map<std::string, std::string, Less> model(Less{cmp});
  std::string_view in = bytes;
  std::string_view key, value;
  while (GetLengthPrefixed(&in, &key) && GetLengthPrefixed(&in, &value)) {
    std::string k(key);
    if (internal && k.size() < kInternalKeyTrailer) k.resize(kInternalKeyTrailer, '\0');
    model.emplace(std::move(k), std::string(value));
  }
  BlockBuilder builder(restart_interval);
  std::vector<std::string> keys;
  for (const auto& [k, v] : model) {
    builder.Add(k, v);
    keys.push_back(k);
  }
  Block block = MakeBlock(builder.Finish());
  FUZZ_CHECK(block.ok());
  BlockIter it(cmp, &block);

  auto expect_at = [&](auto pos) {
    FUZZ_CHECK(it.status().ok());
    if (pos == model.end()) {
      FUZZ_CHECK(!it.Valid());
    } else {
      FUZZ_CHECK(it.Valid());
      FUZZ_CHECK(it.key() == pos->first);
      FUZZ_CHECK(it.value() == pos->second);
    }
  };
  auto pos = model.begin();
  for (it.SeekToFirst(); pos != model.end(); ++pos, it.Next()) expect_at(pos);
  expect_at(model.end());
  auto rpos = model.rbegin();
  for (it.SeekToLast(); rpos != model.rend(); ++rpos, it.Prev()) expect_at(std::prev(rpos.base()));
  expect_at(model.end());

  pos = model.end();
  it.Init(cmp, &block);
  for (const Op& op : ops) {
    const std::string target = Target(keys, op.arg, internal);
    switch (op.kind % 6) {
      case 0:
        it.SeekToFirst();
        pos = model.begin();
        break;
      case 1:
        it.SeekToLast();
        pos = model.empty() ? model.end() : std::prev(model.end());
        break;
      case 2:
        it.Seek(target);
        pos = model.lower_bound(target);
        break;
      case 3:
        it.SeekForPrev(target);
        pos = model.upper_bound(target);
        pos = pos == model.begin() ? model.end() : std::prev(pos);
        break;
      case 4:
        if (pos == model.end()) continue;
        it.Next();
        ++pos;
        break;
      case 5:
        if (pos == model.end()) continue;
        it.Prev();
        pos = pos == model.begin() ? model.end() : std::prev(pos);
        break;
    }
    expect_at(pos);
  }
}

}  // namespace
}  // namespace strata::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata::fuzz;
  if (size < 2) return 0;
  const uint8_t flags = data[0];
  const size_t op_bytes = std::min<size_t>(2 * data[1], (size - 2) & ~size_t{1});
  std::string_view bytes(reinterpret_cast<const char*>(data) + 2, size - 2 - op_bytes);
  std::vector<Op> ops;
  for (size_t i = size - op_bytes; i < size; i += 2) ops.push_back({data[i], data[i + 1]});

  const bool internal = flags & 1;
  static const strata::InternalKeyComparator icmp(strata::BytewiseComparator());
  const strata::Comparator* cmp =
      internal ? static_cast<const strata::Comparator*>(&icmp) : strata::BytewiseComparator();
  if (flags & 2) {
    FuzzModelBlock(cmp, internal, ((flags >> 2) & 15) + 1, bytes, ops);
  } else {
    FuzzRawBlock(cmp, bytes, ops);
  }
  return 0;
}
