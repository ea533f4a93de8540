// The DB through its public API: basic operations, reopen, options, in-process locking (other
// processes: multi_process_test), concurrent writers, and what each WAL recovery mode does
// with damaged logs.
#include "strata/db.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <thread>

#include "db/db_impl.h"
#include "db/write_batch_internal.h"
#include "strata/cache.h"
#include "strata/file_system.h"
#include "strata/perf_context.h"
#include "support/db_test_util.h"
#include "support/gate.h"
#include "support/gated_log_sync_fs.h"
#include "support/resident_pages.h"
#include "support/test_util.h"
#include "util/arena.h"
#include "util/chunked_writer.h"
#include "util/large_memory.h"
#include "util/sanitizers.h"
#include "wal/log_writer.h"

namespace strata {
namespace {

using test::GetString;

class DBTest : public testing::Test {
 protected:
  DBTest() {
    options_.create_if_missing = true;
    dbname_ = dir_.Child("db");
  }

  Status TryOpen() {
    db_.reset();
    return DB::Open(options_, dbname_, &db_);
  }
  void Reopen() { ASSERT_OK(TryOpen()); }
  void Close() { db_.reset(); }
  Status Put(std::string_view k, std::string_view v) { return db_->Put(WriteOptions(), k, v); }
  std::string Get(std::string_view k) { return GetString(db_.get(), k); }

  test::TempDir dir_;
  std::string dbname_;
  Options options_;
  std::unique_ptr<DB> db_;
};

TEST_F(DBTest, PutGetDeleteOverwrite) {
  Reopen();
  EXPECT_EQ("NOT_FOUND", Get("a"));
  ASSERT_OK(Put("a", "1"));
  EXPECT_EQ("1", Get("a"));
  ASSERT_OK(Put("a", "2"));
  EXPECT_EQ("2", Get("a"));
  ASSERT_OK(db_->Delete(WriteOptions(), "a"));
  EXPECT_EQ("NOT_FOUND", Get("a"));
  ASSERT_OK(db_->Delete(WriteOptions(), "never-written"));
  ASSERT_OK(Put("a", "3"));
  EXPECT_EQ("3", Get("a"));
}

// Tables read with pread (a file system without a mapping budget) and through mappings hold
// and return the same data, through gets, scans both ways and a compaction that reads its
// inputs in read-ahead windows.
TEST_F(DBTest, PreadAndMappedTablesReadTheSame) {
  for (bool mapped : {false, true}) {
    SCOPED_TRACE(mapped ? "mapped" : "pread");
    options_.file_system = FileSystem::NewPosix(mapped ? uint64_t{1} << 30 : 0);
    ASSERT_OK(DestroyDB(dbname_, options_));
    Reopen();
    std::map<std::string, std::string> model;
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 3000; i++) {
        std::string key = "key" + std::to_string((i * 7919 + round) % 5000);
        std::string value = std::string(50 + i % 100, static_cast<char>('a' + round)) + key;
        ASSERT_OK(Put(key, value));
        model[key] = value;
      }
      ASSERT_OK(db_->Flush());
    }
    ASSERT_OK(db_->CompactRange(nullptr, nullptr));
    Reopen();
    for (const auto& [k, v] : model) ASSERT_EQ(v, Get(k)) << k;
    std::unique_ptr<Iterator> it(db_->NewIterator(ReadOptions()));
    auto m = model.begin();
    for (it->SeekToFirst(); it->Valid(); it->Next(), ++m) {
      ASSERT_NE(m, model.end());
      ASSERT_EQ(it->key(), m->first);
      ASSERT_EQ(it->value(), m->second);
    }
    ASSERT_OK(it->status());
    EXPECT_EQ(m, model.end());
    auto r = model.rbegin();
    for (it->SeekToLast(); it->Valid(); it->Prev(), ++r) {
      ASSERT_NE(r, model.rend());
      ASSERT_EQ(it->key(), r->first);
    }
    ASSERT_OK(it->status());
    EXPECT_EQ(r, model.rend());
    it.reset();
    Close();
  }
}

TEST_F(DBTest, AwkwardKeysAndValues) {
  Reopen();
  std::string zero_key("\0", 1), ff_key("\xff\xff", 2), big(1 << 20, 'x');
  ASSERT_OK(Put("", "empty key"));
  ASSERT_OK(Put("empty value", ""));
  ASSERT_OK(Put(zero_key, "zero"));
  ASSERT_OK(Put(ff_key, "ff"));
  ASSERT_OK(Put("big", big));
  for (int pass = 0; pass < 2; pass++) {
    EXPECT_EQ("empty key", Get(""));
    EXPECT_EQ("", Get("empty value"));
    EXPECT_EQ("zero", Get(zero_key));
    EXPECT_EQ("ff", Get(ff_key));
    EXPECT_EQ(big, Get("big"));
    EXPECT_EQ("NOT_FOUND", Get(std::string("\0\0", 2)));
    Reopen();
  }
}

TEST_F(DBTest, BatchIsAppliedWhole) {
  Reopen();
  ASSERT_OK(Put("gone", "x"));
  WriteBatch batch;
  batch.Put("k1", "v1");
  batch.Put("k2", "v2");
  batch.Delete("gone");
  batch.Put("k1", "v1b");  // later operations in a batch win
  ASSERT_OK(db_->Write(WriteOptions(), &batch));
  EXPECT_EQ("v1b", Get("k1"));
  EXPECT_EQ("v2", Get("k2"));
  EXPECT_EQ("NOT_FOUND", Get("gone"));
  WriteBatch empty;
  ASSERT_OK(db_->Write(WriteOptions(), &empty));
  Reopen();
  EXPECT_EQ("v1b", Get("k1"));
  EXPECT_EQ("NOT_FOUND", Get("gone"));
}

TEST_F(DBTest, ReopenKeepsEverythingAndSequenceContinues) {
  Reopen();
  std::map<std::string, std::string> model;
  Random rnd(17);
  for (int round = 0; round < 4; round++) {
    for (int i = 0; i < 500; i++) {
      std::string k = test::NumberKey(rnd.Uniform(300));
      if (rnd.OneIn(5)) {
        ASSERT_OK(db_->Delete(WriteOptions(), k));
        model.erase(k);
      } else {
        std::string v = test::RandomBytes(&rnd, rnd.Uniform(50));
        ASSERT_OK(Put(k, v));
        model[k] = v;
      }
    }
    std::string seq_before;
    ASSERT_TRUE(db_->GetProperty("strata.last-sequence", &seq_before));
    Reopen();
    std::string seq_after;
    ASSERT_TRUE(db_->GetProperty("strata.last-sequence", &seq_after));
    EXPECT_EQ(seq_before, seq_after);
    for (int k = 0; k < 300; k++) {
      std::string key = test::NumberKey(k);
      auto it = model.find(key);
      ASSERT_EQ(it == model.end() ? "NOT_FOUND" : it->second, Get(key)) << key;
    }
    // Recovery leaves one log of recovered data and one fresh log, however often we reopen.
    EXPECT_LE(test::LogFiles(dbname_).size(), 2u);
  }
}

TEST_F(DBTest, CreateIfMissingAndErrorIfExists) {
  options_.create_if_missing = false;
  Status s = TryOpen();
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find("does not exist"));
  EXPECT_FALSE(FileSystem::Default()->FileExists(dbname_));

  options_.create_if_missing = true;
  Reopen();
  ASSERT_OK(Put("k", "v"));
  Close();
  options_.error_if_exists = true;
  s = TryOpen();
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  options_.error_if_exists = false;
  options_.create_if_missing = false;
  Reopen();
  EXPECT_EQ("v", Get("k"));
}

TEST_F(DBTest, InvalidOptionsAreRejectedBeforeTouchingFiles) {
  options_.write_buffer_size = 10;
  Status s = TryOpen();
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(std::string::npos, s.ToString().find("write_buffer_size"));
  EXPECT_FALSE(FileSystem::Default()->FileExists(dbname_));
}

TEST_F(DBTest, AMemtableFilterRatioOutsideItsRangeIsRejected) {
  for (double ratio : {-0.01, 0.26, std::nan("")}) {
    options_.memtable_bloom_size_ratio = ratio;
    Status s = TryOpen();
    EXPECT_TRUE(s.IsInvalidArgument()) << ratio;
    EXPECT_NE(std::string::npos, s.ToString().find("memtable_bloom_size_ratio")) << s.ToString();
  }
  EXPECT_FALSE(FileSystem::Default()->FileExists(dbname_));
  // The bounds themselves are accepted.
  for (double ratio : {0.0, 0.25}) {
    options_.memtable_bloom_size_ratio = ratio;
    Reopen();
    ASSERT_OK(Put("k", "v"));
    EXPECT_EQ("v", Get("k"));
  }
}

// Gets of keys the memtable does not hold skip its search (counted), and every Get answers
// as it does with the filter off: the values in the memtable, in tables, and deleted keys.
TEST_F(DBTest, MemtableFilterAnswersAsWithoutIt) {
  for (double ratio : {0.0, 1.0 / 64}) {
    SCOPED_TRACE(ratio);
    Close();
    ASSERT_OK(DestroyDB(dbname_, options_));
    options_.memtable_bloom_size_ratio = ratio;
    Reopen();
    for (int k = 0; k < 200; k++) ASSERT_OK(Put(test::NumberKey(k), "table" + std::to_string(k)));
    ASSERT_OK(db_->Flush());
    for (int k = 100; k < 150; k++) ASSERT_OK(Put(test::NumberKey(k), "mem" + std::to_string(k)));
    for (int k = 150; k < 160; k++) ASSERT_OK(db_->Delete(WriteOptions(), test::NumberKey(k)));
    SetPerfLevel(PerfLevel::kEnableCount);
    GetPerfContext()->Reset();
    for (int k = 0; k < 300; k++) {
      std::string want = "table" + std::to_string(k);
      if (k >= 100 && k < 150) want = "mem" + std::to_string(k);
      if (k >= 150 && k < 160) want = "NOT_FOUND";
      if (k >= 200) want = "NOT_FOUND";
      ASSERT_EQ(want, Get(test::NumberKey(k))) << k;
    }
    const uint64_t skipped = GetPerfContext()->memtable_filter_negatives;
    SetPerfLevel(PerfLevel::kDisable);
    if (ratio == 0) {
      EXPECT_EQ(0u, skipped);
    } else {
      EXPECT_GE(skipped, 230u) << "240 keys are not in the memtable";
      EXPECT_LE(skipped, 240u);
    }
  }
}

TEST_F(DBTest, SecondOpenInThisProcessIsRefused) {
  Reopen();
  std::unique_ptr<DB> second;
  Status s = DB::Open(options_, dbname_, &second);
  EXPECT_TRUE(s.IsBusy()) << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find(dbname_ + "/LOCK")) << s.ToString();
  EXPECT_EQ(nullptr, second);
  // The first opener is unaffected.
  ASSERT_OK(Put("k", "v"));
  EXPECT_EQ("v", Get("k"));
  Close();
  ASSERT_OK(DB::Open(options_, dbname_, &second));
  EXPECT_EQ("v", GetString(second.get(), "k"));
}

TEST_F(DBTest, ConcurrentWritersAllLand) {
  Reopen();
  constexpr int kThreads = 8, kPerThread = 1500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; i++) {
        WriteOptions wo;
        wo.sync = (i % 100 == 0);
        WriteBatch b;
        b.Put("t" + std::to_string(t) + "-" + std::to_string(i), std::to_string(i));
        b.Put("last" + std::to_string(t), std::to_string(i));
        ASSERT_OK(db_->Write(wo, &b));
        // A reader in the writing thread sees its own acknowledged write.
        ASSERT_EQ(std::to_string(i), GetString(db_.get(), "last" + std::to_string(t)));
      }
    });
  }
  for (auto& th : threads) th.join();
  std::string seq;
  ASSERT_TRUE(db_->GetProperty("strata.last-sequence", &seq));
  EXPECT_EQ(std::to_string(2 * kThreads * kPerThread), seq);
  for (int pass = 0; pass < 2; pass++) {
    for (int t = 0; t < kThreads; t++) {
      for (int i = 0; i < kPerThread; i += 37) {
        ASSERT_EQ(std::to_string(i), Get("t" + std::to_string(t) + "-" + std::to_string(i)));
      }
      ASSERT_EQ(std::to_string(kPerThread - 1), Get("last" + std::to_string(t)));
    }
    Reopen();
  }
}

// Group commit: the synced writers that queue while a sync is in progress are all served by
// the next single sync, whatever the machine's speed. Events, not time: the first writer's
// sync is held at a gate until the others are seen queued.
TEST_F(DBTest, WritersQueuedDuringASyncShareTheNextOne) {
  auto fs = std::make_shared<test::GatedLogSyncFileSystem>();
  options_.file_system = fs;
  Reopen();
  auto* impl = static_cast<DBImpl*>(db_.get());
  WriteOptions synced;
  synced.sync = true;
  fs->gate.Close();
  const int syncs_before = fs->gate.arrived();
  std::thread first([&] { ASSERT_OK(db_->Put(synced, "first", "v")); });
  fs->gate.WaitForHeld(1);
  constexpr int kQueued = 7;
  std::vector<std::thread> queued;
  for (int t = 0; t < kQueued; t++) {
    queued.emplace_back([&, t] { ASSERT_OK(db_->Put(synced, "q" + std::to_string(t), "v")); });
  }
  while (impl->TEST_QueuedWriters() < 1 + kQueued) std::this_thread::yield();
  fs->gate.Open();
  first.join();
  for (auto& th : queued) th.join();
  EXPECT_EQ(2, fs->gate.arrived() - syncs_before)
      << "one sync for the first writer, one for the rest";
  EXPECT_EQ("v", Get("first"));
  for (int t = 0; t < kQueued; t++) EXPECT_EQ("v", Get("q" + std::to_string(t)));
}

// A memtable of at least 8 huge pages takes its memory 2 MiB at a time (Arena::kHugePages);
// a smaller one, or the option off, 4 KiB at a time.
TEST_F(DBTest, LargeMemtablesTakeHugePageBlocksUnlessTurnedOff) {
  struct Case {
    size_t write_buffer_size;
    bool huge_pages;
    bool expect_huge_blocks;
  };
  for (const Case& c :
       {Case{64 << 20, true, true}, Case{64 << 20, false, false}, Case{8 << 20, true, false}}) {
    SCOPED_TRACE(testing::Message() << c.write_buffer_size << " " << c.huge_pages);
    db_.reset();
    ASSERT_OK(DestroyDB(dbname_, options_));
    options_.write_buffer_size = c.write_buffer_size;
    options_.memtable_huge_pages = c.huge_pages;
    options_.memtable_bloom_size_ratio = 0;  // the usage below is then the arena's alone
    Reopen();
    // The memtable Open made, then the one a switch made.
    for (int memtable = 0; memtable < 2; memtable++) {
      ASSERT_OK(Put("k", "v"));
      uint64_t usage = 0;
      ASSERT_TRUE(db_->GetIntProperty("strata.approximate-memory-usage", &usage));
      if (c.expect_huge_blocks) {
        EXPECT_GE(usage, Arena::kHugePageSize) << "memtable " << memtable;
      } else {
        EXPECT_LT(usage, Arena::kHugePageSize / 4) << "memtable " << memtable;
      }
      EXPECT_EQ("v", Get("k"));
      ASSERT_OK(db_->Flush());
    }
  }
}

// The open tables' index and filter bytes: none before any table, at least the filter's
// bits once a table is read with pread, none again when compaction has dropped every table.
// A mapped table's filter is probed in the file's pages (its lines are 64-byte aligned in
// the file): no copy, so its bits are not counted.
TEST_F(DBTest, TableReadersMemoryFollowsTheOpenTables) {
  options_.file_system = FileSystem::NewPosix(0);  // nothing mapped
  Reopen();
  uint64_t mem = 1;
  ASSERT_TRUE(db_->GetIntProperty("strata.estimate-table-readers-mem", &mem));
  EXPECT_EQ(mem, 0u);
  for (int i = 0; i < 20000; i++) ASSERT_OK(Put(test::NumberKey(i), "v"));
  ASSERT_OK(db_->Flush());
  EXPECT_EQ(Get(test::NumberKey(7)), "v");
  ASSERT_TRUE(db_->GetIntProperty("strata.estimate-table-readers-mem", &mem));
  EXPECT_GE(mem, 20000u * 10 / 8);  // 10 bits of filter per key
  EXPECT_LT(mem, 20000u * 10);
  std::string stats;
  ASSERT_TRUE(db_->GetProperty("strata.stats", &stats));
  EXPECT_NE(stats.find("table readers (indexes and filters): " + std::to_string(mem) + " bytes"),
            std::string::npos)
      << stats;
  for (int i = 0; i < 20000; i++) ASSERT_OK(db_->Delete(WriteOptions(), test::NumberKey(i)));
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  EXPECT_EQ(Get(test::NumberKey(7)), "NOT_FOUND");
  ASSERT_TRUE(db_->GetIntProperty("strata.estimate-table-readers-mem", &mem));
  EXPECT_EQ(mem, 0u);

  options_.file_system = FileSystem::NewPosix(1ull << 30);
  Reopen();
  for (int i = 0; i < 20000; i++) ASSERT_OK(Put(test::NumberKey(i), "w"));
  ASSERT_OK(db_->Flush());
  EXPECT_EQ(Get(test::NumberKey(7)), "w");
  ASSERT_TRUE(db_->GetIntProperty("strata.estimate-table-readers-mem", &mem));
  EXPECT_GT(mem, 0u);
  EXPECT_LT(mem, 20000u * 10 / 8) << "a mapped table's filter is not copied";
}

// A database larger than the file system's mapping bound reads every table with pread, also
// after a reopen, when its tables open one read at a time and the first would fit the bound:
// each table's filter is then copied to the heap (a mapped table's is read in place).
TEST_F(DBTest, ADatabaseLargerThanTheMappingBoundIsReadWithPread) {
  constexpr int kKeys = 20000;
  Reopen();
  for (int i = 0; i < kKeys; i++) ASSERT_OK(Put(test::NumberKey(i), "v"));
  ASSERT_OK(db_->Flush());
  uint64_t one_table = 0;
  ASSERT_TRUE(db_->GetIntProperty("strata.total-sst-size", &one_table));
  for (int i = kKeys; i < 2 * kKeys; i++) ASSERT_OK(Put(test::NumberKey(i), "v"));
  ASSERT_OK(db_->Flush());

  options_.file_system = FileSystem::NewPosix(one_table * 3 / 2);
  Reopen();
  EXPECT_EQ(Get(test::NumberKey(7)), "v");
  EXPECT_EQ(Get(test::NumberKey(kKeys + 7)), "v");
  uint64_t mem = 0;
  ASSERT_TRUE(db_->GetIntProperty("strata.estimate-table-readers-mem", &mem));
  EXPECT_GE(mem, 2u * kKeys * 10 / 8) << "both tables' filters copied: neither mapped";
}

// Records the largest append to a table file; forwards the mapping bound (which a plain
// wrapper hides), so that the database sees its target's.
class LargestTableAppendFs final : public FileSystemWrapper {
 public:
  using FileSystemWrapper::FileSystemWrapper;
  uint64_t MappingBound() const override { return target()->MappingBound(); }
  Status NewUnmappedRandomAccessFile(const std::string& p,
                                     std::unique_ptr<RandomAccessFile>* r) override {
    return target()->NewUnmappedRandomAccessFile(p, r);
  }
  Status NewWritableFile(const std::string& p, std::unique_ptr<WritableFile>* r) override {
    Status s = target()->NewWritableFile(p, r);
    if (s.ok() && p.ends_with(".sst")) *r = std::make_unique<File>(std::move(*r), &largest);
    return s;
  }

  std::atomic<size_t> largest{0};

 private:
  class File final : public WritableFile {
   public:
    File(std::unique_ptr<WritableFile> target, std::atomic<size_t>* largest)
        : target_(std::move(target)), largest_(largest) {}
    Status Append(std::string_view data) override {
      size_t seen = largest_->load();
      while (data.size() > seen && !largest_->compare_exchange_weak(seen, data.size())) {
      }
      return target_->Append(data);
    }
    Status Sync() override { return target_->Sync(); }
    Status Close() override { return target_->Close(); }
    uint64_t Size() const override { return target_->Size(); }

   private:
    std::unique_ptr<WritableFile> target_;
    std::atomic<size_t>* const largest_;
  };
};

// A table a database may map is written in 64 KiB chunks (a fault maps the whole cached folio
// it lands in: larger folios would keep more pages resident); once the live tables outgrow
// the mapping bound, so that new tables are read with pread, flushes and compactions write
// them in 1 MiB chunks, which the page cache holds in large folios.
TEST_F(DBTest, TablesAreWrittenInChunksThatSuitHowTheyWillBeRead) {
  constexpr int kKeys = 20000;  // about 2.4 MB of table, uncompressed
  options_.compression = CompressionType::kNone;
  auto fs = std::make_shared<LargestTableAppendFs>(FileSystem::NewPosix(uint64_t{1} << 30));
  options_.file_system = fs;
  Reopen();
  const std::string value(100, 'v');
  for (int i = 0; i < kKeys; i++) ASSERT_OK(Put(test::NumberKey(2 * i), value));
  ASSERT_OK(db_->Flush());
  EXPECT_EQ(fs->largest.load(), ChunkedWriter::kMappedChunk);
  uint64_t one_table = 0;
  ASSERT_TRUE(db_->GetIntProperty("strata.total-sst-size", &one_table));
  ASSERT_GT(one_table, 2 * ChunkedWriter::kPreadChunk);

  fs = std::make_shared<LargestTableAppendFs>(FileSystem::NewPosix(one_table / 2));
  options_.file_system = fs;
  Reopen();
  for (int i = 0; i < kKeys; i++) ASSERT_OK(Put(test::NumberKey(2 * i + 1), value));
  ASSERT_OK(db_->Flush());
  EXPECT_EQ(fs->largest.load(), ChunkedWriter::kPreadChunk) << "the flush";
  fs->largest = 0;
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  EXPECT_EQ(fs->largest.load(), ChunkedWriter::kPreadChunk) << "the compaction";
  EXPECT_EQ(Get(test::NumberKey(7)), value);
  EXPECT_EQ(Get(test::NumberKey(8)), value);
}

// Options::table_memory_huge_pages turns huge pages on for tables' long-lived buffers, for the
// whole process: a 6 MiB buffer (a large table's filter) then fills at least two.
TEST_F(DBTest, TableMemoryHugePagesTurnOnForTheProcess) {
  if (STRATA_ASAN) GTEST_SKIP() << "under AddressSanitizer large buffers come from operator new";
  if (!test::KernelCollapsesHugePages()) {
    GTEST_SKIP() << "this kernel does not collapse on request (MADV_COLLAPSE, Linux 6.1)";
  }
  constexpr size_t kBuffer = size_t{6} << 20;
  // The switch is the process's: off again however this test ends, as other tests expect.
  struct Off {
    ~Off() { SetLargeMemoryHugePages(false); }
  } off;
  Reopen();
  char* before = AllocateLarge(kBuffer);
  ASSERT_NE(before, nullptr);
  EXPECT_EQ(LargeMemoryHugeSpans(), 0u) << "off by default";
  FreeLarge(before, kBuffer);

  options_.table_memory_huge_pages = true;
  Reopen();
  ASSERT_OK(Put("k", "v"));
  ASSERT_OK(db_->Flush());
  EXPECT_EQ(Get("k"), "v");
  char* after = AllocateLarge(kBuffer);
  ASSERT_NE(after, nullptr);
  EXPECT_GE(LargeMemoryHugeSpans(), 2u);
  FreeLarge(after, kBuffer);
}

// The block cache's charge: nothing before a read, a block's worth once a Get has read one;
// the cache's own figure when the database was given a cache to share.
TEST_F(DBTest, BlockCacheUsageFollowsTheBlocksRead) {
  for (const bool shared : {false, true}) {
    SCOPED_TRACE(shared ? "a cache given in Options" : "the database's own cache");
    options_.block_cache = shared ? NewLRUCache(1 << 20) : nullptr;
    dbname_ = dir_.Child(shared ? "shared" : "own");
    Reopen();
    for (int i = 0; i < 1000; i++) ASSERT_OK(Put(test::NumberKey(i), std::string(100, 'v')));
    ASSERT_OK(db_->Flush());
    uint64_t before = 1;
    ASSERT_TRUE(db_->GetIntProperty("strata.block-cache-usage", &before));
    EXPECT_EQ(before, 0u);
    EXPECT_EQ(Get(test::NumberKey(7)), std::string(100, 'v'));
    uint64_t after = 0;
    ASSERT_TRUE(db_->GetIntProperty("strata.block-cache-usage", &after));
    EXPECT_GE(after, options_.block_size / 2) << "a data block of about block_size";
    if (shared) {
      EXPECT_EQ(after, options_.block_cache->usage());
    }
  }
}

TEST_F(DBTest, PropertiesReportState) {
  options_.memtable_huge_pages = false;  // the memory check below counts 4 KiB blocks
  Reopen();
  std::string v;
  EXPECT_FALSE(db_->GetProperty("strata.no-such-property", &v));
  uint64_t before = 0, after = 0;
  ASSERT_TRUE(db_->GetIntProperty("strata.approximate-memory-usage", &before));
  EXPECT_FALSE(db_->GetIntProperty("strata.stats", &after)) << "text, not a number";
  EXPECT_FALSE(db_->GetIntProperty("strata.no-such-property", &after));
  for (int i = 0; i < 1000; i++) ASSERT_OK(Put(test::NumberKey(i), std::string(100, 'v')));
  ASSERT_OK(db_->Delete(WriteOptions(), "x"));
  ASSERT_TRUE(db_->GetIntProperty("strata.approximate-memory-usage", &after));
  EXPECT_GE(after, before + 1000 * 100);
  ASSERT_TRUE(db_->GetProperty("strata.num-entries-active-mem-table", &v));
  EXPECT_EQ("1001", v);
  ASSERT_OK(db_->SyncWAL());
  ASSERT_TRUE(db_->GetProperty("strata.stats", &v));
  EXPECT_NE(std::string::npos, v.find("batches written: 1001")) << v;
  EXPECT_NE(std::string::npos, v.find("log syncs: 1")) << v;
  EXPECT_NE(std::string::npos, v.find("deletes 1")) << v;
}

TEST_F(DBTest, InfoLogRecordsOpens) {
  Reopen();
  Close();
  std::string log;
  ASSERT_OK(ReadFileToString(FileSystem::Default().get(), dbname_ + "/LOG", &log));
  EXPECT_NE(std::string::npos, log.find("opening " + dbname_)) << log;
  EXPECT_NE(std::string::npos, log.find("opened:")) << log;
}

TEST_F(DBTest, DestroyRemovesTheDatabase) {
  Reopen();
  ASSERT_OK(Put("k", "v"));
  EXPECT_TRUE(DestroyDB(dbname_, options_).IsBusy());  // still open
  Close();
  ASSERT_OK(DestroyDB(dbname_, options_));
  EXPECT_FALSE(FileSystem::Default()->FileExists(dbname_));
  Reopen();
  EXPECT_EQ("NOT_FOUND", Get("k"));
}

// ---- Recovery modes against damaged logs ----

// Writes three single-Put batches k1, k2, k3 (each one log record) and closes.
class RecoveryModeTest : public DBTest {
 protected:
  static constexpr size_t kValueSize = 100;
  // Each record: 7-byte fragment header + 12-byte batch header + type + len + "kN" + len +
  // value.
  static constexpr size_t kRecordSize = 7 + 12 + 1 + 1 + 2 + 1 + kValueSize;

  void WriteThree() {
    Reopen();
    for (int i = 1; i <= 3; i++) {
      ASSERT_OK(Put("k" + std::to_string(i), std::string(kValueSize, '0' + i)));
    }
    Close();
    auto logs = test::LogFiles(dbname_);
    ASSERT_FALSE(logs.empty());
    last_log_ = logs.back();
    uint64_t size = 0;
    ASSERT_OK(FileSystem::Default()->GetFileSize(last_log_, &size));
    ASSERT_EQ(3 * kRecordSize, size);
  }
  std::string Present() {
    std::string out;
    for (int i = 1; i <= 3; i++) {
      std::string k = "k" + std::to_string(i);
      if (Get(k) != "NOT_FOUND") out += k;
    }
    return out;
  }
  Status OpenWith(WalRecoveryMode mode) {
    options_.wal_recovery_mode = mode;
    return TryOpen();
  }

  // A log newer than the database's own, holding one Put(key, "v9") at sequence seq: what a
  // crash with a memtable still waiting for its flush leaves behind.
  // sync_marker: the log holds a sync marker before its record (the older logs were synced).
  void WriteNewerLog(uint64_t number, std::string_view key, SequenceNumber seq,
                     bool sync_marker = false) {
    std::unique_ptr<WritableFile> file;
    char name[32];
    std::snprintf(name, sizeof name, "/%06llu.log", static_cast<unsigned long long>(number));
    ASSERT_OK(FileSystem::Default()->NewWritableFile(dbname_ + name, &file));
    LogWriter writer(std::move(file));
    if (sync_marker) ASSERT_OK(writer.AddRecord(WriteBatchInternal::SyncMarker()));
    WriteBatch batch;
    batch.Put(key, "v9");
    WriteBatchInternal::SetSequence(&batch, seq);
    ASSERT_OK(writer.AddRecord(WriteBatchInternal::Contents(batch)));
    ASSERT_OK(writer.Close());
  }

  std::string last_log_;
};

TEST_F(RecoveryModeTest, TornTail) {
  struct Case {
    WalRecoveryMode mode;
    bool opens;
  } cases[] = {{WalRecoveryMode::kTolerateCorruptedTailRecords, true},
               {WalRecoveryMode::kAbsoluteConsistency, false},
               {WalRecoveryMode::kPointInTimeRecovery, true},
               {WalRecoveryMode::kSkipAnyCorruptedRecords, true}};
  for (const Case& c : cases) {
    SCOPED_TRACE(static_cast<int>(c.mode));
    Close();
    ASSERT_OK(DestroyDB(dbname_, options_));
    WriteThree();
    test::RewriteFile(last_log_, [](std::string* d) { d->resize(d->size() - 5); });
    Status s = OpenWith(c.mode);
    if (!c.opens) {
      EXPECT_TRUE(s.IsCorruption()) << s.ToString();
      EXPECT_NE(std::string::npos, s.ToString().find(last_log_)) << s.ToString();
      continue;
    }
    ASSERT_OK(s);
    EXPECT_EQ("k1k2", Present());
    // The recovered state is now durable on its own: any mode reopens it unchanged.
    ASSERT_OK(Put("k3", "again"));
    ASSERT_OK(OpenWith(WalRecoveryMode::kAbsoluteConsistency));
    EXPECT_EQ("k1k2k3", Present());
  }
}

// Logs are appended through a mapping and preallocated, except under kAbsoluteConsistency:
// a process killed in the middle of a copy leaves a torn tail, which that mode refuses.
TEST_F(RecoveryModeTest, OnlyTheStrictModeWritesLogsWithoutPreallocation) {
  for (WalRecoveryMode mode :
       {WalRecoveryMode::kAbsoluteConsistency, WalRecoveryMode::kTolerateCorruptedTailRecords}) {
    SCOPED_TRACE(static_cast<int>(mode));
    Close();
    ASSERT_OK(DestroyDB(dbname_, options_));
    ASSERT_OK(OpenWith(mode));
    ASSERT_OK(Put("k1", "v"));
    const std::vector<std::string> logs = test::LogFiles(dbname_);
    ASSERT_EQ(logs.size(), 1u);
    uint64_t size = 0;
    ASSERT_OK(FileSystem::Default()->GetFileSize(logs[0], &size));
    if (mode == WalRecoveryMode::kAbsoluteConsistency) {
      EXPECT_LT(size, 100u) << "exactly the record";
    } else {
      EXPECT_GE(size, 4096u) << "preallocated";
    }
    Close();
    ASSERT_OK(FileSystem::Default()->GetFileSize(logs[0], &size));
    EXPECT_LT(size, 100u) << "a clean close leaves no zeros";
    ASSERT_OK(OpenWith(WalRecoveryMode::kAbsoluteConsistency));
    EXPECT_EQ("k1", Present());
  }
}

TEST_F(RecoveryModeTest, DamageInTheMiddle) {
  struct Case {
    WalRecoveryMode mode;
    const char* expect;  // nullptr: Open fails with Corruption
  } cases[] = {{WalRecoveryMode::kTolerateCorruptedTailRecords, nullptr},
               {WalRecoveryMode::kAbsoluteConsistency, nullptr},
               {WalRecoveryMode::kPointInTimeRecovery, "k1"},
               // The reader resynchronises at the next 32 KiB block, so k3, in the damaged
               // block, goes too; SkipKeepsLaterLogs shows what lies beyond is kept.
               {WalRecoveryMode::kSkipAnyCorruptedRecords, "k1"}};
  for (const Case& c : cases) {
    SCOPED_TRACE(static_cast<int>(c.mode));
    Close();
    ASSERT_OK(DestroyDB(dbname_, options_));
    WriteThree();
    // Flip a value byte of the second record.
    test::RewriteFile(last_log_, [](std::string* d) { (*d)[kRecordSize + 40] ^= 0x20; });
    Status s = OpenWith(c.mode);
    if (c.expect == nullptr) {
      EXPECT_TRUE(s.IsCorruption()) << s.ToString();
      EXPECT_NE(std::string::npos, s.ToString().find("offset " + std::to_string(kRecordSize)))
          << s.ToString();
      continue;
    }
    ASSERT_OK(s);
    EXPECT_EQ(c.expect, Present());
    std::string stats;
    ASSERT_TRUE(db_->GetProperty("strata.stats", &stats));
    EXPECT_EQ(std::string::npos, stats.find("bytes dropped: 0\n")) << stats;
    // The damage is gone from the log history: the default mode now opens the same state.
    ASSERT_OK(OpenWith(WalRecoveryMode::kTolerateCorruptedTailRecords));
    EXPECT_EQ(c.expect, Present());
  }
}

TEST_F(RecoveryModeTest, PointInTimeIgnoresLaterLogs) {
  WriteThree();
  WriteNewerLog(99, "k9", 100);
  test::RewriteFile(last_log_, [](std::string* d) { (*d)[kRecordSize + 40] ^= 1; });

  ASSERT_OK(OpenWith(WalRecoveryMode::kPointInTimeRecovery));
  EXPECT_EQ("k1", Present());
  EXPECT_EQ("NOT_FOUND", Get("k9"));
  // New writes after a point-in-time recovery are not hidden by the damage next time.
  ASSERT_OK(Put("k3", "new"));
  ASSERT_OK(OpenWith(WalRecoveryMode::kAbsoluteConsistency));
  EXPECT_EQ("k1k3", Present());
}

TEST_F(RecoveryModeTest, SkipKeepsLaterLogs) {
  WriteThree();
  WriteNewerLog(99, "k9", 100);
  test::RewriteFile(last_log_, [](std::string* d) { (*d)[kRecordSize + 40] ^= 1; });
  ASSERT_OK(OpenWith(WalRecoveryMode::kSkipAnyCorruptedRecords));
  // After a checksum mismatch the rest of its 32 KiB block cannot be trusted (lengths may
  // be damaged too), so k3 goes with k2; the later log is kept whole.
  EXPECT_EQ("k1", Present());
  EXPECT_EQ("v9", Get("k9"));
}

// An older log that ends early (torn inside a record, or cut cleanly between records) while a
// newer one holds later writes. Without a sync marker after it, that is what a power loss
// leaves when a switch parked the older log unsynced: nothing in the newer log was ever
// synced (a sync syncs every older log first), so the default mode ends the history at the
// hole, like a torn tail, instead of replaying a history with a hole. A sync marker in the
// newer log says the older one was whole on disk: then the hole is damage, and the default
// mode refuses it. Point-in-time stops at the hole either way.
TEST_F(RecoveryModeTest, OlderLogCutShortEndsTheHistoryUnlessASyncMarkerFollows) {
  struct Case {
    WalRecoveryMode mode;
    bool marker;
    const char* expect;  // nullptr: Open fails with Corruption
  } cases[] = {{WalRecoveryMode::kTolerateCorruptedTailRecords, false, "k1k2"},
               {WalRecoveryMode::kTolerateCorruptedTailRecords, true, nullptr},
               {WalRecoveryMode::kAbsoluteConsistency, false, nullptr},
               {WalRecoveryMode::kAbsoluteConsistency, true, nullptr},
               {WalRecoveryMode::kPointInTimeRecovery, false, "k1k2"},
               {WalRecoveryMode::kPointInTimeRecovery, true, "k1k2"},
               {WalRecoveryMode::kSkipAnyCorruptedRecords, true, "k1k2k9"}};
  for (size_t cut : {2 * kRecordSize + 10, 2 * kRecordSize}) {
    for (const Case& c : cases) {
      SCOPED_TRACE("cut at " + std::to_string(cut) + ", mode " +
                   std::to_string(static_cast<int>(c.mode)) + (c.marker ? ", marker" : ""));
      Close();
      ASSERT_OK(DestroyDB(dbname_, options_));
      WriteThree();
      WriteNewerLog(99, "k9", 4, c.marker);  // continues the sequence: k1..k3 are 1..3
      test::RewriteFile(last_log_, [&](std::string* d) { d->resize(cut); });
      Status s = OpenWith(c.mode);
      if (c.expect == nullptr) {
        EXPECT_TRUE(s.IsCorruption()) << s.ToString();
        EXPECT_NE(std::string::npos, s.ToString().find(".log at offset ")) << s.ToString();
        continue;
      }
      ASSERT_OK(s);
      EXPECT_EQ(c.expect, Present() + (Get("k9") == "v9" ? "k9" : ""));
      // The dropped log is gone for good: a reopen in the strictest mode finds no hole.
      Close();
      ASSERT_OK(OpenWith(WalRecoveryMode::kAbsoluteConsistency));
      EXPECT_EQ(c.expect, Present() + (Get("k9") == "v9" ? "k9" : ""));
    }
  }
  // Intact, the same two logs replay whole in every mode, marker or not.
  for (const Case& c : cases) {
    Close();
    ASSERT_OK(DestroyDB(dbname_, options_));
    WriteThree();
    WriteNewerLog(99, "k9", 4, c.marker);
    ASSERT_OK(OpenWith(c.mode));
    EXPECT_EQ("k1k2k3k9", Present() + (Get("k9") == "v9" ? "k9" : ""));
  }
}

// A record whose framing is intact but whose batch is malformed is damage like any other.
TEST_F(RecoveryModeTest, IntactRecordWithMalformedBatch) {
  struct Case {
    WalRecoveryMode mode;
    const char* expect;  // nullptr: Open fails with Corruption
  } cases[] = {{WalRecoveryMode::kTolerateCorruptedTailRecords, nullptr},
               {WalRecoveryMode::kAbsoluteConsistency, nullptr},
               {WalRecoveryMode::kPointInTimeRecovery, "k1k2k3"},
               {WalRecoveryMode::kSkipAnyCorruptedRecords, "k1k2k3k9"}};
  for (const Case& c : cases) {
    SCOPED_TRACE(static_cast<int>(c.mode));
    Close();
    ASSERT_OK(DestroyDB(dbname_, options_));
    WriteThree();
    // A newer log: a batch cut short inside its header, then a valid batch.
    std::unique_ptr<WritableFile> file;
    ASSERT_OK(FileSystem::Default()->NewWritableFile(dbname_ + "/000099.log", &file));
    LogWriter writer(std::move(file));
    ASSERT_OK(writer.AddRecord("short"));
    WriteBatch good;
    good.Put("k9", "v9");
    WriteBatchInternal::SetSequence(&good, 100);
    ASSERT_OK(writer.AddRecord(WriteBatchInternal::Contents(good)));
    ASSERT_OK(writer.Close());

    Status s = OpenWith(c.mode);
    if (c.expect == nullptr) {
      EXPECT_TRUE(s.IsCorruption()) << s.ToString();
      EXPECT_NE(std::string::npos, s.ToString().find("bad payload")) << s.ToString();
      continue;
    }
    ASSERT_OK(s);
    std::string present = Present() + (Get("k9") == "v9" ? "k9" : "");
    EXPECT_EQ(c.expect, present);
  }
}

// Logs below the MANIFEST's log number are already in tables: a stale copy of one (say, a
// backup restored over the directory) is never replayed again.
TEST_F(RecoveryModeTest, LogsCoveredByTheManifestAreNotReplayed) {
  Reopen();
  ASSERT_OK(Put("k1", "a"));
  ASSERT_OK(Put("k2", "b"));
  Close();
  auto old_logs = test::LogFiles(dbname_);
  ASSERT_EQ(1u, old_logs.size());
  std::string saved;
  ASSERT_OK(ReadFileToString(FileSystem::Default().get(), old_logs[0], &saved));
  Reopen();  // flushes k1, k2 into a table and removes the log
  ASSERT_OK(db_->Delete(WriteOptions(), "k1"));
  Close();
  ASSERT_FALSE(FileSystem::Default()->FileExists(old_logs[0]));
  ASSERT_OK(WriteStringToFile(FileSystem::Default().get(), saved, old_logs[0], false));
  Reopen();
  EXPECT_EQ("NOT_FOUND", Get("k1"));
  EXPECT_EQ("b", Get("k2"));
  EXPECT_FALSE(FileSystem::Default()->FileExists(old_logs[0])) << "stale log not cleaned up";
  ASSERT_OK(db_->Flush());
  std::string entries;
  ASSERT_TRUE(db_->GetProperty("strata.num-entries-in-tables", &entries));
  EXPECT_EQ("3", entries);  // k1, k2, and the deletion of k1: nothing duplicated
}

}  // namespace
}  // namespace strata
