// DB::CreateCheckpoint: the copy holds exactly the state at its sequence number (tables,
// memtable contents from the logs), is linked or copied, survives a power cut at every
// step as either nothing or a whole checkpoint, and is consistent while writers, flushes
// and compactions go on.
#include <sys/stat.h>

#include <atomic>
#include <map>
#include <thread>
#include <vector>

#include "strata/db.h"
#include "support/db_test_util.h"
#include "support/fault_injection_fs.h"
#include "support/no_sync_fs.h"
#include "support/test_util.h"
#include "support/write_model.h"

namespace strata {
namespace {

using test::FaultInjectionFileSystem;
using test::KVMap;
using test::ScanAll;

class CheckpointTest : public testing::Test {
 protected:
  CheckpointTest() {
    options_.create_if_missing = true;
    options_.write_buffer_size = 64 << 10;
    dbname_ = dir_.Child("db");
    ckpt_ = dir_.Child("ckpt");
  }
  void Open() { ASSERT_OK(DB::Open(options_, dbname_, &db_)); }
  // Writes n keys starting at first (value tagged with round), into model too.
  void Fill(int first, int n, const std::string& round, KVMap* model) {
    for (int i = first; i < first + n; i++) {
      std::string k = test::NumberKey(i), v = round + std::string(100, 'v');
      ASSERT_OK(db_->Put(WriteOptions(), k, v));
      (*model)[k] = v;
    }
  }
  // Waits until the writers running have made n more writes (an event, not a sleep).
  void WaitForWrites(uint64_t n) {
    const uint64_t want = test::IntProperty(db_.get(), "strata.last-sequence") + n;
    while (test::IntProperty(db_.get(), "strata.last-sequence") < want) std::this_thread::yield();
  }
  KVMap Contents(const std::string& path, bool read_only) {
    Options o = options_;
    o.create_if_missing = false;
    std::unique_ptr<DB> db;
    Status s = read_only ? DB::OpenForReadOnly(o, path, &db) : DB::Open(o, path, &db);
    EXPECT_TRUE(s.ok()) << s.ToString();
    KVMap out;
    if (s.ok()) EXPECT_OK(ScanAll(db.get(), &out));
    return out;
  }

  test::TempDir dir_;
  std::string dbname_, ckpt_;
  Options options_;
  std::unique_ptr<DB> db_;
};

TEST_F(CheckpointTest, HoldsTablesAndLoggedWritesButNothingLater) {
  Open();
  KVMap model;
  Fill(0, 2000, "a", &model);  // several flushed tables
  ASSERT_OK(db_->Flush());
  Fill(1000, 300, "b", &model);  // the newest only in the memtable and its log
  ASSERT_OK(db_->Delete(WriteOptions(), test::NumberKey(5)));
  model.erase(test::NumberKey(5));
  uint64_t seq = 0;
  ASSERT_OK(db_->CreateCheckpoint(ckpt_, &seq));
  EXPECT_EQ(seq, test::IntProperty(db_.get(), "strata.last-sequence"));
  ASSERT_OK(db_->Put(WriteOptions(), "after", "x"));

  EXPECT_EQ(Contents(ckpt_, /*read_only=*/true), model);
  KVMap in_ckpt = Contents(ckpt_, /*read_only=*/false);
  EXPECT_EQ(in_ckpt, model) << test::FirstDifference(model, in_ckpt);
  // The checkpoint is a database of its own: writes there do not reach the original.
  std::unique_ptr<DB> copy;
  ASSERT_OK(DB::Open(options_, ckpt_, &copy));
  ASSERT_OK(copy->Put(WriteOptions(), "only-in-copy", "1"));
  EXPECT_EQ(test::GetString(db_.get(), "only-in-copy"), "NOT_FOUND");
  EXPECT_EQ(test::GetString(copy.get(), "after"), "NOT_FOUND");
}

TEST_F(CheckpointTest, TablesAreHardLinked) {
  Open();
  KVMap model;
  Fill(0, 1000, "a", &model);
  ASSERT_OK(db_->Flush());
  ASSERT_OK(db_->CreateCheckpoint(ckpt_));
  auto tables = test::FilesOfType(ckpt_, FileType::kTable);
  ASSERT_FALSE(tables.empty());
  for (const auto& t : tables) {
    struct stat st;
    ASSERT_EQ(::stat(t.c_str(), &st), 0);
    EXPECT_EQ(st.st_nlink, 2u) << t;
  }
}

TEST_F(CheckpointTest, CopiesWhenLinksCrossFileSystems) {
  auto fs = std::make_shared<FaultInjectionFileSystem>(test::NewNoSyncFileSystem());
  fs->SetLinksCrossDevice(true);
  options_.file_system = fs;
  Open();
  KVMap model;
  Fill(0, 1000, "a", &model);
  ASSERT_OK(db_->Flush());
  ASSERT_OK(db_->CreateCheckpoint(ckpt_));
  for (const auto& t : test::FilesOfType(ckpt_, FileType::kTable)) {
    struct stat st;
    ASSERT_EQ(::stat(t.c_str(), &st), 0);
    EXPECT_EQ(st.st_nlink, 1u) << t;
  }
  ASSERT_OK(fs->DropUnsyncedData());  // a copy is durable by itself
  db_.reset();
  EXPECT_EQ(Contents(ckpt_, false), model);
}

TEST_F(CheckpointTest, RefusesAnExistingDirectoryAndReadOnlyDatabases) {
  Open();
  ASSERT_OK(FileSystem::Default()->CreateDir(ckpt_));
  EXPECT_TRUE(db_->CreateCheckpoint(ckpt_).IsInvalidArgument());
  EXPECT_TRUE(db_->CreateCheckpoint(dbname_).IsInvalidArgument());
  EXPECT_FALSE(db_->CreateCheckpoint(dir_.Child("no/such/parent")).ok());
  std::unique_ptr<DB> ro;
  ASSERT_OK(DB::OpenForReadOnly(options_, dbname_, &ro));
  EXPECT_TRUE(ro->CreateCheckpoint(dir_.Child("other")).IsNotSupported());
}

TEST_F(CheckpointTest, DamagedLogFailsTheCheckpointInsteadOfLosingWrites) {
  Open();
  KVMap model;
  Fill(0, 100, "a", &model);  // one log record each, all in the memtable
  const auto logs = test::LogFiles(dbname_);
  ASSERT_EQ(logs.size(), 1u);
  test::RewriteFile(logs[0], [](std::string* d) {
    // In the middle of the records, not of the zeros a preallocated log may end in.
    (*d)[(d->find_last_not_of('\0') + 1) / 2] ^= 0x01;
  });
  Status s = db_->CreateCheckpoint(ckpt_);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_FALSE(FileSystem::Default()->FileExists(ckpt_));
}

// A power cut at each write the checkpoint makes: afterwards the directory is either a whole
// checkpoint or refused by Open; the original is untouched.
TEST_F(CheckpointTest, PowerCutAtEveryStepLeavesNothingOrAWholeCheckpoint) {
  auto fs = std::make_shared<FaultInjectionFileSystem>(test::NewNoSyncFileSystem());
  options_.file_system = fs;
  Open();
  KVMap model;
  Fill(0, 1500, "a", &model);
  ASSERT_OK(db_->Flush());
  Fill(0, 200, "b", &model);  // in the log
  ASSERT_OK(db_->SyncWAL());
  db_.reset();

  int complete = 0, refused = 0;
  for (uint64_t n = 1;; n++) {
    SCOPED_TRACE("power cut at checkpoint write " + std::to_string(n));
    test::TempDir scratch;  // a fresh target each time
    const std::string target = scratch.Child("ckpt");
    Open();
    fs->ResetCounts();
    fs->DeactivateAtWrite(n, target);
    Status s = db_->CreateCheckpoint(target);
    const bool faulted = fs->InjectedFaults() > 0;
    db_.reset();
    ASSERT_OK(fs->DropUnsyncedData());
    fs->SetFilesystemActive(true);
    EXPECT_EQ(Contents(dbname_, true), model);

    Options o = options_;
    o.create_if_missing = false;
    std::unique_ptr<DB> copy;
    Status open = DB::Open(o, target, &copy);
    if (open.ok()) {
      KVMap got;
      ASSERT_OK(ScanAll(copy.get(), &got));
      EXPECT_EQ(got, model);
      complete++;
    } else {
      EXPECT_FALSE(s.ok()) << "an acknowledged checkpoint must open: " << open.ToString();
      EXPECT_TRUE(open.IsCorruption() || open.IsInvalidArgument()) << open.ToString();
      refused++;
    }
    if (!faulted) {
      ASSERT_OK(s);
      break;
    }
    ASSERT_LT(n, 200u);
  }
  EXPECT_GT(refused, 3);
  EXPECT_GE(complete, 1);
}

// Writers run (with flushes and compactions) while checkpoints are taken. Each thread
// writes its own keys with a counter, so a consistent state as of a sequence number is a
// prefix of every thread's writes, and the prefixes add up to that sequence number.
TEST_F(CheckpointTest, ConsistentWhileWritersFlushesAndCompactionsRun) {
  options_.file_system = test::NewNoSyncFileSystem();
  options_.write_buffer_size = 64 << 10;
  options_.level0_file_num_compaction_trigger = 2;
  Open();
  const uint64_t base = test::IntProperty(db_.get(), "strata.last-sequence");
  constexpr int kThreads = 3, kKeysPerThread = 50;
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; t++) {
    writers.emplace_back([&, t] {
      for (uint64_t j = 0; !stop.load(); j++) {
        std::string k = "t" + std::to_string(t) + "-" + std::to_string(j % kKeysPerThread);
        std::string v = std::to_string(j) + std::string(200, 'x');
        if (!db_->Put(WriteOptions(), k, v).ok()) return;
      }
    });
  }
  for (int c = 0; c < 8; c++) {
    WaitForWrites(5000);
    const std::string target = dir_.Child("ckpt" + std::to_string(c));
    uint64_t seq = 0;
    ASSERT_OK(db_->CreateCheckpoint(target, &seq));
    KVMap got = Contents(target, true);
    uint64_t total = 0;
    for (int t = 0; t < kThreads; t++) {
      // The thread's newest counter in the copy, then every key must hold the value the
      // prefix up to it gives.
      int64_t top = -1;
      const std::string prefix = "t" + std::to_string(t) + "-";
      for (const auto& [k, v] : got) {
        if (k.rfind(prefix, 0) == 0) top = std::max<int64_t>(top, std::stoll(v));
      }
      for (int i = 0; i < kKeysPerThread; i++) {
        auto it = got.find(prefix + std::to_string(i));
        int64_t expect = -1;
        for (int64_t j = top; j >= 0 && j > top - kKeysPerThread; j--) {
          if (j % kKeysPerThread == i) {
            expect = j;
            break;
          }
        }
        if (expect < 0) {
          EXPECT_TRUE(it == got.end()) << prefix << i;
        } else {
          ASSERT_TRUE(it != got.end()) << prefix << i;
          EXPECT_EQ(std::stoll(it->second), expect) << prefix << i;
        }
      }
      total += static_cast<uint64_t>(top + 1);
    }
    EXPECT_EQ(total, seq - base) << "checkpoint " << c;
  }
  stop = true;
  for (auto& w : writers) w.join();
}

// With one writer, the writes up to a sequence number are exactly its first ones: a
// checkpoint taken while it writes (and flushes and compactions run) equals, key for key,
// the model of the first (sequence - base) writes.
TEST_F(CheckpointTest, EqualsTheStateAtItsSequenceWithAWriterRunning) {
  options_.file_system = test::NewNoSyncFileSystem();
  options_.level0_file_num_compaction_trigger = 2;
  Open();
  const uint64_t base = test::IntProperty(db_.get(), "strata.last-sequence");
  std::atomic<bool> stop{false};
  auto key_of = [](uint64_t j) { return test::NumberKey(j * 7 % 500); };
  auto value_of = [](uint64_t j) { return std::to_string(j) + std::string(300, 'x'); };
  std::thread writer([&] {
    for (uint64_t j = 0; !stop.load(); j++) {
      if (!db_->Put(WriteOptions(), key_of(j), value_of(j)).ok()) return;
    }
  });
  for (int c = 0; c < 5; c++) {
    WaitForWrites(3000);
    const std::string target = dir_.Child("single" + std::to_string(c));
    uint64_t seq = 0;
    ASSERT_OK(db_->CreateCheckpoint(target, &seq));
    KVMap expected;
    for (uint64_t j = 0; j < seq - base; j++) expected[key_of(j)] = value_of(j);
    KVMap got = Contents(target, true);
    ASSERT_EQ(got.size(), expected.size()) << "checkpoint " << c;
    EXPECT_TRUE(got == expected) << "checkpoint " << c << ": "
                                 << test::FirstDifference(expected, got);
  }
  stop = true;
  writer.join();
}

}  // namespace
}  // namespace strata
