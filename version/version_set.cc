#include "version/version_set.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <map>
#include <utility>

#include "keys/merge_context.h"
#include "util/checksum.h"
#include "util/comparator_check.h"
#include "util/perf_context_imp.h"
#include "version/filename.h"
#include "version/manifest_replay.h"
#include "version/manifest_writer.h"
#include "version/table_cache.h"
#include "wal/log_reader.h"
#include "wal/log_writer.h"

namespace strata {

// ---------------------------------------------------------------------------------------
// Version

Version::Version(const InternalKeyComparator* icmp, std::vector<FileList> levels)
    : icmp_(icmp), levels_(std::move(levels)), first_slot_(levels_.size()) {
  for (size_t level = 0; level < levels_.size(); level++) {
    first_slot_[level] = num_files_;
    num_files_ += levels_[level].size();
  }
}

Version::~Version() { delete pins_.load(std::memory_order_acquire); }

TablePins* Version::Pins() const {
  TablePins* pins = pins_.load(std::memory_order_acquire);
  if (pins != nullptr) return pins;
  auto made = std::make_unique<TablePins>(num_files_);
  // Release: a reader that loads the pointer sees the slots cleared. A loser's is dropped.
  if (pins_.compare_exchange_strong(pins, made.get(), std::memory_order_acq_rel,
                                    std::memory_order_acquire)) {
    return made.release();
  }
  return pins;
}

uint64_t Version::NumLevelBytes(int level) const {
  uint64_t sum = 0;
  for (const auto& f : levels_[level]) sum += f->file_size;
  return sum;
}

uint64_t Version::TotalBytes() const {
  uint64_t total = 0;
  for (int level = 0; level < num_levels(); level++) total += NumLevelBytes(level);
  return total;
}

namespace {

struct GetState {
  const Comparator* ucmp;
  std::string_view user_key;
  std::string* value;
  MergeContext* merges;
  // The range tombstone of the table being searched that covers the key (0: none); set by
  // TableCache before the table's entries reach SaveValue.
  const SequenceNumber* covering;
  // kMerging: the table's entries of the key (if any) were all merge operands, now in
  // merges; the base is in an older table, or nowhere.
  enum { kNotFound, kFound, kDeleted, kCorrupt, kMerging } result = kNotFound;
  SequenceNumber sequence = 0;  // of the entry found
  bool matched = false;  // the table searched last held an entry of the key visible to the lookup
};

// A range tombstone of the table just searched covering the key at covering (0: none): an
// entry of the table older than it, or no entry (older tables hold only older ones), reads
// as deleted, exactly as under a point deletion at that sequence.
void ApplyRangeTombstone(GetState* state, SequenceNumber covering) {
  if (covering == 0 || state->result == GetState::kCorrupt) return;
  if (state->result == GetState::kNotFound || state->result == GetState::kMerging ||
      state->sequence < covering) {
    state->result = GetState::kDeleted;
  }
}

// Table::Get's callback: true (pass the next entry) after a merge operand of the key, whose
// base lies further on.
bool SaveValue(void* arg, std::string_view ikey, std::string_view v) {
  auto* state = static_cast<GetState*>(arg);
  ParsedInternalKey parsed;
  if (!ParseInternalKey(ikey, &parsed)) {
    state->result = GetState::kCorrupt;
    return false;
  }
  if (state->ucmp->Compare(parsed.user_key, state->user_key) != 0) return false;
  state->matched = true;
  state->sequence = parsed.sequence;
  if (parsed.sequence < *state->covering) {
    state->result = GetState::kDeleted;  // under a range tombstone of this table
    return false;
  }
  switch (parsed.type) {
    case ValueType::kValue:
      state->value->assign(v);
      state->result = GetState::kFound;
      return false;
    case ValueType::kMerge:
      state->merges->Add(v);
      state->result = GetState::kMerging;
      return true;
    default:
      state->result = GetState::kDeleted;
      return false;
  }
}

// After a table lookup into state: true when the search for its key is over, with *status
// the answer (found, deleted, or the read error).
bool Conclude(const GetState& state, const Status& read, uint64_t file_number, Status* status) {
  if (!read.ok()) {
    *status = read;
    return true;
  }
  switch (state.result) {
    case GetState::kNotFound:
    case GetState::kMerging:  // operands only: the base is in an older table, or nowhere
      return false;
    case GetState::kFound:
      if (state.merges->empty()) {
        *status = Status::OK();  // SaveValue put the value in place
      } else {
        const std::string_view base = *state.value;  // Finish may merge into its own base
        *status = state.merges->Finish(state.user_key, &base, state.value);
      }
      return true;
    case GetState::kDeleted:
      *status = state.merges->Resolve(state.user_key, nullptr, state.value);
      return true;
    case GetState::kCorrupt:
      *status = Status::Corruption("bad internal key in table file", std::to_string(file_number));
      return true;
  }
  return false;
}

}  // namespace

bool Version::Get(const ReadOptions& options, const LookupKey& key, TableCache* tables,
                  std::string* value, Status* status, MergeContext* merges,
                  SeekCompactionCandidate* spent) const {
  const Comparator* ucmp = icmp_->user_comparator();
  const std::string_view user_key = key.user_key();
  const std::string_view ikey = key.internal_key();
  SequenceNumber covering = 0;
  GetState state{ucmp, user_key, value, merges, &covering};

  // A search that goes on past a file it spent work on charges that file one seek (once per
  // lookup: the first such file). A level-0 file counts whenever it was searched: level-0
  // files overlap, each one a source that every scan and seek merges, and compacting them
  // away is what flattens the tree for reads after a burst of writes. Below level 0, where
  // one file per level may hold a key, a file counts only if a compaction would spare later
  // reads real work: it has no filter and read a block in vain (LevelDB's seek), or it held
  // merge operands of the key, whose base lies deeper (compactions push them down until
  // they meet it and are joined). A probe of a filter, and the block read of its false
  // positive (one probe in a hundred at 10 bits a key), cost far less than the compaction
  // they would set off: charging them, as LevelDB does, had 1 M random reads of a 100 M-key
  // database compact 1.2 GB out of levels 1 and 2, and charging the false positives alone
  // still 0.5 to 1.9 GB.
  // (Charging a level-0 file's probe only a thousandth of a seek spared the first Gets after
  // a 100 M-key fill that left level-0 files a compaction, but left the level-0 files of a
  // 1 M-key fill to every scan and seek after: seekrandom 400 k/s -> 225 k/s.)
  const FileMetaData* wasted = nullptr;
  int wasted_level = 0;
  bool charged = false;
  // A file that may hold the key, and its table if it was open when the file was found
  // (kept in pins_, or pinned here when the cache has no kept pin free).
  struct Candidate {
    const FileMetaData* file = nullptr;
    int level = 0;
    size_t slot = 0;
    const Table* table = nullptr;
    TableCache::PinnedTable pinned;
  };

  // Returns true when the search is over (found, deleted or an error).
  auto search = [&](const Candidate& c) {
    const FileMetaData& f = *c.file;
    STRATA_PERF_COUNT(tables_probed);
    if (wasted != nullptr && !charged) {
      charged = true;
      if (spent != nullptr && wasted->seeks.Charge()) *spent = {wasted_level, wasted->number};
    }
    bool has_filter = false;
    covering = 0;
    state.matched = false;
    Status s = c.table ? tables->Get(options, *c.table, ikey, user_key, SaveValue, &state,
                                     f.global_seqno, &covering, &has_filter)
                       : tables->Get(options, f.number, f.file_size, ikey, user_key, SaveValue,
                                     &state, f.global_seqno, &covering, &has_filter);
    if (wasted == nullptr && (c.level == 0 || !has_filter || state.matched)) {
      wasted = &f;
      wasted_level = c.level;
    }
    ApplyRangeTombstone(&state, covering);
    return Conclude(state, s, f.number, status);
  };

  // The files that may hold the key, in the order they are searched: level-0 files whose
  // range holds it (newest first), then at most one per deeper level.
  size_t next_l0 = 0;
  size_t level = 0;
  auto next_file = [&](Candidate* c) {
    while (next_l0 < levels_[0].size()) {
      const FileMetaData& f = *levels_[0][next_l0++];
      if (ucmp->Compare(user_key, ExtractUserKey(f.smallest)) >= 0 &&
          ucmp->Compare(user_key, ExtractUserKey(f.largest)) <= 0) {
        c->file = &f;
        c->level = 0;
        c->slot = next_l0 - 1;
        return true;
      }
    }
    while (++level < levels_.size()) {
      const FileList& files = levels_[level];
      // The first file whose largest key is >= the lookup key.
      auto it = std::lower_bound(
          files.begin(), files.end(), ikey,
          [this](const std::shared_ptr<const FileMetaData>& f, std::string_view k) {
            return icmp_->Compare(f->largest, k) < 0;
          });
      if (it == files.end()) continue;
      if (ucmp->Compare(user_key, ExtractUserKey((*it)->smallest)) < 0) continue;
      c->file = it->get();
      c->level = static_cast<int>(level);
      c->slot = first_slot_[level] + static_cast<size_t>(it - files.begin());
      return true;
    }
    return false;
  };

  // The next file's table is found, and the filter line its probe reads requested, before
  // this one is searched: with filters much larger than the processor's caches (100 M keys),
  // each probe is a cache miss, and this way they overlap instead of following one another.
  // Only a table already open is pinned ahead: one that is not is opened when the search
  // reaches it, so a Get answered early opens nothing it does not search.
  const uint64_t filter_hash = Hash64(user_key);
  const TablePins* kept = pins_.load(std::memory_order_acquire);
  auto prepare = [&](Candidate* c) {
    c->pinned.Reset();
    if (!next_file(c)) return false;
    c->table = kept != nullptr ? kept->Find(c->slot) : nullptr;
    if (c->table == nullptr && tables->PinIfOpen(c->file->number, &c->pinned)) {
      c->table = tables->KeptPinMayBeFree() ? &Pins()->Keep(c->slot, &c->pinned, tables)
                                            : &c->pinned.table();
    }
    if (c->table != nullptr) c->table->PrefetchFilter(filter_hash);
    return true;
  };
  Candidate current, next;
  for (bool more = prepare(&current); more;) {
    more = prepare(&next);
    if (search(current)) return true;
    std::swap(current, next);
  }
  return false;
}

void Version::MultiGet(const ReadOptions& options, std::span<MultiGetKey> keys,
                       TableCache* tables) const {
  const Comparator* ucmp = icmp_->user_comparator();
  std::vector<GetState> states;
  states.reserve(keys.size());
  for (MultiGetKey& k : keys) {
    states.push_back(GetState{ucmp, k.lookup->user_key(), k.value, k.merges, nullptr});
  }
  std::vector<size_t> batch;
  std::vector<TableCache::Lookup> lookups;
  // One per lookup of a batch: the tombstone covering its key in the table searched (set by
  // TableCache before the table's entries reach SaveValue).
  std::vector<SequenceNumber> covering;
  // Looks up the keys of batch in table f with one pin of the table, in key order (keys in
  // one block find it cached after the first), and concludes those whose search is over.
  auto search = [&](const FileMetaData& f) {
    if (batch.empty()) return;
    lookups.clear();
    covering.assign(batch.size(), 0);
    for (size_t j = 0; j < batch.size(); j++) {
      const size_t i = batch[j];
      states[i].covering = &covering[j];
      lookups.push_back({keys[i].lookup->internal_key(), keys[i].lookup->user_key(), SaveValue,
                         &states[i], Status()});
    }
    tables->MultiGet(options, f.number, f.file_size, f.global_seqno, lookups, covering);
    for (size_t j = 0; j < batch.size(); j++) {
      MultiGetKey& k = keys[batch[j]];
      ApplyRangeTombstone(&states[batch[j]], covering[j]);
      k.done = Conclude(states[batch[j]], lookups[j].status, f.number, k.status);
    }
    batch.clear();
  };

  for (const auto& f : levels_[0]) {
    for (size_t i = 0; i < keys.size(); i++) {
      if (!keys[i].done &&
          ucmp->Compare(keys[i].lookup->user_key(), ExtractUserKey(f->smallest)) >= 0 &&
          ucmp->Compare(keys[i].lookup->user_key(), ExtractUserKey(f->largest)) <= 0) {
        batch.push_back(i);
      }
    }
    search(*f);
  }
  for (size_t level = 1; level < levels_.size(); level++) {
    const FileList& files = levels_[level];
    // Keys and files both in order: one walk pairs each key with the one file that may
    // hold it, and the keys of one file form a batch.
    auto file = files.begin();
    for (size_t i = 0; i < keys.size(); i++) {
      if (keys[i].done) continue;
      const std::string_view ikey = keys[i].lookup->internal_key();
      while (file != files.end() && icmp_->Compare((*file)->largest, ikey) < 0) {
        search(**file);
        ++file;
      }
      if (file == files.end()) break;
      if (ucmp->Compare(keys[i].lookup->user_key(), ExtractUserKey((*file)->smallest)) < 0) {
        continue;
      }
      batch.push_back(i);
    }
    if (file != files.end()) search(**file);
  }
}

bool Version::RecordReadSample(std::string_view user_key, SeekCompactionCandidate* spent) const {
  const Comparator* ucmp = icmp_->user_comparator();
  const FileMetaData* first = nullptr;
  int first_level = 0;
  // Returns true when the sample is decided (a second file holds the key).
  auto holds = [&](const FileMetaData& f, size_t level) {
    if (ucmp->Compare(user_key, ExtractUserKey(f.smallest)) < 0 ||
        ucmp->Compare(user_key, ExtractUserKey(f.largest)) > 0) {
      return false;
    }
    if (first == nullptr) {
      first = &f;
      first_level = static_cast<int>(level);
      return false;
    }
    return true;
  };
  bool second = false;
  for (size_t level = 0; level < levels_.size() && !second; level++) {
    const FileList& files = levels_[level];
    if (level == 0) {
      for (const auto& f : files) {
        if ((second = holds(*f, 0))) break;
      }
      continue;
    }
    // Deeper levels do not overlap: only the first file whose largest key is >= user_key.
    auto it =
        std::lower_bound(files.begin(), files.end(), user_key,
                         [ucmp](const std::shared_ptr<const FileMetaData>& f, std::string_view k) {
                           return ucmp->Compare(ExtractUserKey(f->largest), k) < 0;
                         });
    if (it != files.end()) second = holds(**it, level);
  }
  if (!second || !first->seeks.Charge()) return false;
  *spent = {first_level, first->number};
  return true;
}

std::string Version::DebugString() const {
  std::string r;
  char buf[128];
  for (size_t level = 0; level < levels_.size(); level++) {
    for (const auto& f : levels_[level]) {
      std::snprintf(buf, sizeof buf,
                    "level %zu: %06" PRIu64 ".sst %" PRIu64 " bytes, seq %" PRIu64 "..%" PRIu64
                    ", keys ",
                    level, f->number, f->file_size, f->smallest_seqno, f->largest_seqno);
      r += buf;
      r += InternalKeyDebugString(f->smallest) + " .. " + InternalKeyDebugString(f->largest) + "\n";
    }
  }
  return r;
}

// ---------------------------------------------------------------------------------------
// VersionSet

VersionSet::VersionSet(std::string dbname, const Options& options,
                       const InternalKeyComparator* icmp, Logger* info_log, Mutex* mu)
    : dbname_(std::move(dbname)),
      options_(options),
      fs_(options.file_system.get()),
      icmp_(icmp),
      info_log_(info_log),
      manifest_cv_(mu) {
  Install(std::make_shared<const Version>(icmp_, std::vector<FileList>(options_.num_levels)));
}

VersionSet::~VersionSet() {
  if (manifest_) manifest_->Close().PermitUncheckedError();
}

void VersionSet::Install(std::shared_ptr<const Version> v) {
  // Forget expired versions so that the list stays as short as the set of live readers.
  std::erase_if(live_, [](const std::weak_ptr<const Version>& w) { return w.expired(); });
  live_.push_back(v);
  current_ = std::move(v);
}

void VersionSet::AddLiveFiles(std::set<uint64_t>* live) {
  for (const auto& w : live_) {
    std::shared_ptr<const Version> v = w.lock();
    if (!v) continue;
    for (int level = 0; level < v->num_levels(); level++) {
      for (const auto& f : v->files(level)) live->insert(f->number);
    }
  }
}

Status VersionSet::CreateNew() {
  VersionEdit edit;
  edit.SetComparatorName(icmp_->user_comparator()->Name());
  if (options_.merge_operator) edit.SetMergeOperatorName(options_.merge_operator->Name());
  edit.SetLogNumber(0);
  edit.SetNextFileNumber(2);
  edit.SetLastSequence(0);
  const uint64_t number = 1;
  Status s = WriteManifestFile(fs_, ManifestFileName(dbname_, number), edit);
  if (!s.ok()) return s;
  // A failed rename may still have happened (its directory sync failed, say): CURRENT may
  // name the MANIFEST, so it stays. Without CURRENT, the next Open creates the database
  // again over it.
  return SetCurrentFile(number);
}

Status VersionSet::SetCurrentFile(uint64_t manifest_number) {
  return strata::SetCurrentFile(fs_, dbname_, manifest_number);
}

namespace {

class ManifestReporter final : public LogReader::Reporter {
 public:
  void Corruption(const LogCorruption& c) override {
    // A torn final record is an edit whose LogAndApply never returned: not acknowledged.
    if (c.kind == LogCorruption::Kind::kTruncatedTail) torn_tail = true;
    if (c.kind == LogCorruption::Kind::kTruncatedTail || !status.ok()) return;
    std::string what = std::string(LogCorruptionKindName(c.kind)) + " at offset " +
                       std::to_string(c.offset) + " (" + c.reason + ")";
    status = c.kind == LogCorruption::Kind::kIOError ? Status::IOError(fname, what)
                                                     : Status::Corruption(fname, what);
  }
  std::string fname;
  Status status;
  bool torn_tail = false;
};

}  // namespace

Status VersionSet::Recover() {
  std::string current;
  Status s = ReadFileToString(fs_, CurrentFileName(dbname_), &current);
  if (!s.ok()) return s;
  uint64_t manifest_number = 0;
  FileType type;
  if (current.empty() || current.back() != '\n' ||
      !ParseFileName(std::string_view(current).substr(0, current.size() - 1), &manifest_number,
                     &type) ||
      type != FileType::kManifest) {
    return Status::Corruption(CurrentFileName(dbname_), "does not name a MANIFEST");
  }
  const std::string fname = ManifestFileName(dbname_, manifest_number);
  std::unique_ptr<SequentialFile> file;
  s = fs_->NewSequentialFile(fname, &file);
  if (!s.ok()) return s;

  ManifestReporter reporter;
  reporter.fname = fname;
  LogReader reader(std::move(file), &reporter);
  ManifestReplay replay(*current_);
  std::string scratch;
  std::string_view record;
  uint64_t edits = 0;
  while (reader.ReadRecord(&record, &scratch) && reporter.status.ok()) {
    VersionEdit edit;
    s = edit.DecodeFrom(record);
    if (!s.ok()) return Status::Corruption(fname, s.ToString());
    if (edit.comparator()) {
      s = CheckComparatorName(*edit.comparator(), icmp_->user_comparator());
      if (!s.ok()) return s;
    }
    s = replay.Apply(edit);
    if (!s.ok()) return s;
    edits++;
  }
  if (!reporter.status.ok()) return reporter.status;
  s = CheckMergeOperatorName(replay.merge_operator, options_.merge_operator.get());
  if (!s.ok()) return s;
  if (!replay.log_number || !replay.next_file_number || !replay.last_sequence) {
    return Status::Corruption(fname, "lacks the log number, next file number or last sequence");
  }
  next_file_number_ = *replay.next_file_number;
  log_number_ = *replay.log_number;
  last_sequence_ = *replay.last_sequence;
  manifest_file_number_ = manifest_number;
  manifest_torn_tail_ = reporter.torn_tail;
  MarkFileNumberUsed(manifest_number);
  MarkFileNumberUsed(log_number_);
  Install(replay.Build(icmp_, current_->num_levels()));
  info_log_->Log("recovered %s: %" PRIu64 " edits, log number %" PRIu64 ", next file %" PRIu64
                 ", last sequence %" PRIu64,
                 fname.c_str(), edits, log_number_, next_file_number_, last_sequence_);
  return Status::OK();
}

Status VersionSet::WriteSnapshot(LogWriter* log) {
  VersionEdit edit;
  edit.SetComparatorName(icmp_->user_comparator()->Name());
  // A database opened with a merge operator for the first time records it here.
  if (options_.merge_operator) edit.SetMergeOperatorName(options_.merge_operator->Name());
  AddVersionFiles(*current_, &edit);
  std::string record;
  edit.EncodeTo(&record);
  return log->AddRecord(record);
}

Status VersionSet::LogAndApply(VersionEdit* edit, Mutex* mu) {
  while (manifest_busy_) manifest_cv_.Wait();
  manifest_busy_ = true;

  if (!edit->log_number()) edit->SetLogNumber(log_number_);
  // The counter never goes back: an edit built before another raised it (a flush racing
  // with an ingestion, which takes a sequence number without writing the log) keeps it.
  if (!edit->last_sequence() || *edit->last_sequence() < last_sequence_) {
    edit->SetLastSequence(last_sequence_);
  }
  edit->SetNextFileNumber(next_file_number_);
  ManifestReplay replay(*current_);
  Status s = replay.Apply(*edit);
  std::shared_ptr<const Version> v = s.ok() ? replay.Build(icmp_, current_->num_levels()) : nullptr;

  // A fresh MANIFEST after Open or after a failed write: it starts with the whole state.
  uint64_t new_manifest = 0;
  std::unique_ptr<LogWriter> fresh;
  if (s.ok() && manifest_ == nullptr) {
    new_manifest = NewFileNumber();
    edit->SetNextFileNumber(next_file_number_);
    std::unique_ptr<WritableFile> file;
    s = fs_->NewWritableFile(ManifestFileName(dbname_, new_manifest), &file);
    if (s.ok()) {
      fresh = std::make_unique<LogWriter>(std::move(file));
      s = WriteSnapshot(fresh.get());
    }
  }
  LogWriter* log = fresh ? fresh.get() : manifest_.get();
  std::string record;
  edit->EncodeTo(&record);

  mu->Unlock();
  if (s.ok()) s = log->AddRecord(record);
  if (s.ok()) s = log->Sync();
  if (s.ok() && new_manifest != 0) s = SetCurrentFile(new_manifest);
  mu->Lock();

  if (s.ok()) {
    if (fresh) {
      if (manifest_) manifest_->Close().PermitUncheckedError();
      manifest_ = std::move(fresh);
      manifest_file_number_ = new_manifest;
    }
    log_number_ = *edit->log_number();
    last_sequence_ = *edit->last_sequence();
    Install(std::move(v));
  } else {
    info_log_->Log("MANIFEST write failed: %s", s.ToString().c_str());
    if (fresh) {
      fresh->Close().PermitUncheckedError();
      // CURRENT may or may not name it: keep the file (obsolete-file deletion spares
      // manifests at or above the live number, and the next attempt starts another).
    }
    if (manifest_) manifest_->Close().PermitUncheckedError();
    manifest_.reset();
  }
  manifest_busy_ = false;
  manifest_cv_.SignalAll();
  return s;
}

}  // namespace strata
