// Power loss with the fault-injecting file system: the machine dies at a chosen file
// operation, everything not synced is dropped (file data, and files whose directory entry
// was never made durable), and the database is reopened in the default recovery mode.
#include <gtest/gtest.h>

#include <memory>

#include "strata/db.h"
#include "support/db_test_util.h"
#include "support/fault_injection_fs.h"
#include "support/no_sync_fs.h"
#include "support/test_util.h"

namespace strata::test {
namespace {

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
