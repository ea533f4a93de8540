// Batched reads (MultiGet) and size estimates (GetApproximateSizes), both over one pinned
// ReadState like Get (see ReadSequence in db_impl.h).
#include <algorithm>
#include <deque>
#include <numeric>

#include "db/db_impl.h"
#include "memtable/memtable.h"
#include "version/table_cache.h"

namespace strata {

void DBImpl::MultiGet(const ReadOptions& options, std::span<const std::string_view> keys,
                      std::vector<std::string>* values, std::vector<Status>* statuses) {
  values->assign(keys.size(), std::string());
  statuses->assign(keys.size(), Status());
  // The sources first, then the sequence: every key is read at the same point.
  std::shared_ptr<const ReadState> state = GetReadState();
  const SequenceNumber seq = ReadSequence(options);
  const Comparator* ucmp = icmp_.user_comparator();

  // Sorted, each distinct key once: tables are then searched in one ordered pass.
  std::vector<size_t> order(keys.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return ucmp->Compare(keys[a], keys[b]) < 0; });
  std::vector<size_t> unique;  // indices into keys, one per distinct key
  for (size_t i : order) {
    if (unique.empty() || ucmp->Compare(keys[unique.back()], keys[i]) != 0) unique.push_back(i);
  }

  std::vector<std::unique_ptr<LookupKey>> lookups;
  std::deque<MergeContext> merges;  // one per key (stable addresses; no heap use until merges)
  std::vector<Version::MultiGetKey> pending;
  for (size_t i : unique) {
    lookups.push_back(std::make_unique<LookupKey>(keys[i], seq));
    const LookupKey& lookup = *lookups.back();
    MergeContext* key_merges = &merges.emplace_back(options_.merge_operator.get());
    std::string* value = &(*values)[i];
    Status* status = &(*statuses)[i];
    bool done = state->mem->Get(lookup, value, status, key_merges);
    for (size_t m = 0; !done && m < state->imm.size(); m++) {
      done = state->imm[m]->Get(lookup, value, status, key_merges);
    }
    if (!done) pending.push_back({&lookup, value, status, key_merges});
  }
  state->version->MultiGet(options, pending, table_cache_.get());
  for (const Version::MultiGetKey& k : pending) {
    if (!k.done) *k.status = k.merges->Resolve(k.lookup->user_key(), nullptr, k.value);
  }
  // Repeated keys get the answer of their first occurrence.
  for (size_t j = 0, u = 0; j < order.size(); j++) {
    while (ucmp->Compare(keys[unique[u]], keys[order[j]]) != 0) u++;
    if (unique[u] != order[j]) {
      (*values)[order[j]] = (*values)[unique[u]];
      (*statuses)[order[j]] = (*statuses)[unique[u]];
    }
  }
}

Status DBImpl::GetApproximateSizes(std::span<const Range> ranges, std::vector<uint64_t>* sizes,
                                   bool include_memtables) {
  sizes->assign(ranges.size(), 0);
  std::shared_ptr<const ReadState> state = GetReadState();
  const Comparator* ucmp = icmp_.user_comparator();
  const Version& v = *state->version;
  for (size_t r = 0; r < ranges.size(); r++) {
    const std::string_view start = ranges[r].start, limit = ranges[r].limit;
    if (ucmp->Compare(start, limit) >= 0) continue;
    // Internal keys before every entry of start and of limit.
    LookupKey start_key(start, kMaxSequenceNumber), limit_key(limit, kMaxSequenceNumber);
    uint64_t total = 0;
    for (int level = 0; level < v.num_levels(); level++) {
      for (const auto& f : v.files(level)) {
        const std::string_view lo = ExtractUserKey(f->smallest), hi = ExtractUserKey(f->largest);
        if (ucmp->Compare(hi, start) < 0 || ucmp->Compare(lo, limit) >= 0) continue;
        // A table wholly inside the range counts whole, without opening it; otherwise the
        // index block gives the offsets of the range's ends.
        const bool from_start = ucmp->Compare(lo, start) >= 0;
        const bool to_end = ucmp->Compare(hi, limit) < 0;
        const uint64_t begin = from_start ? 0
                                          : table_cache_->ApproximateOffsetOf(
                                                f->number, f->file_size, start_key.internal_key());
        const uint64_t end = to_end ? f->file_size
                                    : table_cache_->ApproximateOffsetOf(f->number, f->file_size,
                                                                        limit_key.internal_key());
        if (end > begin) total += end - begin;
      }
    }
    if (include_memtables) {
      // The entries' key and value bytes; the memtables are in memory, so this reads them.
      auto count = [&](const MemTable& mem) {
        std::unique_ptr<Iterator> it = mem.NewIterator();
        for (it->Seek(start_key.internal_key());
             it->Valid() && ucmp->Compare(ExtractUserKey(it->key()), limit) < 0; it->Next()) {
          total += it->key().size() + it->value().size();
        }
      };
      count(*state->mem);
      for (const auto& imm : state->imm) count(*imm);
    }
    (*sizes)[r] = total;
  }
  return Status::OK();
}

}  // namespace strata
