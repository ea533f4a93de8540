#include "support/fault_injection_fs.h"

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

Status InjectedError(ErrorKind error, OpKind kind, const std::string& path) {
  std::string what = error == ErrorKind::kENOSPC ? "ENOSPC (injected): No space left on device"
                                                 : "EIO (injected): Input/output error";
  return Status::IOError(path, what + " in " + OpKindName(kind));
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

  // Counts an operation of kind on path (and path2, for renames) and decides whether it
  // fails: because its WritableFile predates a power loss (generation), because the file
  // system is inactive, or because a rule fires. *torn, if given, says whether a failed
  // Append should write a prefix.
  Status BeforeOp(OpKind kind, const std::string& path, const std::string& path2 = "",
                  uint64_t generation = kAnyGeneration, bool* torn = nullptr) EXCLUDES(mu_) {
    MutexLock l(&mu_);
    return BeforeOpLocked(kind, path, path2, generation, torn);
  }

  Status BeforeOpLocked(OpKind kind, const std::string& path, const std::string& path2,
                        uint64_t generation, bool* torn) REQUIRES(mu_) {
    if (torn != nullptr) *torn = false;
    counts_[static_cast<int>(kind)]++;
    if (generation != kAnyGeneration && generation != generation_) {
      return Status::IOError(
          path, std::string("file opened before simulated power loss, in ") + OpKindName(kind));
    }
    // Every matching rule counts this operation, whether or not an earlier one fires.
    const Rule* fired = nullptr;
    for (Rule& rule : rules_) {
      if (rule.kind != kind || !rule.Matches(path, path2)) continue;
      if (rule.countdown > 0 && --rule.countdown == 0) rule.fired = true;
      if ((rule.always || rule.fired) && fired == nullptr) fired = &rule;
    }
    Status s;
    if (IsWrite(kind)) CountDownToCrash();
    if (!active_ && IsWrite(kind)) {
      s = Status::IOError(
          path, std::string("EIO (injected): file system inactive, in ") + OpKindName(kind));
    } else if (fired != nullptr) {
      s = InjectedError(fired->error, kind, path);
      if (torn != nullptr) *torn = torn_appends_;
    }
    std::erase_if(rules_, [](const Rule& r) { return r.fired; });
    if (!s.ok()) injected_++;
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

  Status RemoveFile(const std::string& path) EXCLUDES(mu_) {
    MutexLock l(&mu_);
    Status s = BeforeOpLocked(OpKind::kRemove, path, "", kAnyGeneration, nullptr);
    if (s.ok()) s = target_->RemoveFile(path);
    if (s.ok()) Untrack(path);
    return s;
  }

  Status RenameFile(const std::string& from, const std::string& to) EXCLUDES(mu_) {
    MutexLock l(&mu_);
    Status s = BeforeOpLocked(OpKind::kRename, from, to, kAnyGeneration, nullptr);
    if (s.ok()) s = target_->RenameFile(from, to);
    if (!s.ok()) return s;
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

  Status SyncDir(const std::string& dir) EXCLUDES(mu_) {
    MutexLock l(&mu_);
    Status s = BeforeOpLocked(OpKind::kSyncDir, dir, "", kAnyGeneration, nullptr);
    if (s.ok()) s = target_->SyncDir(dir);
    if (!s.ok()) return s;
    const std::string normalized = NormalizeDir(dir);
    for (const auto& [path, id] : paths_) {
      if (ParentDir(path) == normalized) states_[id].entry_durable = true;
    }
    return s;
  }

  Status Truncate(const std::string& path, uint64_t size) EXCLUDES(mu_) {
    MutexLock l(&mu_);
    Status s = BeforeOpLocked(OpKind::kTruncate, path, "", kAnyGeneration, nullptr);
    if (s.ok()) s = target_->Truncate(path, size);
    if (!s.ok()) return s;
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
    rules_.push_back(Rule{kind, always ? 0 : n, always, false, error, std::move(path_contains)});
  }
  void ClearFaults() EXCLUDES(mu_) {
    MutexLock l(&mu_);
    rules_.clear();
  }
  void SetTornAppends(bool torn) EXCLUDES(mu_) {
    MutexLock l(&mu_);
    torn_appends_ = torn;
  }
  void SetActive(bool active) EXCLUDES(mu_) {
    MutexLock l(&mu_);
    active_ = active;
    crash_countdown_ = 0;
  }
  void DeactivateAtWrite(uint64_t n) EXCLUDES(mu_) {
    MutexLock l(&mu_);
    crash_countdown_ = n;
  }
  // Called once per changing operation (before it is judged).
  void CountDownToCrash() REQUIRES(mu_) {
    if (crash_countdown_ > 0 && --crash_countdown_ == 0) active_ = false;
  }
  bool IsActive() EXCLUDES(mu_) {
    MutexLock l(&mu_);
    return active_;
  }
  uint64_t Count(OpKind kind) EXCLUDES(mu_) {
    MutexLock l(&mu_);
    return counts_[static_cast<int>(kind)];
  }
  uint64_t Injected() EXCLUDES(mu_) {
    MutexLock l(&mu_);
    return injected_;
  }
  void ResetCounts() EXCLUDES(mu_) {
    MutexLock l(&mu_);
    counts_.fill(0);
    injected_ = 0;
  }

 private:
  struct FileState {
    uint64_t synced_size = 0;
    bool entry_durable = false;
  };

  struct Rule {
    OpKind kind;
    uint64_t countdown;  // FailNth: operations until it fires; 0 once fired or for FailAlways.
    bool always;
    bool fired;
    ErrorKind error;
    std::string path_contains;

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
  uint64_t injected_ GUARDED_BY(mu_) = 0;
  std::vector<Rule> rules_ GUARDED_BY(mu_);
  bool torn_appends_ GUARDED_BY(mu_) = false;
  bool active_ GUARDED_BY(mu_) = true;
  uint64_t crash_countdown_ GUARDED_BY(mu_) = 0;  // 0: no crash scheduled
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
    bool torn = false;
    Status s = state_->BeforeOp(OpKind::kAppend, path_, "", generation_, &torn);
    if (!s.ok()) {
      if (torn) target_->Append(data.substr(0, data.size() / 2)).PermitUncheckedError();
      return s;
    }
    return target_->Append(data);
  }

  Status Sync() override {
    Status s = state_->BeforeOp(OpKind::kSync, path_, "", generation_);
    if (s.ok()) s = target_->Sync();
    if (s.ok()) state_->Synced(id_, generation_, target_->Size());
    return s;
  }

  Status Close() override {
    Status s = state_->BeforeOp(OpKind::kClose, path_, "", generation_);
    // The descriptor goes even when the close "fails", as with close(2).
    Status closed = target_->Close();
    return s.ok() ? closed : s;
  }

  uint64_t Size() const override { return target_->Size(); }

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
  CountDownToCrash();
  Status s = BeforeOpLocked(OpKind::kOpen, path, "", kAnyGeneration, nullptr);
  // Creating a file changes the file system, so inactivity stops it too.
  if (s.ok() && !active_) {
    injected_++;
    s = Status::IOError(path, "EIO (injected): file system inactive, in Open");
  }
  if (!s.ok()) return s;
  // Re-creating a file truncates it in place: an entry that was durable stays durable.
  bool entry_durable = false;
  if (target_->FileExists(path)) {
    auto it = paths_.find(path);
    entry_durable = it == paths_.end() || states_[it->second].entry_durable;
  }
  std::unique_ptr<WritableFile> file;
  s = target_->NewWritableFile(path, &file);
  if (!s.ok()) return s;
  Untrack(path);
  const uint64_t id = next_id_++;
  paths_[path] = id;
  states_[id] = FileState{0, entry_durable};
  *result = std::make_unique<FaultWritableFile>(shared_from_this(), path, id, generation_,
                                                std::move(file));
  return s;
}

FaultInjectionFileSystem::FaultInjectionFileSystem(std::shared_ptr<FileSystem> target)
    : FileSystemWrapper(target), state_(std::make_shared<State>(std::move(target))) {}

FaultInjectionFileSystem::~FaultInjectionFileSystem() = default;

Status FaultInjectionFileSystem::DropUnsyncedData() { return state_->DropUnsyncedData(); }
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
void FaultInjectionFileSystem::SetTornAppends(bool torn) { state_->SetTornAppends(torn); }
void FaultInjectionFileSystem::SetFilesystemActive(bool active) { state_->SetActive(active); }
void FaultInjectionFileSystem::DeactivateAtWrite(uint64_t n) { state_->DeactivateAtWrite(n); }
bool FaultInjectionFileSystem::IsFilesystemActive() const { return state_->IsActive(); }

uint64_t FaultInjectionFileSystem::Count(OpKind kind) const { return state_->Count(kind); }
uint64_t FaultInjectionFileSystem::InjectedFaults() const { return state_->Injected(); }
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
  Status s = state_->BeforeOp(OpKind::kCreateDir, dir);
  return s.ok() ? target()->CreateDir(dir) : s;
}

Status FaultInjectionFileSystem::RemoveDir(const std::string& dir) {
  Status s = state_->BeforeOp(OpKind::kRemoveDir, dir);
  return s.ok() ? target()->RemoveDir(dir) : s;
}

Status FaultInjectionFileSystem::SyncDir(const std::string& dir) { return state_->SyncDir(dir); }

Status FaultInjectionFileSystem::LockFile(const std::string& path,
                                          std::unique_ptr<FileLock>* lock) {
  lock->reset();
  Status s = state_->BeforeOp(OpKind::kLock, path);
  return s.ok() ? target()->LockFile(path, lock) : s;
}

}  // namespace strata::test
