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

// The exhaustive mode for a small workload: a machine death at every changing file operation
// (the operation itself reaching the disk or not), and for each, every combination of the
// candidate fates of the files that could lose something (synced part only, everything, a
// torn half with a garbage sector, everything with a zeroed last sector, entry lost). Each
// state is opened on a copy of the directory.
struct ExhaustiveResult {
  uint64_t crash_points = 0;
  uint64_t states = 0;
  uint64_t distinct = 0;
  uint64_t violations = 0;
};

ExhaustiveResult RunExhaustive(const std::string& dir, int writes, uint64_t max_states_per_point) {
  ExhaustiveResult result;
  std::set<uint64_t> seen;
  auto plain = NewNoSyncFileSystem();  // the checks need no durability, only speed
  Options plain_options;
  plain_options.file_system = plain;
  Options options;
  options.create_if_missing = true;
  options.write_buffer_size = 64 << 10;
  options.level0_file_num_compaction_trigger = 2;
  options.num_levels = 3;
  for (int persist : {0, 100}) {
    for (uint64_t crash_at = 1;; crash_at++) {
      const std::string dbname = dir + "/db";
      auto fs = std::make_shared<FaultInjectionFileSystem>(NewNoSyncFileSystem());
      fs->SetCrashOpPersistence(persist, crash_at);
      Options o = options;
      o.file_system = fs;
      std::unique_ptr<DB> db;
      EXPECT_OK(DB::Open(o, dbname, &db));
      if (!db) return result;
      fs->ResetCounts();
      fs->DeactivateAtWrite(crash_at);
      WriteModel model;
      model.set_in_flight_may_survive(true);
      Random rnd(crash_at);
      for (int i = 0; i < writes && fs->IsFilesystemActive(); i++) {
        ModelBatch batch;
        batch.Put(NumberKey(i % 23, 4), std::to_string(i) + RandomBytes(&rnd, 3000));
        WriteBatch wb = batch.ToWriteBatch();
        WriteOptions wo;
        wo.sync = i % 5 == 4;
        Status s = db->Write(wo, &wb);
        model.Record(std::move(batch), s.ok());
        if (s.ok() && wo.sync) model.MarkDurable();
        if (s.ok() && i % 11 == 10) {
          s = db->Flush();
          if (s.ok()) model.MarkDurable();
        }
      }
      const bool crashed = !fs->IsFilesystemActive();
      fs->SetFilesystemActive(false);
      db.reset();
      if (!crashed) {
        EXPECT_OK(DestroyDB(dbname, plain_options));
        break;  // past the last changing operation of the workload
      }
      result.crash_points++;
      const std::vector<UnsyncedFile> files = fs->UnsyncedFiles();
      const std::string scratch = dir + "/state";
      ForEachCrashState(files, max_states_per_point, [&](const std::vector<FileFate>& fates) {
        result.states++;
        EXPECT_OK(DestroyDB(scratch, plain_options));
        EXPECT_OK(CopyDir(plain.get(), dbname, scratch));
        std::string what;
        for (size_t i = 0; i < files.size(); i++) {
          const std::string name = files[i].path.substr(files[i].path.rfind('/') + 1);
          EXPECT_OK(ApplyFileFate(plain.get(), scratch + "/" + name, files[i], fates[i],
                                  crash_at * 1000 + i));
          what += " " + name + ": " + DescribeFate(files[i], fates[i]) + ";";
        }
        if (!seen.insert(HashDir(plain.get(), scratch)).second) return true;
        result.distinct++;
        const std::string where = "crash at change " + std::to_string(crash_at) +
                                  (persist ? " (it reached the disk)" : "") + ", state" + what;
        std::unique_ptr<DB> recovered;
        Status s = DB::Open(plain_options, scratch, &recovered);
        KVMap state;
        if (s.ok()) s = ScanAll(recovered.get(), &state);
        size_t k = 0;
        ::testing::AssertionResult prefix =
            s.ok() ? model.IsDurablePrefix(state, &k) : ::testing::AssertionFailure();
        if (!s.ok() || !prefix) {
          ADD_FAILURE() << where << ": " << s.ToString() << " " << prefix.message();
          result.violations++;
          return false;
        }
        return true;
      });
      EXPECT_OK(DestroyDB(scratch, plain_options));
      EXPECT_OK(fs->DropUnsyncedData());
      EXPECT_OK(DestroyDB(dbname, plain_options));
      if (result.violations > 0) return result;
    }
  }
  result.distinct = seen.size();
  return result;
}

TEST(TornPowerLossTest, EveryCrashStateOfASmallWorkloadRecovers) {
  TempDir dir;
  const auto start = std::chrono::steady_clock::now();
  ExhaustiveResult r = RunExhaustive(dir.path(), 12, 32);
  std::printf("exhaustive: %llu crash points, %llu states, %llu distinct, %llu violations (%.1f s)\n",
              static_cast<unsigned long long>(r.crash_points),
              static_cast<unsigned long long>(r.states),
              static_cast<unsigned long long>(r.distinct),
              static_cast<unsigned long long>(r.violations),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
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
