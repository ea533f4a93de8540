// DB::IngestExternalFiles: adding tables built by TableWriter to a live database, all or
// nothing.
//
// The steps, and why each is safe to interrupt:
// 1. Check every file whole, with no lock held: comparator, sequence 0 throughout, keys in
//    order, every block's checksum; then that the files do not overlap each other.
// 2. Link or copy them into the database under new file numbers, held in pending_outputs_
//    so that obsolete-file deletion spares them; linked names are made durable with a
//    directory sync. Writers go on meanwhile. A crash here leaves tables no MANIFEST names,
//    which the next Open deletes.
// 3. As the sole writer (RunAsSoleWriter: no write group in flight, none starting):
//    flush the memtables if they hold a key in the files' range (their older values would
//    otherwise shadow the files, since reads look at memtables first); take the sequence
//    number G = last + 1; sync the logs a switch left unsynced (every write before G must
//    survive whatever keeps the files), append the log's sync marker if it has none, then a
//    sequence marker for G (an empty batch at G, so that the log's sequence numbers stay
//    without a hole for recovery), and sync the log; choose each file's level
//    (PlaceIngestedFiles); and log one version edit adding every file with global sequence
//    G. That edit is the commit point: before it is synced nothing is ingested, after it
//    everything is. A full disk that refuses the marker (or the sync marker written before
//    it) whole fails the ingestion and nothing else, as it fails a write group. A failed
//    MANIFEST write is a background error, as for a flush: the edit may or may not be on disk, so
//    no file is deleted and writes stop until reopen.
// 4. With move_files, remove the originals.
//
// Snapshots taken before see nothing of the files: their sequence is below G.
#include <algorithm>
#include <cinttypes>

#include "compaction/compaction_picker.h"
#include "db/db_impl.h"
#include "db/write_batch_internal.h"
#include "memtable/memtable.h"
#include "sstable/table.h"
#include "util/coding.h"
#include "version/filename.h"
#include "version/table_cache.h"
#include "wal/log_writer.h"

namespace strata {

namespace {

// What checking an external table found.
struct TableFacts {
  uint64_t file_size = 0;
  uint64_t entries = 0;
  std::string smallest, largest;  // internal keys as stored (sequence 0)
};

// Reads the table at path whole. InvalidArgument for a file that is not a TableWriter
// table in this database's order; Corruption for damage; the I/O error otherwise.
Status CheckExternalTable(FileSystem* fs, TableOptions options, const Comparator* ucmp,
                          const std::string& path, TableFacts* facts) {
  options.block_cache = nullptr;  // a file read once: keep the cache for the database
  Status s = fs->GetFileSize(path, &facts->file_size);
  if (!s.ok()) return s;
  std::unique_ptr<RandomAccessFile> file;
  s = fs->NewRandomAccessFile(path, &file);
  if (!s.ok()) return s;
  std::unique_ptr<Table> table;
  s = Table::Open(options, path, std::move(file), facts->file_size, &table);
  if (!s.ok()) return s.IsCorruption() ? s : Status::InvalidArgument(path, s.ToString());
  const TableProperties& props = table->properties();
  if (props.user_comparator_name != ucmp->Name()) {
    return Status::InvalidArgument(path, "was written with comparator '" +
                                             props.user_comparator_name + "', the database uses '" +
                                             ucmp->Name() + "' (or it is no TableWriter table)");
  }
  if (props.smallest_seqno != 0 || props.largest_seqno != 0 || props.num_entries == 0) {
    return Status::InvalidArgument(path,
                                   "is not a TableWriter table (sequence numbers set, "
                                   "or empty)");
  }
  ReadOptions read;
  read.verify_checksums = true;
  read.fill_cache = false;
  std::unique_ptr<Iterator> it = table->NewIterator(read);
  std::string prev_user;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ParsedInternalKey parsed;
    if (!ParseInternalKey(it->key(), &parsed) || parsed.sequence != 0) {
      return Status::Corruption(path, "holds an entry that is not a sequence-0 internal key");
    }
    if (facts->entries > 0 && ucmp->Compare(prev_user, parsed.user_key) >= 0) {
      return Status::Corruption(path, "keys out of order");
    }
    if (facts->entries == 0) facts->smallest.assign(it->key());
    prev_user.assign(parsed.user_key);
    facts->largest.assign(it->key());
    facts->entries++;
  }
  if (!it->status().ok()) return it->status();
  if (facts->entries != props.num_entries) {
    return Status::Corruption(path, "holds another number of entries than its properties say");
  }
  return Status::OK();
}

}  // namespace

struct DBImpl::IngestFile {
  std::string path;
  TableFacts facts;
  uint64_t number = 0;  // in the database, once allocated
  int level = 0;
  std::string_view smallest_user() const { return ExtractUserKey(facts.smallest); }
  std::string_view largest_user() const { return ExtractUserKey(facts.largest); }
};

bool DBImpl::MemTablesOverlap(std::string_view smallest, std::string_view largest) {
  const Comparator* ucmp = icmp_.user_comparator();
  auto overlaps = [&](const MemTable& mem) {
    if (mem.num_entries() == 0) return false;
    // A range deletion of the memtable would be read before the files though older: flush.
    if (mem.num_range_deletions() != 0) return true;
    std::unique_ptr<Iterator> it = mem.NewIterator();
    LookupKey start(smallest, kMaxSequenceNumber);
    it->Seek(start.internal_key());
    return it->Valid() && ucmp->Compare(ExtractUserKey(it->key()), largest) <= 0;
  };
  if (overlaps(*mem_)) return true;
  for (const Immutable& imm : imm_) {
    if (overlaps(*imm.mem)) return true;
  }
  return false;
}

Status DBImpl::PlaceIngestedFiles(std::vector<IngestFile>* files) {
  const Comparator* ucmp = icmp_.user_comparator();
  std::shared_ptr<const Version> v = versions_->current();
  auto intersects = [&](std::string_view a_lo, std::string_view a_hi, std::string_view b_lo,
                        std::string_view b_hi) {
    return ucmp->Compare(a_lo, b_hi) <= 0 && ucmp->Compare(b_lo, a_hi) <= 0;
  };
  auto level_overlaps = [&](int level, const IngestFile& f) {
    for (const auto& t : v->files(level)) {
      if (intersects(f.smallest_user(), f.largest_user(), ExtractUserKey(t->smallest),
                     ExtractUserKey(t->largest))) {
        return true;
      }
    }
    return false;
  };
  // A running compaction writes within the span of its inputs, into the level of its
  // inputs, the next, or deeper (level 0 into the base level; a manual compaction past
  // levels holding none of its keys): a file must not land where such an output could
  // overlap it. A file overlapping the span of the upper inputs stops above them by the check
  // at the level below them; one overlapping only the lower inputs stops above those, which
  // are still in the version. (The
  // set is read under mu_, held for the whole call; the lock analysis cannot see that inside
  // a lambda, so the lambda reads it through a pointer taken here.)
  const std::set<uint64_t>* compacting = &compacting_;
  auto compaction_may_write = [&](int level, const IngestFile& f) {
    for (int l = std::max(0, level - 1); l <= level; l++) {
      for (const auto& t : v->files(l)) {
        if (compacting->count(t->number) == 0) continue;
        for (int l2 = std::max(0, level - 1); l2 <= level; l2++) {
          for (const auto& u : v->files(l2)) {
            if (compacting->count(u->number) == 0) continue;
            // The span from one input to another covers whatever output they make.
            std::string_view lo =
                ucmp->Compare(ExtractUserKey(t->smallest), ExtractUserKey(u->smallest)) < 0
                    ? ExtractUserKey(t->smallest)
                    : ExtractUserKey(u->smallest);
            std::string_view hi =
                ucmp->Compare(ExtractUserKey(t->largest), ExtractUserKey(u->largest)) > 0
                    ? ExtractUserKey(t->largest)
                    : ExtractUserKey(u->largest);
            if (intersects(f.smallest_user(), f.largest_user(), lo, hi)) return true;
          }
        }
      }
    }
    return false;
  };
  // First the deepest level each file could take: the deepest where nothing overlaps it at
  // that level or above.
  for (IngestFile& f : *files) {
    f.level = 0;
    if (level_overlaps(0, f)) continue;
    for (int level = 1; level < v->num_levels(); level++) {
      if (level_overlaps(level, f) || compaction_may_write(level, f)) break;
      f.level = level;
    }
  }
  // With dynamic level targets the deepest level that holds files sets every other level's
  // target. A file placed below it opens a new deepest level: if that level holds too little,
  // every level above is suddenly over its target and the whole tree is pushed down, each
  // byte rewritten once per level. So files go below the deepest level only as far as the
  // bytes of the files that reach a level come to the deepest level's size times the
  // multiplier per level. A tree with files in level 0 alone counts as one whose level 1
  // holds them; an empty tree has no deepest level: the files go to the bottom and start it.
  if (!options_.level_compaction_dynamic_level_bytes) return Status::OK();
  const int deepest = DeepestLevel(*v);
  uint64_t deepest_bytes = v->NumLevelBytes(deepest);
  if (deepest_bytes == 0) deepest_bytes = v->NumLevelBytes(0);  // level 0 alone, or empty
  if (deepest_bytes == 0) return Status::OK();
  auto deep_enough = [&](int level) {
    uint64_t reaching = 0;  // bytes of the files that could go this deep
    for (const IngestFile& f : *files) {
      if (f.level >= level) reaching += f.facts.file_size;
    }
    double needed = static_cast<double>(deepest_bytes);
    for (int l = deepest; l < level; l++) needed *= options_.max_bytes_for_level_multiplier;
    return static_cast<double>(reaching) >= needed;
  };
  // Shallowest first: whether a level is deep enough depends on the files that reach it,
  // which only the levels above it may still lose.
  for (int level = deepest + 1; level < v->num_levels(); level++) {
    if (deep_enough(level)) continue;
    for (IngestFile& f : *files) f.level = std::min(f.level, level - 1);
  }
  return Status::OK();
}

Status DBImpl::IngestExternalFiles(const std::vector<std::string>& paths,
                                   const IngestOptions& options) {
  if (read_only_) return Status::NotSupported("the database is open read-only", dbname_);
  if (paths.empty()) return Status::InvalidArgument("IngestExternalFiles: no file given");
  const Comparator* ucmp = icmp_.user_comparator();

  // 1. Check every file, then their order.
  std::vector<IngestFile> files(paths.size());
  for (size_t i = 0; i < paths.size(); i++) {
    files[i].path = paths[i];
    Status s = CheckExternalTable(fs_, table_options_, ucmp, paths[i], &files[i].facts);
    if (!s.ok()) return s;
  }
  std::sort(files.begin(), files.end(), [&](const IngestFile& a, const IngestFile& b) {
    return ucmp->Compare(a.smallest_user(), b.smallest_user()) < 0;
  });
  for (size_t i = 1; i < files.size(); i++) {
    if (ucmp->Compare(files[i - 1].largest_user(), files[i].smallest_user()) >= 0) {
      return Status::InvalidArgument("files to ingest overlap",
                                     files[i - 1].path + " and " + files[i].path);
    }
  }

  // 2. Into the database directory, under new numbers no deletion touches.
  {
    MutexLock lock(&mu_);
    for (IngestFile& f : files) {
      f.number = versions_->NewFileNumber();
      pending_outputs_.insert(f.number);
    }
  }
  auto release = [&](bool remove) {
    if (remove) {
      for (const IngestFile& f : files) {
        fs_->RemoveFile(TableFileName(dbname_, f.number)).PermitUncheckedError();
      }
    }
    MutexLock lock(&mu_);
    for (const IngestFile& f : files) pending_outputs_.erase(f.number);
  };
  Status s;
  bool any_linked = false;
  for (const IngestFile& f : files) {
    const std::string target = TableFileName(dbname_, f.number);
    bool copied = true;
    s = options.move_files ? LinkOrCopyFile(fs_, f.path, target, &copied)
                           : CopyFile(fs_, f.path, target);
    any_linked |= !copied;
    if (!s.ok()) break;
  }
  if (s.ok() && any_linked) s = fs_->SyncDir(dbname_);
  if (!s.ok()) {
    release(/*remove=*/true);
    return s;
  }

  // 3. The commit, as the sole writer.
  SequenceNumber global = 0;
  bool edit_attempted = false;
  s = RunAsSoleWriter([&]() REQUIRES(mu_) -> Status {
    if (!bg_error_.ok()) return bg_error_;
    bool overlap = false;
    for (const IngestFile& f : files) {
      overlap = overlap || MemTablesOverlap(f.smallest_user(), f.largest_user());
    }
    if (overlap) {
      Status st = MakeRoomForWrite(/*force=*/true, nullptr);
      if (!st.ok()) return st;
      while (bg_error_.ok() && !imm_.empty()) bg_done_cv_.Wait();
      if (!bg_error_.ok()) return bg_error_;
    }
    global = last_sequence_.load(std::memory_order_relaxed) + 1;
    if (global > kMaxSequenceNumber) return Status::InvalidArgument("sequence numbers exhausted");
    WriteBatch marker;
    WriteBatchInternal::SetSequence(&marker, global);
    // The synced edit below puts the files at G for good: every write before G must be as
    // durable, or a power loss could keep the files and lose writes before them. So, as a
    // synced write group does: the logs a switch left unsynced first (and the current log's
    // sync marker if it has none), then G's marker, then the sync.
    bool refused = false;  // a full disk refused the sync marker or G's marker whole
    mu_.Unlock();
    Status st = SyncOlderLogsAndMark(&refused);
    if (st.ok()) {
      st = log_->AddRecord(WriteBatchInternal::Contents(marker));
      refused = LogRefusedWhole(st);
    }
    if (st.ok()) st = log_->Sync();
    mu_.Lock();
    // Nothing of the ingestion reached the log (a sync marker alone changes nothing): G is
    // not taken, and writes go on.
    if (refused) return st;
    if (!st.ok()) {
      // As for any failed log write or sync: the log's tail is unknown.
      write_error_ = st;
      return st;
    }
    PlaceIngestedFiles(&files).PermitUncheckedError();
    VersionEdit edit;
    for (const IngestFile& f : files) {
      FileMetaData meta;
      meta.number = f.number;
      meta.file_size = f.facts.file_size;
      meta.smallest = f.facts.smallest;
      meta.largest = f.facts.largest;
      // The stored keys carry sequence 0; the metadata carries what reads see.
      EncodeFixed64(meta.smallest.data() + meta.smallest.size() - kInternalKeyTrailer,
                    (global << 8) | (ExtractTrailer(f.facts.smallest) & 0xff));
      EncodeFixed64(meta.largest.data() + meta.largest.size() - kInternalKeyTrailer,
                    (global << 8) | (ExtractTrailer(f.facts.largest) & 0xff));
      meta.smallest_seqno = meta.largest_seqno = meta.global_seqno = global;
      edit.AddFile(f.level, meta);
    }
    edit.SetLastSequence(global);
    edit_attempted = true;
    st = versions_->LogAndApply(&edit, &mu_);
    // The marker took the sequence number, whatever the edit's fate. Published only now,
    // with the new version, under mu_: a snapshot or checkpoint taken while the MANIFEST
    // was being written (mu_ is released meanwhile) has G - 1 and the version without
    // the files, and one taken from here on has G and the files.
    last_sequence_.store(global, std::memory_order_release);
    if (!st.ok()) {
      bg_error_ = st;
      info_log_->Log("ingestion's MANIFEST write failed, writes stopped until reopen: %s",
                     st.ToString().c_str());
      return st;
    }
    // The log was synced with the marker in it: a durable change feed may hand it out.
    durable_sequence_.store(global, std::memory_order_release);
    if (feed_waiters_ > 0) feed_cv_.SignalAll();
    InstallReadState();
    bg_work_cv_.SignalAll();  // a new level-0 table may call for a compaction
    return Status::OK();
  });
  // After an attempted edit the files may be named by the MANIFEST: they stay (the next
  // Open deletes them if they are not).
  release(/*remove=*/!s.ok() && !edit_attempted);
  if (!s.ok()) return s;

  std::string where;
  for (const IngestFile& f : files) {
    where += " " + std::to_string(f.number) + "@L" + std::to_string(f.level);
    if (options.move_files) fs_->RemoveFile(f.path).PermitUncheckedError();
  }
  info_log_->Log("ingested %zu files at sequence %" PRIu64 ":%s", files.size(), global,
                 where.c_str());
  return Status::OK();
}

}  // namespace strata
