// The DB on a fault-injecting file system: power loss at random points (every synced write
// survives and the state is a prefix of the acknowledged writes), power loss in the middle
// of recovery, and EIO/ENOSPC on log appends and syncs.
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "strata/db.h"
#include "support/db_test_util.h"
#include "support/fault_injection_fs.h"
#include "support/test_util.h"

namespace strata {
namespace {

using test::ErrorKind;
using test::FaultInjectionFileSystem;
using test::GetString;
using test::OpKind;

constexpr int kKeySpace = 40;

std::string KeyName(int k) { return "key" + std::to_string(k); }

struct Op {
  int key;
  bool put;
  std::string value;
};
using Batch = std::vector<Op>;
using State = std::map<int, std::string>;

void Apply(const Batch& b, State* s) {
  for (const Op& op : b) {
    if (op.put) {
      (*s)[op.key] = op.value;
    } else {
      s->erase(op.key);
    }
  }
}

bool Matches(DB* db, const State& s) {
  for (int k = 0; k < kKeySpace; k++) {
    auto it = s.find(k);
    if (GetString(db, KeyName(k)) != (it == s.end() ? "NOT_FOUND" : it->second)) return false;
  }
  return true;
}

class DBFaultTest : public testing::Test {
 protected:
  DBFaultTest() : fs_(std::make_shared<FaultInjectionFileSystem>(FileSystem::Default())) {
    options_.create_if_missing = true;
    options_.file_system = fs_;
    dbname_ = dir_.Child("db");
  }
  Status TryOpen() {
    db_.reset();
    return DB::Open(options_, dbname_, &db_);
  }

  test::TempDir dir_;
  std::shared_ptr<FaultInjectionFileSystem> fs_;
  Options options_;
  std::string dbname_;
  std::unique_ptr<DB> db_;
};

TEST_F(DBFaultTest, PowerLossKeepsSyncedWritesAndAPrefix) {
  Random rnd(2024);
  State durable;  // the state after the last recovery
  ASSERT_OK(TryOpen());
  constexpr int kRounds = 60;
  for (int round = 0; round < kRounds; round++) {
    // Acknowledged batches since the last recovery; `synced` of them are known durable.
    std::vector<Batch> acked;
    size_t synced = 0;
    const int n = 1 + static_cast<int>(rnd.Uniform(200));
    for (int i = 0; i < n; i++) {
      Batch b;
      WriteBatch wb;
      for (int j = 0, m = 1 + static_cast<int>(rnd.Uniform(3)); j < m; j++) {
        Op op{static_cast<int>(rnd.Uniform(kKeySpace)), !rnd.OneIn(4),
              "r" + std::to_string(round) + "." + std::to_string(i) + "." + std::to_string(j)};
        if (op.put) {
          wb.Put(KeyName(op.key), op.value);
        } else {
          wb.Delete(KeyName(op.key));
        }
        b.push_back(op);
      }
      WriteOptions wo;
      wo.sync = rnd.OneIn(10);
      ASSERT_OK(db_->Write(wo, &wb));
      acked.push_back(b);
      if (wo.sync) synced = acked.size();
      if (rnd.OneIn(50)) {
        ASSERT_OK(db_->SyncWAL());
        synced = acked.size();
      }
    }
    // Power fails with the database open: nothing it does afterwards reaches the disk.
    fs_->SetFilesystemActive(false);
    db_.reset();
    ASSERT_OK(fs_->DropUnsyncedData());
    fs_->SetFilesystemActive(true);
    ASSERT_OK(TryOpen());

    // The recovered state must be the state after some prefix of at least `synced` batches.
    State s = durable;
    for (size_t j = 0; j < synced; j++) Apply(acked[j], &s);
    size_t j = synced;
    while (!Matches(db_.get(), s)) {
      ASSERT_LT(j, acked.size()) << "round " << round << ": recovered state is no prefix of the "
                                 << "acknowledged writes at or after the last sync (" << synced
                                 << " of " << acked.size() << ")";
      Apply(acked[j++], &s);
    }
    durable = s;
  }
}

// Power fails at the k-th file operation of recovery, for every k until recovery completes:
// each time, the next recovery must still find every synced write.
TEST_F(DBFaultTest, PowerLossDuringRecovery) {
  ASSERT_OK(TryOpen());
  State expected;
  for (int i = 0; i < 200; i++) {
    Batch b{{i % kKeySpace, i % 7 != 0, "v" + std::to_string(i)}};
    WriteBatch wb;
    if (b[0].put) {
      wb.Put(KeyName(b[0].key), b[0].value);
    } else {
      wb.Delete(KeyName(b[0].key));
    }
    ASSERT_OK(db_->Write(WriteOptions(), &wb));
    Apply(b, &expected);
  }
  ASSERT_OK(db_->SyncWAL());
  db_.reset();

  for (OpKind kind :
       {OpKind::kOpen, OpKind::kAppend, OpKind::kSync, OpKind::kRename, OpKind::kRemove}) {
    for (uint64_t k = 1;; k++) {
      SCOPED_TRACE(std::string(test::OpKindName(kind)) + " #" + std::to_string(k));
      fs_->FailNth(kind, k, ErrorKind::kEIO);
      Status s = TryOpen();
      fs_->ClearFaults();
      ASSERT_OK(fs_->DropUnsyncedData());
      if (!s.ok()) {
        EXPECT_TRUE(s.IsIOError()) << s.ToString();
        db_.reset();
      }
      ASSERT_OK(TryOpen());
      ASSERT_TRUE(Matches(db_.get(), expected));
      db_.reset();
      if (s.ok()) break;  // the k-th operation was past the end of recovery
    }
  }
}

// A failed log append that may have written part of its record (EIO, or a full disk that
// took part of it) stops writes until reopen; one that a full disk refused whole (ENOSPC,
// nothing written) fails only its own writes.
TEST_F(DBFaultTest, FailedLogAppendStopsWritesAndLosesNothing) {
  for (bool torn : {false, true}) {
    for (ErrorKind error : {ErrorKind::kENOSPC, ErrorKind::kEIO}) {
      const bool refused_whole = !torn && error == ErrorKind::kENOSPC;
      SCOPED_TRACE(std::string(torn ? "torn " : "") +
                   (error == ErrorKind::kENOSPC ? "ENOSPC" : "EIO"));
      db_.reset();
      ASSERT_OK(DestroyDB(dbname_, options_));
      ASSERT_OK(TryOpen());
      for (int i = 0; i < 50; i++) ASSERT_OK(db_->Put(WriteOptions(), KeyName(i), "v"));
      fs_->SetTornAppends(torn);
      fs_->FailNth(OpKind::kAppend, 1, error, ".log");
      Status s = db_->Put(WriteOptions(), "failed", "x");
      EXPECT_TRUE(s.IsIOError()) << s.ToString();
      EXPECT_NE(std::string::npos,
                s.ToString().find(error == ErrorKind::kENOSPC ? "ENOSPC" : "EIO"))
          << s.ToString();
      fs_->ClearFaults();
      fs_->SetTornAppends(false);
      Status again = db_->Put(WriteOptions(), "later", "y");
      if (refused_whole) {
        // The log is as it was: the next write goes on.
        ASSERT_OK(again);
        EXPECT_EQ("y", GetString(db_.get(), "later"));
      } else {
        // The log's tail is now unknown: later writes are refused with the same error.
        EXPECT_TRUE(again.IsIOError()) << again.ToString();
      }
      EXPECT_EQ("NOT_FOUND", GetString(db_.get(), "failed"));
      EXPECT_EQ("v", GetString(db_.get(), KeyName(49)));  // reads still work

      ASSERT_OK(TryOpen());
      for (int i = 0; i < 50; i++) ASSERT_EQ("v", GetString(db_.get(), KeyName(i)));
      EXPECT_EQ("NOT_FOUND", GetString(db_.get(), "failed"));
      EXPECT_EQ(refused_whole ? "y" : "NOT_FOUND", GetString(db_.get(), "later"));
      ASSERT_OK(db_->Put(WriteOptions(), "after", "z"));  // writable again after reopen
      EXPECT_EQ("z", GetString(db_.get(), "after"));
    }
  }
}

// The first sync after a memtable switch writes a sync marker into the new log; a full disk
// that refuses the marker whole fails only that write, like a refused record.
TEST_F(DBFaultTest, ASyncMarkerRefusedByAFullDiskFailsOnlyItsWrite) {
  ASSERT_OK(TryOpen());
  WriteOptions sync;
  sync.sync = true;
  for (int i = 0; i < 20; i++) ASSERT_OK(db_->Put(WriteOptions(), KeyName(i), "v"));
  ASSERT_OK(db_->Flush());  // a new log, without a marker yet
  fs_->FailNth(OpKind::kAppend, 1, ErrorKind::kENOSPC, ".log");
  Status s = db_->Put(sync, "refused", "x");
  EXPECT_TRUE(s.IsNoSpace()) << s.ToString();
  fs_->ClearFaults();
  fs_->ResetCounts();
  ASSERT_OK(db_->Put(sync, "later", "y"));
  EXPECT_EQ(fs_->Count(OpKind::kAppend), 2u) << "the refused marker, written now, then the record";
  ASSERT_OK(db_->Put(WriteOptions(), "after", "z"));
  EXPECT_EQ("NOT_FOUND", GetString(db_.get(), "refused"));
  ASSERT_OK(TryOpen());
  for (int i = 0; i < 20; i++) ASSERT_EQ("v", GetString(db_.get(), KeyName(i)));
  EXPECT_EQ("NOT_FOUND", GetString(db_.get(), "refused"));
  EXPECT_EQ("y", GetString(db_.get(), "later"));
  EXPECT_EQ("z", GetString(db_.get(), "after"));
}

TEST_F(DBFaultTest, FailedSyncIsReportedAndAcknowledgedWritesSurvive) {
  ASSERT_OK(TryOpen());
  WriteOptions sync;
  sync.sync = true;
  for (int i = 0; i < 20; i++) ASSERT_OK(db_->Put(sync, KeyName(i), "v"));
  fs_->FailNth(OpKind::kSync, 1, ErrorKind::kEIO, ".log");
  Status s = db_->Put(sync, "unsure", "x");
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  fs_->ClearFaults();
  EXPECT_TRUE(db_->Put(WriteOptions(), "later", "y").IsIOError());
  EXPECT_TRUE(db_->SyncWAL().IsIOError());
  // Power loss now: the failed sync's record may or may not be there, but every write
  // acknowledged before it is.
  ASSERT_OK(fs_->DropUnsyncedData());
  ASSERT_OK(TryOpen());
  for (int i = 0; i < 20; i++) ASSERT_EQ("v", GetString(db_.get(), KeyName(i)));
  EXPECT_EQ("NOT_FOUND", GetString(db_.get(), "later"));
}

TEST_F(DBFaultTest, GroupCommitSyncsOncePerGroup) {
  ASSERT_OK(TryOpen());
  fs_->ResetCounts();
  WriteOptions sync;
  sync.sync = true;
  constexpr int kThreads = 16, kPerThread = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; i++) {
        ASSERT_OK(db_->Put(sync, "t" + std::to_string(t) + "." + std::to_string(i), "v"));
      }
    });
  }
  for (auto& th : threads) th.join();
  // Every acknowledged sync write was covered by a sync, and groups shared them.
  uint64_t syncs = fs_->Count(OpKind::kSync);
  EXPECT_GE(syncs, 1u);
  EXPECT_LE(syncs, static_cast<uint64_t>(kThreads * kPerThread));
  // One append and one sync per group, and one more append: the log's first sync writes a
  // sync marker before the group.
  EXPECT_EQ(fs_->Count(OpKind::kAppend), syncs + 1);
  ASSERT_OK(fs_->DropUnsyncedData());
  ASSERT_OK(TryOpen());
  for (int t = 0; t < kThreads; t++) {
    for (int i = 0; i < kPerThread; i++) {
      ASSERT_EQ("v", GetString(db_.get(), "t" + std::to_string(t) + "." + std::to_string(i)));
    }
  }
}

TEST_F(DBFaultTest, OpenFailsCleanlyWhenTheDiskIsFull) {
  ASSERT_OK(TryOpen());
  ASSERT_OK(db_->Put(WriteOptions(), "k", "v"));
  db_.reset();
  fs_->FailAlways(OpKind::kAppend, ErrorKind::kENOSPC);
  Status s = TryOpen();
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_EQ(nullptr, db_);
  fs_->ClearFaults();
  ASSERT_OK(TryOpen());
  EXPECT_EQ("v", GetString(db_.get(), "k"));
}

// A Get pins the next table it may search if it is open (and prefetches its filter) before
// searching the current one, and opens a table only when its search reaches it: a key
// answered by a newer table is answered without opening an older one that cannot open; a
// key only the older table could hold gets the open error, not "not found".
TEST_F(DBFaultTest, AGetAnsweredAboveATableThatCannotOpenIsStillAnswered) {
  ASSERT_OK(TryOpen());
  ASSERT_OK(db_->Put(WriteOptions(), "a", "old"));
  ASSERT_OK(db_->Put(WriteOptions(), "z", "deep"));
  ASSERT_OK(db_->Flush());
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));  // one table, below level 0
  std::vector<std::string> names;
  ASSERT_OK(FileSystem::Default()->GetChildren(dbname_, &names));
  std::string deep;
  for (const std::string& n : names) {
    if (n.ends_with(".sst")) deep = n;
  }
  ASSERT_FALSE(deep.empty());
  ASSERT_OK(db_->Put(WriteOptions(), "a", "new"));
  ASSERT_OK(db_->Put(WriteOptions(), "y", "shallow"));
  ASSERT_OK(db_->Flush());  // a level-0 table over a..y, above the deep one
  db_.reset();

  ASSERT_OK(TryOpen());  // no table open yet
  fs_->FailAlways(OpKind::kOpen, ErrorKind::kEIO, deep);
  fs_->ResetCounts();
  EXPECT_EQ("new", GetString(db_.get(), "a"));
  EXPECT_EQ("shallow", GetString(db_.get(), "y"));
  EXPECT_EQ(0u, fs_->InjectedFaults());  // the deep table was never opened
  std::string value;
  Status s = db_->Get(ReadOptions(), "z", &value);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  s = db_->Get(ReadOptions(), "b", &value);  // in both tables' ranges, in neither
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  fs_->ClearFaults();
  EXPECT_EQ("deep", GetString(db_.get(), "z"));
  EXPECT_EQ("NOT_FOUND", GetString(db_.get(), "b"));
}

}  // namespace
}  // namespace strata
