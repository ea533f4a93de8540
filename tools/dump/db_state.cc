#include "tools/dump/db_state.h"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>
#include <utility>

#include "tools/dump/dump_util.h"
#include "util/escape.h"
#include "version/filename.h"
#include "version/version_edit.h"

namespace strata::dump {

namespace {

// Passes are cheap (a directory listing and the MANIFEST); a database being written changes
// its MANIFEST at every flush, so a busy one may take several to catch still.
constexpr int kMaxPasses = 20;
// Reads of a live log whose damage moved each time before its problems are given up as the
// writer's (see CheckLiveWal).
constexpr int kMaxWalReads = 10;

DbFileKind KindOf(FileType type) {
  switch (type) {
    case FileType::kLog:
      return DbFileKind::kWal;
    case FileType::kTable:
      return DbFileKind::kTable;
    case FileType::kTemp:
      return DbFileKind::kTemp;
    case FileType::kLock:
      return DbFileKind::kLock;
    case FileType::kInfoLog:
      return DbFileKind::kInfoLog;
    case FileType::kCurrent:
      return DbFileKind::kCurrent;
    case FileType::kManifest:
      return DbFileKind::kManifest;
    case FileType::kOptions:
      return DbFileKind::kOptions;
    case FileType::kOldInfoLog:
      return DbFileKind::kInfoLog;
  }
  return DbFileKind::kOther;
}

// The MANIFEST's name in CURRENT's contents ("MANIFEST-000007\n"), or "" if it names none.
std::string ManifestNamedBy(const std::string& text) {
  if (text.empty() || text.back() != '\n') return "";
  std::string name = text.substr(0, text.size() - 1);
  uint64_t number;
  FileType type;
  if (!ParseFileName(name, &number, &type) || type != FileType::kManifest) return "";
  return ManifestFileName("", number).substr(1);  // as recovery spells it
}

// One pass over the directory. The pass records what it saw of CURRENT and the MANIFEST, so
// that Stable() can tell whether the database changed under it.
class DbReader {
 public:
  DbReader(const std::string& dir, const DumpOptions& options, DbState* state)
      : dir_(dir), options_(options), fs_(FileSystemOf(options)), state_(state) {}

  // Lists the files, reads CURRENT and the MANIFEST, tells live from obsolete.
  Status Pass();
  // Whether CURRENT and the MANIFEST it names are as they were when the pass began.
  bool Stable();
  // Reads every file whole (after a pass).
  void Verify();

 private:
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  // CheckWal for f, reading a live log again until any damage in it holds still; *unsettled
  // if it never did.
  Status CheckLiveWal(DbFile* f, bool* unsettled);
  void Problem(std::string file, uint64_t offset, std::string reason) {
    state_->problems.push_back({std::move(file), offset, std::move(reason)});
  }
  void Note(std::string file, uint64_t offset, std::string reason) {
    state_->notes.push_back({std::move(file), offset, std::move(reason)});
  }
  Status ListFiles();
  // The MANIFEST to read, from CURRENT (or the newest one); "" if there is none.
  std::string ChooseManifest();
  void ReadManifest();
  void Classify();
  void VerifyFile(DbFile* f);
  // Whether f is still live in the database's version as of now: a file the pass saw live
  // that vanishes later was replaced by a flush or a compaction unless it still is.
  bool StillLive(const DbFile& f);
  void CompareWithManifest(const DbFile& f);
  // Files that vanished were deleted by the process writing the database; anything else
  // that cannot be read is an I/O error.
  void CannotRead(DbFile* f, const Status& s);

  const std::string& dir_;
  const DumpOptions& options_;
  FileSystem* const fs_;
  DbState* const state_;
  // CURRENT and its MANIFEST's size as the pass began: a change of either during the pass
  // means files may have come and gone between the reads.
  void Watermark(std::optional<std::string>* current, uint64_t* manifest_size);
  std::optional<std::string> start_current_;
  uint64_t start_manifest_size_ = 0;
};

void DbReader::Watermark(std::optional<std::string>* current, uint64_t* manifest_size) {
  std::string text;
  current->reset();
  *manifest_size = 0;
  if (!ReadFileToString(fs_, CurrentFileName(dir_), &text).ok()) return;
  *current = text;
  const std::string manifest = ManifestNamedBy(text);
  if (manifest.empty() || !fs_->GetFileSize(Path(manifest), manifest_size).ok()) {
    *manifest_size = ~uint64_t{0};
  }
}

Status DbReader::ListFiles() {
  std::vector<std::string> names;
  Status s = fs_->GetChildren(dir_, &names);
  if (!s.ok()) return s;
  for (const std::string& name : names) {
    DbFile f;
    f.name = name;
    FileType type;
    if (ParseFileName(name, &f.number, &type)) f.kind = KindOf(type);
    s = fs_->GetFileSize(Path(name), &f.size);
    if (!s.ok()) {
      if (!fs_->FileExists(Path(name))) continue;  // deleted since the listing
      Problem(name, kUnknownOffset, "cannot read its size: " + s.ToString());
      state_->io_error = true;
    }
    state_->files.push_back(std::move(f));
  }
  std::sort(state_->files.begin(), state_->files.end(), [](const DbFile& a, const DbFile& b) {
    if (a.kind != b.kind) return a.kind < b.kind;
    if (a.number != b.number) return a.number < b.number;
    return a.name < b.name;
  });
  const bool ours = std::any_of(state_->files.begin(), state_->files.end(), [](const DbFile& f) {
    return f.kind == DbFileKind::kTable || f.kind == DbFileKind::kWal ||
           f.kind == DbFileKind::kManifest || f.kind == DbFileKind::kCurrent;
  });
  if (!ours) {
    return Status::InvalidArgument(dir_,
                                   "is not a Strata database (no CURRENT, MANIFEST, log or "
                                   "table file)");
  }
  return Status::OK();
}

std::string DbReader::ChooseManifest() {
  std::string named;
  if (state_->Find(DbFileKind::kCurrent, 0) == nullptr) {
    Problem("CURRENT", kUnknownOffset,
            "is missing: the database cannot be opened without it (it names the live MANIFEST)");
  } else {
    std::string text;
    Status s = ReadFileToString(fs_, CurrentFileName(dir_), &text);
    if (s.ok()) {
      named = ManifestNamedBy(text);
      if (named.empty()) {
        Problem("CURRENT", 0, "does not name a MANIFEST (it holds '" + EscapeBytes(text) + "')");
      } else if (!std::any_of(state_->files.begin(), state_->files.end(),
                              [&](const DbFile& f) { return f.name == named; })) {
        Problem("CURRENT", 0, "names " + named + ", which is missing");
        named.clear();
      } else {
        state_->manifest_from_current = true;
      }
    } else {
      Problem("CURRENT", kUnknownOffset, "cannot be read: " + s.ToString());
      state_->io_error = true;
    }
  }
  if (!named.empty()) return named;
  for (auto it = state_->files.rbegin(); it != state_->files.rend(); ++it) {
    if (it->kind == DbFileKind::kManifest) {
      Note(it->name, kUnknownOffset,
           "read in place of the one CURRENT should name (it is the newest MANIFEST)");
      return it->name;
    }
  }
  Problem("", kUnknownOffset, "no MANIFEST: the database's tables are unknown");
  return "";
}

void DbReader::ReadManifest() {
  const std::string& name = state_->manifest;
  Status s = fs_->GetFileSize(Path(name), &state_->manifest_size);
  FileCheck check;
  if (s.ok()) {
    s = CheckLog(
        Path(name), fs_,
        [&](std::string_view record, uint64_t offset) -> std::string {
          VersionEdit edit;
          Status d = edit.DecodeFrom(record);
          if (!d.ok()) return "record is not a valid version edit: " + d.ToString();
          state_->manifest_edits++;
          Status problems = state_->version.Apply(edit);
          if (!problems.ok()) {
            return "edit at offset " + std::to_string(offset) + ": " + problems.ToString();
          }
          return {};
        },
        &check);
  }
  DbFile* f = nullptr;
  for (DbFile& file : state_->files) {
    if (file.name == name) f = &file;
  }
  if (!s.ok()) {
    if (f != nullptr) {
      f->live = true;  // a MANIFEST deleted under us is a change to read again, not a note
      CannotRead(f, s);
    }
    return;
  }
  if (f != nullptr) {
    f->checked = true;
    f->check = check;
  }
  // Recovery ignores a torn last edit if the log the previous edit names is still there.
  const ManifestReplay& v = state_->version;
  const bool log_kept =
      !v.log_number || *v.log_number == 0 || state_->Find(DbFileKind::kWal, *v.log_number);
  for (const FileProblem& p : check.problems) {
    if (p.torn_tail && log_kept && &p == &check.problems.back()) {
      Note(name, p.offset, p.reason + " (an edit cut short; recovery ignores it)");
    } else {
      Problem(name, p.offset, p.reason);
    }
  }
  if (check.io_error) state_->io_error = true;
  if (!v.log_number || !v.next_file_number || !v.last_sequence) {
    Problem(name, kUnknownOffset, "lacks the log number, next file number or last sequence");
  }
  if (v.comparator && *v.comparator != BytewiseComparator()->Name()) {
    Note(name, kUnknownOffset,
         "comparator " + *v.comparator + ": keys are shown and drawn in bytewise order");
  }
}

void DbReader::Classify() {
  const ManifestReplay& v = state_->version;
  std::map<uint64_t, int> level_of;
  for (const auto& [level, files] : v.levels()) {
    for (const auto& [number, meta] : files) level_of[number] = level;
  }
  for (DbFile& f : state_->files) {
    switch (f.kind) {
      case DbFileKind::kTable:
        if (auto it = level_of.find(f.number); it != level_of.end()) {
          f.live = true;
          f.level = it->second;
          const FileMetaData& meta = *v.Find(f.level, f.number);
          if (meta.file_size != f.size) {
            Problem(f.name, kUnknownOffset,
                    "is " + std::to_string(f.size) + " bytes, the MANIFEST says " +
                        std::to_string(meta.file_size));
          }
        }
        break;
      case DbFileKind::kWal:
        f.live = !v.log_number || f.number >= *v.log_number;
        break;
      case DbFileKind::kManifest:
        f.live = f.name == state_->manifest;
        break;
      default:
        break;
    }
  }
  std::set<uint64_t> on_disk;
  for (const DbFile& f : state_->files) {
    if (f.kind == DbFileKind::kTable) on_disk.insert(f.number);
  }
  for (const auto& [number, level] : level_of) {
    if (on_disk.count(number) == 0) {
      Problem(TableFileName("", number).substr(1), kUnknownOffset,
              "is missing: the MANIFEST lists it in level " + std::to_string(level));
    }
  }
}

bool DbReader::StillLive(const DbFile& f) {
  std::string text;
  if (!ReadFileToString(fs_, CurrentFileName(dir_), &text).ok()) return true;
  const std::string manifest = ManifestNamedBy(text);
  if (f.kind == DbFileKind::kManifest) return f.name == manifest;
  ManifestReplay now;
  FileCheck check;
  Status s = CheckLog(
      Path(manifest), fs_,
      [&](std::string_view record, uint64_t) -> std::string {
        VersionEdit edit;
        if (edit.DecodeFrom(record).ok()) now.Apply(edit).PermitUncheckedError();
        return {};
      },
      &check);
  if (!s.ok()) return manifest != state_->manifest;  // replaced since: not ours to judge
  if (f.kind == DbFileKind::kWal) return !now.log_number || f.number >= *now.log_number;
  for (const auto& [level, files] : now.levels()) {
    if (files.count(f.number) != 0) return true;
  }
  return false;
}

void DbReader::CannotRead(DbFile* f, const Status& s) {
  if (!fs_->FileExists(Path(f->name))) {
    f->vanished = true;
    if (f->live && StillLive(*f)) {
      Problem(f->name, kUnknownOffset, "vanished while being read");
    } else {
      Note(f->name, kUnknownOffset,
           f->live ? "replaced by a flush or compaction and deleted while being read"
                   : "deleted while being read (an obsolete file)");
    }
    return;
  }
  Problem(f->name, kUnknownOffset, "cannot be read: " + s.ToString());
  state_->io_error = true;
}

void DbReader::CompareWithManifest(const DbFile& f) {
  if (!f.properties) return;
  const FileMetaData& meta = *state_->version.Find(f.level, f.number);
  const DumpOptions& o = options_;
  // An ingested table stores sequence 0 and reads as the MANIFEST's global sequence.
  auto as_read = [&](const std::string& key) {
    if (meta.global_seqno == 0 || key.size() < kInternalKeyTrailer) return key;
    std::string k(ExtractUserKey(key));
    PutFixed64(&k, PackSequenceAndType(meta.global_seqno,
                                       static_cast<ValueType>(ExtractTrailer(key) & 0xff)));
    return k;
  };
  if (as_read(f.properties->smallest_key) != meta.smallest) {
    Problem(f.name, kUnknownOffset,
            "first key " + ShowInternalKey(f.properties->smallest_key, o) +
                " differs from the MANIFEST's " + ShowInternalKey(meta.smallest, o));
  }
  if (as_read(f.properties->largest_key) != meta.largest) {
    Problem(f.name, kUnknownOffset,
            "last key " + ShowInternalKey(f.properties->largest_key, o) +
                " differs from the MANIFEST's " + ShowInternalKey(meta.largest, o));
  }
}

// The first problem that is not a torn tail, or nullptr.
const FileProblem* FirstDamage(const FileCheck& check) {
  for (const FileProblem& p : check.problems) {
    if (!p.torn_tail) return &p;
  }
  return nullptr;
}

Status DbReader::CheckLiveWal(DbFile* f, bool* unsettled) {
  *unsettled = false;
  Status s = CheckWal(Path(f->name), fs_, &f->check);
  if (!f->live) return s;
  // The newest log is appended through a shared mapping: a read that passes the writer's
  // copy in flight can find a zero-filled hole with records after it. Damage stays where it
  // is, so a problem counts only when the next read finds the same one; a hole that moves
  // (or closes) was the writer.
  for (int read = 1; s.ok() && FirstDamage(f->check) != nullptr; read++) {
    FileCheck again;
    s = CheckWal(Path(f->name), fs_, &again);
    if (!s.ok()) break;
    const FileProblem* before = FirstDamage(f->check);
    const FileProblem* now = FirstDamage(again);
    const bool confirmed =
        now != nullptr && now->offset == before->offset && now->reason == before->reason;
    f->check = std::move(again);
    if (confirmed) break;
    if (read == kMaxWalReads) {
      *unsettled = FirstDamage(f->check) != nullptr;
      break;
    }
  }
  return s;
}

void DbReader::VerifyFile(DbFile* f) {
  Status s;
  bool unsettled = false;
  switch (f->kind) {
    case DbFileKind::kTable:
      s = CheckTable(Path(f->name), options_, &f->check, &f->properties);
      break;
    case DbFileKind::kWal:
      s = CheckLiveWal(f, &unsettled);
      break;
    case DbFileKind::kManifest:
      s = CheckLog(
          Path(f->name), fs_,
          [](std::string_view record, uint64_t) -> std::string {
            VersionEdit edit;
            Status d = edit.DecodeFrom(record);
            return d.ok() ? std::string() : "record is not a valid version edit: " + d.ToString();
          },
          &f->check);
      break;
    default:
      return;
  }
  if (!s.ok()) {
    CannotRead(f, s);
    return;
  }
  f->checked = true;
  if (f->check.io_error) {
    // A read error on a file being deleted is the deletion, not damage.
    if (!fs_->FileExists(Path(f->name))) {
      CannotRead(f, s);
      return;
    }
    state_->io_error = true;
  }
  for (const FileProblem& p : f->check.problems) {
    if (!f->live) {
      Note(f->name, p.offset, p.reason + " (in an obsolete file the database does not read)");
    } else if (p.torn_tail && f->kind == DbFileKind::kWal) {
      Note(f->name, p.offset, p.reason + " (a write cut short; recovery drops it)");
    } else if (unsettled) {
      Note(f->name, p.offset,
           p.reason + " (the log changed during each of " + std::to_string(kMaxWalReads + 1) +
               " reads: the writer's, not confirmed as damage)");
    } else {
      Problem(f->name, p.offset, p.reason);
    }
  }
  if (f->kind == DbFileKind::kTable && f->live) CompareWithManifest(*f);
}

void DbReader::Verify() {
  state_->verified = true;
  for (DbFile& f : state_->files) {
    if (f.name == state_->manifest || f.kind == DbFileKind::kCurrent) continue;
    VerifyFile(&f);
  }
}

Status DbReader::Pass() {
  Watermark(&start_current_, &start_manifest_size_);
  Status s = ListFiles();
  if (!s.ok()) return s;
  state_->manifest = ChooseManifest();
  if (!state_->manifest.empty()) ReadManifest();
  Classify();
  return Status::OK();
}

bool DbReader::Stable() {
  std::optional<std::string> current;
  uint64_t manifest_size = 0;
  Watermark(&current, &manifest_size);
  return current == start_current_ && manifest_size == start_manifest_size_;
}

}  // namespace

const char* DbFileKindName(DbFileKind kind) {
  switch (kind) {
    case DbFileKind::kTable:
      return "table";
    case DbFileKind::kWal:
      return "wal";
    case DbFileKind::kManifest:
      return "manifest";
    case DbFileKind::kCurrent:
      return "current";
    case DbFileKind::kTemp:
      return "temp";
    case DbFileKind::kLock:
      return "lock";
    case DbFileKind::kInfoLog:
      return "info_log";
    case DbFileKind::kOptions:
      return "options";
    case DbFileKind::kOther:
      break;
  }
  return "other";
}

bool IsObsolete(const DbFile& f) {
  switch (f.kind) {
    case DbFileKind::kTable:
    case DbFileKind::kWal:
    case DbFileKind::kManifest:
    case DbFileKind::kTemp:
      return !f.live;
    default:
      return false;
  }
}

const DbFile* DbState::Find(DbFileKind kind, uint64_t number) const {
  for (const DbFile& f : files) {
    if (f.kind == kind && f.number == number) return &f;
  }
  return nullptr;
}

Status ReadDbState(const std::string& dir, const DumpOptions& options, DbState* state) {
  for (int pass = 1;; pass++) {
    *state = DbState();
    state->dir = dir;
    state->passes = pass;
    DbReader reader(dir, options, state);
    Status s = reader.Pass();
    if (!s.ok()) return s;
    const bool settled = state->problems.empty() || reader.Stable();
    if (!settled && pass == kMaxPasses) {
      state->notes.push_back({"", kUnknownOffset,
                              "the MANIFEST changed during each of " + std::to_string(pass) +
                                  " reads: the problems may come from that race"});
    }
    if (settled || pass == kMaxPasses) {
      // Files read whole do not change (tables) or only grow (logs): once is enough, and a
      // live file that vanishes meanwhile is checked against the version as of then.
      if (options.verify) reader.Verify();
      return Status::OK();
    }
  }
}

}  // namespace strata::dump
