#include "strata/write_batch.h"

#include "db/write_batch_internal.h"
#include "memtable/memtable.h"

namespace strata {

WriteBatch::WriteBatch() { Clear(); }

void WriteBatch::Clear() {
  rep_.clear();
  rep_.resize(kWriteBatchHeader);
  needs_write_check_ = false;
}

uint32_t WriteBatch::Count() const { return WriteBatchInternal::Count(*this); }

void WriteBatch::Put(std::string_view key, std::string_view value) {
  WriteBatchInternal::SetCount(this, Count() + 1);
  rep_.push_back(static_cast<char>(ValueType::kValue));
  PutLengthPrefixed(&rep_, key);
  PutLengthPrefixed(&rep_, value);
}

void WriteBatch::Delete(std::string_view key) {
  WriteBatchInternal::SetCount(this, Count() + 1);
  rep_.push_back(static_cast<char>(ValueType::kDeletion));
  PutLengthPrefixed(&rep_, key);
}

void WriteBatch::Merge(std::string_view key, std::string_view operand) {
  WriteBatchInternal::SetCount(this, Count() + 1);
  rep_.push_back(static_cast<char>(ValueType::kMerge));
  needs_write_check_ = true;
  PutLengthPrefixed(&rep_, key);
  PutLengthPrefixed(&rep_, operand);
}

void WriteBatch::DeleteRange(std::string_view begin, std::string_view end) {
  WriteBatchInternal::SetCount(this, Count() + 1);
  rep_.push_back(static_cast<char>(ValueType::kRangeDeletion));
  needs_write_check_ = true;
  PutLengthPrefixed(&rep_, begin);
  PutLengthPrefixed(&rep_, end);
}

void WriteBatch::Append(const WriteBatch& other) { WriteBatchInternal::Append(this, other); }

namespace {

// Walks the encoded operations, calling fn(type, key, value) for each; Corruption on any
// malformed byte or a count mismatch. The one decoder of the batch format.
template <typename Fn>
Status ForEachOp(std::string_view rep, Fn&& fn) {
  if (rep.size() < kWriteBatchHeader) return Status::Corruption("write batch too small");
  uint32_t expected = DecodeFixed32(rep.data() + 8);
  std::string_view input = rep.substr(kWriteBatchHeader);
  uint32_t found = 0;
  while (!input.empty()) {
    auto type = static_cast<ValueType>(input[0]);
    input.remove_prefix(1);
    std::string_view key, value;
    switch (type) {
      case ValueType::kValue:
        if (!GetLengthPrefixed(&input, &key) || !GetLengthPrefixed(&input, &value)) {
          return Status::Corruption("write batch: bad Put record");
        }
        break;
      case ValueType::kDeletion:
        if (!GetLengthPrefixed(&input, &key)) {
          return Status::Corruption("write batch: bad Delete record");
        }
        break;
      case ValueType::kMerge:
        if (!GetLengthPrefixed(&input, &key) || !GetLengthPrefixed(&input, &value)) {
          return Status::Corruption("write batch: bad Merge record");
        }
        break;
      case ValueType::kRangeDeletion:
        if (!GetLengthPrefixed(&input, &key) || !GetLengthPrefixed(&input, &value)) {
          return Status::Corruption("write batch: bad DeleteRange record");
        }
        break;
      default:
        return Status::Corruption("write batch: unknown record type");
    }
    if (++found > expected) break;
    fn(type, key, value);
  }
  if (found != expected) return Status::Corruption("write batch: wrong count");
  return Status::OK();
}

// The whole encoding: record syntax, count, sequence range. *needs_write_check: whether a
// merge or range deletion is among the records (what DB::Write must check).
Status ValidateBatchBytes(std::string_view rep, bool* needs_write_check = nullptr) {
  bool special = false;
  Status s = ForEachOp(rep, [&special](ValueType type, std::string_view, std::string_view) {
    special |= type == ValueType::kMerge || type == ValueType::kRangeDeletion;
  });
  if (needs_write_check != nullptr) *needs_write_check = special;
  if (!s.ok()) return s;
  // Written so that it cannot wrap: a damaged sequence near 2^64 plus the count must not
  // come out small and pass.
  const uint64_t sequence = DecodeFixed64(rep.data());
  const uint32_t count = DecodeFixed32(rep.data() + 8);
  if (sequence > kMaxSequenceNumber || count > kMaxSequenceNumber - sequence) {
    return Status::Corruption("write batch: sequence number out of range");
  }
  return Status::OK();
}

}  // namespace

Status WriteBatch::Iterate(Handler* handler) const {
  return ForEachOp(rep_, [handler](ValueType type, std::string_view key, std::string_view value) {
    switch (type) {
      case ValueType::kValue:
        handler->Put(key, value);
        break;
      case ValueType::kDeletion:
        handler->Delete(key);
        break;
      case ValueType::kMerge:
        handler->Merge(key, value);
        break;
      case ValueType::kRangeDeletion:
        handler->DeleteRange(key, value);
        break;
    }
  });
}

Status WriteBatch::FromBytes(std::string_view bytes, WriteBatch* batch) {
  // Checked in place first, so that a refused input leaves *batch as it was, and an
  // accepted one reuses the batch's buffer (a feed's consumer calls this per record).
  bool needs_write_check = false;
  Status s = ValidateBatchBytes(bytes, &needs_write_check);
  if (s.ok()) {
    batch->rep_.assign(bytes);
    batch->needs_write_check_ = needs_write_check;  // known from the walk just made
  }
  return s;
}

Status WriteBatchInternal::SetContents(WriteBatch* b, std::string_view contents) {
  if (contents.size() < kWriteBatchHeader) return Status::Corruption("write batch too small");
  b->rep_.assign(contents);
  b->needs_write_check_ = true;
  return Status::OK();
}

void WriteBatchInternal::Append(WriteBatch* dst, const WriteBatch& src) {
  SetCount(dst, Count(*dst) + Count(src));
  dst->rep_.append(src.rep_.data() + kWriteBatchHeader, src.rep_.size() - kWriteBatchHeader);
  dst->needs_write_check_ |= src.needs_write_check_;
}

Status WriteBatchInternal::Validate(const WriteBatch& b) { return ValidateBatchBytes(b.rep_); }

Status WriteBatchInternal::CheckForWrite(const WriteBatch& b, const Comparator* ucmp,
                                         bool merges_allowed) {
  if (!b.needs_write_check_) return Status::OK();
  bool empty_range = false, merge = false;
  Status s = ForEachOp(b.rep_, [&](ValueType type, std::string_view begin, std::string_view end) {
    if (type == ValueType::kRangeDeletion && ucmp->Compare(begin, end) >= 0) empty_range = true;
    if (type == ValueType::kMerge) merge = true;
  });
  if (!s.ok()) return s;
  if (empty_range) return Status::InvalidArgument("DeleteRange: empty range (end <= begin)");
  if (merge && !merges_allowed) {
    return Status::InvalidArgument(
        "Merge: the database has no merge operator (Options::merge_operator)");
  }
  return Status::OK();
}

Status WriteBatchInternal::InsertInto(const WriteBatch& b, MemTable* mem) {
  SequenceNumber seq = Sequence(b);
  if (Count(b) == 1) {
    return ForEachOp(b.rep_, [&](ValueType type, std::string_view key, std::string_view value) {
      mem->Add(seq++, type, key, value);
    });
  }
  // A group's entries: their searches overlap (MemTable::BatchAdder).
  MemTable::BatchAdder adder(mem);
  Status s = ForEachOp(b.rep_, [&](ValueType type, std::string_view key, std::string_view value) {
    adder.Add(seq++, type, key, value);
  });
  adder.Finish();
  return s;
}

}  // namespace strata
