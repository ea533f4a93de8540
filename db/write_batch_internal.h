// Access to the parts of a WriteBatch the user does not see: its sequence number and raw
// contents (the WAL record), and applying it to a memtable.
//
// Encoding (also the WAL record payload; see docs/FORMATS.md):
//   fixed64 first sequence | fixed32 count | count × (type byte, varstring key[, varstring value])
// Operation i of the batch gets sequence first + i.
#pragma once

#include <algorithm>
#include <string_view>

#include "keys/internal_key.h"
#include "strata/write_batch.h"

namespace strata {

class MemTable;

constexpr size_t kWriteBatchHeader = 12;

class WriteBatchInternal {
 public:
  static uint32_t Count(const WriteBatch& b) { return DecodeFixed32(b.rep_.data() + 8); }
  static void SetCount(WriteBatch* b, uint32_t n) { EncodeFixed32(b->rep_.data() + 8, n); }
  static SequenceNumber Sequence(const WriteBatch& b) { return DecodeFixed64(b.rep_.data()); }
  static void SetSequence(WriteBatch* b, SequenceNumber seq) { EncodeFixed64(b->rep_.data(), seq); }
  static std::string_view Contents(const WriteBatch& b) { return b.rep_; }
  // Replaces the batch with an encoded one read from a log. Corruption if it is shorter than
  // the header (the records themselves are checked by Iterate / InsertInto).
  static Status SetContents(WriteBatch* b, std::string_view contents);
  // Appends src's operations to dst, keeping dst's sequence.
  static void Append(WriteBatch* dst, const WriteBatch& src);
  // Checks the whole encoding (record syntax, count, sequence range). Batches built through
  // the WriteBatch API are always valid; batches read from a log must be validated before
  // InsertInto, so that a malformed one leaves the memtable untouched (batches are atomic).
  static Status Validate(const WriteBatch& b);
  // What DB::Write refuses before logging: InvalidArgument if a range deletion of b is empty
  // or inverted (end <= begin by ucmp), or if b holds a merge operand and merges are not
  // allowed (the database has no merge operator). Free for a batch built of puts and
  // deletions only.
  // REQUIRES: b is well-formed (built through the API, or Validate OK).
  static Status CheckForWrite(const WriteBatch& b, const Comparator* ucmp, bool merges_allowed);
  // The sync marker, a log record: an empty batch at sequence 0. It is logged only after
  // every older log was synced, so recovery takes one as proof that the logs before the one
  // holding it were whole on disk (docs/FORMATS.md, "Sync marker").
  static std::string_view SyncMarker() {
    static constexpr char kMarker[kWriteBatchHeader] = {};
    return {kMarker, sizeof(kMarker)};
  }
  static bool IsSyncMarker(const WriteBatch& b) { return Count(b) == 0 && Sequence(b) == 0; }
  // The last sequence number a logged record holds. An ingestion's sequence marker (no
  // operation, at sequence S > 0) holds S, so the log's sequence numbers run on without a
  // hole. REQUIRES: !IsSyncMarker(b).
  static SequenceNumber LastSequence(const WriteBatch& b) {
    return Sequence(b) + std::max<uint32_t>(Count(b), 1) - 1;
  }
  // Adds every operation to mem with consecutive sequence numbers.
  // REQUIRES: Validate(b) is OK; one writer at a time on mem.
  static Status InsertInto(const WriteBatch& b, MemTable* mem);
};

}  // namespace strata
