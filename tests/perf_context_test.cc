// PerfContext: the per-thread counters say where a read went, count nothing while off, and
// never mix threads.
#include "strata/perf_context.h"

#include <gtest/gtest.h>

#include <thread>

#include "strata/db.h"
#include "support/db_test_util.h"
#include "support/test_util.h"

namespace strata {
namespace {

using test::GetString;

class PerfContextTest : public testing::Test {
 protected:
  PerfContextTest() {
    options_.create_if_missing = true;
    options_.block_cache_capacity = 1 << 20;
    EXPECT_OK(DB::Open(options_, dir_.Child("db"), &db_));
    for (int i = 0; i < 1000; i++) {
      EXPECT_OK(db_->Put(WriteOptions(), test::NumberKey(i, 8), std::string(100, 'v')));
    }
    EXPECT_OK(db_->Flush());  // the keys now live in a table
  }
  ~PerfContextTest() override { SetPerfLevel(PerfLevel::kDisable); }

  PerfContext* Counting() {
    SetPerfLevel(PerfLevel::kEnableCount);
    GetPerfContext()->Reset();
    return GetPerfContext();
  }

  test::TempDir dir_;
  Options options_;
  std::unique_ptr<DB> db_;
};

TEST_F(PerfContextTest, GetsFromATableCountTheTableTheFilterAndTheBlock) {
  PerfContext* perf = Counting();
  EXPECT_EQ(std::string(100, 'v'), GetString(db_.get(), test::NumberKey(7, 8)));
  EXPECT_EQ(1u, perf->get_count);
  EXPECT_EQ(0u, perf->get_from_memtable);
  EXPECT_EQ(1u, perf->tables_probed);
  EXPECT_EQ(1u, perf->filter_checks);
  EXPECT_EQ(0u, perf->filter_negatives);
  EXPECT_EQ(1u, perf->block_reads + perf->block_cache_hits);
  // The same block again: now from the cache.
  const uint64_t reads = perf->block_reads;
  EXPECT_EQ(std::string(100, 'v'), GetString(db_.get(), test::NumberKey(8, 8)));
  EXPECT_EQ(reads, perf->block_reads);
  EXPECT_GE(perf->block_cache_hits, 1u);
  EXPECT_EQ("get_count = 2", perf->ToString().substr(0, 13));
}

TEST_F(PerfContextTest, MissingKeysAreRuledOutByTheFilter) {
  PerfContext* perf = Counting();
  for (int i = 0; i < 200; i++) {
    // Inside the table's key range, so the table is probed and the filter decides.
    EXPECT_EQ("NOT_FOUND", GetString(db_.get(), test::NumberKey(i, 8) + "x"));
  }
  EXPECT_EQ(200u, perf->filter_checks);
  // 10 bits per key: about 1% false positives; each negative saves a block read.
  EXPECT_GE(perf->filter_negatives, 190u);
  EXPECT_EQ(perf->filter_checks - perf->filter_negatives,
            perf->block_reads + perf->block_cache_hits);
}

TEST_F(PerfContextTest, MemtableHitsAndIteratorsAreCounted) {
  ASSERT_OK(db_->Put(WriteOptions(), "fresh", "1"));
  ASSERT_OK(db_->Put(WriteOptions(), test::NumberKey(3, 8), "new"));
  ASSERT_OK(db_->Delete(WriteOptions(), test::NumberKey(4, 8)));
  PerfContext* perf = Counting();
  EXPECT_EQ("1", GetString(db_.get(), "fresh"));
  EXPECT_EQ(1u, perf->get_from_memtable);
  EXPECT_EQ(0u, perf->tables_probed);
  auto it = db_->NewIterator(ReadOptions());
  it->Seek(test::NumberKey(2, 8));
  ASSERT_TRUE(it->Valid());
  it->Next();  // key 3: the new value hides the table's
  EXPECT_EQ("new", it->value());
  it->Next();  // key 4 is deleted: its deletion and its old value are stepped over
  EXPECT_EQ(test::NumberKey(5, 8), it->key());
  EXPECT_EQ(1u, perf->iterator_seeks);
  EXPECT_GE(perf->internal_entries_skipped, 3u);  // old 3, deletion of 4, old 4
}

TEST_F(PerfContextTest, NothingIsCountedWhileOffOrOnAnotherThread) {
  PerfContext* perf = Counting();
  SetPerfLevel(PerfLevel::kDisable);
  EXPECT_EQ(std::string(100, 'v'), GetString(db_.get(), test::NumberKey(7, 8)));
  EXPECT_EQ(0u, perf->get_count);
  EXPECT_EQ("", perf->ToString());

  SetPerfLevel(PerfLevel::kEnableCount);
  std::thread other([&] {
    EXPECT_EQ(PerfLevel::kDisable, GetPerfLevel());  // each thread starts off
    SetPerfLevel(PerfLevel::kEnableCount);
    EXPECT_EQ(std::string(100, 'v'), GetString(db_.get(), test::NumberKey(9, 8)));
    EXPECT_EQ(1u, GetPerfContext()->get_count);
  });
  other.join();
  EXPECT_EQ(0u, perf->get_count);

  PerfContext sum;
  PerfContext one;
  one.get_count = 2;
  one.block_reads = 3;
  sum += one;
  sum += one;
  EXPECT_EQ(4u, sum.get_count);
  EXPECT_EQ(6u, sum.block_reads);
}

}  // namespace
}  // namespace strata
