// Fuzz target: decoding a write batch (a WAL record) from arbitrary bytes, as recovery does:
// SetContents, Validate, Iterate, and InsertInto a memtable; and WriteBatch::FromBytes, as a
// change feed's consumer does.
//
// Checks: Validate accepts exactly what Iterate accepts with a sequence range that fits;
// a decoded batch rebuilt through the public API holds the same operations and encodes to no
// more bytes (the same bytes unless the input used over-long varints); Append doubles it; and
// after InsertInto the memtable holds every operation, with the last one per key visible.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "db/write_batch_internal.h"
#include "fuzz_check.h"
#include "keys/internal_key.h"
#include "memtable/memtable.h"
#include "strata/merge_operator.h"
#include "strata/write_batch.h"

namespace strata::fuzz {
namespace {

struct Op {
  ValueType type;
  std::string key, value;
  bool operator==(const Op&) const = default;
};

class Collector final : public WriteBatch::Handler {
 public:
  void Put(std::string_view key, std::string_view value) override {
    ops.push_back({ValueType::kValue, std::string(key), std::string(value)});
  }
  void Delete(std::string_view key) override {
    ops.push_back({ValueType::kDeletion, std::string(key), {}});
  }
  void Merge(std::string_view key, std::string_view operand) override {
    ops.push_back({ValueType::kMerge, std::string(key), std::string(operand)});
  }
  void DeleteRange(std::string_view begin, std::string_view end) override {
    ops.push_back({ValueType::kRangeDeletion, std::string(begin), std::string(end)});
  }
  std::vector<Op> ops;
};

void CheckMemTable(const WriteBatch& batch, const std::vector<Op>& ops) {
  static const InternalKeyComparator icmp(BytewiseComparator());
  MemTable mem(icmp);
  FUZZ_CHECK(WriteBatchInternal::InsertInto(batch, &mem).ok());
  FUZZ_CHECK(mem.num_entries() == ops.size());
  // Range deletions live in a table of their own, outside the point iterator.
  const auto range_dels = static_cast<size_t>(std::count_if(
      ops.begin(), ops.end(), [](const Op& op) { return op.type == ValueType::kRangeDeletion; }));
  FUZZ_CHECK(mem.num_range_deletions() == range_dels);
  size_t n = 0;
  MemTable::Iterator it(&mem);
  for (it.SeekToFirst(); it.Valid(); it.Next()) n++;
  FUZZ_CHECK(n == ops.size() - range_dels);
  if (range_dels > 0) FUZZ_CHECK(mem.RangeTombstones() != nullptr);

  // The model below knows puts, deletions and merges (read with the string append operator).
  if (range_dels > 0) return;
  std::map<std::string, std::optional<std::string>> latest;
  for (const Op& op : ops) {
    std::optional<std::string>& v = latest[op.key];
    if (op.type == ValueType::kMerge) {
      v = v ? *v + "," + op.value : op.value;
    } else {
      v = op.type == ValueType::kValue ? std::optional(op.value) : std::nullopt;
    }
  }
  static const std::shared_ptr<const MergeOperator> append = NewStringAppendOperator(',');
  for (const auto& [key, value] : latest) {
    LookupKey lookup(key, kMaxSequenceNumber);
    std::string found;
    Status s;
    MergeContext merges(append.get());
    // Every entry of the key is here: the lookup ends here even when it meets operands only
    // (no base: finished by the caller, as the DB does after its last source).
    if (!mem.Get(lookup, &found, &s, &merges)) {
      FUZZ_CHECK(!merges.empty());
      s = merges.Finish(key, nullptr, &found);
    }
    if (value) {
      FUZZ_CHECK(s.ok());
      FUZZ_CHECK(found == *value);
    } else {
      FUZZ_CHECK(s.IsNotFound());
    }
  }
}

}  // namespace
}  // namespace strata::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  using namespace strata::fuzz;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  WriteBatch batch;
  if (!WriteBatchInternal::SetContents(&batch, input).ok()) {
    FUZZ_CHECK(size < kWriteBatchHeader);
    return 0;
  }
  Collector collected;
  const Status iterated = batch.Iterate(&collected);
  const Status validated = WriteBatchInternal::Validate(batch);
  Touch(iterated.ToString());
  Touch(validated.ToString());
  const SequenceNumber seq = WriteBatchInternal::Sequence(batch);
  const uint32_t count = WriteBatchInternal::Count(batch);
  const bool seq_fits = seq + count <= kMaxSequenceNumber && seq + count >= seq;
  FUZZ_CHECK(validated.ok() == (iterated.ok() && seq_fits));
  // The public decoder (what a change feed's consumer uses) accepts exactly what Validate
  // accepts, keeps the bytes, and leaves its target untouched when it refuses.
  WriteBatch from_bytes;
  from_bytes.Put("sentinel", "kept");
  const std::string before(from_bytes.Data());
  const Status decoded = WriteBatch::FromBytes(input, &from_bytes);
  FUZZ_CHECK(decoded.ok() == validated.ok());
  FUZZ_CHECK(decoded.ok() ? from_bytes.Data() == input : from_bytes.Data() == before);
  if (!iterated.ok()) return 0;
  FUZZ_CHECK(collected.ops.size() == count);

  WriteBatch rebuilt;
  for (const Op& op : collected.ops) {
    switch (op.type) {
      case ValueType::kValue:
        rebuilt.Put(op.key, op.value);
        break;
      case ValueType::kDeletion:
        rebuilt.Delete(op.key);
        break;
      case ValueType::kMerge:
        rebuilt.Merge(op.key, op.value);
        break;
      case ValueType::kRangeDeletion:
        rebuilt.DeleteRange(op.key, op.value);
        break;
    }
  }
  WriteBatchInternal::SetSequence(&rebuilt, seq);
  FUZZ_CHECK(rebuilt.Count() == count);
  const std::string_view encoded = WriteBatchInternal::Contents(rebuilt);
  FUZZ_CHECK(encoded.size() <= input.size());
  if (encoded.size() == input.size()) FUZZ_CHECK(encoded == input);
  Collector again;
  FUZZ_CHECK(rebuilt.Iterate(&again).ok());
  FUZZ_CHECK(again.ops == collected.ops);

  WriteBatch doubled = rebuilt;
  doubled.Append(batch);
  Collector twice;
  FUZZ_CHECK(doubled.Iterate(&twice).ok());
  FUZZ_CHECK(twice.ops.size() == 2 * collected.ops.size());
  FUZZ_CHECK(std::equal(collected.ops.begin(), collected.ops.end(), twice.ops.begin()));
  FUZZ_CHECK(std::equal(collected.ops.begin(), collected.ops.end(),
                        twice.ops.begin() + collected.ops.size()));

  if (validated.ok()) CheckMemTable(batch, collected.ops);
  return 0;
}
