// Power loss at every step of a flush and of a recovery, with the fault-injecting file
// system: the machine "dies" at the n-th changing file operation (table written but not
// synced, synced but not in the MANIFEST, in the MANIFEST but the old log not yet deleted,
// CURRENT swap interrupted, ...), unsynced data is dropped, and the database is reopened.
// Every synced write must be there exactly once, and leftover files must be cleaned up.
#include <set>

#include "strata/db.h"
#include "support/db_test_util.h"
#include "support/fault_injection_fs.h"
#include "support/test_util.h"
#include "version/filename.h"

namespace strata {
namespace {

using test::FaultInjectionFileSystem;
using test::FilesOfType;
using test::GetString;

std::string Key(int i) { return test::NumberKey(i, 8); }
std::string Value(int i, int generation) {
  return "v" + std::to_string(generation) + "-" + std::to_string(i) + std::string(50, 'x');
}

class FlushCrashTest : public testing::Test {
 protected:
  FlushCrashTest() {
    options_.create_if_missing = true;
    // The orphan check counts files: no compaction may be writing one (reads would start
    // seek compactions).
    options_.seek_compaction = false;
    options_.file_system = fs_;
  }

  // Kills the machine: nothing more reaches the disk, the DB object goes away, unsynced
  // data is lost, and the disk works again for the next Open.
  void PowerLoss(std::unique_ptr<DB>* db) {
    fs_->SetFilesystemActive(false);
    db->reset();
    ASSERT_OK(fs_->DropUnsyncedData());
    fs_->SetFilesystemActive(true);
  }

  // After a clean reopen: every key of the expected generation is there; the live files are
  // exactly what the database needs.
  void Verify(const std::string& dbname, int n, const std::vector<int>& generation) {
    std::unique_ptr<DB> db;
    ASSERT_OK(DB::Open(options_, dbname, &db));
    for (int i = 0; i < n; i++) {
      ASSERT_EQ(Value(i, generation[i]), GetString(db.get(), Key(i))) << "key " << i;
    }
    // Nothing duplicated: every entry is in exactly one table once flushed.
    ASSERT_OK(db->Flush());
    EXPECT_EQ(expected_entries_, test::IntProperty(db.get(), "strata.num-entries-in-tables"));
    EXPECT_TRUE(FilesOfType(dbname, FileType::kTemp).empty());
    EXPECT_EQ(1u, FilesOfType(dbname, FileType::kManifest).size());
    EXPECT_EQ(1u, FilesOfType(dbname, FileType::kLog).size());
    EXPECT_EQ(test::IntProperty(db.get(), "strata.num-files-at-level0"),
              FilesOfType(dbname, FileType::kTable).size())
        << "orphan table files left behind";
  }

  test::TempDir dir_;
  std::shared_ptr<FaultInjectionFileSystem> fs_ =
      std::make_shared<FaultInjectionFileSystem>(FileSystem::Default());
  Options options_;
  uint64_t expected_entries_ = 0;
};

TEST_F(FlushCrashTest, PowerLossAtEveryStepOfAFlush) {
  const int n = 300;
  int steps = 0;
  for (uint64_t crash_at = 1;; crash_at++) {
    const std::string dbname = dir_.Child("db" + std::to_string(crash_at));
    std::unique_ptr<DB> db;
    ASSERT_OK(DB::Open(options_, dbname, &db));
    // Generation 1 is flushed to a table first, so the crash also hits a database that
    // already has tables; generation 2 overwrites half the keys and is synced.
    std::vector<int> generation(n, 1);
    for (int i = 0; i < n; i++) ASSERT_OK(db->Put(WriteOptions(), Key(i), Value(i, 1)));
    ASSERT_OK(db->Flush());
    for (int i = 0; i < n; i += 2) {
      ASSERT_OK(db->Put(WriteOptions(), Key(i), Value(i, 2)));
      generation[i] = 2;
    }
    ASSERT_OK(db->SyncWAL());

    fs_->DeactivateAtWrite(crash_at);
    Status s = db->Flush();
    const bool crashed = !fs_->IsFilesystemActive();
    if (!crashed) ASSERT_OK(s);
    PowerLoss(&db);
    expected_entries_ = n + n / 2;
    Verify(dbname, n, generation);
    if (HasFatalFailure()) return;
    steps++;
    if (!crashed) break;  // the flush finished before the n-th write: every step is covered
  }
  // A flush makes several changes: table create/append/sync, MANIFEST append/sync, log
  // switch, log removal. Make sure the loop really walked through them.
  EXPECT_GE(steps, 6);
}

TEST_F(FlushCrashTest, PowerLossAtEveryStepOfRecovery) {
  const int n = 200;
  int steps = 0;
  for (uint64_t crash_at = 1;; crash_at++) {
    const std::string dbname = dir_.Child("db" + std::to_string(crash_at));
    std::unique_ptr<DB> db;
    ASSERT_OK(DB::Open(options_, dbname, &db));
    std::vector<int> generation(n, 1);
    for (int i = 0; i < n; i++) ASSERT_OK(db->Put(WriteOptions(), Key(i), Value(i, 1)));
    ASSERT_OK(db->Flush());
    for (int i = 0; i < n; i += 3) {
      ASSERT_OK(db->Put(WriteOptions(), Key(i), Value(i, 2)));
      generation[i] = 2;
    }
    ASSERT_OK(db->SyncWAL());
    db.reset();  // a clean close: the log still holds generation 2

    // The Open replays the log, writes a table, a new MANIFEST, switches CURRENT and
    // deletes the old files; die somewhere in there.
    fs_->DeactivateAtWrite(crash_at);
    Status s = DB::Open(options_, dbname, &db);
    const bool crashed = !fs_->IsFilesystemActive();
    if (!crashed) ASSERT_OK(s);
    PowerLoss(&db);
    expected_entries_ = n + (n + 2) / 3;
    Verify(dbname, n, generation);
    if (HasFatalFailure()) return;
    steps++;
    if (!crashed) break;
  }
  EXPECT_GE(steps, 6);
}

}  // namespace
}  // namespace strata
