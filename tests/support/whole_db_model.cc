#include "support/whole_db_model.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <vector>

#include "strata/db.h"
#include "strata/table_writer.h"
#include "support/no_sync_fs.h"
#include "support/test_util.h"
#include "support/write_model.h"

namespace strata::test {

void RunWholeDbModel(const std::string& dir, const WholeDbModelOptions& o) {
  const std::string dbname = dir + "/db";
  Options options;
  options.create_if_missing = true;
  options.file_system = NewNoSyncFileSystem();
  options.write_buffer_size = 64 << 10;
  options.level0_file_num_compaction_trigger = 2;
  if (o.merge_percent > 0) options.merge_operator = ModelMergeOperator();
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(options, dbname, &db));
  KVMap model;
  Random rnd(o.seed);
  auto key = [&]() { return NumberKey(rnd.Uniform(o.key_space), 6); };
  std::vector<std::string> hot;  // keys that collect long runs of operands
  if (o.merge_percent > 0) {
    for (int i = 0; i < 6; i++) hot.push_back(key());
  }
  // A snapshot held across flushes, compactions and ingestions (not reopens), and the
  // model as of it.
  const Snapshot* snapshot = nullptr;
  KVMap snapshot_model;
  auto release_snapshot = [&] {
    if (snapshot != nullptr) db->ReleaseSnapshot(snapshot);
    snapshot = nullptr;
  };
  int ingests = 0, checkpoints = 0, multigets = 0, merges = 0;

  for (int step = 0; step < o.steps; step++) {
    SCOPED_TRACE("seed " + std::to_string(o.seed) + " step " + std::to_string(step));
    const uint32_t op = rnd.Uniform(100);
    if (op < 55) {
      const std::string k = key(), v = "p" + std::to_string(step);
      if (o.merge_percent > 0 && static_cast<int>(rnd.Uniform(100)) < o.merge_percent) {
        ModelBatch merge;
        merge.Merge(rnd.OneIn(2) ? hot[rnd.Uniform(hot.size())] : k, v);
        WriteBatch batch = merge.ToWriteBatch();
        ASSERT_OK(db->Write(WriteOptions(), &batch));
        merge.ApplyTo(&model);
        merges++;
        continue;
      }
      ASSERT_OK(db->Put(WriteOptions(), k, v));
      model[k] = v;
    } else if (op < 65) {
      const std::string k = key();
      if (rnd.OneIn(4)) {
        // A range deletion: ingested files placed later must stay visible above it.
        const std::string k2 = key();
        if (k == k2) continue;
        const std::string& lo = std::min(k, k2);
        const std::string& hi = std::max(k, k2);
        ASSERT_OK(db->DeleteRange(WriteOptions(), lo, hi));
        model.erase(model.lower_bound(lo), model.lower_bound(hi));
        continue;
      }
      ASSERT_OK(db->Delete(WriteOptions(), k));
      model.erase(k);
    } else if (op < 75) {
      // One to three non-overlapping files of sorted keys, some deletions among them.
      const int nfiles = 1 + static_cast<int>(rnd.Uniform(3));
      std::set<std::string> all;
      const int n = 1 + static_cast<int>(rnd.Uniform(200));
      for (int i = 0; i < n; i++) all.insert(key());
      std::vector<std::string> sorted(all.begin(), all.end());
      std::vector<std::string> paths;
      size_t begin = 0;
      for (int f = 0; f < nfiles && begin < sorted.size(); f++) {
        const size_t end =
            f == nfiles - 1 ? sorted.size() : std::min(sorted.size(), begin + 1 + rnd.Uniform(100));
        const std::string path = dir + "/in" + std::to_string(step) + "-" + std::to_string(f);
        TableWriter w(options);
        ASSERT_OK(w.Open(path));
        for (size_t i = begin; i < end; i++) {
          if (rnd.OneIn(8)) {
            ASSERT_OK(w.Delete(sorted[i]));
            model.erase(sorted[i]);
          } else {
            const std::string v = "i" + std::to_string(step);
            ASSERT_OK(w.Put(sorted[i], v));
            model[sorted[i]] = v;
          }
        }
        ASSERT_OK(w.Finish());
        paths.push_back(path);
        begin = end;
      }
      IngestOptions io;
      io.move_files = rnd.OneIn(2);
      ASSERT_OK(db->IngestExternalFiles(paths, io));
      ingests++;
    } else if (op < 85) {
      std::vector<std::string> keys;
      const int n = 1 + static_cast<int>(rnd.Uniform(60));
      for (int i = 0; i < n; i++) keys.push_back(key());
      keys.insert(keys.end(), hot.begin(), hot.end());
      ASSERT_NO_FATAL_FAILURE(ExpectMultiGetMatches(db.get(), ReadOptions(), keys, model));
      if (snapshot != nullptr) {
        ReadOptions ro;
        ro.snapshot = snapshot;
        ASSERT_NO_FATAL_FAILURE(ExpectMultiGetMatches(db.get(), ro, keys, snapshot_model));
      }
      multigets++;
    } else if (op < 90) {
      ASSERT_OK(db->Flush());
    } else if (op < 93) {
      const std::string a = key(), b = key();
      std::string_view lo = std::min(a, b), hi = std::max(a, b);
      ASSERT_OK(db->CompactRange(&lo, &hi));
    } else if (op < 97) {
      const std::string path = dir + "/ckpt" + std::to_string(step);
      ASSERT_OK(db->CreateCheckpoint(path));
      const KVMap expected = model;
      // Writes after the checkpoint must not reach it.
      const std::string later = key();
      ASSERT_OK(db->Put(WriteOptions(), later, "after-checkpoint"));
      model[later] = "after-checkpoint";
      Options copy_options = options;
      copy_options.create_if_missing = false;
      for (bool read_only : {true, false}) {
        std::unique_ptr<DB> copy;
        ASSERT_OK(read_only ? DB::OpenForReadOnly(copy_options, path, &copy)
                            : DB::Open(copy_options, path, &copy));
        KVMap got;
        ASSERT_OK(ScanAll(copy.get(), &got));
        ASSERT_EQ(got, expected) << FirstDifference(expected, got);
      }
      if (options.merge_operator != nullptr && checkpoints == 0) {
        // The copy carries the operator's name: it opens with no other.
        copy_options.merge_operator = nullptr;
        std::unique_ptr<DB> copy;
        Status s = DB::Open(copy_options, path, &copy);
        EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
      }
      checkpoints++;
    } else if (op < 98) {
      release_snapshot();
      snapshot = db->GetSnapshot();
      snapshot_model = model;
    } else {
      release_snapshot();
      db.reset();  // reopen: replays the logs, sequence markers of ingestions included
      ASSERT_OK(DB::Open(options, dbname, &db));
    }
  }
  KVMap got;
  ASSERT_OK(ScanAll(db.get(), &got));
  EXPECT_EQ(got, model) << FirstDifference(model, got);
  if (snapshot != nullptr) {
    ReadOptions ro;
    ro.snapshot = snapshot;
    std::unique_ptr<Iterator> it = db->NewIterator(ro);
    KVMap at_snapshot;
    for (it->SeekToFirst(); it->Valid(); it->Next())
      at_snapshot[std::string(it->key())] = it->value();
    ASSERT_OK(it->status());
    EXPECT_EQ(at_snapshot, snapshot_model) << FirstDifference(snapshot_model, at_snapshot);
  }
  release_snapshot();
  EXPECT_GT(ingests, o.steps / 30);
  EXPECT_GT(checkpoints, o.steps / 75);
  EXPECT_GT(multigets, o.steps / 30);
  if (o.merge_percent > 0) {
    EXPECT_GT(merges, o.steps * o.merge_percent / 400);
  }
}

}  // namespace strata::test
