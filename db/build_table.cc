#include "db/build_table.h"

#include <algorithm>
#include <optional>

#include "compaction/operand_combiner.h"
#include "memtable/memtable.h"
#include "sstable/table_builder.h"
#include "version/filename.h"

namespace strata {

Status BuildTable(const std::string& dbname, FileSystem* fs, const TableOptions& options,
                  const MemTable& mem, FileMetaData* meta, const MergeOperator* merge_operator,
                  SequenceNumber smallest_snapshot) {
  meta->file_size = 0;
  std::unique_ptr<Iterator> it = mem.NewIterator();
  it->SeekToFirst();
  const std::shared_ptr<const FragmentedRangeTombstones> tombstones = mem.RangeTombstones();
  if (!it->Valid() && tombstones == nullptr) return Status::OK();

  const std::string fname = TableFileName(dbname, meta->number);
  std::unique_ptr<WritableFile> file;
  Status s = fs->NewWritableFile(fname, &file);
  if (!s.ok()) return s;

  TableBuilder builder(options, file.get());
  meta->smallest.clear();
  SequenceNumber smallest_seq = kMaxSequenceNumber, largest_seq = 0;
  std::string last_key;
  auto add = [&](std::string_view ikey, std::string_view value, const ParsedInternalKey& k, bool) {
    smallest_seq = std::min(smallest_seq, k.sequence);
    largest_seq = std::max(largest_seq, k.sequence);
    if (last_key.empty()) meta->smallest.assign(ikey);
    builder.Add(ikey, value);
    last_key.assign(ikey);
    return Status::OK();
  };

  // Combining operands (with a merge operator only): per key, whether an entry every snapshot sees
  // was met, and whether a combined entry hides the rest of the key.
  std::optional<OperandCombiner> combiner;
  if (merge_operator != nullptr)
    combiner.emplace(merge_operator, mem.internal_comparator().user_comparator());
  auto covered = [&](std::string_view user_key, SequenceNumber seq) {
    return tombstones != nullptr && tombstones->MaxCoveringSeq(user_key, smallest_snapshot) > seq;
  };
  std::string settled_key;  // the user key whose newest settled entry was seen
  bool has_settled = false;
  bool hide_rest = false;  // ... and it was combined: its older entries are hidden
  uint64_t unused_read = 0, unused_dropped = 0;
  const Comparator* ucmp = mem.internal_comparator().user_comparator();
  while (s.ok() && it->Valid()) {
    ParsedInternalKey k;
    ParseInternalKey(it->key(), &k);  // the memtable holds well-formed keys only
    if (combiner && k.sequence <= smallest_snapshot) {
      const bool newest_settled = !has_settled || ucmp->Compare(k.user_key, settled_key) != 0;
      if (!newest_settled && hide_rest) {
        it->Next();
        continue;
      }
      if (newest_settled) {
        settled_key.assign(k.user_key);
        has_settled = true;
        hide_rest = false;
        if (k.type == ValueType::kMerge && !covered(k.user_key, k.sequence)) {
          s = combiner->Combine(it.get(), k, covered, /*at_bottom=*/false, add, &unused_read,
                                &unused_dropped);
          hide_rest = true;
          continue;
        }
      }
    }
    s = add(it->key(), it->value(), k, true);
    it->Next();
  }
  if (s.ok()) s = it->status();
  meta->largest.assign(last_key);
  if (!s.ok()) {
    builder.Abandon();
    file->Close().PermitUncheckedError();
    fs->RemoveFile(fname).PermitUncheckedError();
    return s;
  }
  if (tombstones != nullptr) {
    // Flushed whole: the file's bounds grow to cover them.
    builder.SetRangeTombstones(*tombstones);
    ExtendBoundsForTombstones(*tombstones, mem.internal_comparator(), &meta->smallest,
                              &meta->largest, &smallest_seq, &largest_seq);
  }
  meta->smallest_seqno = smallest_seq;
  meta->largest_seqno = largest_seq;
  builder.SetSequenceRange(smallest_seq, largest_seq);
  s = builder.Finish();
  if (s.ok()) {
    meta->file_size = builder.FileSize();
    s = file->Sync();
  }
  Status close = file->Close();
  if (s.ok()) s = close;
  if (!s.ok()) {
    meta->file_size = 0;
    fs->RemoveFile(fname).PermitUncheckedError();
  }
  return s;
}

}  // namespace strata
