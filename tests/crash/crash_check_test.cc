// The crash driver's checker is only as good as what it catches: each test here damages a
// database on purpose (a lost batch, a torn batch, a phantom value, a deletion undone) and
// expects the checker to sort it correctly, and a faithful database to pass.
#include <gtest/gtest.h>

#include <set>

#include "crash/model.h"
#include "crash/workload.h"
#include "support/test_util.h"

namespace strata::crash {
namespace {

constexpr uint32_t kKeys = 50;

Op Put(uint32_t key, uint64_t batch, size_t op) {
  return Op{KeyName(key), MakeValue(batch, op, KeyName(key), 7)};
}
Op Del(uint32_t key) { return Op{KeyName(key), std::nullopt}; }

class CrashCheckTest : public testing::Test {
 protected:
  CrashCheckTest() : model_(kKeys) {
    Options o = OptionsFor(ProfileFor(1, 0));
    EXPECT_OK(DB::Open(o, dir_.Child("db"), &db_));
  }
  void WriteToDb(const Batch& batch) {
    WriteBatch wb;
    for (const Op& op : batch) op.value ? wb.Put(op.key, *op.value) : wb.Delete(op.key);
    ASSERT_OK(db_->Write(WriteOptions(), &wb));
  }
  // Batches 1..3 in both the database and the model.
  void Baseline() {
    Batch b1 = {Put(1, 1, 0), Put(2, 1, 1), Put(3, 1, 2)};
    Batch b2 = {Put(2, 2, 0), Del(3), Put(4, 2, 1)};
    Batch b3 = {Put(5, 3, 0)};
    uint64_t id = 1;
    for (const Batch& b : {b1, b2, b3}) {
      WriteToDb(b);
      model_.Apply(id++, b);
    }
  }

  test::TempDir dir_;
  std::unique_ptr<DB> db_;
  Model model_;
};

TEST(CrashWorkloadTest, ValuesNameTheirBatchAndKeyAndRejectDamage) {
  const std::string v = MakeValue(42, 3, "k000007", 20);
  ValueInfo info;
  ASSERT_TRUE(ParseValue(v, &info));
  EXPECT_EQ(42u, info.batch);
  EXPECT_EQ("k000007", info.key);
  EXPECT_FALSE(ParseValue(v.substr(0, v.size() - 1), &info));  // cut
  EXPECT_FALSE(ParseValue(v + "x", &info));                    // extended
  std::string flipped = v;
  flipped.back() = '#';
  EXPECT_FALSE(ParseValue(flipped, &info));  // filler changed
  EXPECT_FALSE(ParseValue("", &info));
  EXPECT_FALSE(ParseValue("b12", &info));
}

TEST(CrashWorkloadTest, BatchesAreReproducibleAndProfilesVary) {
  const Profile p = ProfileFor(9, 4);
  const Batch a = MakeBatch(9, p, 4000, 77), b = MakeBatch(9, p, 4000, 77);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); i++) {
    EXPECT_EQ(a[i].key, b[i].key);
    EXPECT_EQ(a[i].value, b[i].value);
  }
  std::set<int> sync, batch;
  bool large = false, deletes = false;
  for (int cycle = 0; cycle < 200; cycle++) {
    const Profile q = ProfileFor(9, cycle);
    sync.insert(q.sync_one_in);
    batch.insert(q.max_batch_ops);
    for (uint64_t id = 1; id < 50; id++) {
      for (const Op& op : MakeBatch(9, q, 4000, id)) {
        deletes |= !op.value;
        large |= op.value && op.value->size() > 1024;
      }
    }
  }
  EXPECT_TRUE(sync.count(0) && sync.count(1)) << "both unsynced and all-synced cycles";
  EXPECT_TRUE(batch.count(1) && batch.count(50));
  EXPECT_TRUE(large && deletes);
}

TEST_F(CrashCheckTest, FaithfulDatabasePassesWithOrWithoutTheInFlightBatch) {
  Baseline();
  const Batch in_flight = {Put(1, 4, 0), Del(2), Put(6, 4, 1)};
  CheckResult r = model_.Check(db_.get(), 4, in_flight);
  EXPECT_TRUE(r.ok()) << testing::PrintToString(r.messages);
  EXPECT_FALSE(r.in_flight_applied);

  WriteToDb(in_flight);
  const Batch next = {Put(7, 5, 0), Put(1, 5, 1)};
  r = model_.Check(db_.get(), 4, in_flight);
  EXPECT_TRUE(r.ok()) << testing::PrintToString(r.messages);
  EXPECT_TRUE(r.in_flight_applied);
  // The model adopted batch 4: the next check sees it as acknowledged state.
  r = model_.Check(db_.get(), 5, next);
  EXPECT_TRUE(r.ok()) << testing::PrintToString(r.messages);
  EXPECT_FALSE(r.in_flight_applied);
}

TEST_F(CrashCheckTest, LostBatchIsReported) {
  Baseline();
  model_.Apply(4, {Put(8, 4, 0), Put(1, 4, 1)});  // acknowledged, but not in the database
  CheckResult r = model_.Check(db_.get(), 5, {Put(9, 5, 0)});
  EXPECT_EQ(std::set<uint64_t>{4}, r.lost_batches);
  EXPECT_EQ(0u, r.torn);
}

// A lost acknowledged batch that shares keys with the in-flight one must not pass for a
// torn in-flight batch.
TEST_F(CrashCheckTest, LostBatchSharingKeysWithTheInFlightOneIsLostNotTorn) {
  Baseline();
  model_.Apply(4, {Put(1, 4, 0), Put(2, 4, 1)});  // acknowledged, but not in the database
  CheckResult r = model_.Check(db_.get(), 5, {Put(1, 5, 0), Put(3, 5, 1)});
  EXPECT_EQ(std::set<uint64_t>{4}, r.lost_batches);
  EXPECT_EQ(0u, r.torn);
}

TEST_F(CrashCheckTest, UndoneDeletionIsALostBatch) {
  Baseline();
  model_.Apply(4, {Del(1)});  // the database still has key 1 from batch 1
  CheckResult r = model_.Check(db_.get(), 5, {Put(9, 5, 0)});
  EXPECT_EQ(std::set<uint64_t>{4}, r.lost_batches);
}

TEST_F(CrashCheckTest, PartlyAppliedInFlightBatchIsTorn) {
  Baseline();
  const Batch in_flight = {Put(1, 4, 0), Del(2), Put(6, 4, 1)};
  WriteToDb({in_flight[0], in_flight[1]});  // the last op is missing
  CheckResult r = model_.Check(db_.get(), 4, in_flight);
  EXPECT_EQ(1u, r.torn);
  EXPECT_FALSE(r.ok());
}

TEST_F(CrashCheckTest, ValueFromABatchNeverWrittenIsWrong) {
  Baseline();
  WriteToDb({Put(10, 9, 0)});  // batch 9 was never acknowledged nor in flight
  CheckResult r = model_.Check(db_.get(), 4, {Put(11, 4, 0)});
  EXPECT_GT(r.wrong, 0u);
  EXPECT_TRUE(r.lost_batches.empty());
}

TEST_F(CrashCheckTest, NewerValueOnAKnownKeyIsWrongNotLost) {
  Baseline();
  WriteToDb({Put(5, 9, 0)});
  CheckResult r = model_.Check(db_.get(), 4, {Put(11, 4, 0)});
  EXPECT_GT(r.wrong, 0u);
  EXPECT_TRUE(r.lost_batches.empty());
}

}  // namespace
}  // namespace strata::crash
