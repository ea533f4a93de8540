#include "version/table_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "sstable/table_builder.h"
#include "strata/comparator.h"
#include "support/fault_injection_fs.h"
#include "support/open_file_counter.h"
#include "support/test_util.h"
#include "util/random.h"
#include "version/filename.h"

namespace strata {
namespace {

using test::FaultInjectionFileSystem;
using test::NumberKey;
using test::OpenFileCounter;
using test::OpKind;

constexpr int kEntriesPerTable = 500;

std::string ValueFor(uint64_t file_number, int i) {
  return "value" + std::to_string(file_number) + "-" + std::to_string(i) + std::string(50, 'v');
}

class TableCacheTest : public ::testing::Test {
 protected:
  TableCacheTest()
      : faults_(std::make_shared<FaultInjectionFileSystem>(FileSystem::Default())),
        counter_(std::make_shared<OpenFileCounter>(faults_)) {
    options_.comparator = BytewiseComparator();
    options_.block_size = 1024;  // several data blocks per table
  }

  void NewCache(int max_open_files) {
    cache_ = std::make_unique<TableCache>(dir_.path(), counter_.get(), options_, max_open_files);
  }

  // Writes table file_number holding NumberKey(0..kEntriesPerTable-1) with ValueFor values,
  // through the plain file system so that it does not count as an open.
  void BuildTable(uint64_t file_number) {
    std::unique_ptr<WritableFile> file;
    ASSERT_OK(
        FileSystem::Default()->NewWritableFile(TableFileName(dir_.path(), file_number), &file));
    TableBuilder builder(options_, file.get());
    for (int i = 0; i < kEntriesPerTable; i++) builder.Add(NumberKey(i), ValueFor(file_number, i));
    ASSERT_OK(builder.Finish());
    ASSERT_OK(file->Sync());
    ASSERT_OK(file->Close());
    sizes_[file_number] = builder.FileSize();
  }

  // Get through the cache: the value of the entry found if its key is key, "MISS" if the
  // entry found has another key or none is found, or the error.
  std::string Get(uint64_t file_number, const std::string& key) {
    struct Found {
      std::string key, value;
      bool any = false;
    } found;
    Status s = cache_->Get(
        ReadOptions(), file_number, SizeOf(file_number), key, key,
        [](void* arg, std::string_view k, std::string_view v) {
          auto* f = static_cast<Found*>(arg);
          EXPECT_FALSE(f->any) << "callback called twice";
          f->any = true;
          f->key = k;
          f->value = v;
          return false;
        },
        &found);
    if (!s.ok()) return s.ToString();
    if (!found.any || found.key != key) return "MISS";
    return found.value;
  }

  // Get through the cache on a table the caller keeps open: the value found, or the error.
  std::string GetFrom(const Table& table, const std::string& key) {
    std::string value;
    Status s = cache_->Get(
        ReadOptions(), table, key, key,
        [](void* arg, std::string_view, std::string_view v) {
          *static_cast<std::string*>(arg) = v;
          return false;
        },
        &value);
    return s.ok() ? value : s.ToString();
  }

  // The size recorded by BuildTable (1000 for a table never built).
  uint64_t SizeOf(uint64_t file_number) const {
    auto it = sizes_.find(file_number);
    return it == sizes_.end() ? 1000 : it->second;
  }
  uint64_t Opens() const { return faults_->Count(OpKind::kOpen); }

  test::TempDir dir_;
  std::shared_ptr<FaultInjectionFileSystem> faults_;
  std::shared_ptr<OpenFileCounter> counter_;
  TableOptions options_;
  std::map<uint64_t, uint64_t> sizes_;
  std::unique_ptr<TableCache> cache_;
};

TEST_F(TableCacheTest, IteratesTable) {
  BuildTable(7);
  NewCache(10);
  std::unique_ptr<Iterator> iter = cache_->NewIterator(ReadOptions(), 7, SizeOf(7));
  int n = 0;
  for (iter->SeekToFirst(); iter->Valid(); iter->Next(), n++) {
    ASSERT_EQ(iter->key(), NumberKey(n));
    ASSERT_EQ(iter->value(), ValueFor(7, n));
  }
  EXPECT_OK(iter->status());
  EXPECT_EQ(n, kEntriesPerTable);

  iter->Seek(NumberKey(123));
  ASSERT_TRUE(iter->Valid());
  EXPECT_EQ(iter->key(), NumberKey(123));
  iter->Prev();
  ASSERT_TRUE(iter->Valid());
  EXPECT_EQ(iter->key(), NumberKey(122));
  iter->SeekToLast();
  ASSERT_TRUE(iter->Valid());
  EXPECT_EQ(iter->key(), NumberKey(kEntriesPerTable - 1));
  iter->SeekForPrev(NumberKey(300) + "x");
  ASSERT_TRUE(iter->Valid());
  EXPECT_EQ(iter->key(), NumberKey(300));
  EXPECT_OK(iter->status());
}

TEST_F(TableCacheTest, GetFindsKeysAndMisses) {
  BuildTable(3);
  NewCache(10);
  EXPECT_EQ(Get(3, NumberKey(0)), ValueFor(3, 0));
  EXPECT_EQ(Get(3, NumberKey(250)), ValueFor(3, 250));
  EXPECT_EQ(Get(3, NumberKey(kEntriesPerTable - 1)), ValueFor(3, kEntriesPerTable - 1));
  EXPECT_EQ(Get(3, NumberKey(250) + "x"), "MISS");
  EXPECT_EQ(Get(3, "zzz"), "MISS");
  EXPECT_EQ(Opens(), 1u);  // opened once, then served from the cache
}

TEST_F(TableCacheTest, Properties) {
  BuildTable(4);
  NewCache(10);
  TableProperties props;
  ASSERT_OK(cache_->GetProperties(4, SizeOf(4), &props));
  EXPECT_EQ(props.num_entries, static_cast<uint64_t>(kEntriesPerTable));
  EXPECT_EQ(props.smallest_key, NumberKey(0));
  EXPECT_EQ(props.largest_key, NumberKey(kEntriesPerTable - 1));
  EXPECT_EQ(Get(4, NumberKey(1)), ValueFor(4, 1));
  EXPECT_EQ(Opens(), 1u);
}

TEST_F(TableCacheTest, BoundsOpenFiles) {
  for (uint64_t f = 1; f <= 5; f++) BuildTable(f);
  NewCache(2);
  for (int round = 0; round < 3; round++) {
    for (uint64_t f = 1; f <= 5; f++) {
      ASSERT_EQ(Get(f, NumberKey(f * 10)), ValueFor(f, static_cast<int>(f * 10)));
      ASSERT_LE(counter_->open_now(), 2);
    }
  }
  // The new reader opens before the coldest one closes: one over the limit, briefly.
  EXPECT_EQ(counter_->most_open(), 3);
  // Cycling through 5 tables with room for 2 (LRU) misses every time.
  EXPECT_EQ(Opens(), 15u);

  // Two hot tables stay open.
  faults_->ResetCounts();
  for (int i = 0; i < 10; i++) {
    ASSERT_EQ(Get(4, NumberKey(i)), ValueFor(4, i));
    ASSERT_EQ(Get(5, NumberKey(i)), ValueFor(5, i));
  }
  EXPECT_EQ(Opens(), 0u);
}

TEST_F(TableCacheTest, IteratorPinsTableBeyondTheLimit) {
  for (uint64_t f = 1; f <= 4; f++) BuildTable(f);
  NewCache(2);
  std::vector<std::unique_ptr<Iterator>> iters;
  for (uint64_t f = 1; f <= 4; f++)
    iters.push_back(cache_->NewIterator(ReadOptions(), f, SizeOf(f)));
  EXPECT_EQ(counter_->open_now(), 4);  // all in use: none can close
  for (uint64_t f = 1; f <= 4; f++) {
    auto& iter = iters[f - 1];
    iter->Seek(NumberKey(42));
    ASSERT_TRUE(iter->Valid());
    EXPECT_EQ(iter->value(), ValueFor(f, 42));
  }
  iters.clear();
  EXPECT_EQ(counter_->open_now(), 2);  // back within the limit once released
}

TEST_F(TableCacheTest, PinKeepsATableOpenUntilReleased) {
  for (uint64_t f = 1; f <= 3; f++) BuildTable(f);
  NewCache(1);
  TableCache::PinnedTable one, two;
  ASSERT_OK(cache_->Pin(1, SizeOf(1), &one));
  ASSERT_OK(cache_->Pin(2, SizeOf(2), &two));
  ASSERT_TRUE(one && two);
  EXPECT_EQ(counter_->open_now(), 2);  // both pinned, over the limit of one
  EXPECT_EQ(one.table().properties().num_entries, static_cast<uint64_t>(kEntriesPerTable));

  // A Get through a pin reads that table, with no open.
  const uint64_t opens = Opens();
  EXPECT_EQ(ValueFor(2, 7), GetFrom(two.table(), NumberKey(7)));
  EXPECT_EQ(Opens(), opens);

  // Moving a pin hands it on; releasing the last one lets the table close.
  TableCache::PinnedTable moved = std::move(one);
  EXPECT_FALSE(one);
  ASSERT_TRUE(moved);
  moved.Reset();
  two.Reset();
  EXPECT_EQ(counter_->open_now(), 1);

  // PinIfOpen never opens: table 3 is not open, table 2 is.
  TableCache::PinnedTable maybe;
  EXPECT_FALSE(cache_->PinIfOpen(3, &maybe));
  EXPECT_FALSE(maybe);
  EXPECT_EQ(Opens(), opens);
  EXPECT_TRUE(cache_->PinIfOpen(2, &maybe));
  ASSERT_TRUE(maybe);
  EXPECT_EQ(maybe.table().properties().num_entries, static_cast<uint64_t>(kEntriesPerTable));
  maybe.Reset();

  // A table that cannot open leaves the pin empty, and says why.
  TableCache::PinnedTable missing;
  Status s = cache_->Pin(42, 1000, &missing);
  EXPECT_TRUE(s.IsIOError() || s.IsNotFound()) << s.ToString();
  EXPECT_FALSE(missing);
}

// TablePins keeps the first pin of a slot for its life (a second read's pin is released),
// past the cache's evictions, and lets the tables close when destroyed.
TEST_F(TableCacheTest, TablePinsKeepTheFirstPinOfASlotUntilDestroyed) {
  for (uint64_t f = 1; f <= 2; f++) BuildTable(f);
  NewCache(10);
  auto pins = std::make_unique<TablePins>(2);
  EXPECT_EQ(nullptr, pins->Find(0));
  EXPECT_EQ(nullptr, pins->Find(1));

  TableCache::PinnedTable first, second;
  ASSERT_OK(cache_->Pin(1, SizeOf(1), &first));
  ASSERT_TRUE(cache_->PinIfOpen(1, &second));
  const Table* kept = &pins->Keep(0, &first, cache_.get());
  EXPECT_FALSE(first) << "taken";
  EXPECT_EQ(kept, pins->Find(0));
  EXPECT_EQ(kept, &pins->Keep(0, &second, cache_.get())) << "the slot keeps the first";
  EXPECT_FALSE(second) << "released";
  EXPECT_EQ(nullptr, pins->Find(1));
  ASSERT_OK(cache_->Pin(2, SizeOf(2), &first));
  pins->Keep(1, &first, cache_.get());
  EXPECT_NE(pins->Find(0), pins->Find(1));

  cache_->Evict(1);
  EXPECT_EQ(counter_->open_now(), 2) << "table 1 stays open for its pin";
  EXPECT_EQ(ValueFor(1, 7), GetFrom(*pins->Find(0), NumberKey(7)));
  pins.reset();
  EXPECT_EQ(counter_->open_now(), 1) << "destroyed: the evicted table closes, 2 stays cached";
}

// Kept pins come from one budget per cache, half of max_open_files, whatever keeps them:
// past it a read keeps its own pin, and a destroyed TablePins gives its pins back.
TEST_F(TableCacheTest, TablePinsShareHalfOfTheOpenFilesLimit) {
  for (uint64_t f = 1; f <= 7; f++) BuildTable(f);
  NewCache(10);
  auto a = std::make_unique<TablePins>(6);
  for (uint64_t f = 1; f <= 6; f++) {
    TableCache::PinnedTable pinned;
    ASSERT_OK(cache_->Pin(f, SizeOf(f), &pinned));
    const Table* table = &a->Keep(f - 1, &pinned, cache_.get());
    if (f <= 5) {
      EXPECT_FALSE(pinned) << f;
      EXPECT_EQ(table, a->Find(f - 1)) << f;
    } else {
      ASSERT_TRUE(pinned) << "no kept pin free: the caller keeps its own";
      EXPECT_EQ(table, &pinned.table());
      EXPECT_EQ(nullptr, a->Find(f - 1));
    }
  }
  TablePins b(1);
  TableCache::PinnedTable pinned;
  ASSERT_OK(cache_->Pin(7, SizeOf(7), &pinned));
  b.Keep(0, &pinned, cache_.get());
  EXPECT_EQ(nullptr, b.Find(0)) << "the budget is the cache's, not each TablePins'";
  a.reset();
  b.Keep(0, &pinned, cache_.get());
  EXPECT_NE(nullptr, b.Find(0));
  EXPECT_EQ(ValueFor(7, 3), GetFrom(*b.Find(0), NumberKey(3)));
}

TEST_F(TableCacheTest, EvictClosesFile) {
  BuildTable(1);
  BuildTable(2);
  NewCache(10);
  EXPECT_EQ(Get(1, NumberKey(5)), ValueFor(1, 5));
  EXPECT_EQ(Get(2, NumberKey(5)), ValueFor(2, 5));
  EXPECT_EQ(counter_->open_now(), 2);
  cache_->Evict(1);
  EXPECT_EQ(counter_->open_now(), 1);
  cache_->Evict(1);   // not open: nothing happens
  cache_->Evict(99);  // never was
  EXPECT_EQ(counter_->open_now(), 1);
  EXPECT_EQ(Get(1, NumberKey(5)), ValueFor(1, 5));  // reopens
  EXPECT_EQ(Opens(), 3u);
}

TEST_F(TableCacheTest, EvictWhileIterating) {
  BuildTable(1);
  NewCache(10);
  std::unique_ptr<Iterator> iter = cache_->NewIterator(ReadOptions(), 1, SizeOf(1));
  iter->SeekToFirst();
  cache_->Evict(1);
  ASSERT_OK(FileSystem::Default()->RemoveFile(TableFileName(dir_.path(), 1)));
  EXPECT_EQ(counter_->open_now(), 1);  // still in use
  int n = 0;
  for (; iter->Valid(); iter->Next()) n++;
  EXPECT_OK(iter->status());
  EXPECT_EQ(n, kEntriesPerTable);
  iter.reset();
  EXPECT_EQ(counter_->open_now(), 0);
  // The file is gone now: a new reader cannot open.
  EXPECT_NE(Get(1, NumberKey(5)), ValueFor(1, 5));
}

TEST_F(TableCacheTest, MissingFileIsAnError) {
  NewCache(10);
  const std::string got = Get(42, NumberKey(1));
  EXPECT_TRUE(got.starts_with("IOError") || got.starts_with("NotFound")) << got;
  std::unique_ptr<Iterator> iter = cache_->NewIterator(ReadOptions(), 42, 1000);
  iter->SeekToFirst();
  EXPECT_FALSE(iter->Valid());
  EXPECT_TRUE(iter->status().IsIOError() || iter->status().IsNotFound())
      << iter->status().ToString();
  TableProperties props;
  Status s = cache_->GetProperties(42, 1000, &props);
  EXPECT_TRUE(s.IsIOError() || s.IsNotFound()) << s.ToString();
}

TEST_F(TableCacheTest, CorruptFileIsNotCached) {
  BuildTable(1);
  const std::string path = TableFileName(dir_.path(), 1);
  std::string good;
  ASSERT_OK(ReadFileToString(FileSystem::Default().get(), path, &good));
  std::string bad = good;
  bad[bad.size() - 20] ^= 0x40;  // inside the footer
  ASSERT_OK(WriteStringToFile(FileSystem::Default().get(), bad, path, false));

  NewCache(10);
  for (int attempt = 1; attempt <= 2; attempt++) {
    const std::string got = Get(1, NumberKey(1));
    EXPECT_TRUE(got.starts_with("Corruption")) << got;
    EXPECT_EQ(Opens(), static_cast<uint64_t>(attempt));  // each call tries the file again
  }
  std::unique_ptr<Iterator> iter = cache_->NewIterator(ReadOptions(), 1, SizeOf(1));
  EXPECT_TRUE(iter->status().IsCorruption()) << iter->status().ToString();
  EXPECT_EQ(counter_->open_now(), 0);  // the failed readers are closed

  // Repaired, the file opens: nothing of the failure was remembered.
  ASSERT_OK(WriteStringToFile(FileSystem::Default().get(), good, path, false));
  EXPECT_EQ(Get(1, NumberKey(1)), ValueFor(1, 1));
}

// Verify reads a table as its first open would and keeps nothing: the file closes, the
// table's memory is given back, and a damaged file is Corruption as it is for Get.
TEST_F(TableCacheTest, VerifyOpensAndClosesWithoutCaching) {
  options_.bloom_bits_per_key = 10;  // a filter to load and give back
  options_.filter_key = [](std::string_view key) { return key; };
  BuildTable(1);
  NewCache(10);
  counter_->ResetMost();
  ASSERT_OK(cache_->Verify(1, SizeOf(1)));
  EXPECT_EQ(counter_->most_open(), 1);
  EXPECT_EQ(counter_->open_now(), 0);
  EXPECT_EQ(cache_->ReaderMemory(), 0u);
  TableCache::PinnedTable pinned;
  EXPECT_FALSE(cache_->PinIfOpen(1, &pinned)) << "Verify cached the table";
  EXPECT_EQ(Get(1, NumberKey(1)), ValueFor(1, 1));
  EXPECT_EQ(Opens(), 2u);  // Get opened the file again
  EXPECT_GT(cache_->ReaderMemory(), 0u);

  BuildTable(2);
  const std::string path = TableFileName(dir_.path(), 2);
  std::string bad;
  ASSERT_OK(ReadFileToString(FileSystem::Default().get(), path, &bad));
  bad[bad.size() - 20] ^= 0x40;  // inside the footer
  ASSERT_OK(WriteStringToFile(FileSystem::Default().get(), bad, path, false));
  Status s = cache_->Verify(2, SizeOf(2));
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_EQ(counter_->open_now(), 1);  // table 1, cached by Get
  s = cache_->Verify(42, 1000);        // no such file
  EXPECT_TRUE(s.IsNotFound() || s.IsIOError()) << s.ToString();
}

TEST_F(TableCacheTest, TruncatedFileIsCorruption) {
  BuildTable(1);
  ASSERT_OK(FileSystem::Default()->Truncate(TableFileName(dir_.path(), 1), SizeOf(1) / 2));
  NewCache(10);
  sizes_[1] /= 2;  // as if the torn size had been recorded
  const std::string got = Get(1, NumberKey(1));
  EXPECT_TRUE(got.starts_with("Corruption")) << got;
}

TEST_F(TableCacheTest, TransientOpenErrorIsRetried) {
  BuildTable(1);
  NewCache(10);
  faults_->FailNth(OpKind::kOpen, 1, test::ErrorKind::kEIO);
  const std::string got = Get(1, NumberKey(1));
  EXPECT_TRUE(got.starts_with("IOError")) << got;
  EXPECT_EQ(Get(1, NumberKey(1)), ValueFor(1, 1));
}

TEST_F(TableCacheTest, ZeroOpenFilesCachesNothing) {
  BuildTable(1);
  NewCache(0);
  EXPECT_EQ(Get(1, NumberKey(1)), ValueFor(1, 1));
  EXPECT_EQ(Get(1, NumberKey(2)), ValueFor(1, 2));
  EXPECT_EQ(counter_->open_now(), 0);
  EXPECT_EQ(Opens(), 2u);
}

// Readers on several threads over more tables than may stay open. Run under ThreadSanitizer
// too.
TEST_F(TableCacheTest, ConcurrentReads) {
  constexpr uint64_t kTables = 6;
  for (uint64_t f = 1; f <= kTables; f++) BuildTable(f);
  NewCache(3);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([&, t] {
      Random rnd(t + 1);
      for (int i = 0; i < 300; i++) {
        const uint64_t f = 1 + rnd.Uniform(kTables);
        const int k = static_cast<int>(rnd.Uniform(kEntriesPerTable));
        if (rnd.OneIn(4)) {
          std::unique_ptr<Iterator> iter = cache_->NewIterator(ReadOptions(), f, SizeOf(f));
          iter->Seek(NumberKey(k));
          if (!iter->Valid() || iter->value() != ValueFor(f, k)) wrong++;
        } else if (rnd.OneIn(20)) {
          cache_->Evict(f);
        } else if (Get(f, NumberKey(k)) != ValueFor(f, k)) {
          wrong++;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LE(counter_->open_now(), 3);
}

}  // namespace
}  // namespace strata
