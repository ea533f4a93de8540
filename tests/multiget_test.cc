// DB::MultiGet (one snapshot, any key order, repeats, every source) and
// DB::GetApproximateSizes (from index blocks, optionally memtables).
#include <map>
#include <vector>

#include "strata/db.h"
#include "strata/table_writer.h"
#include "support/db_test_util.h"
#include "support/test_util.h"

namespace strata {
namespace {

using test::NumberKey;

class MultiGetTest : public testing::Test {
 protected:
  MultiGetTest() {
    options_.create_if_missing = true;
    options_.compression = CompressionType::kNone;  // sizes follow the bytes written
    dbname_ = dir_.Child("db");
    EXPECT_OK(DB::Open(options_, dbname_, &db_));
  }
  void MultiGet(const ReadOptions& ro, const std::vector<std::string>& keys,
                std::vector<std::string>* values, std::vector<Status>* statuses) {
    std::vector<std::string_view> views(keys.begin(), keys.end());
    db_->MultiGet(ro, views, values, statuses);
  }

  test::TempDir dir_;
  std::string dbname_;
  Options options_;
  std::unique_ptr<DB> db_;
};

TEST_F(MultiGetTest, FindsKeysInEverySourceInAnyOrder) {
  // Deep tables, an ingested table, level 0, an immutable-then-flushed memtable and the
  // active one, with overwrites and deletions across them.
  for (int i = 0; i < 2000; i++) ASSERT_OK(db_->Put(WriteOptions(), NumberKey(i), "base"));
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  {
    TableWriter w(options_);
    ASSERT_OK(w.Open(dir_.Child("x.sst")));
    for (int i = 100; i < 200; i++) ASSERT_OK(w.Put(NumberKey(i), "ingested"));
    ASSERT_OK(w.Finish());
    ASSERT_OK(db_->IngestExternalFiles({dir_.Child("x.sst")}, IngestOptions()));
  }
  for (int i = 0; i < 2000; i += 7) ASSERT_OK(db_->Put(WriteOptions(), NumberKey(i), "l0"));
  ASSERT_OK(db_->Flush());
  for (int i = 0; i < 2000; i += 11) ASSERT_OK(db_->Delete(WriteOptions(), NumberKey(i)));
  for (int i = 0; i < 2000; i += 13) ASSERT_OK(db_->Put(WriteOptions(), NumberKey(i), "mem"));

  std::vector<std::string> keys;
  Random rnd(301);
  for (int n = 0; n < 1500; n++) keys.push_back(NumberKey(rnd.Uniform(2100)));
  keys.push_back(keys[0]);  // a repeat
  keys.push_back("");       // before everything
  std::vector<std::string> values;
  std::vector<Status> statuses;
  MultiGet(ReadOptions(), keys, &values, &statuses);
  ASSERT_EQ(values.size(), keys.size());
  ASSERT_EQ(statuses.size(), keys.size());
  for (size_t i = 0; i < keys.size(); i++) {
    const std::string got = statuses[i].ok()          ? values[i]
                            : statuses[i].IsNotFound() ? "NOT_FOUND"
                                                       : statuses[i].ToString();
    EXPECT_EQ(got, test::GetString(db_.get(), keys[i])) << keys[i];
  }
}

TEST_F(MultiGetTest, ReadsAtOneSnapshot) {
  for (int i = 0; i < 100; i++) ASSERT_OK(db_->Put(WriteOptions(), NumberKey(i), "v1"));
  ASSERT_OK(db_->Flush());
  const Snapshot* snap = db_->GetSnapshot();
  for (int i = 0; i < 100; i += 2) ASSERT_OK(db_->Put(WriteOptions(), NumberKey(i), "v2"));
  ASSERT_OK(db_->Delete(WriteOptions(), NumberKey(1)));
  ReadOptions ro;
  ro.snapshot = snap;
  std::vector<std::string> keys = {NumberKey(0), NumberKey(1), NumberKey(2), NumberKey(500)};
  std::vector<std::string> values;
  std::vector<Status> statuses;
  MultiGet(ro, keys, &values, &statuses);
  EXPECT_EQ(values[0], "v1");
  EXPECT_EQ(values[1], "v1");
  EXPECT_EQ(values[2], "v1");
  EXPECT_TRUE(statuses[3].IsNotFound());
  MultiGet(ReadOptions(), keys, &values, &statuses);
  EXPECT_EQ(values[0], "v2");
  EXPECT_TRUE(statuses[1].IsNotFound());
  db_->ReleaseSnapshot(snap);
  MultiGet(ReadOptions(), {}, &values, &statuses);
  EXPECT_TRUE(values.empty() && statuses.empty());
}

TEST_F(MultiGetTest, ApproximateSizesFollowTheData) {
  const std::string value(1000, 'v');
  for (int i = 0; i < 10000; i++) ASSERT_OK(db_->Put(WriteOptions(), NumberKey(i), value));
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  const std::string k0 = NumberKey(0), k1000 = NumberKey(1000), k5000 = NumberKey(5000),
                    k10000 = NumberKey(10000);
  std::vector<DB::Range> ranges = {{k0, k1000}, {k0, k5000}, {k5000, k10000}, {k1000, k1000},
                                   {"zzz", "zzzz"}};
  std::vector<uint64_t> sizes;
  ASSERT_OK(db_->GetApproximateSizes(ranges, &sizes));
  ASSERT_EQ(sizes.size(), ranges.size());
  // About 1 KB per key on disk, within the slack of block boundaries.
  EXPECT_NEAR(static_cast<double>(sizes[0]), 1000 * 1016.0, 1000 * 1016.0 * 0.1);
  EXPECT_NEAR(static_cast<double>(sizes[1]), 5 * sizes[0], sizes[0] * 0.5);
  EXPECT_NEAR(static_cast<double>(sizes[2]), 5 * sizes[0], sizes[0] * 0.5);
  EXPECT_EQ(sizes[3], 0u);
  EXPECT_EQ(sizes[4], 0u);

  // Memtable contents count only when asked for.
  for (int i = 20000; i < 20100; i++) ASSERT_OK(db_->Put(WriteOptions(), NumberKey(i), value));
  const std::string k20000 = NumberKey(20000), k30000 = NumberKey(30000);
  std::vector<DB::Range> mem_range = {{k20000, k30000}};
  ASSERT_OK(db_->GetApproximateSizes(mem_range, &sizes));
  EXPECT_EQ(sizes[0], 0u);
  ASSERT_OK(db_->GetApproximateSizes(mem_range, &sizes, /*include_memtables=*/true));
  EXPECT_GE(sizes[0], 100u * 1000);
  EXPECT_LE(sizes[0], 100u * 1100);
}

}  // namespace
}  // namespace strata
