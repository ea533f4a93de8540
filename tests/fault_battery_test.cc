// I/O errors (EIO, ENOSPC) while a database is written, flushed, compacted and reopened:
// each must be reported, and the database must open again with every acknowledged write
// once the cause is gone.
#include <gtest/gtest.h>

#include "strata/db.h"
#include "support/db_test_util.h"
#include "support/fault_injection_fs.h"
#include "support/no_sync_fs.h"
#include "support/test_util.h"

namespace strata::test {
namespace {

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
