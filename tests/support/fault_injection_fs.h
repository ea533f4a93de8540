// FaultInjectionFileSystem: a FileSystem for tests that simulates power loss and injects I/O
// errors, wrapping a real one (usually FileSystem::Default() on a TempDir).
//
// Power-loss model (the durability contract of strata/file_system.h, tracked per path):
// - A file's "synced size" is its size at its last successful WritableFile::Sync(); bytes
//   beyond it are lost on power loss.
// - A file created by NewWritableFile has no durable directory entry until its first
//   successful Sync(), a RenameFile() of it (which syncs the directory), or a SyncDir() of
//   its directory. A file without one vanishes on power loss. Re-creating a file whose entry
//   was already durable keeps the entry durable (and its synced size is 0).
// - RenameFile and RemoveFile are durable when they return OK. Renaming moves the file's
//   tracking along: an unsynced file renamed into place still loses its unsynced bytes.
// - Truncate is treated as durable (a cut lowers the synced size); CreateDir and RemoveDir
//   are not modelled and count as durable.
// - LinkFile's new name has no durable entry until a SyncDir of its directory (or a rename
//   of it); its contents are what the source had synced. With SetLinksCrossDevice(true),
//   LinkFile answers NotSupported as a POSIX link(2) across file systems (EXDEV) does.
// - Files the file system has not written (they existed before it started tracking, or
//   ResetState() forgot them) are fully durable.
// - With SetDropDataOnFailedSync(true), a failed Sync loses the file's unsynced bytes for
//   good, as Linux may after a failed fsync: a later successful Sync does not bring them
//   back (they read as zeros after power loss).
// DropUnsyncedData() applies power loss to the files on disk: it deletes the files without a
// durable entry and truncates every other tracked file to its synced size. DropUnsyncedData
// with a fate function lets each such file keep some or all of its unsynced bytes, with a
// torn last sector, or its entry (support/crash_states.h): torn and reordered power loss. Afterwards every
// file on disk counts as durable and the file system keeps working, so a test can reopen a
// database on it. WritableFiles opened before the power loss are dead: Append, Sync and Close
// on them fail.
//
// Fault model: every operation is counted by kind (see OpKind). FailNth/FailAlways make
// chosen future operations return Status::IOError whose message contains "EIO (injected)" or
// "ENOSPC (injected)"; FailNthWrite does the same for the n-th changing operation of any
// kind. A failed operation does nothing, except that with SetTornAppends(true) a failed
// Append first writes the first half of its data, like a torn write, and with
// SetFaultsTakeEffect(true) it does all its work and then reports the error, like a rename
// whose directory sync failed. A rule may be limited to paths containing a substring (for a
// rename, either path counts). Injected failures are counted too.
//
// "Changing operations" are the ones a dead machine cannot do: creating a file for writing,
// Append, Sync, RenameFile, LinkFile, RemoveFile, SyncDir, Truncate, CreateDir and RemoveDir (not
// Close, reads or LockFile).
//
// Thread safety: every method may be called from any thread; files follow the FileSystem
// rules. Files may outlive the FaultInjectionFileSystem that opened them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "strata/file_system.h"
#include "support/crash_states.h"

namespace strata::test {

// The kinds of operation that are counted and can be made to fail.
enum class OpKind : int {
  kOpen,         // NewWritableFile, NewSequentialFile, NewRandomAccessFile
  kRead,         // SequentialFile::Read, RandomAccessFile::Read (not Skip)
  kAppend,       // WritableFile::Append
  kSync,         // WritableFile::Sync
  kClose,        // WritableFile::Close (explicit calls; the destructor always closes)
  kRename,       // RenameFile
  kRemove,       // RemoveFile
  kSyncDir,      // SyncDir
  kTruncate,     // Truncate
  kLock,         // LockFile
  kCreateDir,    // CreateDir
  kRemoveDir,    // RemoveDir
  kGetChildren,  // GetChildren
  kGetFileSize,  // GetFileSize (FileExists cannot fail and is not counted)
  kLink,         // LinkFile
};
inline constexpr int kNumOpKinds = static_cast<int>(OpKind::kLink) + 1;

// "Open", "Read", ... for messages.
const char* OpKindName(OpKind kind);

enum class ErrorKind { kEIO, kENOSPC };

// An operation that failed by injection (a rule or inactivity).
struct InjectedFault {
  OpKind kind;
  std::string path;  // for a rename, the source
};

class FaultInjectionFileSystem : public FileSystemWrapper {
 public:
  explicit FaultInjectionFileSystem(std::shared_ptr<FileSystem> target);
  ~FaultInjectionFileSystem() override;

  // --- Power loss ---

  // Simulates power loss as described at the top of the file. Returns the first error from
  // the target file system, after trying every file.
  Status DropUnsyncedData();
  // Power loss in which each file that could lose something meets the fate fate(file) (see
  // support/crash_states.h); seed makes torn garbage reproducible. Otherwise as above.
  Status DropUnsyncedData(const std::function<FileFate(const UnsyncedFile&)>& fate,
                          uint64_t seed);
  // The files power loss now could leave in more than one state.
  std::vector<UnsyncedFile> UnsyncedFiles() const;
  // Forgets all tracking: every file now on disk counts as durable, and WritableFiles that
  // are open stay untracked (their later writes are never dropped).
  void ResetState();
  // The changing operation a scheduled machine death (DeactivateAtWrite) lands on reaches
  // the disk in percent of the cases (drawn from seed), though it reports failure: a rename
  // or removal done before the machine died, a sync that completed, a create that happened,
  // an append written whole. 0 (the default): it never does.
  void SetCrashOpPersistence(int percent, uint64_t seed);
  // See the power-loss model above.
  void SetDropDataOnFailedSync(bool on);

  // --- Faults ---

  // The n-th operation of kind from now on (counting only operations on paths that contain
  // path_contains, if given) fails with error; n = 1 is the next one. Rules are independent:
  // several may be pending for one kind. REQUIRES: n >= 1.
  void FailNth(OpKind kind, uint64_t n, ErrorKind error, std::string path_contains = "");
  // Every operation of kind (on matching paths) fails until ClearFaults().
  void FailAlways(OpKind kind, ErrorKind error, std::string path_contains = "");
  // Removes every pending FailNth and FailAlways rule.
  void ClearFaults();
  // The n-th changing operation from now (on paths containing path_contains, if given)
  // fails with error; n = 1 is the next one. With sticky, that and every later changing
  // operation on matching paths fail, like a full disk, until ClearFaults() (except
  // RemoveFile, RemoveDir and Truncate, which a full disk allows).
  // REQUIRES: n >= 1.
  void FailNthWrite(uint64_t n, ErrorKind error, bool sticky = false,
                    std::string path_contains = "");
  // The n-th reading operation from now (opening a file for reading, Read, GetChildren,
  // GetFileSize; on paths containing path_contains, if given) fails with error, once.
  // REQUIRES: n >= 1.
  void FailNthRead(uint64_t n, ErrorKind error, std::string path_contains = "");
  // When on, LinkFile fails with NotSupported (counted, not an injected fault), as link(2)
  // does with EXDEV, so that callers take their copying path.
  void SetLinksCrossDevice(bool cross_device);
  // When on, an Append that fails by a rule first writes the first half of its data.
  void SetTornAppends(bool torn);
  // When on, a changing operation that fails by a rule first does its work (the file is
  // created, renamed, removed, synced, truncated, or the Append written whole), as when the
  // directory sync after a rename fails: the caller sees an error but the change happened.
  // A created file is not handed out. Takes precedence over torn appends. Inactivity takes
  // effect only through SetCrashOpPersistence.
  void SetFaultsTakeEffect(bool take_effect);
  // While inactive, every operation that would change the file system (create, append, sync,
  // rename, remove, truncate, make or remove a directory) fails with "EIO (injected)", as if
  // the machine had died; reads, Close and LockFile still work. Starts active.
  void SetFilesystemActive(bool active);
  bool IsFilesystemActive() const;
  // Schedules a machine death: the n-th changing operation from now (counting only those on
  // paths containing path_contains, if given) and every later one (on any path) fail as if
  // inactive. n = 1 is the next one. SetFilesystemActive cancels a pending schedule.
  // REQUIRES: n >= 1.
  void DeactivateAtWrite(uint64_t n, std::string path_contains = "");

  // --- Counts ---

  // Operations of kind attempted since construction or ResetCounts(), failed ones included.
  uint64_t Count(OpKind kind) const;
  // Changing operations attempted since construction or ResetCounts(), failed ones
  // included: what FailNthWrite and DeactivateAtWrite count.
  uint64_t WriteCount() const;
  // Reading operations attempted since construction or ResetCounts(): what FailNthRead counts.
  uint64_t ReadCount() const;
  // Failures injected (by rules or inactivity) since construction or ResetCounts().
  uint64_t InjectedFaults() const;
  // The first of them, if any: where a fault landed.
  std::optional<InjectedFault> FirstInjectedFault() const;
  void ResetCounts();

  // --- FileSystem ---

  Status NewSequentialFile(const std::string& path,
                           std::unique_ptr<SequentialFile>* result) override;
  Status NewRandomAccessFile(const std::string& path,
                             std::unique_ptr<RandomAccessFile>* result) override;
  Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* result) override;
  Status GetChildren(const std::string& dir, std::vector<std::string>* names) override;
  Status GetFileSize(const std::string& path, uint64_t* size) override;
  Status RemoveFile(const std::string& path) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status Truncate(const std::string& path, uint64_t size) override;
  Status CreateDir(const std::string& dir) override;
  Status RemoveDir(const std::string& dir) override;
  Status SyncDir(const std::string& dir) override;
  Status LinkFile(const std::string& from, const std::string& to) override;
  Status LockFile(const std::string& path, std::unique_ptr<FileLock>* lock) override;

  class State;  // Shared with the open files; defined in the .cc.

 private:
  const std::shared_ptr<State> state_;
};

}  // namespace strata::test
