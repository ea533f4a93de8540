// Power loss with the fault-injecting file system: the machine dies at a chosen file
// operation, everything not synced is dropped (file data, and files whose directory entry
// was never made durable), and the database is reopened in the default recovery mode.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "strata/db.h"
#include "support/db_test_util.h"
#include "support/fault_injection_fs.h"
#include "support/no_sync_fs.h"
#include "support/power_loss_workload.h"
#include "support/test_util.h"

namespace strata::test {
namespace {

// Power cuts at random points of workloads with flushes and compactions running (see
// tests/support/power_loss_workload.h); the long run (tests/long/power_loss_long_test.cc)
// makes many more.
TEST(PowerLossTest, RecoveredStateIsADurablePrefixOfTheAcknowledgedWrites) {
  TempDir dir;
  PowerLossOptions options;
  options.cuts = 100;
  const auto start = std::chrono::steady_clock::now();
  PowerLossResult r = RunPowerLossCycles(dir.path(), options);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  PrintPowerLossResult(r, seconds);
  EXPECT_EQ(0u, r.violations);
  EXPECT_EQ(static_cast<uint64_t>(options.cuts), r.cuts);
  // The cuts must really land inside the background work, not only between writes.
  uint64_t in_tables = 0, in_manifest = 0;
  for (const auto& [where, count] : r.landed) {
    if (where.ends_with(" table")) in_tables += count;
    if (where.ends_with(" MANIFEST")) in_manifest += count;
  }
  EXPECT_GE(in_tables, 5u);
  EXPECT_GE(in_manifest, 3u);
  EXPECT_GE(r.recovery_cuts, 3u);
  EXPECT_GT(r.beyond_durable, 0u) << "no unsynced write ever survived: the check is too weak";
  EXPECT_LT(r.durable, r.acknowledged) << "every write was synced: nothing could be lost";
}

// Creating a database writes MANIFEST-000001, then CURRENT through a temporary file and a
// rename. A power cut anywhere in there (the MANIFEST durable, CURRENT not yet) must leave a
// directory that the next Open creates the database in, not one it refuses as damaged.
TEST(PowerLossTest, PowerLossAtEveryStepOfCreatingADatabase) {
  TempDir dir;
  auto fs = std::make_shared<FaultInjectionFileSystem>(NewNoSyncFileSystem());
  Options options;
  options.create_if_missing = true;
  options.file_system = fs;
  int steps = 0;
  for (uint64_t crash_at = 1;; crash_at++) {
    const std::string dbname = dir.Child("db" + std::to_string(crash_at));
    fs->DeactivateAtWrite(crash_at);
    std::unique_ptr<DB> db;
    Status s = DB::Open(options, dbname, &db);
    const bool crashed = !fs->IsFilesystemActive();
    if (!crashed) ASSERT_OK(s);
    fs->SetFilesystemActive(false);
    db.reset();
    ASSERT_OK(fs->DropUnsyncedData());
    fs->SetFilesystemActive(true);

    s = DB::Open(options, dbname, &db);
    ASSERT_TRUE(s.ok()) << "power cut at change " << crash_at << ": " << s.ToString();
    ASSERT_OK(db->Put(WriteOptions(), "k", "v"));
    db.reset();
    ASSERT_OK(DB::Open(options, dbname, &db));
    EXPECT_EQ("v", GetString(db.get(), "k"));
    steps++;
    if (!crashed) break;
  }
  EXPECT_GE(steps, 5);
}

}  // namespace
}  // namespace strata::test
