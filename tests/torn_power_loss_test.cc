// Power loss that tears and reorders (support/crash_states.h), and fsync failures treated as
// Linux treats them (the dirty data may be gone, a later fsync may still succeed). The
// promise is the one of plain power loss: every synced write survives, the state is a prefix
// of the acknowledged writes, and Open succeeds in the default recovery mode.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <set>

#include "strata/db.h"
#include "support/crash_states.h"
#include "support/db_test_util.h"
#include "support/exhaustive_crash_states.h"
#include "support/fault_injection_fs.h"
#include "support/no_sync_fs.h"
#include "support/power_loss_workload.h"
#include "support/test_util.h"
#include "support/write_model.h"

namespace strata::test {
namespace {

// Random torn and reordered states at cuts inside writes, flushes, compactions and MANIFEST
// writes; the long run (tests/long/torn_power_loss_long_test.cc) makes many more.
TEST(TornPowerLossTest, RecoveredStateIsADurablePrefixOfTheAcknowledgedWrites) {
  TempDir dir;
  PowerLossOptions options;
  options.cuts = 60;
  options.torn = true;
  options.seed = 7;
  const auto start = std::chrono::steady_clock::now();
  PowerLossResult r = RunPowerLossCycles(dir.path(), options);
  PrintPowerLossResult(
      r, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  EXPECT_EQ(0u, r.violations);
  EXPECT_EQ(60u, r.cuts);
  EXPECT_GT(r.torn_files, 20u) << "few files were torn: the test is too weak";
  EXPECT_GT(r.kept_entries, 5u);
  EXPECT_GT(r.beyond_durable, 0u);
}

TEST(TornPowerLossTest, EveryCrashStateOfASmallWorkloadRecovers) {
  TempDir dir;
  const auto start = std::chrono::steady_clock::now();
  ExhaustiveCrashResult r = RunExhaustiveCrashStates(dir.path(), 12, 32);
  PrintExhaustiveCrashResult(
      r, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  EXPECT_EQ(0u, r.violations);
  EXPECT_GT(r.crash_points, 30u);
  EXPECT_GT(r.distinct, r.crash_points);
}

// --- A failed fsync, as Linux has it: the dirty data may be dropped, and a later fsync of
// the same file may report success. The engine must never acknowledge a write after a
// failed log sync (nor retry the sync and then acknowledge), and must never trust a MANIFEST
// or table whose sync failed.

class FailedSyncTest : public testing::Test {
 protected:
  FailedSyncTest() : fs_(std::make_shared<FaultInjectionFileSystem>(NewNoSyncFileSystem())) {
    fs_->SetDropDataOnFailedSync(true);
    options_.create_if_missing = true;
    options_.file_system = fs_;
    options_.max_bg_error_resume_count = 0;  // the tests resume explicitly
    dbname_ = dir_.Child("db");
  }
  void PowerLossAndReopen() {
    fs_->SetFilesystemActive(false);
    db_.reset();
    ASSERT_OK(fs_->DropUnsyncedData());
    fs_->SetFilesystemActive(true);
    ASSERT_OK(DB::Open(options_, dbname_, &db_));
  }
  void Write(int i, bool sync, bool expect_ok) {
    ModelBatch batch;
    batch.Put(NumberKey(i, 6), "v" + std::to_string(i) + std::string(300, 'x'));
    WriteBatch wb = batch.ToWriteBatch();
    WriteOptions wo;
    wo.sync = sync;
    Status s = db_->Write(wo, &wb);
    model_.Record(std::move(batch), s.ok());
    if (s.ok() && sync) model_.MarkDurable();
    EXPECT_EQ(expect_ok, s.ok()) << "write " << i << ": " << s.ToString();
  }
  void CheckPrefix() {
    KVMap state;
    ASSERT_OK(ScanAll(db_.get(), &state));
    size_t k = 0;
    EXPECT_TRUE(model_.IsDurablePrefix(state, &k));
    model_ = WriteModel(state);  // later writes build on what survived
  }

  TempDir dir_;
  std::shared_ptr<FaultInjectionFileSystem> fs_;
  Options options_;
  std::string dbname_;
  std::unique_ptr<DB> db_;
  WriteModel model_;
};

TEST_F(FailedSyncTest, NoWriteIsAcknowledgedAfterAFailedLogSync) {
  ASSERT_OK(DB::Open(options_, dbname_, &db_));
  for (int i = 0; i < 50; i++) Write(i, i % 10 == 9, true);
  fs_->FailNth(OpKind::kSync, 1, ErrorKind::kEIO, ".log");
  Write(50, true, false);  // its sync fails: the unsynced tail may be gone
  // A later sync would succeed, but whatever it covered was dropped: nothing more may be
  // acknowledged, synced or not.
  for (int i = 51; i < 60; i++) Write(i, i % 2 == 0, false);
  EXPECT_FALSE(db_->SyncWAL().ok());
  EXPECT_FALSE(db_->Flush().ok());
  PowerLossAndReopen();
  CheckPrefix();
  for (int i = 0; i < 50; i += 10) EXPECT_NE("NOT_FOUND", GetString(db_.get(), NumberKey(i, 6)));
  ASSERT_OK(db_->Put(WriteOptions(), "after", "reopen"));
}

TEST_F(FailedSyncTest, AFailedManifestOrTableSyncIsNeverTrusted) {
  ASSERT_OK(DB::Open(options_, dbname_, &db_));
  int i = 0;
  for (const char* what : {"MANIFEST", ".sst"}) {
    for (int j = 0; j < 100; j++, i++) Write(i, j == 99, true);
    fs_->FailNth(OpKind::kSync, 1, ErrorKind::kEIO, what);
    Status s = db_->Flush();
    EXPECT_TRUE(s.IsIOError()) << what << ": " << s.ToString();
    ASSERT_OK(db_->Resume());
    ASSERT_OK(db_->Flush());
    model_.MarkDurable();
    for (int j = 0; j < 20; j++, i++) Write(i, false, true);
    PowerLossAndReopen();
    CheckPrefix();
  }
}

}  // namespace
}  // namespace strata::test
