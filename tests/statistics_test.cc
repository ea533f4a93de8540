// Statistics (include/strata/statistics.h): what the engine counts when Options::statistics
// is set, each counter checked against a workload whose answer is known.
#include "strata/statistics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "strata/db.h"
#include "strata/file_system.h"
#include "support/db_test_util.h"
#include "support/test_util.h"
#include "version/filename.h"

namespace strata {
namespace {

class StatisticsTest : public testing::Test {
 protected:
  StatisticsTest() {
    options_.create_if_missing = true;
    options_.statistics = stats_;
    options_.level0_file_num_compaction_trigger = 10;  // compactions only when asked
  }
  void Open() { ASSERT_OK(DB::Open(options_, dir_.Child("db"), &db_)); }
  uint64_t Count(Ticker t) { return stats_->GetTickerCount(t); }

  test::TempDir dir_;
  std::shared_ptr<Statistics> stats_ = CreateStatistics();
  Options options_;
  std::unique_ptr<DB> db_;
};

TEST_F(StatisticsTest, WritesAndTheLog) {
  Open();
  WriteOptions sync;
  sync.sync = true;
  ASSERT_OK(db_->Put(WriteOptions(), "key1", "value1"));
  WriteBatch batch;
  batch.Put("key2", "v2");
  batch.Delete("key1");
  const size_t batch_bytes = batch.ApproximateSize();
  ASSERT_OK(db_->Write(sync, &batch));
  EXPECT_EQ(3u, Count(Ticker::kKeysWritten));
  WriteBatch one;
  one.Put("key1", "value1");
  EXPECT_EQ(one.ApproximateSize() + batch_bytes, Count(Ticker::kBytesWritten));
  EXPECT_EQ(1u, Count(Ticker::kWalSyncs));
  EXPECT_EQ(one.ApproximateSize() + batch_bytes, Count(Ticker::kWalBytes))
      << "each batch its own log record";
  EXPECT_EQ(2u, stats_->GetHistogramData(HistogramType::kWriteLatency).count);
  ASSERT_OK(db_->SyncWAL());
  ASSERT_OK(db_->Flush());
  EXPECT_EQ(2u, stats_->GetHistogramData(HistogramType::kWriteLatency).count)
      << "SyncWAL and Flush are not user writes";
}

TEST_F(StatisticsTest, GetsIteratorsBlockCacheAndBloom) {
  Open();
  for (int i = 0; i < 100; i++) ASSERT_OK(db_->Put(WriteOptions(), test::NumberKey(i), "vv"));
  ASSERT_OK(db_->Flush());
  stats_->Reset();
  EXPECT_EQ(0u, Count(Ticker::kKeysWritten));

  std::string value;
  ASSERT_OK(db_->Get(ReadOptions(), test::NumberKey(7), &value));
  ASSERT_OK(db_->Get(ReadOptions(), test::NumberKey(8), &value));  // same block: cached
  // Inside the table's key range (a key outside it is ruled out without the filter).
  EXPECT_TRUE(db_->Get(ReadOptions(), test::NumberKey(50) + ".", &value).IsNotFound());
  EXPECT_EQ(3u, Count(Ticker::kKeysRead));
  EXPECT_EQ(2u, Count(Ticker::kGetHits));
  EXPECT_EQ(4u, Count(Ticker::kBytesRead));
  EXPECT_EQ(3u, stats_->GetHistogramData(HistogramType::kGetLatency).count);
  EXPECT_EQ(1u, Count(Ticker::kBlockCacheDataMiss));
  EXPECT_EQ(1u, Count(Ticker::kBlockCacheDataHit));
  EXPECT_EQ(3u, Count(Ticker::kBloomFilterChecked));
  EXPECT_EQ(1u, Count(Ticker::kBloomFilterUseful)) << "the absent key ruled out by the filter";
  // The flush opened the table to check it, so its index and filter were in memory.
  EXPECT_EQ(0u, Count(Ticker::kBlockCacheIndexMiss));
  EXPECT_EQ(3u, Count(Ticker::kBlockCacheIndexHit));
  EXPECT_EQ(3u, Count(Ticker::kBlockCacheFilterHit));

  stats_->Reset();
  auto it = db_->NewIterator(ReadOptions());
  it->Seek(test::NumberKey(90));
  int seen = 0;
  for (; it->Valid(); it->Next()) seen++;
  ASSERT_OK(it->status());
  EXPECT_EQ(10, seen);
  EXPECT_EQ(10u, Count(Ticker::kKeysRead));
  EXPECT_EQ(10 * (test::NumberKey(90).size() + 2), Count(Ticker::kBytesRead));
  EXPECT_EQ(1u, stats_->GetHistogramData(HistogramType::kSeekLatency).count);
  it.reset();

  // After a reopen the table is not open: the first read opens it (index and filter read).
  db_.reset();
  Open();
  stats_->Reset();
  ASSERT_OK(db_->Get(ReadOptions(), test::NumberKey(7), &value));
  ASSERT_OK(db_->Get(ReadOptions(), test::NumberKey(8), &value));
  EXPECT_EQ(1u, Count(Ticker::kBlockCacheIndexMiss));
  EXPECT_EQ(1u, Count(Ticker::kBlockCacheFilterMiss));
  EXPECT_EQ(1u, Count(Ticker::kBlockCacheIndexHit));
}

TEST_F(StatisticsTest, FlushAndCompaction) {
  Open();
  for (int round = 0; round < 2; round++) {
    for (int i = 0; i < 200; i++) {
      ASSERT_OK(db_->Put(WriteOptions(), test::NumberKey(i), std::string(50, 'a' + round)));
    }
    ASSERT_OK(db_->Flush());
  }
  EXPECT_EQ(2u, Count(Ticker::kFlushCount));
  uint64_t tables = 0;
  for (const std::string& f : test::FilesOfType(dir_.Child("db"), FileType::kTable)) {
    uint64_t size = 0;
    ASSERT_OK(FileSystem::Default()->GetFileSize(f, &size));
    tables += size;
  }
  EXPECT_EQ(tables, Count(Ticker::kFlushBytes));
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  EXPECT_EQ(1u, Count(Ticker::kCompactionCount));
  EXPECT_EQ(tables, Count(Ticker::kCompactionBytesRead)) << "both flushed tables";
  EXPECT_GT(Count(Ticker::kCompactionBytesWritten), 0u);
  EXPECT_LT(Count(Ticker::kCompactionBytesWritten), tables) << "the older round was dropped";
  EXPECT_EQ(1u, test::IntProperty(db_.get(), "strata.num-compactions"));
  EXPECT_EQ(2u, test::IntProperty(db_.get(), "strata.num-flushes"));
}

TEST_F(StatisticsTest, SharedAcrossThreadsAndToString) {
  Open();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([&, t] {
      std::string v;
      for (int i = 0; i < 250; i++) {
        EXPECT_OK(db_->Put(WriteOptions(), test::NumberKey(t * 1000 + i), "v"));
        EXPECT_OK(db_->Get(ReadOptions(), test::NumberKey(t * 1000 + i), &v));
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(1000u, Count(Ticker::kKeysWritten));
  EXPECT_EQ(1000u, Count(Ticker::kGetHits));
  const HistogramData get = stats_->GetHistogramData(HistogramType::kGetLatency);
  EXPECT_EQ(1000u, get.count);
  EXPECT_LE(get.p50, get.p99);
  EXPECT_LE(get.p99, get.max);
  const std::string text = stats_->ToString();
  EXPECT_NE(std::string::npos, text.find("strata.keys.written 1000\n")) << text;
  EXPECT_NE(std::string::npos, text.find("strata.get.micros count 1000 ")) << text;
  EXPECT_STREQ("strata.block.cache.data.hit", TickerName(Ticker::kBlockCacheDataHit));
  EXPECT_STREQ("strata.seek.micros", HistogramName(HistogramType::kSeekLatency));
}

TEST_F(StatisticsTest, NullKeepsNothing) {
  options_.statistics = nullptr;
  Open();
  ASSERT_OK(db_->Put(WriteOptions(), "a", "b"));
  std::string v;
  ASSERT_OK(db_->Get(ReadOptions(), "a", &v));
  EXPECT_EQ(0u, Count(Ticker::kKeysWritten));
  EXPECT_EQ(0u, stats_->GetHistogramData(HistogramType::kGetLatency).count);
}

}  // namespace
}  // namespace strata
