// Databases shared between real processes, and the permissions of the files they create.
//
// The second process is this test executable started again (fork + exec) with a role in its
// environment: a fresh address space, so only the LOCK file's flock can refuse it — unlike a
// plain fork, whose child inherits the parent's process-wide set of locked paths.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <thread>

#include "strata/db.h"
#include "strata/file_system.h"
#include "support/child_process.h"
#include "support/db_test_util.h"
#include "support/test_util.h"

namespace strata {
namespace {

using test::AckChild;
using test::GetString;

constexpr char kRoleEnv[] = "STRATA_MULTI_PROCESS_ROLE";
constexpr char kDbEnv[] = "STRATA_MULTI_PROCESS_DB";

// What the second process acknowledges after each attempt to open.
enum OpenOutcome : uint64_t {
  kBusyNamingLock = 1,
  kBusyOtherText = 2,
  kOpened = 3,
  kOtherError = 4,
};
// What a holding second process acknowledges once it owns the database.
constexpr uint64_t kHolding = 10;
constexpr int kAttempts = 20;

void Ack(uint64_t v) {
  if (write(AckChild::kAckFd, &v, sizeof v) != sizeof v) _exit(5);
}

Options DbOptions() {
  Options o;
  o.create_if_missing = true;
  o.write_buffer_size = 64 << 10;  // tables and compactions while the other process tries
  o.level0_file_num_compaction_trigger = 2;
  return o;
}

// The second process's roles. "try-open": open the database kAttempts times, acknowledging
// each outcome. "hold": open it, write a key, acknowledge kHolding and wait to be killed.
int RunRole(const std::string& role, const std::string& db) {
  if (role == "try-open") {
    for (int i = 0; i < kAttempts; i++) {
      std::unique_ptr<DB> opened;
      Status s = DB::Open(DbOptions(), db, &opened);
      if (i == 0) std::fprintf(stderr, "second process, Open: %s\n", s.ToString().c_str());
      if (s.IsBusy()) {
        Ack(s.ToString().find(db + "/LOCK") != std::string::npos ? kBusyNamingLock
                                                                 : kBusyOtherText);
      } else {
        Ack(s.ok() ? kOpened : kOtherError);
      }
    }
    return 0;
  }
  if (role == "hold") {
    std::unique_ptr<DB> opened;
    if (!DB::Open(DbOptions(), db, &opened).ok()) return 3;
    WriteOptions sync;
    sync.sync = true;
    if (!opened->Put(sync, "held-by", "second process").ok()) return 4;
    Ack(kHolding);
    for (;;) pause();
  }
  return 2;
}

// Runs a role when this executable was started as the second process. An environment, not a
// test, so that it runs after static initialisation and never shows in test listings.
class SecondProcessRole : public testing::Environment {
 public:
  void SetUp() override {
    const char* role = std::getenv(kRoleEnv);
    const char* db = std::getenv(kDbEnv);
    if (role != nullptr) _exit(RunRole(role, db ? db : ""));
  }
};
[[maybe_unused]] testing::Environment* const kRole =
    testing::AddGlobalTestEnvironment(new SecondProcessRole);

bool StartSecondProcess(AckChild* child, const std::string& role, const std::string& db) {
  std::string error;
  bool ok = child->Exec({"/proc/self/exe"}, &error,
                        {std::string(kRoleEnv) + "=" + role, std::string(kDbEnv) + "=" + db});
  EXPECT_TRUE(ok) << error;
  return ok;
}

std::string Key(int i) { return test::NumberKey(static_cast<uint64_t>(i), 8); }
std::string Value(int i) { return "value-" + std::to_string(i) + std::string(100, 'v'); }

TEST(MultiProcessTest, SecondProcessIsRefusedWhileTheFirstKeepsWriting) {
  test::TempDir dir;
  const std::string dbname = dir.Child("db");
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(DbOptions(), dbname, &db));
  for (int i = 0; i < 2000; i++) ASSERT_OK(db->Put(WriteOptions(), Key(i), Value(i)));
  std::string log_before;
  ASSERT_OK(ReadFileToString(FileSystem::Default().get(), dbname + "/LOG", &log_before));

  // This process writes (flushing and compacting) all the while the other one tries.
  std::atomic<bool> stop{false};
  std::atomic<int> written{2000};
  Status write_status;  // the writer's first error; read after join
  std::thread writer([&] {
    for (int i = 2000; !stop.load(); i++) {
      write_status = db->Put(WriteOptions(), Key(i), Value(i));
      if (!write_status.ok()) return;
      written.store(i + 1);
    }
  });
  AckChild child;
  std::vector<uint64_t> outcomes;
  int status = 0;
  if (StartSecondProcess(&child, "try-open", dbname)) status = child.Wait(&outcomes);
  // Keep writing for a moment after the refusals, then stop.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  const int after_refusals = written.load();
  while (written.load() < after_refusals + 500 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  stop.store(true);
  writer.join();
  ASSERT_OK(write_status);

  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << test::DescribeWaitStatus(status);
  EXPECT_EQ(std::vector<uint64_t>(kAttempts, kBusyNamingLock), outcomes)
      << "1: Busy naming LOCK, 2: Busy without naming it, 3: opened, 4: another error";
  const int n = written.load();
  ASSERT_GT(n, 2500);
  // The refused opener touched nothing: our LOG was not truncated or rewritten.
  std::string log_after;
  ASSERT_OK(ReadFileToString(FileSystem::Default().get(), dbname + "/LOG", &log_after));
  EXPECT_TRUE(log_after.compare(0, log_before.size(), log_before) == 0)
      << "the refused opener rewrote LOG: " << log_after.substr(0, 200);
  for (int i = 0; i < n; i += 7) ASSERT_EQ(Value(i), GetString(db.get(), Key(i))) << i;

  db.reset();
  ASSERT_OK(DB::Open(DbOptions(), dbname, &db));
  std::unique_ptr<Iterator> it = db->NewIterator(ReadOptions());
  int count = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next(), count++) {
    ASSERT_EQ(Key(count), it->key());
    ASSERT_EQ(Value(count), it->value());
  }
  ASSERT_OK(it->status());
  EXPECT_EQ(n, count);
}

TEST(MultiProcessTest, OwnerInAnotherProcessRefusesUsUntilItDies) {
  test::TempDir dir;
  const std::string dbname = dir.Child("db");
  AckChild child;
  ASSERT_TRUE(StartSecondProcess(&child, "hold", dbname));
  std::vector<uint64_t> acks;
  ASSERT_TRUE(child.WaitForAcks(1, std::chrono::seconds(60), &acks));
  ASSERT_EQ(kHolding, acks[0]);

  // This process has never locked the path, so only the other process's flock refuses us.
  std::unique_ptr<DB> db;
  Status s = DB::Open(DbOptions(), dbname, &db);
  EXPECT_TRUE(s.IsBusy()) << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find(dbname + "/LOCK")) << s.ToString();
  EXPECT_EQ(nullptr, db);
  EXPECT_TRUE(DestroyDB(dbname, DbOptions()).IsBusy());

  // The kernel releases the lock with the process.
  const int status = child.KillAfter(std::chrono::milliseconds(0), &acks);
  EXPECT_TRUE(WIFSIGNALED(status)) << test::DescribeWaitStatus(status);
  ASSERT_OK(DB::Open(DbOptions(), dbname, &db));
  EXPECT_EQ("second process", GetString(db.get(), "held-by"));
}

// Files must not be writable by other users whatever the umask: the engine asks for 0644
// (directories 0755) rather than leaving it to the umask.
TEST(FilePermissionsTest, NothingIsWritableByGroupOrOthersEvenWithUmaskZero) {
  test::TempDir dir;
  const std::string dbname = dir.Child("db");
  const mode_t old_umask = umask(0);
  {
    std::unique_ptr<DB> db;
    Status s = DB::Open(DbOptions(), dbname, &db);
    if (s.ok()) {
      for (int i = 0; i < 3000 && s.ok(); i++) s = db->Put(WriteOptions(), Key(i), Value(i));
      if (s.ok()) s = db->Flush();
      if (s.ok()) s = db->CompactRange(nullptr, nullptr);
      if (s.ok()) s = db->Put(WriteOptions(), "after", "compaction");  // a live log
    }
    db.reset();
    // A reopen writes a fresh MANIFEST and CURRENT and replays the log into a table.
    if (s.ok()) s = DB::Open(DbOptions(), dbname, &db);
    umask(old_umask);
    ASSERT_OK(s);
  }

  std::vector<std::string> names;
  ASSERT_OK(FileSystem::Default()->GetChildren(dbname, &names));
  std::map<FileType, int> kinds;
  for (const std::string& name : names) {
    if (name == "." || name == "..") continue;
    struct stat st;
    ASSERT_EQ(0, ::stat((dbname + "/" + name).c_str(), &st)) << name;
    EXPECT_EQ(0u, st.st_mode & (S_IWOTH | S_IWGRP))
        << name << " has mode " << std::oct << (st.st_mode & 07777);
    uint64_t number;
    FileType type;
    if (ParseFileName(name, &number, &type)) kinds[type]++;
  }
  // Every kind of file was looked at.
  for (FileType t : {FileType::kLog, FileType::kLock, FileType::kTable, FileType::kManifest,
                     FileType::kCurrent, FileType::kInfoLog}) {
    EXPECT_GT(kinds[t], 0) << "no file of type " << static_cast<int>(t);
  }
  struct stat st;
  ASSERT_EQ(0, ::stat(dbname.c_str(), &st));
  EXPECT_EQ(0u, st.st_mode & (S_IWOTH | S_IWGRP))
      << "directory mode " << std::oct << (st.st_mode & 07777);
}

}  // namespace
}  // namespace strata
