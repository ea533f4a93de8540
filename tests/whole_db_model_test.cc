// The whole-database operations against a std::map model, in random interleavings with
// writes, flushes and compactions: ingesting TableWriter files (which shadow older values),
// MultiGet (which must answer like the model for every key asked), and checkpoints (which
// must open, read-write and read-only, to exactly the model as of the checkpoint).
#include <map>
#include <set>
#include <vector>

#include "strata/db.h"
#include "strata/table_writer.h"
#include "support/db_test_util.h"
#include "support/no_sync_fs.h"
#include "support/test_util.h"
#include "support/write_model.h"

namespace strata {
namespace {

using test::KVMap;

TEST(WholeDbModelTest, RandomizedIngestMultiGetAndCheckpoints) {
  test::TempDir dir;
  Options options;
  options.create_if_missing = true;
  options.file_system = test::NewNoSyncFileSystem();
  options.write_buffer_size = 64 << 10;
  options.level0_file_num_compaction_trigger = 2;
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(options, dir.Child("db"), &db));
  KVMap model;
  Random rnd(1601);
  auto key = [&]() { return test::NumberKey(rnd.Uniform(3000), 6); };
  int ingests = 0, checkpoints = 0, multigets = 0;

  for (int step = 0; step < 1500; step++) {
    SCOPED_TRACE("step " + std::to_string(step));
    const uint32_t op = rnd.Uniform(100);
    if (op < 55) {
      const std::string k = key(), v = "p" + std::to_string(step);
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
        const std::string path = dir.Child("in" + std::to_string(step) + "-" + std::to_string(f));
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
      ASSERT_NO_FATAL_FAILURE(test::ExpectMultiGetMatches(db.get(), ReadOptions(), keys, model));
      multigets++;
    } else if (op < 90) {
      ASSERT_OK(db->Flush());
    } else if (op < 93) {
      const std::string a = key(), b = key();
      std::string_view lo = std::min(a, b), hi = std::max(a, b);
      ASSERT_OK(db->CompactRange(&lo, &hi));
    } else if (op < 97) {
      const std::string path = dir.Child("ckpt" + std::to_string(step));
      ASSERT_OK(db->CreateCheckpoint(path));
      const KVMap expected = model;
      // Writes after the checkpoint must not reach it.
      const std::string later = key();
      ASSERT_OK(db->Put(WriteOptions(), later, "after-checkpoint"));
      model[later] = "after-checkpoint";
      Options o = options;
      o.create_if_missing = false;
      for (bool read_only : {true, false}) {
        std::unique_ptr<DB> copy;
        ASSERT_OK(read_only ? DB::OpenForReadOnly(o, path, &copy) : DB::Open(o, path, &copy));
        KVMap got;
        ASSERT_OK(test::ScanAll(copy.get(), &got));
        ASSERT_EQ(got, expected) << test::FirstDifference(expected, got);
      }
      checkpoints++;
    } else {
      db.reset();  // reopen: replays the logs, sequence markers of ingestions included
      ASSERT_OK(DB::Open(options, dir.Child("db"), &db));
    }
  }
  KVMap got;
  ASSERT_OK(test::ScanAll(db.get(), &got));
  EXPECT_EQ(got, model) << test::FirstDifference(model, got);
  EXPECT_GT(ingests, 50);
  EXPECT_GT(checkpoints, 20);
  EXPECT_GT(multigets, 50);
}

}  // namespace
}  // namespace strata
