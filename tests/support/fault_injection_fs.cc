#include "support/fault_injection_fs.h"

#include "support/crash_states.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <map>
#include <utility>

#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace strata::test {

namespace {

// Open files that must not be checked against a power-loss generation (readers).
constexpr uint64_t kAnyGeneration = ~uint64_t{0};

std::string ParentDir(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// "dir/" and "dir" name the same directory.
std::string NormalizeDir(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

bool IsWrite(OpKind kind) {
  switch (kind) {
    case OpKind::kAppend:
    case OpKind::kSync:
    case OpKind::kRename:
    case OpKind::kLink:
    case OpKind::kRemove:
    case OpKind::kSyncDir:
    case OpKind::kTruncate:
    case OpKind::kCreateDir:
    case OpKind::kRemoveDir:
      return true;
    default:
      return false;
  }
}

// Operations that read (an open counts when it opens for reading).
bool IsRead(OpKind kind) {
  return kind == OpKind::kOpen || kind == OpKind::kRead || kind == OpKind::kGetChildren ||
         kind == OpKind::kGetFileSize;
}

bool FreesSpace(OpKind kind) {
  return kind == OpKind::kRemove || kind == OpKind::kRemoveDir || kind == OpKind::kTruncate;
}

Status InjectedError(ErrorKind error, OpKind kind, const std::string& path) {
  if (error == ErrorKind::kENOSPC) {
    return Status::NoSpace(
        path, std::string("ENOSPC (injected): No space left on device in ") + OpKindName(kind));
  }
  return Status::IOError(path,
                         std::string("EIO (injected): Input/output error in ") + OpKindName(kind));
}

}  // namespace

const char* OpKindName(OpKind kind) {
  switch (kind) {
    case OpKind::kOpen:
      return "Open";
    case OpKind::kRead:
      return "Read";
    case OpKind::kAppend:
      return "Append";
    case OpKind::kSync:
      return "Sync";
    case OpKind::kClose:
      return "Close";
    case OpKind::kRename:
      return "Rename";
    case OpKind::kRemove:
      return "Remove";
    case OpKind::kSyncDir:
      return "SyncDir";
    case OpKind::kTruncate:
      return "Truncate";
    case OpKind::kLock:
      return "Lock";
    case OpKind::kCreateDir:
      return "CreateDir";
    case OpKind::kRemoveDir:
      return "RemoveDir";
    case OpKind::kGetChildren:
      return "GetChildren";
    case OpKind::kGetFileSize:
      return "GetFileSize";
    case OpKind::kLink:
      return "Link";
  }
  return "Unknown";
}

// Counts, fault rules and durability tracking. One mutex guards it all; it is held across
// the target's metadata operations (create, rename, remove, sync dir, truncate) so that the
// tracking always matches the disk, but not across Append, Sync and reads, whose cost would
// otherwise serialize every thread.
//
// Tracking is by file identity rather than by path, so that an open WritableFile keeps
// updating the right entry after its file is renamed, and stops after it is removed.
class FaultInjectionFileSystem::State : public std::enable_shared_from_this<State> {
 public:
  explicit State(std::shared_ptr<FileSystem> target) : target_(std::move(target)) {}

  FileSystem* target() const { return target_.get(); }

  // What a failed operation should still do.
  struct Outcome {
    bool torn = false;         // an Append writes the first half of its data
    bool take_effect = false;  // the operation does all its work, then reports the error
  };

  // Counts an operation of kind on path (and path2, for renames) and decides whether it
  // fails: because its WritableFile predates a power loss (generation), because the file
  // system is inactive, or because a rule fires. *outcome, if given, says what a failed
  // operation should still do.
  Status BeforeOp(OpKind kind, const std::string& path, const std::string& path2 = "",
                  uint64_t generation = kAnyGeneration, Outcome* outcome = nullptr) EXCLUDES(mu_) {
    MutexLock l(&mu_);
    return BeforeOpLocked(kind, IsWrite(kind), path, path2, generation, outcome);
  }

  // changes: the operation changes the file system (IsWrite(kind), or a file creation).
  Status BeforeOpLocked(OpKind kind, bool changes, const std::string& path,
                        const std::string& path2, uint64_t generation, Outcome* outcome)
      REQUIRES(mu_) {
    if (outcome != nullptr) *outcome = Outcome();
    counts_[static_cast<int>(kind)]++;
    if (changes) writes_++;
    if (!changes && IsRead(kind)) reads_++;
    if (generation != kAnyGeneration && generation != generation_) {
      return Status::IOError(
          path, std::string("file opened before simulated power loss, in ") + OpKindName(kind));
    }
    // Every matching rule counts this operation, whether or not an earlier one fires.
    const Rule* fired = nullptr;
    for (Rule& rule : rules_) {
      const bool counts = rule.any_change ? changes
                          : rule.any_read ? !changes && IsRead(kind)
                                          : rule.kind == kind;
      if (!counts || !rule.Matches(path, path2)) {
        continue;
      }
      bool fails = false;
      if (rule.countdown > 0 && --rule.countdown == 0) {
        fails = true;
        // A sticky rule keeps failing from now on, like a FailAlways one.
        if (rule.sticky) {
          rule.always = true;
        } else {
          rule.fired = true;
        }
      } else if (rule.always) {
        // A full disk still lets files be removed and shortened.
        fails = !(rule.sticky && FreesSpace(kind));
      }
      if (fails && fired == nullptr) fired = &rule;
    }
    Status s;
    const bool dies_now = changes && CountDownToCrash(path, path2);
    if (!active_ && changes) {
      s = Status::IOError(
          path, std::string("EIO (injected): file system inactive, in ") + OpKindName(kind));
      // The operation the machine died in may have reached the disk, or not.
      if (dies_now && outcome != nullptr) {
        outcome->take_effect = crash_rnd_.Uniform(100) < crash_op_persist_percent_;
      }
    } else if (fired != nullptr) {
      s = InjectedError(fired->error, kind, path);
      if (outcome != nullptr) {
        outcome->take_effect = faults_take_effect_ && changes;
        outcome->torn = torn_appends_ && !outcome->take_effect;
      }
    }
    std::erase_if(rules_, [](const Rule& r) { return r.fired; });
    if (!s.ok()) {
      injected_++;
      if (!first_fault_) first_fault_ = InjectedFault{kind, path};
    }
    return s;
  }

  // --- Tracking ---

  // Creates path through the target and starts tracking it.
  Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* result)
      EXCLUDES(mu_);

  // A WritableFile with the given identity synced successfully at size bytes.
  void Synced(uint64_t id, uint64_t generation, uint64_t size) EXCLUDES(mu_) {
    MutexLock l(&mu_);
    if (generation != generation_) return;
    auto it = states_.find(id);
    if (it == states_.end()) return;  // Removed, or forgotten by ResetState().
    it->second.synced_size = size;
    it->second.entry_durable = true;
  }

  // The metadata operations below run the target's operation when the fault model allows
  // (no fault, or a fault that takes effect), update the tracking if it succeeded, and
  // return the injected error if there was one, else the target's result.

  Status RemoveFile(const std::string& path) EXCLUDES(mu_) {
    MutexLock l(&mu_);
    Outcome outcome;
    Status s =
        BeforeOpLocked(OpKind::kRemove, /*changes=*/true, path, "", kAnyGeneration, &outcome);
    if (!s.ok() && !outcome.take_effect) return s;
    Status done = target_->RemoveFile(path);
    if (done.ok()) Untrack(path);
    return s.ok() ? done : s;
  }

  Status RenameFile(const std::string& from, const std::string& to) EXCLUDES(mu_) {
    MutexLock l(&mu_);
    Outcome outcome;
    Status s =
        BeforeOpLocked(OpKind::kRename, /*changes=*/true, from, to, kAnyGeneration, &outcome);
    if (!s.ok() && !outcome.take_effect) return s;
    Status done = target_->RenameFile(from, to);
    if (!done.ok()) return s.ok() ? done : s;
    auto it = paths_.find(from);
    if (it == paths_.end()) {
      Untrack(to);  // Replaced by a durable file.
      return s;
    }
    const uint64_t id = it->second;
    if (from != to) {  // rename(2) of a file onto itself leaves it in place.
      paths_.erase(it);
      Untrack(to);
      paths_[to] = id;
    }
    states_[id].entry_durable = true;  // The rename synced the directory.
    return s;
  }

  Status LinkFile(const std::string& from, const std::string& to) EXCLUDES(mu_) {
    MutexLock l(&mu_);
    Outcome outcome;
    Status s = BeforeOpLocked(OpKind::kLink, /*changes=*/true, from, to, kAnyGeneration, &outcome);
    if (s.ok() && links_cross_device_) {
      return Status::NotSupported("EXDEV (simulated): cannot link across file systems", to);
    }
    if (!s.ok() && !outcome.take_effect) return s;
    Status done = target_->LinkFile(from, to);
    if (!done.ok()) return s.ok() ? done : s;
    // The new name shares the source's contents; only what the source synced survives.
    uint64_t synced = 0;
    auto it = paths_.find(from);
    if (it != paths_.end()) {
      synced = states_[it->second].synced_size;
    } else {
      target_->GetFileSize(from, &synced).PermitUncheckedError();
    }
    const uint64_t id = next_id_++;
    paths_[to] = id;
    states_[id] = FileState{synced, /*entry_durable=*/false};
    return s;
  }

  void SetLinksCrossDevice(bool cross_device) EXCLUDES(mu_) {
    MutexLock l(&mu_);
    links_cross_device_ = cross_device;
  }

  Status SyncDir(const std::string& dir) EXCLUDES(mu_) {
    MutexLock l(&mu_);
    Outcome outcome;
    Status s =
        BeforeOpLocked(OpKind::kSyncDir, /*changes=*/true, dir, "", kAnyGeneration, &outcome);
    if (!s.ok() && !outcome.take_effect) return s;
    Status done = target_->SyncDir(dir);
    if (!done.ok()) return s.ok() ? done : s;
    const std::string normalized = NormalizeDir(dir);
    for (const auto& [path, id] : paths_) {
      if (ParentDir(path) == normalized) states_[id].entry_durable = true;
    }
    return s;
  }

  Status Truncate(const std::string& path, uint64_t size) EXCLUDES(mu_) {
    MutexLock l(&mu_);
    Outcome outcome;
    Status s =
        BeforeOpLocked(OpKind::kTruncate, /*changes=*/true, path, "", kAnyGeneration, &outcome);
    if (!s.ok() && !outcome.take_effect) return s;
    Status done = target_->Truncate(path, size);
    if (!done.ok()) return s.ok() ? done : s;
    auto it = paths_.find(path);
    if (it != paths_.end()) {
      FileState& state = states_[it->second];
      state.synced_size = std::min(state.synced_size, size);
    }
    return s;
  }

  Status DropUnsyncedData() EXCLUDES(mu_) {
    MutexLock l(&mu_);
    Status result;
    for (const auto& [path, id] : paths_) {
      const FileState& state = states_[id];
      Status s;
      if (!state.entry_durable) {
        s = target_->RemoveFile(path);
      } else if (state.lost_end > state.lost_begin) {
        uint64_t size = 0;
        s = target_->GetFileSize(path, &size);
        if (s.ok()) {
          UnsyncedFile file{path, size, state.synced_size, true, state.lost_begin, state.lost_end};
          s = ApplyFileFate(target_.get(), path, file, DropAllUnsynced(file), 0);
        }
      } else {
        uint64_t size = 0;
        s = target_->GetFileSize(path, &size);
        if (s.ok() && size > state.synced_size) s = target_->Truncate(path, state.synced_size);
      }
      // A test may delete files behind our back; only what is still there matters.
      if (!s.ok() && target_->FileExists(path) && result.ok()) result = s;
    }
    ForgetLocked();
    generation_++;
    return result;
  }

  void ResetState() EXCLUDES(mu_) {
    MutexLock l(&mu_);
    ForgetLocked();
  }

  // --- Faults and counts ---

  void AddRule(OpKind kind, uint64_t n, bool always, ErrorKind error, std::string path_contains)
      EXCLUDES(mu_) {
    MutexLock l(&mu_);
    rules_.push_back(
        Rule{kind, false, always ? 0 : n, always, false, false, error, std::move(path_contains)});
  }
  void AddWriteRule(uint64_t n, bool sticky, ErrorKind error, std::string path_contains)
      EXCLUDES(mu_) {
    MutexLock l(&mu_);
    rules_.push_back(
        Rule{OpKind::kOpen, true, n, false, sticky, false, error, std::move(path_contains)});
  }
  void AddReadRule(uint64_t n, ErrorKind error, std::string path_contains) EXCLUDES(mu_) {
    MutexLock l(&mu_);
    Rule rule{OpKind::kRead, false, n, false, false, false, error, std::move(path_contains)};
    rule.any_read = true;
    rules_.push_back(std::move(rule));
  }
  uint64_t Reads() EXCLUDES(mu_) {
    MutexLock l(&mu_);
    return reads_;
  }
  void ClearFaults() EXCLUDES(mu_) {
    MutexLock l(&mu_);
    rules_.clear();
  }
  void SetTornAppends(bool torn) EXCLUDES(mu_) {
    MutexLock l(&mu_);
    torn_appends_ = torn;
  }
  void SetFaultsTakeEffect(bool take_effect) EXCLUDES(mu_) {
    MutexLock l(&mu_);
    faults_take_effect_ = take_effect;
  }
  void SetActive(bool active) EXCLUDES(mu_) {
    MutexLock l(&mu_);
    active_ = active;
    crash_countdown_ = 0;
  }
  void DeactivateAtWrite(uint64_t n, std::string path_contains) EXCLUDES(mu_) {
    MutexLock l(&mu_);
    crash_countdown_ = n;
    crash_path_ = std::move(path_contains);
  }
  // Called once per changing operation (before it is judged).
  // True if this operation is the one the machine dies in.
  bool CountDownToCrash(const std::string& path, const std::string& path2) REQUIRES(mu_) {
    if (crash_countdown_ == 0) return false;
    if (!crash_path_.empty() && path.find(crash_path_) == std::string::npos &&
        path2.find(crash_path_) == std::string::npos) {
      return false;
    }
    if (--crash_countdown_ != 0) return false;
    active_ = false;
    return true;
  }
  void SetCrashOpPersistence(int percent, uint64_t seed) EXCLUDES(mu_) {
    MutexLock l(&mu_);
    crash_op_persist_percent_ = static_cast<uint64_t>(std::clamp(percent, 0, 100));
    crash_rnd_ = Random(seed);
  }
  void SetDropDataOnFailedSync(bool on) EXCLUDES(mu_) {
    MutexLock l(&mu_);
    drop_on_failed_sync_ = on;
  }
  bool DropDataOnFailedSync() EXCLUDES(mu_) {
    MutexLock l(&mu_);
    return drop_on_failed_sync_;
  }
  // A sync of the file with this identity failed at size bytes: like Linux, the file system
  // forgets the dirty data, so what was not synced before is lost even if a later sync
  // succeeds.
  void SyncFailed(uint64_t id, uint64_t generation, uint64_t size) EXCLUDES(mu_) {
    MutexLock l(&mu_);
    if (generation != generation_) return;
    auto it = states_.find(id);
    if (it == states_.end()) return;
    FileState& f = it->second;
    const uint64_t begin =
        f.lost_end > f.lost_begin ? std::min(f.lost_begin, f.synced_size) : f.synced_size;
    f.lost_begin = begin;
    f.lost_end = std::max(f.lost_end, size);
  }

  std::vector<UnsyncedFile> UnsyncedFiles() EXCLUDES(mu_) {
    MutexLock l(&mu_);
    return UnsyncedFilesLocked();
  }

  Status DropUnsyncedData(const std::function<FileFate(const UnsyncedFile&)>& fate, uint64_t seed)
      EXCLUDES(mu_) {
    MutexLock l(&mu_);
    Status result;
    for (const UnsyncedFile& file : UnsyncedFilesLocked()) {
      Status s = ApplyFileFate(target_.get(), file.path, file, fate(file), seed);
      if (!s.ok() && target_->FileExists(file.path) && result.ok()) result = s;
    }
    ForgetLocked();
    generation_++;
    return result;
  }
  bool IsActive() EXCLUDES(mu_) {
    MutexLock l(&mu_);
    return active_;
  }
  uint64_t Count(OpKind kind) EXCLUDES(mu_) {
    MutexLock l(&mu_);
    return counts_[static_cast<int>(kind)];
  }
  uint64_t Writes() EXCLUDES(mu_) {
    MutexLock l(&mu_);
    return writes_;
  }
  uint64_t Injected() EXCLUDES(mu_) {
    MutexLock l(&mu_);
    return injected_;
  }
  std::optional<InjectedFault> FirstFault() EXCLUDES(mu_) {
    MutexLock l(&mu_);
    return first_fault_;
  }
  void ResetCounts() EXCLUDES(mu_) {
    MutexLock l(&mu_);
    counts_.fill(0);
    writes_ = 0;
    reads_ = 0;
    injected_ = 0;
    first_fault_.reset();
  }

 private:
  struct FileState {
    uint64_t synced_size = 0;
    bool entry_durable = false;
    uint64_t lost_begin = 0;  // dirty data dropped by a failed sync (SyncFailed)
    uint64_t lost_end = 0;
  };

  std::vector<UnsyncedFile> UnsyncedFilesLocked() REQUIRES(mu_) {
    std::vector<UnsyncedFile> out;
    for (const auto& [path, id] : paths_) {
      const FileState& state = states_[id];
      uint64_t size = 0;
      if (!target_->GetFileSize(path, &size).ok()) continue;  // deleted behind our back
      if (state.entry_durable && size <= state.synced_size && state.lost_end <= state.lost_begin) {
        continue;
      }
      out.push_back(UnsyncedFile{path, size, std::min(state.synced_size, size), state.entry_durable,
                                 state.lost_begin, state.lost_end});
    }
    return out;
  }

  struct Rule {
    OpKind kind;
    bool any_change;     // FailNthWrite: counts every changing operation, whatever its kind
    uint64_t countdown;  // FailNth: operations until it fires; 0 once fired or for FailAlways.
    bool always;
    bool sticky;  // becomes `always` when the countdown ends
    bool fired;
    ErrorKind error;
    std::string path_contains;
    bool any_read = false;  // FailNthRead: counts every reading operation

    bool Matches(const std::string& path, const std::string& path2) const {
      if (path_contains.empty()) return true;
      return path.find(path_contains) != std::string::npos ||
             (!path2.empty() && path2.find(path_contains) != std::string::npos);
    }
  };

  // The file at path is gone (removed, or replaced by a rename).
  void Untrack(const std::string& path) REQUIRES(mu_) {
    auto it = paths_.find(path);
    if (it == paths_.end()) return;
    states_.erase(it->second);
    paths_.erase(it);
  }

  void ForgetLocked() REQUIRES(mu_) {
    paths_.clear();
    states_.clear();
  }

  const std::shared_ptr<FileSystem> target_;

  Mutex mu_;
  // Faults and counts.
  std::array<uint64_t, kNumOpKinds> counts_ GUARDED_BY(mu_) = {};
  uint64_t writes_ GUARDED_BY(mu_) = 0;  // changing operations
  uint64_t reads_ GUARDED_BY(mu_) = 0;   // reading operations (IsRead)
  uint64_t injected_ GUARDED_BY(mu_) = 0;
  std::optional<InjectedFault> first_fault_ GUARDED_BY(mu_);
  std::vector<Rule> rules_ GUARDED_BY(mu_);
  bool torn_appends_ GUARDED_BY(mu_) = false;
  bool faults_take_effect_ GUARDED_BY(mu_) = false;
  bool links_cross_device_ GUARDED_BY(mu_) = false;
  bool active_ GUARDED_BY(mu_) = true;
  uint64_t crash_countdown_ GUARDED_BY(mu_) = 0;  // 0: no crash scheduled
  std::string crash_path_ GUARDED_BY(mu_);        // only these paths count down
  uint64_t crash_op_persist_percent_ GUARDED_BY(mu_) = 0;
  Random crash_rnd_ GUARDED_BY(mu_){1};
  bool drop_on_failed_sync_ GUARDED_BY(mu_) = false;
  // Durability tracking: path -> file identity -> state. Paths not here are durable.
  std::map<std::string, uint64_t> paths_ GUARDED_BY(mu_);
  std::map<uint64_t, FileState> states_ GUARDED_BY(mu_);
  uint64_t next_id_ GUARDED_BY(mu_) = 1;
  // Bumped by each simulated power loss; WritableFiles from an older one are dead.
  uint64_t generation_ GUARDED_BY(mu_) = 0;
};

namespace {

using State = FaultInjectionFileSystem::State;

class FaultSequentialFile final : public SequentialFile {
 public:
  FaultSequentialFile(std::shared_ptr<State> state, std::string path,
                      std::unique_ptr<SequentialFile> target)
      : state_(std::move(state)), path_(std::move(path)), target_(std::move(target)) {}

  Status Read(size_t n, std::string_view* result, char* scratch) override {
    Status s = state_->BeforeOp(OpKind::kRead, path_);
    if (!s.ok()) {
      *result = std::string_view();
      return s;
    }
    return target_->Read(n, result, scratch);
  }
  Status Skip(uint64_t n) override { return target_->Skip(n); }

 private:
  const std::shared_ptr<State> state_;
  const std::string path_;
  const std::unique_ptr<SequentialFile> target_;
};

class FaultRandomAccessFile final : public RandomAccessFile {
 public:
  FaultRandomAccessFile(std::shared_ptr<State> state, std::string path,
                        std::unique_ptr<RandomAccessFile> target)
      : state_(std::move(state)), path_(std::move(path)), target_(std::move(target)) {}

  Status Read(uint64_t offset, size_t n, std::string_view* result, char* scratch) const override {
    Status s = state_->BeforeOp(OpKind::kRead, path_);
    if (!s.ok()) {
      *result = std::string_view();
      return s;
    }
    return target_->Read(offset, n, result, scratch);
  }

 private:
  const std::shared_ptr<State> state_;
  const std::string path_;
  const std::unique_ptr<RandomAccessFile> target_;
};

class FaultWritableFile final : public WritableFile {
 public:
  FaultWritableFile(std::shared_ptr<State> state, std::string path, uint64_t id,
                    uint64_t generation, std::unique_ptr<WritableFile> target)
      : state_(std::move(state)),
        path_(std::move(path)),
        id_(id),
        generation_(generation),
        target_(std::move(target)) {}

  Status Append(std::string_view data) override {
    State::Outcome outcome;
    Status s = state_->BeforeOp(OpKind::kAppend, path_, "", generation_, &outcome);
    if (!s.ok()) {
      if (outcome.take_effect) {
        target_->Append(data).PermitUncheckedError();
      } else if (outcome.torn) {
        target_->Append(data.substr(0, data.size() / 2)).PermitUncheckedError();
      }
      return s;
    }
    return target_->Append(data);
  }

  Status Sync() override {
    State::Outcome outcome;
    Status s = state_->BeforeOp(OpKind::kSync, path_, "", generation_, &outcome);
    if (!s.ok() && !outcome.take_effect) {
      if (state_->DropDataOnFailedSync()) state_->SyncFailed(id_, generation_, target_->Size());
      return s;
    }
    Status done = target_->Sync();
    if (done.ok()) state_->Synced(id_, generation_, target_->Size());
    return s.ok() ? done : s;
  }

  Status Close() override {
    Status s = state_->BeforeOp(OpKind::kClose, path_, "", generation_);
    // The descriptor goes even when the close "fails", as with close(2).
    Status closed = target_->Close();
    return s.ok() ? closed : s;
  }

  uint64_t Size() const override { return target_->Size(); }
  // A failure it injects writes nothing or, torn, half the data through the target.
  bool FailedAppendsCountInSize() const override { return target_->FailedAppendsCountInSize(); }

 private:
  const std::shared_ptr<State> state_;
  const std::string path_;
  const uint64_t id_;
  const uint64_t generation_;
  const std::unique_ptr<WritableFile> target_;
};

}  // namespace

Status FaultInjectionFileSystem::State::NewWritableFile(const std::string& path,
                                                        std::unique_ptr<WritableFile>* result) {
  MutexLock l(&mu_);
  result->reset();
  // Creating a file changes the file system, so inactivity stops it too.
  Outcome outcome;
  const Status injected =
      BeforeOpLocked(OpKind::kOpen, /*changes=*/true, path, "", kAnyGeneration, &outcome);
  if (!injected.ok() && !outcome.take_effect) return injected;
  // Re-creating a file truncates it in place: an entry that was durable stays durable.
  bool entry_durable = false;
  if (target_->FileExists(path)) {
    auto it = paths_.find(path);
    entry_durable = it == paths_.end() || states_[it->second].entry_durable;
  }
  std::unique_ptr<WritableFile> file;
  Status s = target_->NewWritableFile(path, &file);
  if (!s.ok()) return injected.ok() ? s : injected;
  Untrack(path);
  const uint64_t id = next_id_++;
  paths_[path] = id;
  states_[id] = FileState{0, entry_durable};
  if (!injected.ok()) return injected;  // Created, but the caller is told it failed.
  *result = std::make_unique<FaultWritableFile>(shared_from_this(), path, id, generation_,
                                                std::move(file));
  return s;
}

FaultInjectionFileSystem::FaultInjectionFileSystem(std::shared_ptr<FileSystem> target)
    : FileSystemWrapper(target), state_(std::make_shared<State>(std::move(target))) {}

FaultInjectionFileSystem::~FaultInjectionFileSystem() = default;

Status FaultInjectionFileSystem::DropUnsyncedData() { return state_->DropUnsyncedData(); }
Status FaultInjectionFileSystem::DropUnsyncedData(
    const std::function<FileFate(const UnsyncedFile&)>& fate, uint64_t seed) {
  return state_->DropUnsyncedData(fate, seed);
}
std::vector<UnsyncedFile> FaultInjectionFileSystem::UnsyncedFiles() const {
  return state_->UnsyncedFiles();
}
void FaultInjectionFileSystem::SetCrashOpPersistence(int percent, uint64_t seed) {
  state_->SetCrashOpPersistence(percent, seed);
}
void FaultInjectionFileSystem::SetDropDataOnFailedSync(bool on) {
  state_->SetDropDataOnFailedSync(on);
}
void FaultInjectionFileSystem::ResetState() { state_->ResetState(); }

void FaultInjectionFileSystem::FailNth(OpKind kind, uint64_t n, ErrorKind error,
                                       std::string path_contains) {
  assert(n >= 1);
  state_->AddRule(kind, std::max<uint64_t>(n, 1), /*always=*/false, error,
                  std::move(path_contains));
}
void FaultInjectionFileSystem::FailAlways(OpKind kind, ErrorKind error, std::string path_contains) {
  state_->AddRule(kind, 0, /*always=*/true, error, std::move(path_contains));
}
void FaultInjectionFileSystem::ClearFaults() { state_->ClearFaults(); }
void FaultInjectionFileSystem::FailNthWrite(uint64_t n, ErrorKind error, bool sticky,
                                            std::string path_contains) {
  assert(n >= 1);
  state_->AddWriteRule(std::max<uint64_t>(n, 1), sticky, error, std::move(path_contains));
}
void FaultInjectionFileSystem::FailNthRead(uint64_t n, ErrorKind error, std::string path_contains) {
  assert(n >= 1);
  state_->AddReadRule(std::max<uint64_t>(n, 1), error, std::move(path_contains));
}
uint64_t FaultInjectionFileSystem::ReadCount() const { return state_->Reads(); }
void FaultInjectionFileSystem::SetTornAppends(bool torn) { state_->SetTornAppends(torn); }
void FaultInjectionFileSystem::SetFaultsTakeEffect(bool take_effect) {
  state_->SetFaultsTakeEffect(take_effect);
}
void FaultInjectionFileSystem::SetFilesystemActive(bool active) { state_->SetActive(active); }
void FaultInjectionFileSystem::DeactivateAtWrite(uint64_t n, std::string path_contains) {
  assert(n >= 1);
  state_->DeactivateAtWrite(std::max<uint64_t>(n, 1), std::move(path_contains));
}
bool FaultInjectionFileSystem::IsFilesystemActive() const { return state_->IsActive(); }

uint64_t FaultInjectionFileSystem::Count(OpKind kind) const { return state_->Count(kind); }
uint64_t FaultInjectionFileSystem::WriteCount() const { return state_->Writes(); }
uint64_t FaultInjectionFileSystem::InjectedFaults() const { return state_->Injected(); }
std::optional<InjectedFault> FaultInjectionFileSystem::FirstInjectedFault() const {
  return state_->FirstFault();
}
void FaultInjectionFileSystem::ResetCounts() { state_->ResetCounts(); }

Status FaultInjectionFileSystem::NewSequentialFile(const std::string& path,
                                                   std::unique_ptr<SequentialFile>* result) {
  result->reset();
  Status s = state_->BeforeOp(OpKind::kOpen, path);
  if (!s.ok()) return s;
  std::unique_ptr<SequentialFile> file;
  s = target()->NewSequentialFile(path, &file);
  if (s.ok()) *result = std::make_unique<FaultSequentialFile>(state_, path, std::move(file));
  return s;
}

Status FaultInjectionFileSystem::NewRandomAccessFile(const std::string& path,
                                                     std::unique_ptr<RandomAccessFile>* result) {
  result->reset();
  Status s = state_->BeforeOp(OpKind::kOpen, path);
  if (!s.ok()) return s;
  std::unique_ptr<RandomAccessFile> file;
  s = target()->NewRandomAccessFile(path, &file);
  if (s.ok()) *result = std::make_unique<FaultRandomAccessFile>(state_, path, std::move(file));
  return s;
}

Status FaultInjectionFileSystem::NewWritableFile(const std::string& path,
                                                 std::unique_ptr<WritableFile>* result) {
  return state_->NewWritableFile(path, result);
}

Status FaultInjectionFileSystem::GetChildren(const std::string& dir,
                                             std::vector<std::string>* names) {
  Status s = state_->BeforeOp(OpKind::kGetChildren, dir);
  if (!s.ok()) {
    names->clear();
    return s;
  }
  return target()->GetChildren(dir, names);
}

Status FaultInjectionFileSystem::GetFileSize(const std::string& path, uint64_t* size) {
  Status s = state_->BeforeOp(OpKind::kGetFileSize, path);
  if (!s.ok()) {
    *size = 0;
    return s;
  }
  return target()->GetFileSize(path, size);
}

Status FaultInjectionFileSystem::RemoveFile(const std::string& path) {
  return state_->RemoveFile(path);
}

Status FaultInjectionFileSystem::RenameFile(const std::string& from, const std::string& to) {
  return state_->RenameFile(from, to);
}

Status FaultInjectionFileSystem::Truncate(const std::string& path, uint64_t size) {
  return state_->Truncate(path, size);
}

Status FaultInjectionFileSystem::CreateDir(const std::string& dir) {
  State::Outcome outcome;
  Status s = state_->BeforeOp(OpKind::kCreateDir, dir, "", kAnyGeneration, &outcome);
  if (!s.ok() && !outcome.take_effect) return s;
  Status done = target()->CreateDir(dir);
  return s.ok() ? done : s;
}

Status FaultInjectionFileSystem::RemoveDir(const std::string& dir) {
  State::Outcome outcome;
  Status s = state_->BeforeOp(OpKind::kRemoveDir, dir, "", kAnyGeneration, &outcome);
  if (!s.ok() && !outcome.take_effect) return s;
  Status done = target()->RemoveDir(dir);
  return s.ok() ? done : s;
}

Status FaultInjectionFileSystem::SyncDir(const std::string& dir) { return state_->SyncDir(dir); }
Status FaultInjectionFileSystem::LinkFile(const std::string& from, const std::string& to) {
  return state_->LinkFile(from, to);
}
void FaultInjectionFileSystem::SetLinksCrossDevice(bool cross_device) {
  state_->SetLinksCrossDevice(cross_device);
}

Status FaultInjectionFileSystem::LockFile(const std::string& path,
                                          std::unique_ptr<FileLock>* lock) {
  lock->reset();
  Status s = state_->BeforeOp(OpKind::kLock, path);
  return s.ok() ? target()->LockFile(path, lock) : s;
}

}  // namespace strata::test
