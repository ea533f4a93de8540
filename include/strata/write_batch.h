// WriteBatch: a group of updates applied atomically, in order. After any crash a batch is
// wholly present or wholly absent.
//
// Thread safety: none internally; a batch must not be modified while DB::Write uses it.
//
// The encoded form (Data()) is also the write-ahead log record format; see
// docs/FORMATS.md. It is: fixed64 sequence, fixed32 count, then count records of
//   0x01 (a value)           varstring key    varstring value
//   0x00 (a deletion)        varstring key
//   0x02 (a merge operand)   varstring key    varstring operand
//   0x03 (a range deletion)  varstring begin  varstring end (exclusive)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "strata/status.h"

namespace strata {

class WriteBatch {
 public:
  // Receives a batch's operations in order (see Iterate).
  class Handler {
   public:
    virtual ~Handler() = default;
    virtual void Put(std::string_view key, std::string_view value) = 0;
    virtual void Delete(std::string_view key) = 0;
    // Pure so that a consumer of a change feed cannot silently drop these operations.
    virtual void Merge(std::string_view key, std::string_view operand) = 0;
    virtual void DeleteRange(std::string_view begin, std::string_view end) = 0;
  };

  WriteBatch();

  // Replaces *batch with the batch encoded in bytes (another batch's Data(), or a change
  // feed's record), after checking the whole encoding: Corruption naming the problem, and
  // *batch unchanged, if it is malformed. The sequence number in the bytes is kept; DB::Write
  // assigns a new one.
  static Status FromBytes(std::string_view bytes, WriteBatch* batch);

  void Put(std::string_view key, std::string_view value);
  void Delete(std::string_view key);
  // An operand for a merge operator. The format carries it (logs, change feeds), but the
  // engine cannot combine operands yet: DB::Write refuses a batch holding one with
  // InvalidArgument.
  void Merge(std::string_view key, std::string_view operand);
  // Deletes every key k with begin <= k < end (by the database's comparator). An empty range
  // (end <= begin) is recorded as given; DB::Write refuses it with InvalidArgument.
  void DeleteRange(std::string_view begin, std::string_view end);
  void Clear();
  // Appends the operations of other to this batch.
  void Append(const WriteBatch& other);

  // Number of operations.
  uint32_t Count() const;
  // Bytes of the encoded form.
  size_t ApproximateSize() const { return rep_.size(); }
  // The encoded form; stable until the batch is next modified.
  std::string_view Data() const { return rep_; }

  // Calls handler for each operation in order; Corruption if the encoding is malformed
  // (including a count that does not match the records).
  Status Iterate(Handler* handler) const;

 private:
  friend class WriteBatchInternal;
  std::string rep_;
  // Set once the batch may hold a merge or a range deletion, which DB::Write must check
  // before logging them; a batch of puts and deletions skips that walk over its records.
  bool needs_write_check_ = false;
};

}  // namespace strata
