#include "db/build_table.h"

#include <algorithm>

#include "memtable/memtable.h"
#include "sstable/table_builder.h"
#include "version/filename.h"

namespace strata {

Status BuildTable(const std::string& dbname, FileSystem* fs, const TableOptions& options,
                  const MemTable& mem, FileMetaData* meta) {
  meta->file_size = 0;
  MemTable::Iterator it(&mem);
  it.SeekToFirst();
  const std::shared_ptr<const FragmentedRangeTombstones> tombstones = mem.RangeTombstones();
  if (!it.Valid() && tombstones == nullptr) return Status::OK();

  const std::string fname = TableFileName(dbname, meta->number);
  std::unique_ptr<WritableFile> file;
  Status s = fs->NewWritableFile(fname, &file);
  if (!s.ok()) return s;

  TableBuilder builder(options, file.get());
  meta->smallest.clear();
  if (it.Valid()) meta->smallest.assign(it.key());
  SequenceNumber smallest_seq = kMaxSequenceNumber, largest_seq = 0;
  std::string_view last_key;
  for (; it.Valid(); it.Next()) {
    last_key = it.key();
    SequenceNumber seq = ExtractTrailer(last_key) >> 8;
    smallest_seq = std::min(smallest_seq, seq);
    largest_seq = std::max(largest_seq, seq);
    builder.Add(last_key, it.value());
  }
  meta->largest.assign(last_key);
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
