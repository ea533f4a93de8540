// DB::DeleteRange through the whole engine: reads (Get, MultiGet, iterators both ways, seeks,
// bounds, snapshots) from the memtable, after flush, after compaction and after reopen;
// argument checks; covered entries and whole tables dropped by compaction; and the
// randomized model (tests/support/range_del_model.h) over a few seeds.
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "strata/db.h"
#include "strata/listener.h"
#include "support/db_test_util.h"
#include "support/range_del_model.h"
#include "support/test_util.h"
#include "support/write_model.h"

namespace strata::test {
namespace {

class CompactionRecorder : public EventListener {
 public:
  void OnCompactionCompleted(const CompactionJobInfo& info) override {
    std::lock_guard<std::mutex> l(mu_);
    infos_.push_back(info);
  }
  std::vector<CompactionJobInfo> Take() {
    std::lock_guard<std::mutex> l(mu_);
    return std::move(infos_);
  }

 private:
  std::mutex mu_;
  std::vector<CompactionJobInfo> infos_;
};

class RangeDelTest : public ::testing::Test {
 protected:
  RangeDelTest() {
    options_.create_if_missing = true;
    options_.listeners.push_back(recorder_);
    Reopen();
  }

  void Reopen() {
    db_.reset();
    ASSERT_OK(DB::Open(options_, dir_.Child("db"), &db_));
  }

  void PutKeys(int from, int to, const std::string& value) {
    for (int i = from; i < to; i++) ASSERT_OK(db_->Put(WriteOptions(), K(i), value));
  }
  static std::string K(int i) { return NumberKey(i, 4); }

  KVMap Scan(const ReadOptions& ro = ReadOptions()) {
    KVMap r;
    std::unique_ptr<Iterator> it = db_->NewIterator(ro);
    for (it->SeekToFirst(); it->Valid(); it->Next()) r[std::string(it->key())] = it->value();
    EXPECT_OK(it->status());
    return r;
  }
  std::vector<std::string> ScanBackward(const ReadOptions& ro = ReadOptions()) {
    std::vector<std::string> r;
    std::unique_ptr<Iterator> it = db_->NewIterator(ro);
    for (it->SeekToLast(); it->Valid(); it->Prev()) r.emplace_back(it->key());
    EXPECT_OK(it->status());
    return r;
  }

  // Keys 0..99 = "v"; [20, 50) deleted: checks every read kind.
  void CheckDeleted2050(const ReadOptions& ro = ReadOptions()) {
    for (int i = 0; i < 100; i++) {
      std::string v;
      Status s = db_->Get(ro, K(i), &v);
      if (i >= 20 && i < 50) {
        EXPECT_TRUE(s.IsNotFound()) << i << " " << s.ToString();
      } else {
        EXPECT_OK(s);
      }
    }
    KVMap all = Scan(ro);
    EXPECT_EQ(all.size(), 70u);
    EXPECT_EQ(all.count(K(19)), 1u);
    EXPECT_EQ(all.count(K(20)), 0u);
    EXPECT_EQ(all.count(K(49)), 0u);
    EXPECT_EQ(all.count(K(50)), 1u);
    std::vector<std::string> back = ScanBackward(ro);
    EXPECT_EQ(back.size(), 70u);
    std::unique_ptr<Iterator> it = db_->NewIterator(ro);
    it->Seek(K(25));
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ(it->key(), K(50));
    it->Prev();
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ(it->key(), K(19));
    it->SeekForPrev(K(40));
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ(it->key(), K(19));
    it->Next();
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ(it->key(), K(50));
    // Bounds inside the deleted range: nothing.
    ReadOptions bounded = ro;
    std::string lo = K(21), hi = K(45);
    bounded.iterate_lower_bound = lo;
    bounded.iterate_upper_bound = hi;
    EXPECT_TRUE(Scan(bounded).empty());
    EXPECT_TRUE(ScanBackward(bounded).empty());
    std::vector<std::string> ks = {K(10), K(20), K(49), K(50)};
    std::vector<std::string_view> views(ks.begin(), ks.end());
    std::vector<std::string> values;
    std::vector<Status> statuses;
    db_->MultiGet(ro, views, &values, &statuses);
    EXPECT_OK(statuses[0]);
    EXPECT_TRUE(statuses[1].IsNotFound());
    EXPECT_TRUE(statuses[2].IsNotFound());
    EXPECT_OK(statuses[3]);
  }

  TempDir dir_;
  Options options_;
  std::shared_ptr<CompactionRecorder> recorder_ = std::make_shared<CompactionRecorder>();
  std::unique_ptr<DB> db_;
};

TEST_F(RangeDelTest, HidesKeysInMemtableFlushedCompactedAndReopened) {
  PutKeys(0, 100, "v");
  ASSERT_OK(db_->DeleteRange(WriteOptions(), K(20), K(50)));
  CheckDeleted2050();
  ASSERT_OK(db_->Flush());
  CheckDeleted2050();
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  CheckDeleted2050();
  Reopen();
  CheckDeleted2050();
}

TEST_F(RangeDelTest, TombstoneInNewerSourceThanKeys) {
  PutKeys(0, 100, "v");
  ASSERT_OK(db_->Flush());
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));  // keys at the bottom
  ASSERT_OK(db_->DeleteRange(WriteOptions(), K(20), K(50)));
  CheckDeleted2050();  // tombstone in the memtable, keys in a table
  ASSERT_OK(db_->Flush());
  CheckDeleted2050();  // tombstone in L0
  Reopen();
  CheckDeleted2050();
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  CheckDeleted2050();
  EXPECT_EQ(IntProperty(db_.get(), "strata.num-entries-in-tables"), 70u);
}

TEST_F(RangeDelTest, WalReplayKeepsTombstones) {
  PutKeys(0, 100, "v");
  ASSERT_OK(db_->DeleteRange(WriteOptions(), K(20), K(50)));
  Reopen();  // replayed from the log (and flushed by recovery)
  CheckDeleted2050();
}

TEST_F(RangeDelTest, NewerWritesInsideTheRangeAreVisible) {
  PutKeys(0, 10, "old");
  ASSERT_OK(db_->DeleteRange(WriteOptions(), K(0), K(10)));
  ASSERT_OK(db_->Put(WriteOptions(), K(5), "new"));
  for (int round = 0; round < 3; round++) {
    EXPECT_EQ(GetString(db_.get(), K(5)), "new");
    EXPECT_EQ(GetString(db_.get(), K(4)), "NOT_FOUND");
    KVMap all = Scan();
    EXPECT_EQ(all, (KVMap{{K(5), "new"}}));
    EXPECT_EQ(ScanBackward(), std::vector<std::string>{K(5)});
    if (round == 0) ASSERT_OK(db_->Flush());
    if (round == 1) ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  }
}

TEST_F(RangeDelTest, BatchIsAtomicAndOrdered) {
  PutKeys(0, 10, "old");
  WriteBatch batch;
  batch.Put(K(3), "before");  // deleted by the range deletion after it
  batch.DeleteRange(K(2), K(6));
  batch.Put(K(4), "after");  // visible
  ASSERT_OK(db_->Write(WriteOptions(), &batch));
  EXPECT_EQ(GetString(db_.get(), K(3)), "NOT_FOUND");
  EXPECT_EQ(GetString(db_.get(), K(4)), "after");
  EXPECT_EQ(GetString(db_.get(), K(6)), "old");
  ASSERT_OK(db_->Flush());
  EXPECT_EQ(GetString(db_.get(), K(3)), "NOT_FOUND");
  EXPECT_EQ(GetString(db_.get(), K(4)), "after");
}

TEST_F(RangeDelTest, EmptyOrInvertedRangeIsInvalidArgument) {
  PutKeys(0, 10, "v");
  EXPECT_TRUE(db_->DeleteRange(WriteOptions(), K(5), K(5)).IsInvalidArgument());
  EXPECT_TRUE(db_->DeleteRange(WriteOptions(), K(6), K(5)).IsInvalidArgument());
  WriteBatch batch;
  batch.Put(K(1), "x");
  batch.DeleteRange(K(9), K(1));
  EXPECT_TRUE(db_->Write(WriteOptions(), &batch).IsInvalidArgument());
  // Nothing of the refused batch happened.
  EXPECT_EQ(GetString(db_.get(), K(1)), "v");
  EXPECT_EQ(Scan().size(), 10u);

  // The same check reaches a range deletion that came in through Append or FromBytes.
  WriteBatch appended;
  appended.Put(K(2), "y");
  appended.Append(batch);
  EXPECT_TRUE(db_->Write(WriteOptions(), &appended).IsInvalidArgument());
  WriteBatch decoded;
  ASSERT_OK(WriteBatch::FromBytes(batch.Data(), &decoded));
  EXPECT_TRUE(db_->Write(WriteOptions(), &decoded).IsInvalidArgument());
  EXPECT_EQ(GetString(db_.get(), K(2)), "v");
}

TEST_F(RangeDelTest, MergeOperandWithoutAMergeOperatorIsInvalidArgument) {
  PutKeys(0, 10, "v");
  WriteBatch batch;
  batch.Put(K(1), "x");
  batch.Merge(K(2), "operand");
  EXPECT_TRUE(db_->Write(WriteOptions(), &batch).IsInvalidArgument());
  WriteBatch decoded;
  ASSERT_OK(WriteBatch::FromBytes(batch.Data(), &decoded));
  EXPECT_TRUE(db_->Write(WriteOptions(), &decoded).IsInvalidArgument());
  EXPECT_EQ(GetString(db_.get(), K(1)), "v");
  EXPECT_EQ(GetString(db_.get(), K(2)), "v");
  // Once cleared, the batch is an ordinary one again.
  batch.Clear();
  batch.Put(K(1), "x");
  ASSERT_OK(db_->Write(WriteOptions(), &batch));
  EXPECT_EQ(GetString(db_.get(), K(1)), "x");
}

TEST_F(RangeDelTest, SnapshotsBeforeTheDeletionStillSeeTheKeys) {
  PutKeys(0, 100, "v");
  const Snapshot* before = db_->GetSnapshot();
  ASSERT_OK(db_->DeleteRange(WriteOptions(), K(20), K(50)));
  const Snapshot* after = db_->GetSnapshot();
  ReadOptions ro_before, ro_after;
  ro_before.snapshot = before;
  ro_after.snapshot = after;
  for (int round = 0; round < 3; round++) {
    EXPECT_EQ(Scan(ro_before).size(), 100u);
    std::string v;
    EXPECT_OK(db_->Get(ro_before, K(30), &v));
    CheckDeleted2050(ro_after);
    CheckDeleted2050();
    if (round == 0) ASSERT_OK(db_->Flush());
    if (round == 1) ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  }
  db_->ReleaseSnapshot(before);
  db_->ReleaseSnapshot(after);
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  CheckDeleted2050();
  // With no snapshot left, the covered keys and the tombstone are gone from the tables.
  EXPECT_EQ(IntProperty(db_.get(), "strata.num-entries-in-tables"), 70u);
}

TEST_F(RangeDelTest, WholeTablesUnderATombstoneAreDroppedUnread) {
  options_.write_buffer_size = 64 << 10;
  options_.compression = CompressionType::kNone;
  Reopen();
  // Several bottom-level tables of keys 0..1999, then a tombstone over most of them.
  const std::string value(200, 'x');
  PutKeys(0, 2000, value);
  ASSERT_OK(db_->Flush());
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  const uint64_t size_before = IntProperty(db_.get(), "strata.total-sst-size");
  ASSERT_GT(size_before, 200u << 10);
  recorder_->Take();
  ASSERT_OK(db_->DeleteRange(WriteOptions(), K(0), K(1990)));
  ASSERT_OK(db_->Flush());
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  EXPECT_EQ(IntProperty(db_.get(), "strata.num-entries-in-tables"), 10u);
  EXPECT_EQ(Scan().size(), 10u);
  // The covered tables were not read: the manual compactions read far less than they held.
  // (An automatic compaction left over from the fill may finish after Take(); not counted.)
  uint64_t read = 0;
  for (const CompactionJobInfo& info : recorder_->Take()) {
    if (!info.trivial_move && info.reason == CompactionReason::kManual) read += info.bytes_read;
  }
  EXPECT_LT(read, size_before / 2) << "read " << read << " of " << size_before;
}

TEST_F(RangeDelTest, ManyTombstonesAcrossTables) {
  options_.write_buffer_size = 64 << 10;
  Reopen();
  KVMap model;
  Random rnd(5);
  for (int round = 0; round < 20; round++) {
    for (int i = 0; i < 200; i++) {
      const std::string k = K(static_cast<int>(rnd.Uniform(3000)));
      ASSERT_OK(db_->Put(WriteOptions(), k, "r" + std::to_string(round)));
      model[k] = "r" + std::to_string(round);
    }
    for (int i = 0; i < 50; i++) {
      const int a = static_cast<int>(rnd.Uniform(3000));
      const int b = a + 1 + static_cast<int>(rnd.Uniform(5));
      ASSERT_OK(db_->DeleteRange(WriteOptions(), K(a), K(b)));
      model.erase(model.lower_bound(K(a)), model.lower_bound(K(b)));
    }
    if (round % 3 == 0) ASSERT_OK(db_->Flush());
  }
  KVMap got = Scan();
  EXPECT_EQ(got, model) << FirstDifference(model, got);
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  got = Scan();
  EXPECT_EQ(got, model) << FirstDifference(model, got);
  EXPECT_EQ(IntProperty(db_.get(), "strata.num-entries-in-tables"), model.size());
}

class RangeDelModelTest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(RangeDelModelTest, MatchesModel) {
  TempDir dir;
  RangeDelModelOptions o;
  o.seed = GetParam();
  o.steps = 300;
  RunRangeDelModel(dir.Child("db"), o);
}

INSTANTIATE_TEST_SUITE_P(Seeds, RangeDelModelTest, ::testing::Values(1, 2, 3, 4));

}  // namespace
}  // namespace strata::test
