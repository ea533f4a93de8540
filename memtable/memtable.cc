#include "memtable/memtable.h"

#include <cassert>
#include <cstring>

#include "util/checksum.h"
#include "util/perf_context_imp.h"

namespace strata {

using memtable_internal::LengthPrefixed;

MemTable::MemTable(const InternalKeyComparator& cmp, Arena::Blocks blocks, size_t bloom_bytes)
    : comparator_{cmp, cmp.user_comparator() == BytewiseComparator()},
      bloom_(comparator_.bytewise ? MemTableBloom::Create(bloom_bytes) : nullptr),
      arena_(Arena::kDefaultBlockSize, blocks),
      table_(comparator_, &arena_),
      range_del_table_(comparator_, &arena_) {}

// Inlined into both adders: a sequential fill inserts in tens of nanoseconds, where a call
// shows.
[[gnu::always_inline]] inline char* MemTable::Encode(SequenceNumber seq, ValueType type,
                                                     std::string_view user_key,
                                                     std::string_view value) {
  assert(seq <= kMaxSequenceNumber);
  if (type == ValueType::kDeletion) value = {};
  uint64_t hash = 0;
  const bool filtered = bloom_ != nullptr && type != ValueType::kRangeDeletion;
  if (filtered) {
    hash = Hash64(user_key);
    bloom_->Prefetch(hash);  // its miss overlaps the encoding
  }
  size_t ikey_len = user_key.size() + kInternalKeyTrailer;
  assert(ikey_len <= UINT32_MAX && value.size() <= UINT32_MAX);
  size_t encoded_len =
      VarintLength(ikey_len) + ikey_len + VarintLength(value.size()) + value.size();
  char* buf = table_.Reserve(encoded_len);
  char* p = EncodeVarint32(buf, static_cast<uint32_t>(ikey_len));
  if (!user_key.empty()) std::memcpy(p, user_key.data(), user_key.size());
  p += user_key.size();
  EncodeFixed64(p, PackSequenceAndType(seq, type));
  p += kInternalKeyTrailer;
  p = EncodeVarint32(p, static_cast<uint32_t>(value.size()));
  if (!value.empty()) std::memcpy(p, value.data(), value.size());
  assert(p + value.size() == buf + encoded_len);
  if (type == ValueType::kRangeDeletion) [[unlikely]] {
    range_del_table_.InsertReserved(buf, buf);
    // Release: a reader that sees the count sees the node (and the cache rebuilds).
    num_range_dels_.store(num_range_dels_.load(std::memory_order_relaxed) + 1,
                          std::memory_order_release);
  } else if (filtered) {
    // Before the entry is linked, and so before the DB publishes its sequence: a reader whose
    // sequence covers the entry must not be turned away by the filter.
    bloom_->Add(hash);
  }

  // Only this thread writes the counters: a load and a store avoid a locked instruction.
  num_entries_.store(num_entries_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  if (type == ValueType::kDeletion) {
    num_deletes_.store(num_deletes_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  return type == ValueType::kRangeDeletion ? nullptr : buf;
}

void MemTable::Add(SequenceNumber seq, ValueType type, std::string_view user_key,
                   std::string_view value) {
  if (char* entry = Encode(seq, type, user_key, value)) table_.InsertReserved(entry, entry);
}

void MemTable::BatchAdder::Add(SequenceNumber seq, ValueType type, std::string_view user_key,
                               std::string_view value) {
  char* entry = mem_->Encode(seq, type, user_key, value);
  if (entry == nullptr) return;  // a range deletion, linked already
  pending_[pending_count_++] = entry;
  if (pending_count_ == kPending) Finish();
}

void MemTable::BatchAdder::Finish() {
  mem_->table_.InsertReservedBatch(pending_, pending_count_);
  pending_count_ = 0;
}

std::shared_ptr<const FragmentedRangeTombstones> MemTable::RangeTombstones() const {
  const uint64_t count = num_range_deletions();
  if (count == 0) return nullptr;
  MutexLock l(&range_del_mu_);
  if (range_del_cache_ == nullptr || range_del_cache_count_ < count) {
    std::vector<RangeTombstone> tombstones;
    tombstones.reserve(count);
    Table::Iterator it(&range_del_table_);
    for (it.SeekToFirst(); it.Valid(); it.Next()) {
      std::string_view ikey = LengthPrefixed(it.key());
      std::string_view end = LengthPrefixed(ikey.data() + ikey.size());
      tombstones.push_back(
          {std::string(ExtractUserKey(ikey)), std::string(end), ExtractTrailer(ikey) >> 8});
    }
    range_del_cache_count_ = tombstones.size();
    range_del_cache_ = std::make_shared<const FragmentedRangeTombstones>(
        comparator_.icmp.user_comparator(), std::move(tombstones));
  }
  return range_del_cache_;
}

SequenceNumber MemTable::MaxCoveringTombstoneSeq(std::string_view user_key,
                                                 SequenceNumber snapshot) const {
  if (num_range_deletions() == 0) return 0;
  return RangeTombstones()->MaxCoveringSeq(user_key, snapshot);
}

namespace {

// What a lookup without a merge context concludes with: as if no operand had been met (an
// operand itself ends such a lookup with Corruption before this is asked).
const MergeContext kNoMerges(nullptr);

}  // namespace

bool MemTable::Get(const LookupKey& key, std::string* value, Status* status,
                   MergeContext* merges) const {
  // An empty memtable (the active one after a reopen or a flush) answers without touching its
  // filter, whose probe is a cache miss. A reader whose sequence covers an entry sees the
  // count that entry's Add stored before the sequence was published.
  if (num_entries() == 0) return false;
  // A range deletion here newer than the entry found (or covering a key with no entry here:
  // everything in older sources is older) answers NotFound.
  const SequenceNumber covering =
      MaxCoveringTombstoneSeq(key.user_key(), ExtractTrailer(key.internal_key()) >> 8);
  const bool may_hold = MayHold(key.user_key());
  if (covering != 0) [[unlikely]] {
    if (!may_hold || !GetNewest(key, value, status, covering, merges)) {
      *status = (merges ? *merges : kNoMerges).Resolve(key.user_key(), nullptr, value);
    }
    return true;
  }
  return may_hold && GetNewest(key, value, status, 0, merges);
}

void MemTable::WarmForInsert(std::string_view user_key) const {
  if (bloom_ != nullptr) bloom_->Prefetch(Hash64(user_key));
  // A key too long for LookupKey's own buffer would cost a heap allocation: not worth it.
  if (user_key.size() > LookupKey::kMaxInlineUserKey) return;
  // A new entry goes before every entry of the key now present (its sequence is higher).
  LookupKey lookup(user_key, kMaxSequenceNumber);
  Table::Iterator iter(&table_);
  iter.Seek(lookup.memtable_key().data());
}

bool MemTable::MayHold(std::string_view user_key) const {
  if (bloom_ == nullptr || bloom_->MayContain(Hash64(user_key))) return true;
  STRATA_PERF_COUNT(memtable_filter_negatives);
  return false;
}

bool MemTable::GetNewest(const LookupKey& key, std::string* value, Status* status,
                         SequenceNumber covering, MergeContext* merges) const {
  const MergeContext& collected = merges ? *merges : kNoMerges;
  Table::Iterator iter(&table_);
  // The lookup key carries the snapshot sequence and the highest type, so the first entry at
  // or after it is the newest version of some key visible at that snapshot.
  for (iter.Seek(key.memtable_key().data()); iter.Valid(); iter.Next()) {
    std::string_view ikey = LengthPrefixed(iter.key());
    std::string_view user_key = ExtractUserKey(ikey);
    bool same = comparator_.bytewise
                    ? user_key == key.user_key()
                    : comparator_.icmp.user_comparator()->Compare(user_key, key.user_key()) == 0;
    if (!same) return false;  // (after operands: they wait for an older source's base)
    if ((ExtractTrailer(ikey) >> 8) < covering) {
      *status = collected.Resolve(key.user_key(), nullptr, value);
      return true;
    }
    switch (static_cast<ValueType>(ExtractTrailer(ikey) & 0xff)) {
      case ValueType::kValue: {
        const std::string_view v = LengthPrefixed(ikey.data() + ikey.size());
        *status = collected.Resolve(key.user_key(), &v, value);
        return true;
      }
      case ValueType::kDeletion:
        *status = collected.Resolve(key.user_key(), nullptr, value);
        return true;
      case ValueType::kMerge:
        // The base is further on (older entries of the key follow), or in an older source.
        if (merges == nullptr) {
          *status = ApplyMerge(nullptr, key.user_key(), nullptr, {}, value);  // Corruption
          return true;
        }
        merges->Add(LengthPrefixed(ikey.data() + ikey.size()));
        continue;
      case ValueType::kRangeDeletion:
        break;  // they live in range_del_table_
    }
    assert(false && "memtable entries are written with known types");
    *status = Status::Corruption("memtable entry of unknown type");
    return true;
  }
  return false;
}

MemTable::Iterator::Iterator(const MemTable* mem) : iter_(&mem->table_) {}

const char* MemTable::Iterator::EncodeTarget(std::string_view internal_key) {
  target_.clear();
  PutVarint32(&target_, static_cast<uint32_t>(internal_key.size()));
  target_.append(internal_key);
  return target_.data();
}

void MemTable::Iterator::Seek(std::string_view internal_key) {
  iter_.Seek(EncodeTarget(internal_key));
}

void MemTable::Iterator::SeekForPrev(std::string_view internal_key) {
  iter_.SeekForPrev(EncodeTarget(internal_key));
}

std::string_view MemTable::Iterator::key() const { return LengthPrefixed(iter_.key()); }

std::string_view MemTable::Iterator::value() const {
  std::string_view ikey = LengthPrefixed(iter_.key());
  return LengthPrefixed(ikey.data() + ikey.size());
}

namespace {

class MemTableIterator final : public strata::Iterator {
 public:
  explicit MemTableIterator(const MemTable* mem) : it_(mem) {}
  bool Valid() const override { return it_.Valid(); }
  void SeekToFirst() override { it_.SeekToFirst(); }
  void SeekToLast() override { it_.SeekToLast(); }
  void Seek(std::string_view target) override { it_.Seek(target); }
  void SeekForPrev(std::string_view target) override { it_.SeekForPrev(target); }
  void Next() override { it_.Next(); }
  void Prev() override { it_.Prev(); }
  std::string_view key() const override { return it_.key(); }
  std::string_view value() const override { return it_.value(); }
  Status status() const override { return Status::OK(); }

 private:
  MemTable::Iterator it_;
};

}  // namespace

std::unique_ptr<strata::Iterator> MemTable::NewIterator() const {
  return std::make_unique<MemTableIterator>(this);
}

}  // namespace strata
