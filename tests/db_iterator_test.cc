// DB iterators and snapshots through the public API: a randomized model test against
// std::map with data spread over the memtable, immutable memtables and tables, bounds,
// direction changes, snapshot isolation, pinning across flushes, damaged tables met during
// a scan, and scans running while other threads write and flush.
#include <atomic>
#include <map>
#include <optional>
#include <thread>

#include "strata/db.h"
#include "support/db_test_util.h"
#include "support/test_util.h"

namespace strata {
namespace {

using test::FilesOfType;
using Model = std::map<std::string, std::string>;

class DBIteratorTest : public testing::Test {
 protected:
  DBIteratorTest() {
    options_.create_if_missing = true;
    dbname_ = dir_.Child("db");
  }
  void Reopen() {
    db_.reset();
    ASSERT_OK(DB::Open(options_, dbname_, &db_));
  }
  std::string Scan(const ReadOptions& ro = ReadOptions()) {
    std::string out;
    auto it = db_->NewIterator(ro);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      out += std::string(it->key()) + "=" + std::string(it->value()) + ";";
    }
    EXPECT_OK(it->status());
    return out;
  }
  std::string ScanBackward(const ReadOptions& ro = ReadOptions()) {
    std::string out;
    auto it = db_->NewIterator(ro);
    for (it->SeekToLast(); it->Valid(); it->Prev()) {
      out += std::string(it->key()) + "=" + std::string(it->value()) + ";";
    }
    EXPECT_OK(it->status());
    return out;
  }

  test::TempDir dir_;
  std::string dbname_;
  Options options_;
  std::unique_ptr<DB> db_;
};

TEST_F(DBIteratorTest, EmptyDatabase) {
  Reopen();
  auto it = db_->NewIterator(ReadOptions());
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  it->SeekToLast();
  EXPECT_FALSE(it->Valid());
  it->Seek("a");
  EXPECT_FALSE(it->Valid());
  it->SeekForPrev("z");
  EXPECT_FALSE(it->Valid());
  EXPECT_OK(it->status());
}

TEST_F(DBIteratorTest, HidesOverwrittenAndDeletedAcrossSources) {
  Reopen();
  ASSERT_OK(db_->Put(WriteOptions(), "a", "1"));
  ASSERT_OK(db_->Put(WriteOptions(), "b", "1"));
  ASSERT_OK(db_->Put(WriteOptions(), "c", "1"));
  ASSERT_OK(db_->Flush());
  ASSERT_OK(db_->Put(WriteOptions(), "b", "2"));
  ASSERT_OK(db_->Delete(WriteOptions(), "c"));
  ASSERT_OK(db_->Put(WriteOptions(), "d", "2"));
  ASSERT_OK(db_->Flush());
  ASSERT_OK(db_->Delete(WriteOptions(), "a"));
  ASSERT_OK(db_->Put(WriteOptions(), "c", "3"));
  EXPECT_EQ("b=2;c=3;d=2;", Scan());
  EXPECT_EQ("d=2;c=3;b=2;", ScanBackward());

  auto it = db_->NewIterator(ReadOptions());
  it->Seek("a");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ("b", it->key());
  it->SeekForPrev("bb");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ("b", it->key());
  it->Next();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ("c", it->key());
  it->Prev();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ("b", it->key());
  it->Prev();
  EXPECT_FALSE(it->Valid());
  it->SeekForPrev("a");
  EXPECT_FALSE(it->Valid());
}

TEST_F(DBIteratorTest, BoundsLimitTheScan) {
  Reopen();
  for (char c = 'a'; c <= 'j'; c++) ASSERT_OK(db_->Put(WriteOptions(), std::string(1, c), "v"));
  ASSERT_OK(db_->Flush());
  ReadOptions ro;
  std::string lower = "c", upper = "g";
  ro.iterate_lower_bound = lower;
  ro.iterate_upper_bound = upper;
  EXPECT_EQ("c=v;d=v;e=v;f=v;", Scan(ro));
  EXPECT_EQ("f=v;e=v;d=v;c=v;", ScanBackward(ro));
  auto it = db_->NewIterator(ro);
  it->Seek("a");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ("c", it->key());
  it->Seek("g");
  EXPECT_FALSE(it->Valid());
  it->SeekForPrev("z");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ("f", it->key());
  it->SeekForPrev("b");
  EXPECT_FALSE(it->Valid());
}

TEST_F(DBIteratorTest, SnapshotsIsolateReads) {
  Reopen();
  ASSERT_OK(db_->Put(WriteOptions(), "k", "old"));
  ASSERT_OK(db_->Put(WriteOptions(), "gone", "here"));
  const Snapshot* snap = db_->GetSnapshot();
  auto it_before = db_->NewIterator(ReadOptions());  // as of its creation
  ASSERT_OK(db_->Put(WriteOptions(), "k", "new"));
  ASSERT_OK(db_->Delete(WriteOptions(), "gone"));
  ASSERT_OK(db_->Put(WriteOptions(), "later", "x"));
  ASSERT_OK(db_->Flush());
  ReadOptions at_snap;
  at_snap.snapshot = snap;
  std::string v;
  ASSERT_OK(db_->Get(at_snap, "k", &v));
  EXPECT_EQ("old", v);
  ASSERT_OK(db_->Get(at_snap, "gone", &v));
  EXPECT_TRUE(db_->Get(at_snap, "later", &v).IsNotFound());
  EXPECT_EQ("gone=here;k=old;", Scan(at_snap));
  EXPECT_EQ("k=new;later=x;", Scan());
  std::string seen;
  for (it_before->SeekToFirst(); it_before->Valid(); it_before->Next()) {
    seen += std::string(it_before->key()) + "=" + std::string(it_before->value()) + ";";
  }
  EXPECT_EQ("gone=here;k=old;", seen);
  std::string n;
  ASSERT_TRUE(db_->GetProperty("strata.num-snapshots", &n));
  EXPECT_EQ("1", n);
  db_->ReleaseSnapshot(snap);
  ASSERT_TRUE(db_->GetProperty("strata.num-snapshots", &n));
  EXPECT_EQ("0", n);
}

TEST_F(DBIteratorTest, IteratorPinsFlushedMemtablesAndTables) {
  options_.write_buffer_size = 64 << 10;
  Reopen();
  for (int i = 0; i < 500; i++) {
    ASSERT_OK(db_->Put(WriteOptions(), test::NumberKey(i, 8), std::string(100, 'a')));
  }
  auto it = db_->NewIterator(ReadOptions());
  // Much more data, many flushes: the iterator's memtables are flushed and freed by the DB,
  // but the iterator keeps them.
  for (int i = 0; i < 5000; i++) {
    ASSERT_OK(db_->Put(WriteOptions(), test::NumberKey(i, 8), std::string(100, 'b')));
  }
  ASSERT_OK(db_->Flush());
  int count = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    EXPECT_EQ(std::string(100, 'a'), it->value());
    count++;
  }
  EXPECT_OK(it->status());
  EXPECT_EQ(500, count);
}

TEST_F(DBIteratorTest, ManyVersionsAndTombstonesAreSkipped) {
  Reopen();
  for (int round = 0; round < 200; round++) {
    ASSERT_OK(db_->Put(WriteOptions(), "hot", std::to_string(round)));
  }
  for (int i = 0; i < 1000; i++) {
    ASSERT_OK(db_->Put(WriteOptions(), "t" + test::NumberKey(i, 6), "x"));
    ASSERT_OK(db_->Delete(WriteOptions(), "t" + test::NumberKey(i, 6)));
  }
  ASSERT_OK(db_->Put(WriteOptions(), "z", "last"));
  EXPECT_EQ("hot=199;z=last;", Scan());
  EXPECT_EQ("z=last;hot=199;", ScanBackward());
  ASSERT_OK(db_->Flush());
  EXPECT_EQ("hot=199;z=last;", Scan());
  EXPECT_EQ("z=last;hot=199;", ScanBackward());
}

// One random operation sequence applied to both the DB and a std::map, compared step by step.
void CompareWithModel(DB* db, const Model& model, const ReadOptions& ro, Random* rnd,
                      const std::vector<std::string>& probes) {
  auto it = db->NewIterator(ro);
  auto in_bounds = [&](const std::string& k) {
    if (ro.iterate_lower_bound && k < *ro.iterate_lower_bound) return false;
    if (ro.iterate_upper_bound && k >= *ro.iterate_upper_bound) return false;
    return true;
  };
  Model visible;
  for (const auto& [k, v] : model) {
    if (in_bounds(k)) visible.emplace(k, v);
  }
  std::optional<Model::const_iterator> m;  // nullopt: invalid
  auto check = [&](const std::string& what) {
    bool model_valid = m.has_value() && *m != visible.end();
    ASSERT_EQ(model_valid, it->Valid()) << what;
    ASSERT_OK(it->status());
    if (model_valid) {
      ASSERT_EQ((*m)->first, it->key()) << what;
      ASSERT_EQ((*m)->second, it->value()) << what;
    }
  };
  for (int step = 0; step < 200; step++) {
    const std::string& probe = probes[rnd->Uniform(probes.size())];
    bool model_valid = m.has_value() && *m != visible.end();
    switch (rnd->Uniform(6)) {
      case 0:
        it->SeekToFirst();
        m = visible.begin();
        check("SeekToFirst");
        break;
      case 1:
        it->SeekToLast();
        m = visible.empty() ? visible.end() : std::prev(visible.end());
        check("SeekToLast");
        break;
      case 2:
        it->Seek(probe);
        m = visible.lower_bound(probe);
        check("Seek " + probe);
        break;
      case 3: {
        it->SeekForPrev(probe);
        auto u = visible.upper_bound(probe);
        m = u == visible.begin() ? visible.end() : std::prev(u);
        check("SeekForPrev " + probe);
        break;
      }
      case 4:
        if (!model_valid) break;
        it->Next();
        ++*m;
        check("Next");
        break;
      case 5:
        if (!model_valid) break;
        it->Prev();
        m = *m == visible.begin() ? visible.end() : std::prev(*m);
        check("Prev");
        break;
    }
    if (testing::Test::HasFatalFailure()) return;
  }
}

TEST_F(DBIteratorTest, RandomizedAgainstModel) {
  // Small memtables and levels: data spreads over memtables, L0 and deeper levels.
  options_.write_buffer_size = 64 << 10;
  options_.level0_file_num_compaction_trigger = 2;
  options_.max_bytes_for_level_base = 128 << 10;
  options_.max_bytes_for_level_multiplier = 2;
  options_.target_file_size_base = 32 << 10;
  Reopen();
  Random rnd(2024);
  Model model;
  std::vector<std::string> probes;
  auto random_key = [&] {
    // Few distinct keys, with awkward bytes, so that versions and deletions pile up.
    std::string k = test::NumberKey(rnd.Uniform(300), 4);
    if (rnd.OneIn(10)) k += std::string("\0\xff", 2);
    return k;
  };
  for (int i = 0; i < 50; i++) probes.push_back(random_key());
  probes.push_back("");
  probes.push_back("\xff\xff");

  // Snapshots taken along the way, with the model as it was then.
  std::vector<std::pair<const Snapshot*, Model>> snapshots;
  for (int round = 0; round < 40; round++) {
    int writes = static_cast<int>(rnd.Uniform(400));
    for (int i = 0; i < writes; i++) {
      std::string k = random_key();
      if (rnd.OneIn(60)) {
        // A range deletion of [k, k2).
        std::string k2 = random_key();
        if (k2 < k) std::swap(k, k2);
        if (k == k2) continue;
        ASSERT_OK(db_->DeleteRange(WriteOptions(), k, k2));
        model.erase(model.lower_bound(k), model.lower_bound(k2));
      } else if (rnd.OneIn(4)) {
        ASSERT_OK(db_->Delete(WriteOptions(), k));
        model.erase(k);
      } else {
        std::string v = test::RandomBytes(&rnd, rnd.Uniform(rnd.OneIn(20) ? 5000 : 40));
        ASSERT_OK(db_->Put(WriteOptions(), k, v));
        model[k] = v;
      }
    }
    switch (rnd.Uniform(6)) {
      case 0:
        ASSERT_OK(db_->Flush());
        break;
      case 2: {
        std::string from = random_key(), to = random_key();
        if (from > to) std::swap(from, to);
        std::string_view b = from, e = to;
        ASSERT_OK(db_->CompactRange(rnd.OneIn(2) ? &b : nullptr, rnd.OneIn(2) ? &e : nullptr));
        break;
      }
      case 1:
        for (auto& [snap, m] : snapshots) db_->ReleaseSnapshot(snap);
        snapshots.clear();
        Reopen();
        break;
      default:
        break;
    }
    if (rnd.OneIn(3)) snapshots.emplace_back(db_->GetSnapshot(), model);
    ReadOptions ro;
    std::string lo = random_key(), hi = random_key();
    if (lo > hi) std::swap(lo, hi);
    if (rnd.OneIn(3)) ro.iterate_lower_bound = lo;
    if (rnd.OneIn(3)) ro.iterate_upper_bound = hi;
    CompareWithModel(db_.get(), model, ro, &rnd, probes);
    if (HasFatalFailure()) return;
    if (!snapshots.empty()) {
      const auto& [snap, then] = snapshots[rnd.Uniform(snapshots.size())];
      ro.snapshot = snap;
      CompareWithModel(db_.get(), then, ro, &rnd, probes);
      if (HasFatalFailure()) return;
    }
  }
  for (auto& [snap, m] : snapshots) db_->ReleaseSnapshot(snap);
}

TEST_F(DBIteratorTest, DamagedTableFailsTheScan) {
  options_.compression = CompressionType::kNone;
  Reopen();
  for (int i = 0; i < 2000; i++) {
    ASSERT_OK(db_->Put(WriteOptions(), test::NumberKey(i, 8), std::string(100, 'v')));
  }
  ASSERT_OK(db_->Flush());
  db_.reset();
  auto tables = FilesOfType(dbname_, FileType::kTable);
  ASSERT_EQ(1u, tables.size());
  // Damage a byte in the middle of the data blocks.
  test::RewriteFile(tables[0], [](std::string* d) { (*d)[d->size() / 3] ^= 0x40; });
  Reopen();
  auto it = db_->NewIterator(ReadOptions());
  int count = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) count++;
  EXPECT_LT(count, 2000);
  EXPECT_TRUE(it->status().IsCorruption()) << it->status().ToString();
  int back = 0;
  for (it->SeekToLast(); it->Valid(); it->Prev()) back++;
  EXPECT_LT(back, 2000);
  EXPECT_TRUE(it->status().IsCorruption()) << it->status().ToString();
}

TEST_F(DBIteratorTest, ScansWhileWritingFlushingAndCompacting) {
  options_.write_buffer_size = 64 << 10;
  options_.level0_file_num_compaction_trigger = 2;
  Reopen();
  // Keys are written in increasing order with a value naming the key; a scan must see a
  // prefix 0..n-1 of them without gaps (later writes may or may not be visible).
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < 8000; i++) {
      ASSERT_OK(db_->Put(WriteOptions(), test::NumberKey(i, 8), test::NumberKey(i, 8)));
    }
    done = true;
  });
  int scans = 0;
  while (!done.load() || scans < 3) {
    auto it = db_->NewIterator(ReadOptions());
    int expect = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ASSERT_EQ(test::NumberKey(expect, 8), it->key());
      ASSERT_EQ(it->key(), it->value());
      expect++;
    }
    ASSERT_OK(it->status());
    scans++;
  }
  writer.join();
}

// A user comparator (reverse byte order) drives every part: writes, reads, scans, flush,
// compaction and reopen.
TEST_F(DBIteratorTest, UserComparatorWorksEverywhere) {
  options_.comparator = test::ReverseBytewiseComparatorForTest();
  options_.write_buffer_size = 64 << 10;
  options_.level0_file_num_compaction_trigger = 2;
  Reopen();
  const int n = 3000;
  for (int i = 0; i < n; i++) {
    ASSERT_OK(db_->Put(WriteOptions(), test::NumberKey(i, 6), std::to_string(i)));
  }
  for (int i = 0; i < n; i += 10) ASSERT_OK(db_->Delete(WriteOptions(), test::NumberKey(i, 6)));
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  Reopen();
  for (int i = 0; i < n; i++) {
    EXPECT_EQ(i % 10 ? std::to_string(i) : "NOT_FOUND",
              test::GetString(db_.get(), test::NumberKey(i, 6)));
  }
  // Scans come in the comparator's order: descending bytes.
  auto it = db_->NewIterator(ReadOptions());
  int expect = n - 1;
  for (it->SeekToFirst(); it->Valid(); it->Next(), expect--) {
    if (expect % 10 == 0) expect--;
    ASSERT_EQ(test::NumberKey(expect, 6), it->key());
  }
  ASSERT_OK(it->status());
  EXPECT_EQ(0, expect);              // stopped after key 1 (key 0 is deleted)
  it->Seek(test::NumberKey(55, 6));  // first key "after" 55 in reverse order
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(test::NumberKey(55, 6), it->key());
  it->Next();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(test::NumberKey(54, 6), it->key());
}

}  // namespace
}  // namespace strata
