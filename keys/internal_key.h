// Internal keys: the form in which every key is stored in memtables, logs' replay and
// tables. An internal key is the user key followed by 8 bytes: (sequence << 8) | type,
// fixed64 little-endian. Internal keys sort by user key ascending (per the user comparator),
// then by sequence descending, so the newest version of a key comes first.
//
// Pure functions and immutable objects; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "strata/comparator.h"
#include "util/bytewise_compare.h"
#include "util/coding.h"

namespace strata {

using SequenceNumber = uint64_t;
// 56 bits of sequence leave the low byte for the type.
constexpr SequenceNumber kMaxSequenceNumber = (1ull << 56) - 1;

// Stored on disk (in logs and tables): never renumber.
enum class ValueType : unsigned char {
  kDeletion = 0,
  kValue = 1,
  kMerge = 2,          // an operand for the merge operator (Options::merge_operator)
  kRangeDeletion = 3,  // user key = range start, value = range end (exclusive)
};
constexpr ValueType kMaxValueType = ValueType::kRangeDeletion;
// Seeks use the highest type so that a lookup key sorts before every entry of the same
// sequence (types sort descending within a sequence).
constexpr ValueType kValueTypeForSeek = kMaxValueType;

// "value", "deletion", "merge", "range deletion": for logs and tools.
constexpr std::string_view ValueTypeName(ValueType t) {
  switch (t) {
    case ValueType::kDeletion:
      return "deletion";
    case ValueType::kValue:
      return "value";
    case ValueType::kMerge:
      return "merge";
    case ValueType::kRangeDeletion:
      return "range deletion";
  }
  return "unknown";
}

constexpr size_t kInternalKeyTrailer = 8;

inline uint64_t PackSequenceAndType(SequenceNumber seq, ValueType t) {
  return (seq << 8) | static_cast<uint64_t>(t);
}

inline void AppendInternalKey(std::string* dst, std::string_view user_key, SequenceNumber seq,
                              ValueType t) {
  dst->append(user_key);
  PutFixed64(dst, PackSequenceAndType(seq, t));
}

// REQUIRES: ikey.size() >= kInternalKeyTrailer (callers validate untrusted input first).
inline std::string_view ExtractUserKey(std::string_view ikey) {
  return ikey.substr(0, ikey.size() - kInternalKeyTrailer);
}
inline uint64_t ExtractTrailer(std::string_view ikey) {
  return DecodeFixed64(ikey.data() + ikey.size() - kInternalKeyTrailer);
}

struct ParsedInternalKey {
  std::string_view user_key;
  SequenceNumber sequence = 0;
  ValueType type = ValueType::kValue;
};

// False if ikey is too short or has an unknown type.
inline bool ParseInternalKey(std::string_view ikey, ParsedInternalKey* out) {
  if (ikey.size() < kInternalKeyTrailer) return false;
  uint64_t trailer = ExtractTrailer(ikey);
  unsigned char t = trailer & 0xff;
  if (t > static_cast<unsigned char>(kMaxValueType)) return false;
  out->user_key = ExtractUserKey(ikey);
  out->sequence = trailer >> 8;
  out->type = static_cast<ValueType>(t);
  return true;
}

// "user_key @ sequence : type" with the user key escaped, for logs and tools. Malformed
// keys are shown escaped whole, marked "(bad internal key)".
std::string InternalKeyDebugString(std::string_view ikey);

// Orders internal keys: user key ascending by the user comparator, then trailer descending.
// A Comparator itself so that tables (which know nothing of internal keys) can order and
// shorten them; final so that calls on a known InternalKeyComparator are not virtual.
class InternalKeyComparator final : public Comparator {
 public:
  explicit InternalKeyComparator(const Comparator* user)
      : user_(user), bytewise_(user == BytewiseComparator()) {}
  const Comparator* user_comparator() const { return user_; }

  int Compare(std::string_view a, std::string_view b) const override {
    if (a.size() < kInternalKeyTrailer || b.size() < kInternalKeyTrailer) [[unlikely]] {
      // Only damaged input (a block read without checksum verification) gets here: order
      // it somehow, without reading out of bounds; the reader reports it as Corruption.
      return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
    }
    // The default order needs no second virtual call: block searches compare keys at every
    // step.
    int r = bytewise_ ? BytewiseCompare(ExtractUserKey(a), ExtractUserKey(b))
                      : user_->Compare(ExtractUserKey(a), ExtractUserKey(b));
    if (r != 0) return r;
    uint64_t ta = ExtractTrailer(a), tb = ExtractTrailer(b);
    return ta > tb ? -1 : (ta < tb ? 1 : 0);
  }
  const char* Name() const override { return "strata.InternalKeyComparator"; }
  // Shortens the user key part and gives the result the largest trailer, so it still sorts
  // at or after *start and before limit.
  void FindShortestSeparator(std::string* start, std::string_view limit) const override;
  void FindShortSuccessor(std::string* key) const override;

 private:
  const Comparator* user_;
  const bool bytewise_;  // user_ is BytewiseComparator(): compare bytes inline
};

// A user key plus the sequence to read at, encoded once for memtable (and later table)
// lookups. Layout in memory: varint32 internal-key length | user key | trailer, so the
// memtable can compare it directly against its length-prefixed entries.
class LookupKey {
  static constexpr size_t kInlineBytes = 200;

 public:
  // The longest user key encoded without a heap allocation.
  static constexpr size_t kMaxInlineUserKey =
      kInlineBytes - kInternalKeyTrailer - kMaxVarint32Bytes;

  LookupKey(std::string_view user_key, SequenceNumber snapshot);
  LookupKey(const LookupKey&) = delete;
  LookupKey& operator=(const LookupKey&) = delete;
  ~LookupKey() {
    if (start_ != space_) delete[] start_;
  }

  // Length-prefixed internal key (memtable entry prefix form).
  std::string_view memtable_key() const { return {start_, static_cast<size_t>(end_ - start_)}; }
  std::string_view internal_key() const { return {kstart_, static_cast<size_t>(end_ - kstart_)}; }
  std::string_view user_key() const {
    return {kstart_, static_cast<size_t>(end_ - kstart_ - kInternalKeyTrailer)};
  }

 private:
  char* start_;
  char* kstart_;
  char* end_;
  char space_[kInlineBytes];  // avoids a heap allocation for ordinary key sizes
};

}  // namespace strata
