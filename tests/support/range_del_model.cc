#include "support/range_del_model.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "strata/db.h"
#include "support/no_sync_fs.h"
#include "support/test_util.h"
#include "support/write_model.h"

namespace strata::test {
namespace {

struct HeldSnapshot {
  const Snapshot* snapshot;
  KVMap state;
};

void EraseRange(KVMap* m, const std::string& begin, const std::string& end) {
  m->erase(m->lower_bound(begin), m->lower_bound(end));
}

// Checks reads at one point (snapshot null: now) against the model.
void CheckReads(DB* db, const Snapshot* snapshot, const KVMap& model, Random* rnd,
                const std::function<std::string()>& key) {
  ReadOptions ro;
  ro.snapshot = snapshot;
  for (int i = 0; i < 20; i++) {
    const std::string k = key();
    std::string v;
    Status s = db->Get(ro, k, &v);
    auto it = model.find(k);
    if (it == model.end()) {
      ASSERT_TRUE(s.IsNotFound()) << k << " -> " << s.ToString() << " " << v;
    } else {
      ASSERT_OK(s);
      ASSERT_EQ(v, it->second) << k;
    }
  }
  {
    std::vector<std::string> keys;
    for (int i = 0; i < 10; i++) keys.push_back(key());
    ASSERT_NO_FATAL_FAILURE(ExpectMultiGetMatches(db, ro, keys, model));
  }
  // Full scans both ways.
  {
    std::unique_ptr<Iterator> it = db->NewIterator(ro);
    KVMap got;
    for (it->SeekToFirst(); it->Valid(); it->Next()) got[std::string(it->key())] = it->value();
    ASSERT_OK(it->status());
    ASSERT_EQ(got, model) << FirstDifference(model, got);
    auto m = model.rbegin();
    for (it->SeekToLast(); it->Valid(); it->Prev(), ++m) {
      ASSERT_NE(m, model.rend());
      ASSERT_EQ(it->key(), m->first);
      ASSERT_EQ(it->value(), m->second);
    }
    ASSERT_OK(it->status());
    ASSERT_EQ(m, model.rend());
  }
  // Seeks, with bounds sometimes, and a few steps either way (direction changes included).
  for (int i = 0; i < 8; i++) {
    std::string lo = key(), hi = key();
    if (hi < lo) std::swap(lo, hi);
    const bool bounded = rnd->OneIn(2);
    ReadOptions bro = ro;
    if (bounded) {
      bro.iterate_lower_bound = lo;
      bro.iterate_upper_bound = hi;
    }
    auto in_bounds = [&](const std::string& k) { return !bounded || (k >= lo && k < hi); };
    std::unique_ptr<Iterator> it = db->NewIterator(bro);
    const std::string target = key();
    // The model's answer: first key >= target (in bounds).
    auto m = model.lower_bound(bounded ? std::max(target, lo) : target);
    const bool for_prev = rnd->OneIn(2);
    if (for_prev) {
      it->SeekForPrev(target);
      m = model.upper_bound(target);
      // Last key <= target within bounds.
      while (m != model.begin()) {
        auto p = std::prev(m);
        if (bounded && p->first >= hi) {
          m = p;
          continue;
        }
        break;
      }
      if (m == model.begin() || !in_bounds(std::prev(m)->first)) {
        ASSERT_FALSE(it->Valid()) << "SeekForPrev " << target << " got " << it->key();
        ASSERT_OK(it->status());
        continue;
      }
      m = std::prev(m);
    } else {
      it->Seek(target);
      if (m == model.end() || !in_bounds(m->first)) {
        ASSERT_FALSE(it->Valid()) << "Seek " << target << " got " << it->key();
        ASSERT_OK(it->status());
        continue;
      }
    }
    for (int step = 0; step < 6; step++) {
      ASSERT_TRUE(it->Valid()) << "expected " << m->first;
      ASSERT_EQ(it->key(), m->first);
      ASSERT_EQ(it->value(), m->second);
      if (rnd->OneIn(2)) {
        it->Next();
        ++m;
        if (m == model.end() || !in_bounds(m->first)) {
          ASSERT_FALSE(it->Valid());
          break;
        }
      } else {
        it->Prev();
        if (m == model.begin() || !in_bounds(std::prev(m)->first)) {
          ASSERT_FALSE(it->Valid());
          break;
        }
        --m;
      }
    }
    ASSERT_OK(it->status());
  }
}

}  // namespace

void RunRangeDelModel(const std::string& dir, const RangeDelModelOptions& o) {
  Options options;
  options.create_if_missing = true;
  options.file_system = NewNoSyncFileSystem();
  options.write_buffer_size = o.write_buffer_size;
  options.level0_file_num_compaction_trigger = 2;
  if (o.merge_percent > 0) options.merge_operator = ModelMergeOperator();
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(options, dir, &db));
  Random rnd(o.seed);
  auto key = [&]() { return NumberKey(rnd.Uniform(o.key_space), 5); };
  std::vector<std::string> hot;  // keys that collect long runs of operands
  for (int i = 0; i < 6; i++) hot.push_back(key());
  KVMap model;
  std::vector<HeldSnapshot> snapshots;
  int range_deletions = 0, reopens = 0, merges = 0;
  // One write of a batch: a merge operand (sometimes) or a put, into batch and the model.
  auto add_write = [&](ModelBatch* batch, const std::string& k, const std::string& v) {
    if (o.merge_percent > 0 && static_cast<int>(rnd.Uniform(100)) < o.merge_percent) {
      const std::string& mk = rnd.OneIn(2) ? hot[rnd.Uniform(hot.size())] : k;
      batch->Merge(mk, "m" + v);
      merges++;
    } else {
      batch->Put(k, v);
    }
  };

  for (int step = 0; step < o.steps; step++) {
    SCOPED_TRACE("seed " + std::to_string(o.seed) + " step " + std::to_string(step));
    const uint32_t op = rnd.Uniform(100);
    bool check = false;
    if (op < 40) {
      // A burst of puts and merges (so tables fill), values telling the step.
      for (int i = 0; i < 20; i++) {
        ModelBatch write;
        add_write(&write, key(), "v" + std::to_string(step) + "." + std::to_string(i));
        WriteBatch batch = write.ToWriteBatch();
        ASSERT_OK(db->Write(WriteOptions(), &batch));
        write.ApplyTo(&model);
      }
    } else if (op < 48) {
      const std::string k = key();
      ASSERT_OK(db->Delete(WriteOptions(), k));
      model.erase(k);
    } else if (op < 62) {
      std::string a = key(), b = key();
      if (a == b) continue;
      if (b < a) std::swap(a, b);
      if (rnd.OneIn(3)) {
        // Atomic with other writes of a batch: a put inside the range after the deletion
        // survives it, one before it does not.
        ModelBatch write;
        add_write(&write, key(), "b" + std::to_string(step));
        write.DeleteRange(a, b);
        add_write(&write, key(), "a" + std::to_string(step));
        WriteBatch batch = write.ToWriteBatch();
        ASSERT_OK(db->Write(WriteOptions(), &batch));
        write.ApplyTo(&model);
      } else {
        ASSERT_OK(db->DeleteRange(WriteOptions(), a, b));
        EraseRange(&model, a, b);
      }
      range_deletions++;
      check = true;
    } else if (op < 70) {
      if (snapshots.size() < 4) {
        snapshots.push_back({db->GetSnapshot(), model});
      } else {
        const size_t i = rnd.Uniform(snapshots.size());
        db->ReleaseSnapshot(snapshots[i].snapshot);
        snapshots.erase(snapshots.begin() + static_cast<long>(i));
      }
    } else if (op < 80) {
      ASSERT_OK(db->Flush());
      check = true;
    } else if (op < 88) {
      std::string a = key(), b = key();
      if (b < a) std::swap(a, b);
      std::string_view lo = a, hi = b;
      if (rnd.OneIn(3)) {
        ASSERT_OK(db->CompactRange(nullptr, nullptr));
      } else {
        ASSERT_OK(db->CompactRange(&lo, &hi));
      }
      check = true;
    } else if (op < 92) {
      for (const auto& s : snapshots) db->ReleaseSnapshot(s.snapshot);
      snapshots.clear();
      db.reset();
      ASSERT_OK(DB::Open(options, dir, &db));
      reopens++;
      check = true;
    } else {
      check = true;
    }
    if (check || step % 10 == 0) {
      CheckReads(db.get(), nullptr, model, &rnd, key);
      for (const auto& s : snapshots) CheckReads(db.get(), s.snapshot, s.state, &rnd, key);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
  for (const auto& s : snapshots) db->ReleaseSnapshot(s.snapshot);
  EXPECT_GT(range_deletions, o.steps / 20);
  EXPECT_GT(reopens, 0);
  if (o.merge_percent > 0) {
    EXPECT_GT(merges, o.steps * o.merge_percent / 20);
  }
}

}  // namespace strata::test
