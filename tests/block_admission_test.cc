// Block cache admission: once the cache is full, a block a read misses evicts others only on
// its second miss within the window; before the cache is full every block enters; and
// Options::block_cache_admit_on_first_miss restores the insert on every miss.
#include "sstable/block_admission.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "strata/cache.h"
#include "strata/db.h"
#include "strata/iterator.h"
#include "strata/perf_context.h"
#include "support/db_test_util.h"
#include "support/test_util.h"

namespace strata {
namespace {

using test::GetString;

TEST(BlockAdmissionTest, AdmitsABlockOnItsSecondMissThenForgetsIt) {
  BlockAdmission admission(1 << 20, 4096);
  const uint64_t h = 0x1234567890abcdefull;
  EXPECT_FALSE(admission.AdmitAfterMiss(h));
  EXPECT_TRUE(admission.AdmitAfterMiss(h));
  EXPECT_FALSE(admission.AdmitAfterMiss(h)) << "admitted once: the next miss starts over";
  EXPECT_TRUE(admission.AdmitAfterMiss(h));
  // Another block in the same slot replaces it; a hash of zero is a block like any other.
  EXPECT_FALSE(admission.AdmitAfterMiss(h));
  EXPECT_FALSE(admission.AdmitAfterMiss(h + admission.window()));
  EXPECT_FALSE(admission.AdmitAfterMiss(h));
  EXPECT_FALSE(admission.AdmitAfterMiss(0));
  EXPECT_TRUE(admission.AdmitAfterMiss(0));
}

TEST(BlockAdmissionTest, AMissIsForgottenOnceTheWindowHasMovedOn) {
  BlockAdmission admission(1 << 20, 4096);
  Random rnd(3);
  const uint64_t h = 42;
  EXPECT_FALSE(admission.AdmitAfterMiss(h));
  // A few misses of other blocks leave it remembered ...
  for (uint64_t i = 1; i <= 8; i++) EXPECT_FALSE(admission.AdmitAfterMiss(h + i));
  EXPECT_TRUE(admission.AdmitAfterMiss(h));
  // ... many times the window's worth of them (random hashes) push it out.
  EXPECT_FALSE(admission.AdmitAfterMiss(h));
  for (size_t i = 0; i < 64 * admission.window(); i++) admission.AdmitAfterMiss(rnd.Next());
  EXPECT_FALSE(admission.AdmitAfterMiss(h));
}

TEST(BlockAdmissionTest, WindowIsAboutTwiceTheBlocksTheCacheHolds) {
  EXPECT_EQ(BlockAdmission(32 << 20, 4096).window(), 16384u);
  EXPECT_EQ(BlockAdmission(30 << 20, 4096).window(), 16384u);  // rounded up
  EXPECT_EQ(BlockAdmission(64 << 10, 4096).window(), 1024u);   // at least 1024
  EXPECT_EQ(BlockAdmission(0, 0).window(), 1024u);
  EXPECT_EQ(BlockAdmission(size_t{64} << 30, 4096).window(), size_t{1} << 22);  // at most
}

// A table of 1000-byte values, five to a block (cut once past 4 KiB), behind a block cache
// with room for two blocks (one shard, so that the room is the whole cache's).
class BlockAdmissionDbTest : public testing::Test {
 protected:
  void Open(bool admit_on_first_miss) {
    Options options;
    options.create_if_missing = true;
    options.compression = CompressionType::kNone;
    options.block_cache = NewLRUCache(14 << 10, 0);
    options.block_cache_admit_on_first_miss = admit_on_first_miss;
    ASSERT_OK(DB::Open(options, dir_.Child("db"), &db_));
    for (int i = 0; i < 400; i++) {
      ASSERT_OK(db_->Put(WriteOptions(), Key(i), Value(i)));
    }
    ASSERT_OK(db_->Flush());
    SetPerfLevel(PerfLevel::kEnableCount);
    GetPerfContext()->Reset();
  }
  ~BlockAdmissionDbTest() override { SetPerfLevel(PerfLevel::kDisable); }

  static std::string Key(int i) { return test::NumberKey(i, 8); }
  static std::string Value(int i) { return std::string(1000, static_cast<char>('a' + i % 26)); }
  // Reads key i; says where its block came from.
  enum class From { kCache, kFileKept, kFileCached };
  From Read(int i) {
    return Classify([&] { EXPECT_EQ(Value(i), GetString(db_.get(), Key(i))); });
  }
  // The same through a short scan (an iterator's Seek) and through MultiGet.
  From Seek(int i) {
    return Classify([&] {
      std::unique_ptr<Iterator> it = db_->NewIterator(ReadOptions());
      it->Seek(Key(i));
      ASSERT_TRUE(it->Valid());
      EXPECT_EQ(Value(i), it->value());
    });
  }
  From MultiRead(int i) {
    return Classify([&] {
      const std::string key = Key(i);
      const std::string_view keys[] = {key};
      std::vector<std::string> values;
      std::vector<Status> statuses;
      db_->MultiGet(ReadOptions(), keys, &values, &statuses);
      ASSERT_EQ(statuses.size(), 1u);
      ASSERT_OK(statuses[0]);
      EXPECT_EQ(Value(i), values[0]);
    });
  }
  template <class Op>
  From Classify(Op op) {
    PerfContext before = *GetPerfContext();
    op();
    const PerfContext& now = *GetPerfContext();
    if (now.block_cache_hits > before.block_cache_hits) return From::kCache;
    EXPECT_EQ(now.block_reads, before.block_reads + 1);
    return now.blocks_not_admitted > before.blocks_not_admitted ? From::kFileKept
                                                                : From::kFileCached;
  }

  test::TempDir dir_;
  std::unique_ptr<DB> db_;
};

TEST_F(BlockAdmissionDbTest, FullCacheTakesABlockOnItsSecondMiss) {
  Open(/*admit_on_first_miss=*/false);
  // The first blocks read fill the room there is, without evicting anything.
  EXPECT_EQ(Read(0), From::kFileCached);
  EXPECT_EQ(Read(1), From::kCache);
  for (int i = 10; i < 200; i += 10) Read(i);
  EXPECT_GT(GetPerfContext()->blocks_not_admitted, 10u) << "the cache filled up";
  // A block read once more than once: kept by its read, then cached, then found there.
  EXPECT_EQ(Read(200), From::kFileKept);
  EXPECT_EQ(Read(201), From::kFileCached);
  EXPECT_EQ(Read(202), From::kCache);
  // Blocks read once each since did not push it out.
  for (int i = 250; i < 400; i += 10) EXPECT_EQ(Read(i), From::kFileKept) << i;
  EXPECT_EQ(Read(203), From::kCache);
}

TEST_F(BlockAdmissionDbTest, ShortScansAndMultiGetAreAdmittedAsGetsAre) {
  Open(/*admit_on_first_miss=*/false);
  for (int i = 0; i < 200; i += 10) Read(i);  // the cache is full
  EXPECT_EQ(Seek(300), From::kFileKept);
  EXPECT_EQ(Seek(301), From::kFileCached);
  EXPECT_EQ(Seek(302), From::kCache);
  EXPECT_EQ(MultiRead(350), From::kFileKept);
  EXPECT_EQ(MultiRead(351), From::kFileCached);
  EXPECT_EQ(MultiRead(352), From::kCache);
  EXPECT_EQ(GetPerfContext()->scan_blocks_not_cached, 0u) << "not long scans";
}

TEST_F(BlockAdmissionDbTest, AdmitOnFirstMissCachesEveryBlockRead) {
  Open(/*admit_on_first_miss=*/true);
  for (int i = 0; i < 200; i += 10) EXPECT_EQ(Read(i), From::kFileCached) << i;
  EXPECT_EQ(Read(200), From::kFileCached);
  EXPECT_EQ(Read(201), From::kCache);
  // And blocks read once each push it out.
  for (int i = 250; i < 400; i += 10) EXPECT_EQ(Read(i), From::kFileCached) << i;
  EXPECT_EQ(Read(202), From::kFileCached);
  EXPECT_EQ(GetPerfContext()->blocks_not_admitted, 0u);
}

}  // namespace
}  // namespace strata
