// The failing-file-system battery (tests/support/fault_battery.h): an I/O error at every
// file operation of a workload that writes, syncs, switches logs, flushes, compacts, rewrites
// the MANIFEST and reopens. Each run must report the error, stop writes, and leave a database
// that opens with every acknowledged write once the cause is gone. Here the modes share the
// positions (each tries every fourth, at its own offset); the long run
// (tests/long/fault_battery_long_test.cc) tries every position in every mode, over several
// workloads.
#include <gtest/gtest.h>

#include "strata/db.h"
#include "support/db_test_util.h"
#include "support/fault_battery.h"
#include "support/fault_injection_fs.h"
#include "support/no_sync_fs.h"
#include "support/test_util.h"

namespace strata::test {
namespace {

FaultBatteryResult RunBattery(FaultMode mode, uint64_t first, uint64_t stride,
                              bool automatic_compaction = false) {
  TempDir dir;
  FaultBatteryOptions options;
  options.mode = mode;
  options.first = first;
  options.stride = stride;
  options.automatic_compaction = automatic_compaction;
  FaultBatteryResult r = RunFaultBattery(dir.path(), options);
  PrintFaultBatteryResult(options, r);
  EXPECT_GT(r.operations, mode == FaultMode::kCloseFails ? 10u : 300u);
  // Background work moves the count from run to run: a few positions fall past the end of
  // the workload (more with background compactions).
  EXPECT_GE(r.fired * 10, (r.runs - r.past_end) * 9);
  return r;
}

// The modes of failing changes share the positions: each tries every fourth, from 1, 2 and 3;
// the run with background compactions (whose positions shift a little from run to run)
// takes every eighth from 4.
TEST(FaultBatteryTest, EioOnce) { RunBattery(FaultMode::kEioOnce, 1, 4); }
TEST(FaultBatteryTest, EnospcUntilCleared) {
  FaultBatteryResult r = RunBattery(FaultMode::kEnospcUntilCleared, 2, 4);
  EXPECT_EQ(0u, r.absorbed) << "a full disk cannot go unnoticed";
}
TEST(FaultBatteryTest, EioAfterTheChange) { RunBattery(FaultMode::kEioAfterTheChange, 3, 4); }
TEST(FaultBatteryTest, CloseFailsAtEveryClose) { RunBattery(FaultMode::kCloseFails, 1, 1); }
TEST(FaultBatteryTest, EioOnceWithBackgroundCompactions) {
  RunBattery(FaultMode::kEioOnce, 4, 8, /*automatic_compaction=*/true);
}

// Creating a database writes MANIFEST-000001, then renames a temporary file to CURRENT. An
// error anywhere there fails the Open; when the rename happens but reports an error (its
// directory sync failed), CURRENT may name the MANIFEST, so the MANIFEST must stay. Either
// way the next Open must find (or create) a working database.
TEST(FaultBatteryTest, FailedCreationLeavesADirectoryThatOpens) {
  for (OpKind kind : {OpKind::kOpen, OpKind::kAppend, OpKind::kSync, OpKind::kRename}) {
    for (bool take_effect : {false, true}) {
      SCOPED_TRACE(std::string(OpKindName(kind)) + (take_effect ? " after the change" : ""));
      TempDir dir;
      auto fs = std::make_shared<FaultInjectionFileSystem>(NewNoSyncFileSystem());
      Options options;
      options.create_if_missing = true;
      options.file_system = fs;
      const std::string dbname = dir.Child("db");
      // The creation's files: MANIFEST-000001, then the temporary file renamed to CURRENT.
      fs->SetFaultsTakeEffect(take_effect);
      fs->FailAlways(kind, ErrorKind::kEIO, kind == OpKind::kRename ? "CURRENT" : "MANIFEST");
      std::unique_ptr<DB> db;
      Status s = DB::Open(options, dbname, &db);
      EXPECT_TRUE(s.IsIOError()) << s.ToString();
      EXPECT_NE(std::string::npos, s.ToString().find("(injected)")) << s.ToString();
      fs->ClearFaults();
      fs->SetFaultsTakeEffect(false);
      s = DB::Open(options, dbname, &db);
      ASSERT_TRUE(s.ok()) << s.ToString();
      ASSERT_OK(db->Put(WriteOptions(), "k", "v"));
      db.reset();
      ASSERT_OK(DB::Open(options, dbname, &db));
      EXPECT_EQ("v", GetString(db.get(), "k"));
    }
  }
}

}  // namespace
}  // namespace strata::test
