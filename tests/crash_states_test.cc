// The test file system's newer fault models (support/crash_states.h and
// support/fault_injection_fs.h): fates of unsynced files, torn sectors, the operation the
// machine dies in, dirty data dropped by a failed sync, read faults counted across kinds; and
// the no-space status they and the POSIX file system report.
#include <gtest/gtest.h>

#include <memory>
#include <set>

#include "strata/file_system.h"
#include "support/crash_states.h"
#include "support/fault_injection_fs.h"
#include "support/test_util.h"

namespace strata::test {
namespace {

class CrashStatesTest : public testing::Test {
 protected:
  CrashStatesTest() : fs_(std::make_shared<FaultInjectionFileSystem>(FileSystem::Default())) {}
  std::string Read(const std::string& path) {
    std::string data;
    EXPECT_OK(ReadFileToString(FileSystem::Default().get(), path, &data));
    return data;
  }
  // A file with `synced` bytes synced and `unsynced` more appended.
  std::unique_ptr<WritableFile> Make(const std::string& path, const std::string& synced,
                                     const std::string& unsynced) {
    std::unique_ptr<WritableFile> f;
    EXPECT_OK(fs_->NewWritableFile(path, &f));
    EXPECT_OK(f->Append(synced));
    if (!synced.empty()) EXPECT_OK(f->Sync());
    EXPECT_OK(f->Append(unsynced));
    return f;
  }

  TempDir dir_;
  std::shared_ptr<FaultInjectionFileSystem> fs_;
};

TEST_F(CrashStatesTest, UnsyncedFilesAreListedWithWhatIsCertain) {
  auto a = Make(dir_.Child("a"), "synced", "more");
  auto b = Make(dir_.Child("b"), "", "new");
  auto c = Make(dir_.Child("c"), "all", "");
  std::vector<UnsyncedFile> files = fs_->UnsyncedFiles();
  ASSERT_EQ(2u, files.size());  // c has nothing to lose
  EXPECT_EQ(dir_.Child("a"), files[0].path);
  EXPECT_EQ(10u, files[0].size);
  EXPECT_EQ(6u, files[0].synced_size);
  EXPECT_TRUE(files[0].entry_durable);
  EXPECT_EQ(dir_.Child("b"), files[1].path);
  EXPECT_FALSE(files[1].entry_durable);
}

TEST_F(CrashStatesTest, EachFileMeetsItsOwnFate) {
  auto a = Make(dir_.Child("a"), std::string(600, 's'), std::string(1000, 'u'));
  auto b = Make(dir_.Child("b"), "", "new");
  auto c = Make(dir_.Child("c"), "", "kept");
  ASSERT_OK(fs_->DropUnsyncedData(
      [&](const UnsyncedFile& f) {
        FileFate fate;
        if (f.path == dir_.Child("a")) {
          fate.keep_bytes = 1200;  // the later half of the unsynced bytes is lost...
          fate.tear_bytes = 176;   // ...and the kept part's last sector [1024, 1200) torn
          fate.tear_zeros = true;
        } else if (f.path == dir_.Child("b")) {
          fate.keep_entry = false;
        } else {
          fate.keep_bytes = f.size;  // an unsynced file that survived whole
        }
        return fate;
      },
      1));
  const std::string a_data = Read(dir_.Child("a"));
  ASSERT_EQ(1200u, a_data.size());
  EXPECT_EQ(std::string(600, 's') + std::string(424, 'u') + std::string(176, '\0'), a_data);
  EXPECT_FALSE(FileSystem::Default()->FileExists(dir_.Child("b")));
  EXPECT_EQ("kept", Read(dir_.Child("c")));
  // Files written before the power loss are dead.
  EXPECT_FALSE(a->Append("x").ok());
}

TEST_F(CrashStatesTest, SyncedBytesAreNeverTorn) {
  UnsyncedFile f{dir_.Child("a"), 1000, 900, true, 0, 0};
  Random rnd(3);
  for (int i = 0; i < 1000; i++) {
    FileFate fate = RandomFate(f, &rnd);
    ASSERT_TRUE(fate.keep_entry);
    ASSERT_GE(fate.keep_bytes, 900u);
    ASSERT_LE(fate.keep_bytes, 1000u);
    ASSERT_LE(fate.tear_bytes, fate.keep_bytes - 900);
  }
  for (const FileFate& fate : CandidateFates(f)) {
    ASSERT_GE(fate.keep_bytes, 900u);
    ASSERT_LE(fate.tear_bytes, fate.keep_bytes - 900);
  }
}

TEST_F(CrashStatesTest, EveryCombinationIsVisitedOnce) {
  std::vector<UnsyncedFile> files = {{"a", 2000, 0, false, 0, 0}, {"b", 100, 100, false, 0, 0}};
  const size_t a = CandidateFates(files[0]).size(), b = CandidateFates(files[1]).size();
  EXPECT_EQ(5u, a);
  EXPECT_EQ(2u, b);  // nothing unsynced: only the entry can go
  std::set<std::string> seen;
  uint64_t n = ForEachCrashState(files, 1000, [&](const std::vector<FileFate>& fates) {
    seen.insert(DescribeFate(files[0], fates[0]) + "|" + DescribeFate(files[1], fates[1]));
    return true;
  });
  EXPECT_EQ(a * b, n);
  EXPECT_EQ(a * b, seen.size());
  EXPECT_EQ(3u, ForEachCrashState(files, 3, [](const std::vector<FileFate>&) { return true; }));
}

TEST_F(CrashStatesTest, TheOperationTheMachineDiesInMayReachTheDisk) {
  ASSERT_OK(WriteStringToFile(fs_.get(), "x", dir_.Child("from"), true));
  fs_->SetCrashOpPersistence(100, 1);
  fs_->DeactivateAtWrite(1);
  EXPECT_FALSE(fs_->RenameFile(dir_.Child("from"), dir_.Child("to")).ok());
  EXPECT_TRUE(FileSystem::Default()->FileExists(dir_.Child("to")));
  EXPECT_FALSE(fs_->RenameFile(dir_.Child("to"), dir_.Child("again")).ok());
  EXPECT_FALSE(FileSystem::Default()->FileExists(dir_.Child("again"))) << "only the one it died in";
  fs_->SetFilesystemActive(true);
  fs_->SetCrashOpPersistence(0, 1);
  fs_->DeactivateAtWrite(1);
  EXPECT_FALSE(fs_->RenameFile(dir_.Child("to"), dir_.Child("back")).ok());
  EXPECT_FALSE(FileSystem::Default()->FileExists(dir_.Child("back")));
}

TEST_F(CrashStatesTest, AFailedSyncLosesTheDirtyDataForGood) {
  fs_->SetDropDataOnFailedSync(true);
  auto f = Make(dir_.Child("a"), "synced", "dirty");
  fs_->FailNth(OpKind::kSync, 1, ErrorKind::kEIO);
  EXPECT_FALSE(f->Sync().ok());
  ASSERT_OK(f->Append("later"));
  ASSERT_OK(f->Sync());  // succeeds, as Linux's may
  ASSERT_OK(fs_->DropUnsyncedData());
  EXPECT_EQ("synced" + std::string(5, '\0') + "later", Read(dir_.Child("a")));
}

TEST_F(CrashStatesTest, FailNthReadCountsEveryKindOfRead) {
  ASSERT_OK(WriteStringToFile(fs_.get(), "data", dir_.Child("f"), true));
  fs_->ResetCounts();
  fs_->FailNthRead(3, ErrorKind::kEIO);
  std::vector<std::string> names;
  uint64_t size = 0;
  EXPECT_OK(fs_->GetChildren(dir_.path(), &names));    // 1
  EXPECT_OK(fs_->GetFileSize(dir_.Child("f"), &size));  // 2
  std::unique_ptr<RandomAccessFile> file;
  Status s = fs_->NewRandomAccessFile(dir_.Child("f"), &file);  // 3
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_OK(fs_->NewRandomAccessFile(dir_.Child("f"), &file));  // once only
  std::unique_ptr<WritableFile> w;
  EXPECT_OK(fs_->NewWritableFile(dir_.Child("g"), &w));  // not a read
  EXPECT_EQ(4u, fs_->ReadCount());
}

TEST(NoSpaceStatusTest, IsAnIOErrorThatSaysSoAndSurvivesCopies) {
  Status s = Status::NoSpace("file", "No space left on device");
  EXPECT_TRUE(s.IsIOError());
  EXPECT_TRUE(s.IsNoSpace());
  Status copy = s;
  EXPECT_TRUE(copy.IsNoSpace());
  Status assigned;
  assigned = copy;
  EXPECT_TRUE(assigned.IsNoSpace());
  EXPECT_EQ("IOError: file: No space left on device", assigned.ToString());
  EXPECT_FALSE(Status::IOError("file", "EIO").IsNoSpace());
  EXPECT_FALSE(Status::OK().IsNoSpace());
}

TEST(NoSpaceStatusTest, InjectedENOSPCIsNoSpace) {
  TempDir dir;
  FaultInjectionFileSystem fs(FileSystem::Default());
  fs.FailNth(OpKind::kOpen, 1, ErrorKind::kENOSPC);
  std::unique_ptr<WritableFile> f;
  EXPECT_TRUE(fs.NewWritableFile(dir.Child("x"), &f).IsNoSpace());
  fs.FailNth(OpKind::kOpen, 1, ErrorKind::kEIO);
  Status s = fs.NewWritableFile(dir.Child("x"), &f);
  EXPECT_TRUE(s.IsIOError() && !s.IsNoSpace()) << s.ToString();
}

}  // namespace
}  // namespace strata::test
