// MergeOperator: read-modify-write without a read. DB::Merge(key, operand) stores an
// operand; reads combine every operand written after the key's newest value (or deletion) on
// top of it, and flush and compaction combine them ahead of time where every reader would
// get the same answer. Its Name() is stored in the database: a database written with one
// operator refuses to open with another, or with none.
//
// Thread safety: implementations must be safe to call from many threads at once (reads and
// background compactions call them concurrently); the built-in ones are stateless.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace strata {

class MergeOperator {
 public:
  virtual ~MergeOperator() = default;

  // Stable identifier, e.g. "strata.UInt64Add"; change it when the meaning of an operand
  // changes.
  virtual const char* Name() const = 0;

  // The value of key after applying operands (oldest first, at least one) to existing_value
  // (null: the key had no value, or was deleted). False if the operands or the value cannot
  // be combined (wrong size, bad encoding): the read that asked fails with Corruption naming
  // the key, and compaction keeps the entries as they are.
  virtual bool FullMerge(std::string_view key, const std::string_view* existing_value,
                         std::span<const std::string_view> operands,
                         std::string* new_value) const = 0;

  // Combines operands (oldest first, at least two) into one operand with the same effect on
  // any existing value. False (the default) if that is impossible or not worthwhile: the
  // operands are then kept apart until a full merge.
  virtual bool PartialMerge(std::string_view key, std::span<const std::string_view> operands,
                            std::string* new_operand) const {
    (void)key;
    (void)operands;
    (void)new_operand;
    return false;
  }
};

// A 64-bit counter: the value and every operand are 8-byte little-endian unsigned integers
// (the encoding of RocksDB's "uint64add"); a missing value counts as 0 and sums wrap modulo
// 2^64. Any value or operand of another size fails the merge. Name "strata.UInt64Add".
std::shared_ptr<const MergeOperator> NewUInt64AddOperator();

// Appends each operand to the value, separated by delimiter (none before the first piece
// when there is no value). Name "strata.StringAppend" for ',', else "strata.StringAppend."
// followed by the delimiter byte as two hex digits — so that databases written with
// different delimiters do not open with each other's operator.
std::shared_ptr<const MergeOperator> NewStringAppendOperator(char delimiter = ',');

// The built-in operator of that Name() (one of the two above), or null for any other name.
// For tools and LoadLatestOptions, which know a database's operator only by name.
std::shared_ptr<const MergeOperator> NewBuiltinMergeOperator(std::string_view name);

}  // namespace strata
