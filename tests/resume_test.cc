// Resuming after a background error without reopening (DB::Resume and the automatic resume
// after a full disk): writes go on once the cause is gone, nothing acknowledged is lost, a
// failed log write stays fatal, and a resume re-establishes a known MANIFEST before it
// deletes anything. Also against a real full file system: a small tmpfs (root only).
#include <chrono>
#include <map>

#include "strata/db.h"
#include "support/db_test_util.h"
#include "support/disk_full_workload.h"
#include "support/fault_injection_fs.h"
#include "support/small_tmpfs.h"
#include "support/test_util.h"
#include "version/filename.h"

namespace strata {
namespace {

using test::ErrorKind;
using test::FaultInjectionFileSystem;
using test::FilesOfType;
using test::GetString;
using test::OpKind;
using test::WaitUntil;

std::string Key(int i) { return test::NumberKey(i, 8); }

class ResumeTest : public testing::Test {
 protected:
  ResumeTest() : fs_(std::make_shared<FaultInjectionFileSystem>(FileSystem::Default())) {
    options_.create_if_missing = true;
    options_.file_system = fs_;
    options_.bg_error_resume_retry_interval_micros = 1000;
    options_.level0_file_num_compaction_trigger = 100;  // compactions only when asked
    options_.seek_compaction = false;                   // nor do reads
    options_.level0_slowdown_writes_trigger = 100;
    options_.level0_stop_writes_trigger = 100;
    dbname_ = dir_.Child("db");
  }
  void Reopen() {
    db_.reset();
    ASSERT_OK(DB::Open(options_, dbname_, &db_));
  }
  void PutRange(int from, int to, const std::string& value) {
    for (int i = from; i < to; i++) ASSERT_OK(db_->Put(WriteOptions(), Key(i), value));
  }
  void CheckRange(int from, int to, const std::string& value) {
    for (int i = from; i < to; i++) ASSERT_EQ(value, GetString(db_.get(), Key(i))) << i;
  }
  std::string BackgroundError() {
    std::string v;
    EXPECT_TRUE(db_->GetProperty("strata.background-error", &v));
    return v;
  }
  std::string Stats() {
    std::string v;
    EXPECT_TRUE(db_->GetProperty("strata.stats", &v));
    return v;
  }

  test::TempDir dir_;
  std::shared_ptr<FaultInjectionFileSystem> fs_;
  Options options_;
  std::string dbname_;
  std::unique_ptr<DB> db_;
};

TEST_F(ResumeTest, FullDiskDuringFlushResumesByItselfOnceSpaceFrees) {
  Reopen();
  PutRange(0, 500, "a");
  fs_->FailNthWrite(1, ErrorKind::kENOSPC, /*sticky=*/true, ".sst");
  Status s = db_->Flush();
  ASSERT_TRUE(s.IsNoSpace()) << s.ToString();
  s = db_->Put(WriteOptions(), "x", "y");
  EXPECT_TRUE(s.IsNoSpace()) << s.ToString();
  CheckRange(0, 500, "a");  // reads go on
  EXPECT_EQ(std::string::npos, Stats().find("(disk full 0)")) << Stats();
  EXPECT_NE(std::string::npos, BackgroundError().find("resuming automatically"))
      << BackgroundError();

  fs_->ClearFaults();  // space is freed
  ASSERT_TRUE(WaitUntil([&] { return BackgroundError() == "OK"; })) << BackgroundError();
  ASSERT_OK(db_->Put(WriteOptions(), "x", "y"));
  PutRange(500, 600, "b");
  ASSERT_OK(db_->Flush());
  EXPECT_EQ(0u, test::IntProperty(db_.get(), "strata.num-immutable-mem-table"));
  // At least one full-disk error (more if a resume came before the space was freed).
  EXPECT_EQ(std::string::npos, Stats().find("(disk full 0)")) << Stats();
  EXPECT_NE(std::string::npos, Stats().find("(disk full ")) << Stats();
  EXPECT_EQ(std::string::npos, Stats().find("(automatic 0)")) << Stats();
  CheckRange(0, 500, "a");
  CheckRange(500, 600, "b");
  Reopen();
  CheckRange(0, 500, "a");
  CheckRange(500, 600, "b");
  EXPECT_EQ("y", GetString(db_.get(), "x"));
}

// The MANIFEST still takes an edit but tables do not: each automatic resume writes the edit,
// fails to flush, and leaves writes stopped. Were the error cleared after the edit alone,
// writes let through would pile up in memtables that cannot be flushed.
TEST_F(ResumeTest, AResumeThatCannotFlushKeepsWritesStopped) {
  Reopen();
  PutRange(0, 300, "a");
  fs_->FailAlways(OpKind::kAppend, ErrorKind::kENOSPC, ".sst");
  ASSERT_TRUE(db_->Flush().IsNoSpace());
  // Several automatic resumes, each failing at the flush; between them the error never
  // reads OK and writes stay refused.
  for (int i = 0; Stats().find("failed resume attempts: 3") == std::string::npos; i++) {
    ASSERT_LT(i, 100000) << Stats();
    ASSERT_NE("OK", BackgroundError());
    ASSERT_TRUE(db_->Put(WriteOptions(), "x", "y").IsNoSpace());
  }
  EXPECT_NE(std::string::npos, BackgroundError().find("resuming automatically"))
      << BackgroundError();
  EXPECT_NE(std::string::npos, Stats().find("resumes: 0 (automatic 0)")) << Stats();
  // A requested resume meets the same full disk and says so.
  EXPECT_TRUE(db_->Resume().IsNoSpace());

  fs_->ClearFaults();
  ASSERT_TRUE(WaitUntil([&] { return BackgroundError() == "OK"; })) << BackgroundError();
  EXPECT_EQ(0u, test::IntProperty(db_.get(), "strata.num-immutable-mem-table"));
  ASSERT_OK(db_->Put(WriteOptions(), "x", "y"));
  PutRange(300, 400, "b");
  CheckRange(0, 300, "a");
  Reopen();
  CheckRange(0, 300, "a");
  CheckRange(300, 400, "b");
  EXPECT_EQ("y", GetString(db_.get(), "x"));
}

TEST_F(ResumeTest, FullDiskEverywhereButTheLogRetriesUntilSpaceFrees) {
  Reopen();
  PutRange(0, 300, "a");
  // Tables and the MANIFEST are refused: every resume attempt fails, with backoff.
  fs_->FailAlways(OpKind::kAppend, ErrorKind::kENOSPC, ".sst");
  fs_->FailAlways(OpKind::kAppend, ErrorKind::kENOSPC, "MANIFEST");
  fs_->FailAlways(OpKind::kOpen, ErrorKind::kENOSPC, "MANIFEST");
  ASSERT_TRUE(db_->Flush().IsNoSpace());
  ASSERT_TRUE(WaitUntil([&] {
    return Stats().find("failed resume attempts: 2") != std::string::npos;
  })) << Stats();
  EXPECT_TRUE(db_->Put(WriteOptions(), "x", "y").IsNoSpace());
  fs_->ClearFaults();
  ASSERT_TRUE(WaitUntil([&] { return BackgroundError() == "OK"; })) << BackgroundError();
  ASSERT_OK(db_->Flush());
  PutRange(300, 400, "b");
  CheckRange(0, 300, "a");
  Reopen();
  CheckRange(0, 300, "a");
  CheckRange(300, 400, "b");
}

TEST_F(ResumeTest, OtherIOErrorsWaitForAnExplicitResume) {
  Reopen();
  PutRange(0, 200, "a");
  fs_->FailNth(OpKind::kAppend, 1, ErrorKind::kEIO, ".sst");
  Status s = db_->Flush();
  ASSERT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_FALSE(s.IsNoSpace()) << s.ToString();
  EXPECT_NE(std::string::npos, BackgroundError().find("until Resume() or reopen"))
      << BackgroundError();
  EXPECT_TRUE(db_->Put(WriteOptions(), "x", "y").IsIOError());
  ASSERT_OK(db_->Resume());
  EXPECT_EQ("OK", BackgroundError());
  ASSERT_OK(db_->Put(WriteOptions(), "x", "y"));
  ASSERT_OK(db_->Flush());
  EXPECT_OK(db_->Resume());  // nothing to resume
  EXPECT_NE(std::string::npos, Stats().find("resumes: 1 (automatic 0)")) << Stats();
  Reopen();
  CheckRange(0, 200, "a");
  EXPECT_EQ("y", GetString(db_.get(), "x"));
}

// A failed log write that may have left part of its record in the log (here a full disk
// took half of it) may have lost acknowledged data: only a reopen continues.
TEST_F(ResumeTest, FailedLogWriteStaysFatalUntilReopen) {
  Reopen();
  PutRange(0, 100, "a");
  fs_->SetTornAppends(true);
  fs_->FailNth(OpKind::kAppend, 1, ErrorKind::kENOSPC, ".log");
  ASSERT_TRUE(db_->Put(WriteOptions(), "x", "y").IsNoSpace());
  fs_->SetTornAppends(false);
  Status r = db_->Resume();
  EXPECT_TRUE(r.IsNoSpace()) << r.ToString();
  EXPECT_FALSE(db_->Put(WriteOptions(), "z", "z").ok());
  EXPECT_NE(std::string::npos, BackgroundError().find("reopen")) << BackgroundError();
  Reopen();
  CheckRange(0, 100, "a");
  ASSERT_OK(db_->Put(WriteOptions(), "z", "z"));
}

// A compaction whose MANIFEST sync "fails" after the edit reached the MANIFEST: the state on
// disk names the compaction's outputs and not its inputs, the state in memory the reverse.
// Resuming must write a fresh MANIFEST from memory (and point CURRENT at it) before it deletes
// the outputs as unused; deleting them first would leave CURRENT naming missing tables.
TEST_F(ResumeTest, ResumeWritesAFreshManifestBeforeDeletingAnything) {
  Reopen();
  PutRange(0, 1000, "a");
  ASSERT_OK(db_->Flush());
  PutRange(0, 1000, "b");
  ASSERT_OK(db_->Flush());
  const auto manifests_before = FilesOfType(dbname_, FileType::kManifest);
  fs_->SetFaultsTakeEffect(true);
  fs_->FailNth(OpKind::kSync, 1, ErrorKind::kEIO, "MANIFEST");
  Status s = db_->CompactRange(nullptr, nullptr);
  ASSERT_TRUE(s.IsIOError()) << s.ToString();
  fs_->SetFaultsTakeEffect(false);
  ASSERT_OK(db_->Resume());
  const auto manifests_after = FilesOfType(dbname_, FileType::kManifest);
  ASSERT_FALSE(manifests_after.empty());
  EXPECT_NE(manifests_before.back(), manifests_after.back()) << "no fresh MANIFEST";
  CheckRange(0, 1000, "b");
  // Power loss now: only what was synced counts.
  db_.reset();
  ASSERT_OK(fs_->DropUnsyncedData());
  Reopen();
  CheckRange(0, 1000, "b");
  uint64_t live = 0;
  for (int level = 0; level < options_.num_levels; level++) {
    live += test::IntProperty(db_.get(), "strata.num-files-at-level" + std::to_string(level));
  }
  EXPECT_EQ(live, FilesOfType(dbname_, FileType::kTable).size());
}

TEST_F(ResumeTest, DiskFullCyclesLoseNothing) {
  test::DiskFullOptions options;
  options.cycles = 12;
  options.reopen_every = 4;
  const auto start = std::chrono::steady_clock::now();
  test::DiskFullResult r = test::RunDiskFullCycles(dir_.path(), options);
  test::PrintDiskFullResult(
      r, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  EXPECT_EQ(0u, r.violations);
  EXPECT_EQ(12u, r.cycles);
  EXPECT_GE(r.disk_full, 6u) << "the disk rarely filled up: the test is too weak";
  EXPECT_GE(r.resumes, r.disk_full);
}

// A real full file system: a tmpfs of 8 MiB mounted for the test (needs root).
class TmpfsDiskFullTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    if (!tmpfs_.Mount(dir_.path(), 8 << 20, &error)) GTEST_SKIP() << error;
  }
  void TearDown() override { db_.reset(); }  // before the tmpfs is unmounted
  // Fills the disk with a ballast file until only about `leave` bytes are free.
  void Fill(const std::string& name, uint64_t leave) { ASSERT_OK(tmpfs_.Fill(name, leave)); }

  test::TempDir dir_;
  test::SmallTmpfs tmpfs_;
  std::unique_ptr<DB> db_;
};

TEST_F(TmpfsDiskFullTest, WritesResumeOnceSpaceFrees) {
  Options options;
  options.create_if_missing = true;
  options.compression = CompressionType::kNone;
  options.write_buffer_size = 4 << 20;  // only Flush switches memtables
  options.bg_error_resume_retry_interval_micros = 1000;
  const std::string dbname = tmpfs_.Child("db");
  ASSERT_OK(DB::Open(options, dbname, &db_));
  // About 600 KB of log fits; a table of the same size does not.
  Fill("ballast", 900 << 10);
  Random rnd(7);
  std::map<std::string, std::string> acknowledged;
  for (int i = 0; i < 600; i++) {
    std::string value = test::RandomBytes(&rnd, 1000);
    ASSERT_OK(db_->Put(WriteOptions(), Key(i), value));
    acknowledged[Key(i)] = value;
  }
  Status s = db_->Flush();
  ASSERT_TRUE(s.IsNoSpace()) << s.ToString();
  s = db_->Put(WriteOptions(), "x", "y");
  EXPECT_TRUE(s.IsNoSpace()) << s.ToString();
  std::string error;
  ASSERT_TRUE(db_->GetProperty("strata.background-error", &error));
  EXPECT_NE(std::string::npos, error.find("resuming automatically")) << error;

  ASSERT_OK(FileSystem::Default()->RemoveFile(tmpfs_.Child("ballast")));
  ASSERT_TRUE(WaitUntil([&] {
    return db_->GetProperty("strata.background-error", &error) && error == "OK";
  })) << error;
  ASSERT_OK(db_->Put(WriteOptions(), "x", "y"));
  ASSERT_OK(db_->Flush());
  for (const auto& [k, v] : acknowledged) ASSERT_EQ(v, GetString(db_.get(), k)) << k;
  db_.reset();
  ASSERT_OK(DB::Open(options, dbname, &db_));
  for (const auto& [k, v] : acknowledged) ASSERT_EQ(v, GetString(db_.get(), k)) << k;
  EXPECT_EQ("y", GetString(db_.get(), "x"));
}

// A log that cannot grow on a full disk refuses each write whole (NoSpace) and stays as it
// was: no resume or reopen is needed; once space frees up, writes go on, and every
// acknowledged write is kept, before and after a reopen.
TEST_F(TmpfsDiskFullTest, ALogThatCannotGrowRefusesWritesUntilSpaceFrees) {
  Options options;
  options.create_if_missing = true;
  options.compression = CompressionType::kNone;
  options.write_buffer_size = 6 << 20;  // no memtable switch, so no flush, in this test
  const std::string dbname = tmpfs_.Child("db");
  ASSERT_OK(DB::Open(options, dbname, &db_));
  Fill("ballast", 1536 << 10);  // room for one or two more log chunks
  Random rnd(11);
  std::map<std::string, std::string> acknowledged;
  Status refused;
  int i = 0;
  for (; i < 6000 && refused.ok(); i++) {
    std::string value = test::RandomBytes(&rnd, 1000);
    refused = db_->Put(WriteOptions(), Key(i), value);
    if (refused.ok()) acknowledged[Key(i)] = value;
  }
  ASSERT_TRUE(refused.IsNoSpace()) << refused.ToString() << " after " << i << " writes";
  ASSERT_GT(acknowledged.size(), 500u);
  const std::string refused_key = Key(i - 1);
  // Still full: refused again, and no error that needs a resume or a reopen.
  EXPECT_TRUE(db_->Put(WriteOptions(), refused_key, test::RandomBytes(&rnd, 1000)).IsNoSpace());
  std::string error;
  ASSERT_TRUE(db_->GetProperty("strata.background-error", &error));
  EXPECT_EQ("OK", error);
  EXPECT_EQ("NOT_FOUND", GetString(db_.get(), refused_key));

  ASSERT_OK(FileSystem::Default()->RemoveFile(tmpfs_.Child("ballast")));
  for (int j = 0; j < 1000; j++) {
    std::string value = test::RandomBytes(&rnd, 1000);
    ASSERT_OK(db_->Put(WriteOptions(), Key(i + j), value));
    acknowledged[Key(i + j)] = value;
  }
  for (const auto& [k, v] : acknowledged) ASSERT_EQ(v, GetString(db_.get(), k)) << k;
  db_.reset();
  ASSERT_OK(DB::Open(options, dbname, &db_));
  for (const auto& [k, v] : acknowledged) ASSERT_EQ(v, GetString(db_.get(), k)) << k;
  EXPECT_EQ("NOT_FOUND", GetString(db_.get(), refused_key));
}

}  // namespace
}  // namespace strata
