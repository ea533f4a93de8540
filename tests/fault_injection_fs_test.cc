// Tests for the fault-injecting test file system: its power-loss model, its fault rules and
// its counts.

#include "support/fault_injection_fs.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/no_sync_fs.h"
#include "support/test_util.h"

namespace strata::test {
namespace {

class FaultInjectionFsTest : public ::testing::Test {
 protected:
  FaultInjectionFsTest()
      : posix_(FileSystem::Default()), fs_(std::make_shared<FaultInjectionFileSystem>(posix_)) {}

  // Writes through the fault file system: creates path, appends data, syncs if asked, and
  // appends unsynced_tail after that. The file is closed.
  void Write(const std::string& name, const std::string& data, bool sync,
             const std::string& unsynced_tail = "") {
    std::unique_ptr<WritableFile> file;
    ASSERT_OK(fs_->NewWritableFile(dir_.Child(name), &file));
    ASSERT_OK(file->Append(data));
    if (sync) ASSERT_OK(file->Sync());
    if (!unsynced_tail.empty()) ASSERT_OK(file->Append(unsynced_tail));
    ASSERT_OK(file->Close());
  }

  // Contents as the real file system sees them, or "<missing>".
  std::string Contents(const std::string& name) {
    std::string data;
    if (!posix_->FileExists(dir_.Child(name))) return "<missing>";
    Status s = ReadFileToString(posix_.get(), dir_.Child(name), &data);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return data;
  }

  TempDir dir_;
  std::shared_ptr<FileSystem> posix_;
  std::shared_ptr<FaultInjectionFileSystem> fs_;
};

bool HasText(const Status& s, const std::string& text) {
  return s.ToString().find(text) != std::string::npos;
}

// --- Power loss ---

TEST_F(FaultInjectionFsTest, SyncedDataIsKept) {
  Write("a", "durable", /*sync=*/true);
  ASSERT_OK(fs_->DropUnsyncedData());
  EXPECT_EQ(Contents("a"), "durable");
}

TEST_F(FaultInjectionFsTest, FileCreatedButNeverSyncedIsDeleted) {
  Write("a", "lost", /*sync=*/false);
  EXPECT_EQ(Contents("a"), "lost");  // Present until the power goes.
  ASSERT_OK(fs_->DropUnsyncedData());
  EXPECT_EQ(Contents("a"), "<missing>");
}

TEST_F(FaultInjectionFsTest, SyncedThenAppendedIsTruncatedToSyncedSize) {
  Write("a", "kept", /*sync=*/true, "dropped");
  EXPECT_EQ(Contents("a"), "keptdropped");
  ASSERT_OK(fs_->DropUnsyncedData());
  EXPECT_EQ(Contents("a"), "kept");
}

TEST_F(FaultInjectionFsTest, SyncDirMakesTheEntryButNotTheDataDurable) {
  Write("a", "unsynced", /*sync=*/false);
  Write("b", "unsynced", /*sync=*/false);
  ASSERT_OK(fs_->CreateDir(dir_.Child("sub")));
  Write("sub/c", "unsynced", /*sync=*/false);
  ASSERT_OK(fs_->SyncDir(dir_.path() + "/"));
  ASSERT_OK(fs_->DropUnsyncedData());
  EXPECT_EQ(Contents("a"), "");
  EXPECT_EQ(Contents("b"), "");
  EXPECT_EQ(Contents("sub/c"), "<missing>");  // Another directory.
}

TEST_F(FaultInjectionFsTest, LinkNeedsASyncDirToSurvive) {
  Write("a", "table", /*sync=*/true);
  ASSERT_OK(fs_->LinkFile(dir_.Child("a"), dir_.Child("b")));
  EXPECT_EQ(Contents("b"), "table");
  ASSERT_OK(fs_->DropUnsyncedData());
  EXPECT_EQ(Contents("a"), "table");
  EXPECT_EQ(Contents("b"), "<missing>");

  ASSERT_OK(fs_->LinkFile(dir_.Child("a"), dir_.Child("c")));
  ASSERT_OK(fs_->SyncDir(dir_.path()));
  ASSERT_OK(fs_->DropUnsyncedData());
  EXPECT_EQ(Contents("c"), "table");
}

TEST_F(FaultInjectionFsTest, LinkOntoAnExistingNameFails) {
  Write("a", "1", /*sync=*/true);
  Write("b", "2", /*sync=*/true);
  Status s = fs_->LinkFile(dir_.Child("a"), dir_.Child("b"));
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(IsLinkUnsupported(s)) << s.ToString();
  EXPECT_EQ(Contents("b"), "2");
}

TEST_F(FaultInjectionFsTest, CrossDeviceLinkIsDistinguishableAndCopyFallsBack) {
  Write("a", "table", /*sync=*/true);
  fs_->SetLinksCrossDevice(true);
  Status s = fs_->LinkFile(dir_.Child("a"), dir_.Child("b"));
  EXPECT_TRUE(IsLinkUnsupported(s)) << s.ToString();
  EXPECT_EQ(Contents("b"), "<missing>");
  bool copied = false;
  ASSERT_OK(LinkOrCopyFile(fs_.get(), dir_.Child("a"), dir_.Child("b"), &copied));
  EXPECT_TRUE(copied);
  ASSERT_OK(fs_->DropUnsyncedData());  // a copy is synced, entry included
  EXPECT_EQ(Contents("b"), "table");
}

TEST_F(FaultInjectionFsTest, PosixLinkSharesTheContents) {
  ASSERT_OK(WriteStringToFile(posix_.get(), "x", dir_.Child("a"), false));
  bool copied = true;
  ASSERT_OK(LinkOrCopyFile(posix_.get(), dir_.Child("a"), dir_.Child("b"), &copied));
  EXPECT_FALSE(copied);
  EXPECT_EQ(Contents("b"), "x");
  EXPECT_FALSE(posix_->LinkFile(dir_.Child("missing"), dir_.Child("c")).ok());
}

TEST_F(FaultInjectionFsTest, FailedSyncDoesNotAdvanceTheSyncedSize) {
  std::unique_ptr<WritableFile> file;
  ASSERT_OK(fs_->NewWritableFile(dir_.Child("a"), &file));
  ASSERT_OK(file->Append("one"));
  ASSERT_OK(file->Sync());
  ASSERT_OK(file->Append("two"));
  fs_->FailNth(OpKind::kSync, 1, ErrorKind::kEIO);
  EXPECT_TRUE(file->Sync().IsIOError());
  ASSERT_OK(file->Close());
  ASSERT_OK(fs_->DropUnsyncedData());
  EXPECT_EQ(Contents("a"), "one");
}

TEST_F(FaultInjectionFsTest, RenameOfSyncedFileSurvives) {
  // The CURRENT pattern: write a temporary file, sync it, rename it over the real one.
  Write("CURRENT", "MANIFEST-000001\n", /*sync=*/true);
  Write("CURRENT.tmp", "MANIFEST-000002\n", /*sync=*/true);
  ASSERT_OK(fs_->RenameFile(dir_.Child("CURRENT.tmp"), dir_.Child("CURRENT")));
  ASSERT_OK(fs_->DropUnsyncedData());
  EXPECT_EQ(Contents("CURRENT"), "MANIFEST-000002\n");
  EXPECT_EQ(Contents("CURRENT.tmp"), "<missing>");
}

TEST_F(FaultInjectionFsTest, RenameOfUnsyncedFileKeepsTheNameButDropsTheData) {
  Write("CURRENT", "old\n", /*sync=*/true);
  Write("CURRENT.tmp", "new\n", /*sync=*/false);
  ASSERT_OK(fs_->RenameFile(dir_.Child("CURRENT.tmp"), dir_.Child("CURRENT")));
  ASSERT_OK(fs_->DropUnsyncedData());
  // Exactly the bug that skipping the sync before a rename causes: an empty CURRENT.
  EXPECT_EQ(Contents("CURRENT"), "");
}

TEST_F(FaultInjectionFsTest, RenameOntoItselfKeepsTracking) {
  Write("a", "x", /*sync=*/false);
  ASSERT_OK(fs_->RenameFile(dir_.Child("a"), dir_.Child("a")));
  ASSERT_OK(fs_->DropUnsyncedData());
  EXPECT_EQ(Contents("a"), "");  // The name is durable now; the data never was.
}

TEST_F(FaultInjectionFsTest, OpenFileKeepsTrackingAcrossRename) {
  std::unique_ptr<WritableFile> file;
  ASSERT_OK(fs_->NewWritableFile(dir_.Child("a"), &file));
  ASSERT_OK(file->Append("before"));
  ASSERT_OK(fs_->RenameFile(dir_.Child("a"), dir_.Child("b")));
  ASSERT_OK(file->Append("+synced"));
  ASSERT_OK(file->Sync());
  ASSERT_OK(file->Append("+lost"));
  ASSERT_OK(file->Close());
  ASSERT_OK(fs_->DropUnsyncedData());
  EXPECT_EQ(Contents("a"), "<missing>");
  EXPECT_EQ(Contents("b"), "before+synced");
}

TEST_F(FaultInjectionFsTest, RemoveIsDurable) {
  Write("a", "x", /*sync=*/true);
  ASSERT_OK(WriteStringToFile(posix_.get(), "old", dir_.Child("old"), true));
  ASSERT_OK(fs_->RemoveFile(dir_.Child("a")));
  ASSERT_OK(fs_->RemoveFile(dir_.Child("old")));
  ASSERT_OK(fs_->DropUnsyncedData());
  EXPECT_EQ(Contents("a"), "<missing>");
  EXPECT_EQ(Contents("old"), "<missing>");
}

TEST_F(FaultInjectionFsTest, FilesWrittenElsewhereAreDurable) {
  ASSERT_OK(WriteStringToFile(posix_.get(), "before", dir_.Child("pre"), /*sync=*/false));
  ASSERT_OK(fs_->DropUnsyncedData());
  EXPECT_EQ(Contents("pre"), "before");
}

TEST_F(FaultInjectionFsTest, RecreatingADurableFileKeepsItsEntry) {
  ASSERT_OK(WriteStringToFile(posix_.get(), "before", dir_.Child("pre"), /*sync=*/false));
  Write("pre", "rewritten", /*sync=*/false);
  ASSERT_OK(fs_->DropUnsyncedData());
  EXPECT_EQ(Contents("pre"), "");
}

TEST_F(FaultInjectionFsTest, TruncateLowersTheSyncedSize) {
  Write("a", "0123456789", /*sync=*/true);
  ASSERT_OK(fs_->Truncate(dir_.Child("a"), 4));
  ASSERT_OK(fs_->Truncate(dir_.Child("a"), 8));  // Extends with zeros, unsynced.
  ASSERT_OK(fs_->DropUnsyncedData());
  EXPECT_EQ(Contents("a"), "0123");
}

TEST_F(FaultInjectionFsTest, ResetStateForgetsTracking) {
  Write("a", "x", /*sync=*/false);
  fs_->ResetState();
  ASSERT_OK(fs_->DropUnsyncedData());
  EXPECT_EQ(Contents("a"), "x");
}

TEST_F(FaultInjectionFsTest, WritableFilesFromBeforePowerLossAreDead) {
  std::unique_ptr<WritableFile> file;
  ASSERT_OK(fs_->NewWritableFile(dir_.Child("a"), &file));
  ASSERT_OK(file->Append("x"));
  ASSERT_OK(file->Sync());
  ASSERT_OK(fs_->DropUnsyncedData());
  Status s = file->Append("y");
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_TRUE(HasText(s, "power loss")) << s.ToString();
  EXPECT_TRUE(file->Sync().IsIOError());
  EXPECT_TRUE(file->Close().IsIOError());
  EXPECT_EQ(Contents("a"), "x");
}

TEST_F(FaultInjectionFsTest, KeepsWorkingAfterPowerLoss) {
  Write("a", "first", /*sync=*/false);
  ASSERT_OK(fs_->DropUnsyncedData());
  Write("a", "second", /*sync=*/true, "-tail");
  Write("b", "unsynced", /*sync=*/false);
  ASSERT_OK(fs_->DropUnsyncedData());
  EXPECT_EQ(Contents("a"), "second");
  EXPECT_EQ(Contents("b"), "<missing>");
  ASSERT_OK(fs_->DropUnsyncedData());  // Nothing left to lose.
  EXPECT_EQ(Contents("a"), "second");
}

TEST_F(FaultInjectionFsTest, DropToleratesFilesDeletedBehindItsBack) {
  Write("a", "x", /*sync=*/false);
  Write("b", "y", /*sync=*/true, "z");
  ASSERT_OK(posix_->RemoveFile(dir_.Child("a")));
  ASSERT_OK(posix_->RemoveFile(dir_.Child("b")));
  ASSERT_OK(fs_->DropUnsyncedData());
}

// --- Fault rules ---

// Performs one operation of a kind, repeatably: each call should succeed when no fault is
// injected, so a test can check that exactly the n-th call fails.
class OneOp {
 public:
  OneOp(FaultInjectionFileSystem* fs, FileSystem* posix, const TempDir& dir)
      : fs_(fs), posix_(posix), dir_(dir) {}

  // Preparation that must not count as an operation of kind.
  void SetUp(OpKind kind) {
    ASSERT_OK(WriteStringToFile(posix_, "0123456789", dir_.Child("file"), false));
    if (kind == OpKind::kRead) {
      ASSERT_OK(fs_->NewSequentialFile(dir_.Child("file"), &seq_));
    }
    if (kind == OpKind::kAppend || kind == OpKind::kSync) {
      ASSERT_OK(fs_->NewWritableFile(dir_.Child("w"), &writable_));
    }
  }

  Status Run(OpKind kind) {
    const std::string file = dir_.Child("file");
    char scratch[4];
    std::string_view result;
    switch (kind) {
      case OpKind::kOpen: {
        std::unique_ptr<RandomAccessFile> f;
        return fs_->NewRandomAccessFile(file, &f);
      }
      case OpKind::kRead:
        return seq_->Read(1, &result, scratch);
      case OpKind::kAppend:
        return writable_->Append("x");
      case OpKind::kSync:
        return writable_->Sync();
      case OpKind::kClose: {
        std::unique_ptr<WritableFile> f;
        Status s = fs_->NewWritableFile(dir_.Child("c"), &f);
        return s.ok() ? f->Close() : s;
      }
      case OpKind::kRename: {
        const std::string other = dir_.Child("renamed");
        Status s = renamed_ ? fs_->RenameFile(other, file) : fs_->RenameFile(file, other);
        if (s.ok()) renamed_ = !renamed_;
        return s;
      }
      case OpKind::kRemove: {
        Status s = WriteStringToFile(posix_, "r", dir_.Child("r"), false);
        return s.ok() ? fs_->RemoveFile(dir_.Child("r")) : s;
      }
      case OpKind::kSyncDir:
        return fs_->SyncDir(dir_.path());
      case OpKind::kTruncate:
        return fs_->Truncate(file, 3);
      case OpKind::kLock: {
        std::unique_ptr<FileLock> lock;
        return fs_->LockFile(dir_.Child("LOCK"), &lock);
      }
      case OpKind::kCreateDir:
        return fs_->CreateDir(dir_.Child("d"));
      case OpKind::kRemoveDir: {
        Status s = posix_->CreateDir(dir_.Child("d"));
        return s.ok() ? fs_->RemoveDir(dir_.Child("d")) : s;
      }
      case OpKind::kGetChildren: {
        std::vector<std::string> names;
        return fs_->GetChildren(dir_.path(), &names);
      }
      case OpKind::kGetFileSize: {
        uint64_t size;
        return fs_->GetFileSize(file, &size);
      }
      case OpKind::kLink: {
        const std::string link = dir_.Child("link");
        posix_->RemoveFile(link).PermitUncheckedError();
        return fs_->LinkFile(file, link);
      }
    }
    return Status::InvalidArgument("unknown kind");
  }

 private:
  FaultInjectionFileSystem* const fs_;
  FileSystem* const posix_;
  const TempDir& dir_;
  std::unique_ptr<SequentialFile> seq_;
  std::unique_ptr<WritableFile> writable_;
  bool renamed_ = false;
};

class FailNthTest : public FaultInjectionFsTest, public ::testing::WithParamInterface<int> {};

TEST_P(FailNthTest, FailsExactlyTheNthOperation) {
  const OpKind kind = static_cast<OpKind>(GetParam());
  OneOp op(fs_.get(), posix_.get(), dir_);
  ASSERT_NO_FATAL_FAILURE(op.SetUp(kind));
  ASSERT_OK(op.Run(kind));  // Operations before FailNth do not count toward n.
  fs_->ResetCounts();
  fs_->FailNth(kind, 3, ErrorKind::kEIO);
  for (int i = 1; i <= 5; ++i) {
    Status s = op.Run(kind);
    if (i == 3) {
      EXPECT_TRUE(s.IsIOError()) << OpKindName(kind) << " #" << i << ": " << s.ToString();
      EXPECT_TRUE(HasText(s, "EIO (injected)")) << s.ToString();
      EXPECT_TRUE(HasText(s, OpKindName(kind))) << s.ToString();
    } else {
      EXPECT_TRUE(s.ok()) << OpKindName(kind) << " #" << i << ": " << s.ToString();
    }
  }
  EXPECT_EQ(fs_->Count(kind), 5u);
  EXPECT_EQ(fs_->InjectedFaults(), 1u);
}

INSTANTIATE_TEST_SUITE_P(AllKinds, FailNthTest, ::testing::Range(0, kNumOpKinds),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return std::string(OpKindName(static_cast<OpKind>(info.param)));
                         });

TEST_F(FaultInjectionFsTest, FailAlwaysUntilCleared) {
  fs_->FailAlways(OpKind::kSyncDir, ErrorKind::kEIO);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(fs_->SyncDir(dir_.path()).IsIOError());
  fs_->ClearFaults();
  ASSERT_OK(fs_->SyncDir(dir_.path()));
  EXPECT_EQ(fs_->Count(OpKind::kSyncDir), 4u);
  EXPECT_EQ(fs_->InjectedFaults(), 3u);
}

TEST_F(FaultInjectionFsTest, ClearFaultsCancelsPendingFailNth) {
  fs_->FailNth(OpKind::kSyncDir, 2, ErrorKind::kEIO);
  fs_->ClearFaults();
  for (int i = 0; i < 3; ++i) ASSERT_OK(fs_->SyncDir(dir_.path()));
}

TEST_F(FaultInjectionFsTest, SeveralRulesAreIndependent) {
  fs_->FailNth(OpKind::kSyncDir, 2, ErrorKind::kEIO);
  fs_->FailNth(OpKind::kSyncDir, 4, ErrorKind::kENOSPC);
  fs_->FailNth(OpKind::kGetChildren, 1, ErrorKind::kEIO);
  std::vector<bool> ok;
  for (int i = 0; i < 5; ++i) ok.push_back(fs_->SyncDir(dir_.path()).ok());
  EXPECT_EQ(ok, (std::vector<bool>{true, false, true, false, true}));
  std::vector<std::string> names;
  EXPECT_TRUE(fs_->GetChildren(dir_.path(), &names).IsIOError());
  ASSERT_OK(fs_->GetChildren(dir_.path(), &names));
}

TEST_F(FaultInjectionFsTest, EnospcAndEioMessagesDiffer) {
  std::unique_ptr<WritableFile> file;
  ASSERT_OK(fs_->NewWritableFile(dir_.Child("a"), &file));
  fs_->FailNth(OpKind::kAppend, 1, ErrorKind::kENOSPC);
  Status s = file->Append("x");
  EXPECT_TRUE(s.IsIOError());
  EXPECT_TRUE(HasText(s, "ENOSPC (injected)")) << s.ToString();
  EXPECT_TRUE(HasText(s, "No space left")) << s.ToString();
  EXPECT_TRUE(HasText(s, dir_.Child("a"))) << s.ToString();
  fs_->FailNth(OpKind::kAppend, 1, ErrorKind::kEIO);
  s = file->Append("x");
  EXPECT_TRUE(s.IsIOError());
  EXPECT_TRUE(HasText(s, "EIO (injected)")) << s.ToString();
  EXPECT_FALSE(HasText(s, "ENOSPC")) << s.ToString();
}

TEST_F(FaultInjectionFsTest, PathFilterLimitsARule) {
  ASSERT_OK(WriteStringToFile(posix_.get(), "t", dir_.Child("000001.sst"), false));
  ASSERT_OK(WriteStringToFile(posix_.get(), "l", dir_.Child("000002.log"), false));
  fs_->FailNth(OpKind::kOpen, 2, ErrorKind::kEIO, ".log");
  std::unique_ptr<SequentialFile> f;
  ASSERT_OK(fs_->NewSequentialFile(dir_.Child("000001.sst"), &f));
  ASSERT_OK(fs_->NewSequentialFile(dir_.Child("000002.log"), &f));
  ASSERT_OK(fs_->NewSequentialFile(dir_.Child("000001.sst"), &f));
  EXPECT_TRUE(fs_->NewSequentialFile(dir_.Child("000002.log"), &f).IsIOError());
  EXPECT_EQ(f, nullptr);
  ASSERT_OK(fs_->NewSequentialFile(dir_.Child("000002.log"), &f));
  // For a rename, the target path matches too.
  fs_->FailAlways(OpKind::kRename, ErrorKind::kEIO, "CURRENT");
  Write("tmp", "x", true);
  EXPECT_TRUE(fs_->RenameFile(dir_.Child("tmp"), dir_.Child("CURRENT")).IsIOError());
  EXPECT_EQ(Contents("tmp"), "x");
  ASSERT_OK(fs_->RenameFile(dir_.Child("tmp"), dir_.Child("other")));
}

TEST_F(FaultInjectionFsTest, FailedAppendWritesNothing) {
  std::unique_ptr<WritableFile> file;
  ASSERT_OK(fs_->NewWritableFile(dir_.Child("a"), &file));
  ASSERT_OK(file->Append("head"));
  fs_->FailNth(OpKind::kAppend, 1, ErrorKind::kEIO);
  EXPECT_TRUE(file->Append("0123456789").IsIOError());
  EXPECT_EQ(file->Size(), 4u);
  ASSERT_OK(file->Close());
  EXPECT_EQ(Contents("a"), "head");
}

TEST_F(FaultInjectionFsTest, TornAppendWritesAPrefix) {
  fs_->SetTornAppends(true);
  std::unique_ptr<WritableFile> file;
  ASSERT_OK(fs_->NewWritableFile(dir_.Child("a"), &file));
  ASSERT_OK(file->Append("head"));
  fs_->FailNth(OpKind::kAppend, 1, ErrorKind::kENOSPC);
  EXPECT_TRUE(file->Append("0123456789").IsIOError());
  ASSERT_OK(file->Close());
  EXPECT_EQ(Contents("a"), "head01234");
}

TEST_F(FaultInjectionFsTest, FailedOperationsChangeNothing) {
  Write("a", "x", true);
  fs_->FailAlways(OpKind::kRename, ErrorKind::kEIO);
  fs_->FailAlways(OpKind::kRemove, ErrorKind::kEIO);
  fs_->FailAlways(OpKind::kTruncate, ErrorKind::kEIO);
  fs_->FailAlways(OpKind::kCreateDir, ErrorKind::kEIO);
  EXPECT_TRUE(fs_->RenameFile(dir_.Child("a"), dir_.Child("b")).IsIOError());
  EXPECT_TRUE(fs_->RemoveFile(dir_.Child("a")).IsIOError());
  EXPECT_TRUE(fs_->Truncate(dir_.Child("a"), 0).IsIOError());
  EXPECT_TRUE(fs_->CreateDir(dir_.Child("d")).IsIOError());
  EXPECT_EQ(Contents("a"), "x");
  EXPECT_EQ(Contents("b"), "<missing>");
  EXPECT_FALSE(posix_->FileExists(dir_.Child("d")));
  fs_->FailAlways(OpKind::kOpen, ErrorKind::kEIO);
  std::unique_ptr<WritableFile> w;
  EXPECT_TRUE(fs_->NewWritableFile(dir_.Child("new"), &w).IsIOError());
  EXPECT_EQ(w, nullptr);
  EXPECT_EQ(Contents("new"), "<missing>");
}

TEST_F(FaultInjectionFsTest, WriteStringToFileRemovesPartialFileOnFailure) {
  fs_->SetTornAppends(true);
  fs_->FailNth(OpKind::kAppend, 1, ErrorKind::kENOSPC);
  Status s = WriteStringToFile(fs_.get(), "0123456789", dir_.Child("a"), true);
  EXPECT_TRUE(HasText(s, "ENOSPC")) << s.ToString();
  EXPECT_EQ(Contents("a"), "<missing>");
  fs_->FailNth(OpKind::kSync, 1, ErrorKind::kEIO);
  EXPECT_TRUE(WriteStringToFile(fs_.get(), "0123456789", dir_.Child("a"), true).IsIOError());
  EXPECT_EQ(Contents("a"), "<missing>");
}

TEST_F(FaultInjectionFsTest, InactiveFileSystemFailsWritesButNotReads) {
  Write("a", "x", true);
  std::unique_ptr<WritableFile> open;
  ASSERT_OK(fs_->NewWritableFile(dir_.Child("open"), &open));
  fs_->SetFilesystemActive(false);
  EXPECT_FALSE(fs_->IsFilesystemActive());
  std::unique_ptr<WritableFile> w;
  EXPECT_TRUE(fs_->NewWritableFile(dir_.Child("b"), &w).IsIOError());
  EXPECT_TRUE(HasText(open->Append("y"), "EIO (injected)"));
  EXPECT_TRUE(open->Sync().IsIOError());
  EXPECT_TRUE(fs_->RenameFile(dir_.Child("a"), dir_.Child("c")).IsIOError());
  EXPECT_TRUE(fs_->RemoveFile(dir_.Child("a")).IsIOError());
  EXPECT_TRUE(fs_->SyncDir(dir_.path()).IsIOError());
  EXPECT_TRUE(fs_->Truncate(dir_.Child("a"), 0).IsIOError());
  EXPECT_TRUE(fs_->CreateDir(dir_.Child("d")).IsIOError());
  std::string data;
  ASSERT_OK(ReadFileToString(fs_.get(), dir_.Child("a"), &data));
  EXPECT_EQ(data, "x");
  ASSERT_OK(open->Close());
  std::unique_ptr<FileLock> lock;
  ASSERT_OK(fs_->LockFile(dir_.Child("LOCK"), &lock));
  fs_->SetFilesystemActive(true);
  ASSERT_OK(fs_->RenameFile(dir_.Child("a"), dir_.Child("c")));
}

// --- Faults on any changing operation ---

TEST_F(FaultInjectionFsTest, FailNthWriteCountsEveryChangingKind) {
  Write("r", "data", /*sync=*/true);
  // Changes: create, append, sync, rename, remove, sync dir, truncate. Reads, Close and
  // LockFile do not count.
  auto run = [&](int step) -> Status {
    std::unique_ptr<WritableFile> w;
    std::unique_ptr<FileLock> lock;
    std::string data;
    switch (step) {
      case 0:
        return fs_->NewWritableFile(dir_.Child("a"), &w);
      case 1:
        return fs_->RenameFile(dir_.Child("r"), dir_.Child("s"));
      case 2:
        return ReadFileToString(fs_.get(), dir_.Child("s"), &data);  // Open + Read: no change
      case 3:
        return fs_->LockFile(dir_.Child("LOCK"), &lock);  // no change
      case 4:
        return fs_->SyncDir(dir_.path());
      case 5:
        return fs_->Truncate(dir_.Child("s"), 2);
      case 6:
        return fs_->RemoveFile(dir_.Child("s"));
    }
    return Status::InvalidArgument("no such step");
  };
  // Steps 0, 1, 4, 5, 6 are changes 1..5: the 4th is the Truncate (step 5).
  fs_->ResetCounts();
  fs_->FailNthWrite(4, ErrorKind::kEIO);
  for (int step = 0; step <= 6; step++) {
    Status s = run(step);
    if (step == 5) {
      EXPECT_TRUE(HasText(s, "EIO (injected)")) << s.ToString();
      EXPECT_TRUE(HasText(s, "Truncate")) << s.ToString();
    } else {
      EXPECT_TRUE(s.ok()) << "step " << step << ": " << s.ToString();
    }
  }
  EXPECT_EQ(fs_->WriteCount(), 5u);
  EXPECT_EQ(fs_->InjectedFaults(), 1u);
  ASSERT_TRUE(fs_->FirstInjectedFault().has_value());
  EXPECT_EQ(fs_->FirstInjectedFault()->kind, OpKind::kTruncate);
  EXPECT_EQ(fs_->FirstInjectedFault()->path, dir_.Child("s"));

  // Appends and syncs of an open file count too; a plain Write() is create, append, sync.
  fs_->ResetCounts();
  EXPECT_FALSE(fs_->FirstInjectedFault().has_value());
  Write("b", "x", /*sync=*/true, "y");
  EXPECT_EQ(fs_->WriteCount(), 4u);
}

TEST_F(FaultInjectionFsTest, StickyWriteFaultIsLikeAFullDisk) {
  std::unique_ptr<WritableFile> file;
  ASSERT_OK(fs_->NewWritableFile(dir_.Child("a"), &file));
  fs_->FailNthWrite(2, ErrorKind::kENOSPC, /*sticky=*/true);
  ASSERT_OK(file->Append("1"));
  EXPECT_TRUE(HasText(file->Sync(), "ENOSPC (injected)"));
  EXPECT_TRUE(HasText(file->Append("2"), "ENOSPC (injected)"));
  std::unique_ptr<WritableFile> other;
  EXPECT_TRUE(fs_->NewWritableFile(dir_.Child("b"), &other).IsIOError());
  EXPECT_TRUE(fs_->RenameFile(dir_.Child("a"), dir_.Child("b")).IsIOError());
  // Freeing space still works on a full disk.
  ASSERT_OK(posix_->CreateDir(dir_.Child("d")));
  ASSERT_OK(WriteStringToFile(posix_.get(), "junk", dir_.Child("junk"), false));
  ASSERT_OK(fs_->Truncate(dir_.Child("junk"), 1));
  ASSERT_OK(fs_->RemoveFile(dir_.Child("junk")));
  ASSERT_OK(fs_->RemoveDir(dir_.Child("d")));
  std::string data;
  ASSERT_OK(ReadFileToString(fs_.get(), dir_.Child("a"), &data));  // reads still work
  EXPECT_EQ(data, "1");
  EXPECT_EQ(fs_->InjectedFaults(), 4u);
  EXPECT_EQ(fs_->FirstInjectedFault()->kind, OpKind::kSync);
  fs_->ClearFaults();  // space freed
  ASSERT_OK(file->Append("3"));
  ASSERT_OK(file->Sync());
  ASSERT_OK(file->Close());
  EXPECT_EQ(Contents("a"), "13");
}

TEST_F(FaultInjectionFsTest, FailNthWriteWithPathFilter) {
  fs_->FailNthWrite(2, ErrorKind::kEIO, /*sticky=*/false, ".log");
  Write("000001.sst", "t", /*sync=*/true);  // three changes, none on a .log
  std::unique_ptr<WritableFile> log;
  ASSERT_OK(fs_->NewWritableFile(dir_.Child("000002.log"), &log));  // .log change 1
  EXPECT_TRUE(log->Append("x").IsIOError());                        // .log change 2
  ASSERT_OK(log->Append("y"));
  EXPECT_EQ(fs_->InjectedFaults(), 1u);
}

TEST_F(FaultInjectionFsTest, FaultsThatTakeEffectDoTheWorkAndReportTheError) {
  fs_->SetFaultsTakeEffect(true);
  Write("a", "x", /*sync=*/true);
  // A rename that fails after renaming (its directory sync failed, say).
  fs_->FailNthWrite(1, ErrorKind::kEIO);
  EXPECT_TRUE(HasText(fs_->RenameFile(dir_.Child("a"), dir_.Child("b")), "EIO (injected)"));
  EXPECT_EQ(Contents("a"), "<missing>");
  EXPECT_EQ(Contents("b"), "x");
  // A creation that fails after creating: the file exists, but no handle is given out.
  fs_->FailNthWrite(1, ErrorKind::kEIO);
  std::unique_ptr<WritableFile> file;
  EXPECT_TRUE(fs_->NewWritableFile(dir_.Child("c"), &file).IsIOError());
  EXPECT_EQ(file, nullptr);
  EXPECT_EQ(Contents("c"), "");
  // An append written whole, a sync done: after power loss the data is there.
  ASSERT_OK(fs_->NewWritableFile(dir_.Child("d"), &file));
  fs_->FailNthWrite(1, ErrorKind::kEIO);
  EXPECT_TRUE(file->Append("whole").IsIOError());
  EXPECT_EQ(file->Size(), 5u);
  fs_->FailNthWrite(1, ErrorKind::kEIO);
  EXPECT_TRUE(file->Sync().IsIOError());
  ASSERT_OK(file->Close());
  // A removal that fails after removing.
  fs_->FailNthWrite(1, ErrorKind::kEIO);
  EXPECT_TRUE(fs_->RemoveFile(dir_.Child("b")).IsIOError());
  EXPECT_EQ(Contents("b"), "<missing>");
  EXPECT_EQ(fs_->InjectedFaults(), 5u);

  ASSERT_OK(fs_->DropUnsyncedData());
  EXPECT_EQ(Contents("c"), "<missing>");  // created, never made durable
  EXPECT_EQ(Contents("d"), "whole");      // the failed sync did sync

  // Inactivity never takes effect.
  fs_->SetFilesystemActive(false);
  EXPECT_TRUE(fs_->NewWritableFile(dir_.Child("e"), &file).IsIOError());
  EXPECT_EQ(Contents("e"), "<missing>");
}

TEST_F(FaultInjectionFsTest, DeactivateAtWriteWithPathFilter) {
  fs_->DeactivateAtWrite(2, "MANIFEST");
  Write("000001.log", "a", /*sync=*/true);  // not counted
  std::unique_ptr<WritableFile> manifest;
  ASSERT_OK(fs_->NewWritableFile(dir_.Child("MANIFEST-000002"), &manifest));  // 1
  Write("000003.log", "b", /*sync=*/true);                                    // not counted
  EXPECT_TRUE(fs_->IsFilesystemActive());
  EXPECT_TRUE(manifest->Append("edit").IsIOError());  // 2: the machine dies here
  EXPECT_FALSE(fs_->IsFilesystemActive());
  std::unique_ptr<WritableFile> log;
  EXPECT_TRUE(fs_->NewWritableFile(dir_.Child("000004.log"), &log).IsIOError());  // any path
  EXPECT_EQ(fs_->FirstInjectedFault()->kind, OpKind::kAppend);
  EXPECT_EQ(fs_->FirstInjectedFault()->path, dir_.Child("MANIFEST-000002"));
}

// The fast target for tests that only simulate power loss: the model works the same on it.
TEST_F(FaultInjectionFsTest, WorksOverTheNoSyncFileSystem) {
  fs_ = std::make_shared<FaultInjectionFileSystem>(NewNoSyncFileSystem());
  ASSERT_OK(fs_->CreateDir(dir_.Child("sub")));
  ASSERT_OK(fs_->CreateDir(dir_.Child("sub")));  // exists: fine
  Write("sub/a", "kept", /*sync=*/true, "dropped");
  Write("sub/b", "lost", /*sync=*/false);
  Write("sub/c", "x", /*sync=*/true);
  ASSERT_OK(fs_->RenameFile(dir_.Child("sub/c"), dir_.Child("sub/d")));
  Write("sub/e", "y", /*sync=*/true);
  ASSERT_OK(fs_->RemoveFile(dir_.Child("sub/e")));
  EXPECT_TRUE(fs_->RemoveFile(dir_.Child("sub/e")).IsIOError());
  EXPECT_TRUE(fs_->RenameFile(dir_.Child("sub/e"), dir_.Child("sub/f")).IsIOError());
  ASSERT_OK(fs_->SyncDir(dir_.Child("sub")));
  ASSERT_OK(fs_->DropUnsyncedData());
  EXPECT_EQ(Contents("sub/a"), "kept");
  EXPECT_EQ(Contents("sub/b"), "");  // the directory sync kept its entry, not its data
  EXPECT_EQ(Contents("sub/c"), "<missing>");
  EXPECT_EQ(Contents("sub/d"), "x");
  EXPECT_EQ(Contents("sub/e"), "<missing>");
}

// --- Counts ---

TEST_F(FaultInjectionFsTest, DeactivateAtWriteDiesAtTheNthChange) {
  std::unique_ptr<WritableFile> file;
  ASSERT_OK(fs_->NewWritableFile(dir_.Child("a"), &file));  // not counted: scheduled later
  fs_->DeactivateAtWrite(3);
  ASSERT_OK(file->Append("1"));  // change 1
  std::string data;
  ASSERT_OK(ReadFileToString(fs_.get(), dir_.Child("a"), &data));  // reads do not count
  ASSERT_OK(file->Sync());                                         // change 2
  EXPECT_TRUE(fs_->IsFilesystemActive());
  Status s = file->Append("2");  // change 3: the machine dies here
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_FALSE(fs_->IsFilesystemActive());
  EXPECT_FALSE(fs_->NewWritableFile(dir_.Child("b"), &file).ok());
  ASSERT_OK(fs_->DropUnsyncedData());
  EXPECT_EQ("1", Contents("a"));

  // A file creation counts as a change, and SetFilesystemActive cancels a schedule.
  fs_->SetFilesystemActive(true);
  fs_->DeactivateAtWrite(1);
  EXPECT_FALSE(fs_->NewWritableFile(dir_.Child("c"), &file).ok());
  fs_->SetFilesystemActive(true);
  fs_->DeactivateAtWrite(5);
  fs_->SetFilesystemActive(true);
  for (int i = 0; i < 10; i++) ASSERT_OK(fs_->NewWritableFile(dir_.Child("d"), &file));
}

TEST_F(FaultInjectionFsTest, CountsOperationsByKind) {
  Write("a", "x", /*sync=*/true, "y");  // Open, Append, Sync, Append, Close.
  std::string data;
  ASSERT_OK(ReadFileToString(fs_.get(), dir_.Child("a"), &data));  // Open, Read, Read.
  ASSERT_OK(fs_->RenameFile(dir_.Child("a"), dir_.Child("b")));
  EXPECT_EQ(fs_->Count(OpKind::kOpen), 2u);
  EXPECT_EQ(fs_->Count(OpKind::kAppend), 2u);
  EXPECT_EQ(fs_->Count(OpKind::kSync), 1u);
  EXPECT_EQ(fs_->Count(OpKind::kClose), 1u);
  EXPECT_EQ(fs_->Count(OpKind::kRead), 2u);
  EXPECT_EQ(fs_->Count(OpKind::kRename), 1u);
  EXPECT_EQ(fs_->Count(OpKind::kRemove), 0u);
  fs_->ResetCounts();
  for (int k = 0; k < kNumOpKinds; ++k) EXPECT_EQ(fs_->Count(static_cast<OpKind>(k)), 0u);
}

TEST_F(FaultInjectionFsTest, FilesMayOutliveTheFileSystem) {
  std::unique_ptr<WritableFile> file;
  ASSERT_OK(fs_->NewWritableFile(dir_.Child("a"), &file));
  fs_.reset();
  ASSERT_OK(file->Append("x"));
  ASSERT_OK(file->Sync());
  ASSERT_OK(file->Close());
  EXPECT_EQ(Contents("a"), "x");
}

// --- Concurrency (meaningful under ThreadSanitizer) ---

// Appends rather than "w" + std::to_string(t), which trips a false -Wrestrict in GCC 12.
std::string WriterFile(int t) {
  std::string name = "w";
  name += std::to_string(t);
  return name;
}

TEST_F(FaultInjectionFsTest, ConcurrentWritersReadersAndControl) {
  constexpr int kWriters = 4;
  constexpr int kAppends = 200;
  Write("shared", std::string(4096, 's'), true);
  std::unique_ptr<RandomAccessFile> shared;
  ASSERT_OK(fs_->NewRandomAccessFile(dir_.Child("shared"), &shared));
  fs_->ResetCounts();

  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kWriters; ++t) {
    threads.emplace_back([&, t] {
      std::unique_ptr<WritableFile> file;
      Status s = fs_->NewWritableFile(dir_.Child(WriterFile(t)), &file);
      ASSERT_TRUE(s.ok()) << s.ToString();
      for (int i = 0; i < kAppends; ++i) {
        ASSERT_OK(file->Append("0123456789"));
        if (i % 50 == 49) ASSERT_OK(file->Sync());
      }
      ASSERT_OK(file->Close());
    });
  }
  threads.emplace_back([&] {  // Concurrent positional reads of one file.
    char scratch[16];
    std::string_view result;
    Random rnd(7);
    while (!done.load()) {
      ASSERT_OK(shared->Read(rnd.Uniform(4096), 16, &result, scratch));
    }
  });
  threads.emplace_back([&] {  // The control surface, used while the others run.
    while (!done.load()) {
      (void)fs_->Count(OpKind::kAppend);
      fs_->FailAlways(OpKind::kGetChildren, ErrorKind::kEIO);
      fs_->ClearFaults();
      ASSERT_OK(fs_->SyncDir(dir_.path()));
    }
  });
  for (int t = 0; t < kWriters; ++t) threads[t].join();
  done.store(true);
  for (size_t t = kWriters; t < threads.size(); ++t) threads[t].join();

  EXPECT_EQ(fs_->Count(OpKind::kAppend), uint64_t{kWriters} * kAppends);
  EXPECT_EQ(fs_->Count(OpKind::kSync), uint64_t{kWriters} * (kAppends / 50));
  ASSERT_OK(fs_->DropUnsyncedData());
  for (int t = 0; t < kWriters; ++t) {
    EXPECT_EQ(Contents(WriterFile(t)).size(), size_t{kAppends} * 10);
  }
}

}  // namespace
}  // namespace strata::test
