#include "support/exhaustive_crash_states.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <set>

#include "strata/db.h"
#include "support/crash_states.h"
#include "support/fault_injection_fs.h"
#include "support/no_sync_fs.h"
#include "support/test_util.h"
#include "support/write_model.h"

namespace strata::test {

ExhaustiveCrashResult RunExhaustiveCrashStates(const std::string& dir, int writes,
                                               uint64_t max_states_per_point) {
  ExhaustiveCrashResult result;
  std::set<uint64_t> seen;
  auto plain = NewNoSyncFileSystem();  // the checks need no durability, only speed
  Options plain_options;
  plain_options.file_system = plain;
  Options options;
  options.create_if_missing = true;
  options.write_buffer_size = 64 << 10;
  options.level0_file_num_compaction_trigger = 2;
  options.num_levels = 3;
  for (int persist : {0, 100}) {
    for (uint64_t crash_at = 1;; crash_at++) {
      const std::string dbname = dir + "/db";
      auto fs = std::make_shared<FaultInjectionFileSystem>(NewNoSyncFileSystem());
      fs->SetCrashOpPersistence(persist, crash_at);
      Options o = options;
      o.file_system = fs;
      std::unique_ptr<DB> db;
      EXPECT_OK(DB::Open(o, dbname, &db));
      if (!db) return result;
      fs->ResetCounts();
      fs->DeactivateAtWrite(crash_at);
      WriteModel model;
      model.set_in_flight_may_survive(true);
      Random rnd(crash_at);
      for (int i = 0; i < writes && fs->IsFilesystemActive(); i++) {
        ModelBatch batch;
        batch.Put(NumberKey(i % 23, 4), std::to_string(i) + RandomBytes(&rnd, 3000));
        WriteBatch wb = batch.ToWriteBatch();
        WriteOptions wo;
        wo.sync = i % 5 == 4;
        Status s = db->Write(wo, &wb);
        model.Record(std::move(batch), s.ok());
        if (s.ok() && wo.sync) model.MarkDurable();
        if (s.ok() && i % 11 == 10) {
          s = db->Flush();
          if (s.ok()) model.MarkDurable();
        }
      }
      const bool crashed = !fs->IsFilesystemActive();
      fs->SetFilesystemActive(false);
      db.reset();
      if (!crashed) {
        EXPECT_OK(DestroyDB(dbname, plain_options));
        break;  // past the last changing operation of the workload
      }
      result.crash_points++;
      const std::vector<UnsyncedFile> files = fs->UnsyncedFiles();
      const std::string scratch = dir + "/state";
      ForEachCrashState(files, max_states_per_point, [&](const std::vector<FileFate>& fates) {
        result.states++;
        EXPECT_OK(DestroyDB(scratch, plain_options));
        EXPECT_OK(CopyDir(plain.get(), dbname, scratch));
        std::string what;
        for (size_t i = 0; i < files.size(); i++) {
          const std::string name = files[i].path.substr(files[i].path.rfind('/') + 1);
          EXPECT_OK(ApplyFileFate(plain.get(), scratch + "/" + name, files[i], fates[i],
                                  crash_at * 1000 + i));
          what += " " + name + ": " + DescribeFate(files[i], fates[i]) + ";";
        }
        if (!seen.insert(HashDir(plain.get(), scratch)).second) return true;
        result.distinct++;
        const std::string where = "crash at change " + std::to_string(crash_at) +
                                  (persist ? " (it reached the disk)" : "") + ", state" + what;
        std::unique_ptr<DB> recovered;
        Status s = DB::Open(plain_options, scratch, &recovered);
        KVMap state;
        if (s.ok()) s = ScanAll(recovered.get(), &state);
        size_t k = 0;
        ::testing::AssertionResult prefix =
            s.ok() ? model.IsDurablePrefix(state, &k) : ::testing::AssertionFailure();
        if (!s.ok() || !prefix) {
          ADD_FAILURE() << where << ": " << s.ToString() << " " << prefix.message();
          result.violations++;
          return false;
        }
        return true;
      });
      EXPECT_OK(DestroyDB(scratch, plain_options));
      EXPECT_OK(fs->DropUnsyncedData());
      EXPECT_OK(DestroyDB(dbname, plain_options));
      if (result.violations > 0) return result;
    }
  }
  result.distinct = seen.size();
  return result;
}

void PrintExhaustiveCrashResult(const ExhaustiveCrashResult& r, double seconds) {
  auto u = [](uint64_t v) { return static_cast<unsigned long long>(v); };
  std::printf("exhaustive crash states: %llu crash points, %llu states, %llu distinct, %llu "
              "violations (%.1f s)\n",
              u(r.crash_points), u(r.states), u(r.distinct), u(r.violations), seconds);
}

}  // namespace strata::test
