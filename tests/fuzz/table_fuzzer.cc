// Fuzz target: Table::Open over an arbitrary file, then full scans both ways, seeks, Gets and
// filter probes, and the range deletion block's fragments (format version 2). Damage must come back
// as a status, never as a crash, a leak, UB or a hang.
//
// Input: one flags byte, then the table file.
//   bit 0: repair checksums first (the footer's, then the trailer of every block the footer,
//          the metaindex and the index point at), so that mutations reach the decoding of
//          the index, metaindex, properties, filter and data blocks;
//   bit 1: verify data block checksums (ReadOptions::verify_checksums);
//   bit 2: read through a block cache;
//   bit 3: internal keys and InternalKeyComparator with a filter over user keys, as the
//          database opens its tables; else bytewise keys and a filter over whole keys;
//   bit 4: the file returns views into its memory (zero copy) instead of copying.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "keys/internal_key.h"
#include "sstable/block.h"
#include "sstable/format.h"
#include "sstable/table.h"
#include "strata/cache.h"
#include "support/in_memory_file.h"
#include "util/checksum.h"
#include "util/coding.h"

namespace strata::fuzz {
namespace {

std::string_view UserKeyOf(std::string_view ikey) { return ExtractUserKey(ikey); }

// Rewrites the trailer checksum of the block at handle, if the block lies inside the blocks.
void RepairBlock(std::string* file, uint64_t blocks_end, const BlockHandle& h) {
  if (h.offset > blocks_end || h.size > blocks_end - h.offset ||
      blocks_end - h.offset - h.size < kBlockTrailerSize) {
    return;
  }
  char* p = file->data() + h.offset;
  EncodeFixed32(p + h.size + 1, Checksum(std::string_view(p, h.size + 1)));
}

// Repairs every block listed in the block at h (the metaindex or the index).
void RepairListedBlocks(std::string* file, uint64_t blocks_end, const BlockHandle& h) {
  test::InMemoryRandomAccessFile reader(*file);
  BlockContents contents;
  if (!ReadBlock(reader, "fuzz", blocks_end, h, false, &contents).ok()) return;
  Block block(std::move(contents));
  BlockIter it(BytewiseComparator(), &block);
  int n = 0;
  for (it.SeekToFirst(); it.Valid() && n < 4096; it.Next(), n++) {
    std::string_view v = it.value();
    BlockHandle listed;
    if (listed.DecodeFrom(&v)) RepairBlock(file, blocks_end, listed);
  }
}

void RepairChecksums(std::string* file) {
  if (file->size() < Footer::kEncodedLength) return;
  const uint64_t blocks_end = file->size() - Footer::kEncodedLength;
  char* footer = file->data() + blocks_end;
  EncodeFixed32(footer + 36, Checksum(std::string_view(footer, 36)));
  BlockHandle metaindex{DecodeFixed64(footer), DecodeFixed64(footer + 8)};
  BlockHandle index{DecodeFixed64(footer + 16), DecodeFixed64(footer + 24)};
  RepairBlock(file, blocks_end, metaindex);
  RepairBlock(file, blocks_end, index);
  RepairListedBlocks(file, blocks_end, metaindex);
  RepairListedBlocks(file, blocks_end, index);
}

void CheckPosition(const Iterator& it) {
  if (!it.status().ok()) FUZZ_CHECK(!it.Valid());
  if (it.Valid()) {
    Touch(it.key());
    Touch(it.value());
  }
}

struct GetResult {
  const Comparator* cmp;
  std::string_view target;
  int calls = 0;
};

bool OnFound(void* arg, std::string_view key, std::string_view value) {
  auto* r = static_cast<GetResult*>(arg);
  r->calls++;
  Touch(value);
  // Get lands on the first entry at or after the key, whatever the block holds. (The entries
  // after it come in the table's order, which a damaged table need not keep.)
  if (r->calls == 1) FUZZ_CHECK(r->cmp->Compare(key, r->target) >= 0);
  return r->calls < 3;  // read on, as a lookup that met merge operands does, across blocks
}

}  // namespace
}  // namespace strata::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  using namespace strata::fuzz;
  if (size == 0) return 0;
  const uint8_t flags = data[0];
  std::string file(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (flags & 1) RepairChecksums(&file);
  const bool internal = flags & 8;

  static const InternalKeyComparator icmp(BytewiseComparator());
  std::shared_ptr<Cache> cache = (flags & 4) ? NewLRUCache(1 << 20, 0) : nullptr;
  TableOptions options;
  options.comparator = internal ? static_cast<const Comparator*>(&icmp) : BytewiseComparator();
  options.filter_key = internal ? &UserKeyOf : nullptr;
  options.user_comparator = internal ? BytewiseComparator() : nullptr;  // reads version 3
  options.block_cache = cache.get();
  std::unique_ptr<Table> table;
  Status s = Table::Open(options, "fuzz.sst",
                         std::make_unique<test::InMemoryRandomAccessFile>(file, flags & 16),
                         file.size(), &table);
  Touch(s.ToString());
  if (!s.ok()) {
    FUZZ_CHECK(table == nullptr);
    return 0;
  }
  Touch(table->properties().ToString());
  // A range deletion block that decoded is sorted and non-overlapping, and answers queries.
  if (const auto& t = table->range_tombstones()) {
    FUZZ_CHECK(!t->empty());
    const Comparator* ucmp = BytewiseComparator();
    for (size_t i = 0; i < t->size(); i++) {
      const auto& f = t->fragments()[i];
      FUZZ_CHECK(ucmp->Compare(f.begin, f.end) < 0);
      if (i > 0) FUZZ_CHECK(ucmp->Compare(t->fragments()[i - 1].end, f.begin) <= 0);
      FUZZ_CHECK(t->MaxCoveringSeq(f.begin, kMaxSequenceNumber) == t->SeqsOf(f)[0]);
      FUZZ_CHECK(t->MaxCoveringSeq(f.end, kMaxSequenceNumber) == 0 ||
                 (i + 1 < t->size() && t->fragments()[i + 1].begin == f.end));
    }
  }

  ReadOptions ro;
  ro.verify_checksums = flags & 2;
  // Scans are capped only to keep one run fast: a decompressed block may hold many entries.
  constexpr int kMaxScan = 20000;
  std::vector<std::string> keys;
  {
    std::unique_ptr<Iterator> it = table->NewIterator(ro);
    int n = 0;
    for (it->SeekToFirst(); it->Valid() && n < kMaxScan; it->Next(), n++) {
      CheckPosition(*it);
      if (n % 7 == 0 && keys.size() < 64) keys.emplace_back(it->key());
    }
    CheckPosition(*it);
    n = 0;
    for (it->SeekToLast(); it->Valid() && n < kMaxScan; it->Prev(), n++) CheckPosition(*it);
    CheckPosition(*it);
  }
  // Targets: each sampled key, and a key just after it.
  std::vector<std::string> targets;
  for (const std::string& k : keys) {
    targets.push_back(k);
    targets.push_back(k + '\0');
  }
  targets.emplace_back(internal ? kInternalKeyTrailer : 0, '\xff');
  std::unique_ptr<Iterator> it = table->NewIterator(ro);
  for (const std::string& t : targets) {
    it->Seek(t);
    CheckPosition(*it);
    if (it->Valid()) {
      it->Prev();
      CheckPosition(*it);
    }
    it->SeekForPrev(t);
    CheckPosition(*it);
    if (it->Valid()) {
      it->Next();
      CheckPosition(*it);
    }
    table->ApproximateOffsetOf(t);
    if (internal && t.size() < kInternalKeyTrailer) continue;
    const std::string_view filter_key = internal ? ExtractUserKey(t) : std::string_view(t);
    table->KeyMayMatch(filter_key);
    GetResult r{options.comparator, t};
    Touch(table->Get(ro, t, filter_key, &OnFound, &r).ToString());
    FUZZ_CHECK(r.calls <= 3);  // OnFound stops after three entries
  }
  return 0;
}
