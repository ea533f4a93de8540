#include "support/power_loss_workload.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <set>

#include "strata/db.h"
#include "support/crash_states.h"
#include "support/db_test_util.h"
#include "support/fault_battery.h"
#include "support/fault_injection_fs.h"
#include "support/no_sync_fs.h"
#include "support/test_util.h"
#include "support/write_model.h"
#include "util/random.h"
#include "version/filename.h"

namespace strata::test {
namespace {

constexpr int kKeys = 200;

std::string PowerKey(uint64_t i) { return NumberKey(i, 5); }

Options PowerLossDBOptions(std::shared_ptr<FileSystem> fs) {
  Options options;
  options.create_if_missing = true;
  // The orphan check counts files after reads: no seek compaction may be writing one.
  options.seek_compaction = false;
  options.merge_operator = ModelMergeOperator();
  options.file_system = std::move(fs);
  options.write_buffer_size = 64 << 10;
  options.level0_file_num_compaction_trigger = 2;
  options.level0_slowdown_writes_trigger = 8;
  options.level0_stop_writes_trigger = 12;
  options.max_bytes_for_level_base = 256 << 10;
  options.max_bytes_for_level_multiplier = 4;
  options.target_file_size_base = 64 << 10;
  options.num_levels = 4;
  return options;
}

// Where a cut is aimed: the n-th change to a file whose path contains filter, n drawn from
// [1, max_n] (about the number such changes a workload makes, so that most cuts land inside
// it; the rest land after it).
struct Aim {
  const char* filter;
  uint64_t max_n;
};
constexpr Aim kAims[] = {{"", 700}, {".log", 450}, {".sst", 120}, {"MANIFEST", 30}};
// The same inside a recovery, which replays the logs into tables, writes a new MANIFEST and
// points CURRENT at it (the rename of the temporary file is the one change to CURRENT).
constexpr Aim kRecoveryAims[] = {{"", 15}, {".sst", 4}, {"MANIFEST", 4}, {"CURRENT", 1}};

// One workload, until it ends or a call fails because the machine died.
void RunWorkload(DB* db, FaultInjectionFileSystem* fs, Random* rnd, int round, WriteModel* model) {
  const int steps = 150 + static_cast<int>(rnd->Uniform(300));
  for (int i = 0; i < steps && fs->IsFilesystemActive(); i++) {
    const uint64_t what = rnd->Uniform(1000);
    Status s;
    if (what < 8) {
      s = db->SyncWAL();
      if (s.ok()) model->MarkDurable();
    } else if (what < 14) {
      s = db->Flush();
      if (s.ok()) model->MarkDurable();
    } else if (what < 17) {
      // A key range, or everything; it flushes first, so it also makes writes durable.
      std::string begin = PowerKey(rnd->Uniform(kKeys)), end = PowerKey(rnd->Uniform(kKeys));
      if (end < begin) std::swap(begin, end);
      const std::string_view b = begin, e = end;
      const bool all = rnd->OneIn(2);
      s = all ? db->CompactRange(nullptr, nullptr) : db->CompactRange(&b, &e);
      if (s.ok()) model->MarkDurable();
    } else {
      ModelBatch batch;
      const int ops = rnd->OneIn(4) ? 2 + static_cast<int>(rnd->Uniform(4)) : 1;
      for (int j = 0; j < ops; j++) {
        const uint64_t k = rnd->Uniform(kKeys);
        std::string key = PowerKey(k);
        if (rnd->OneIn(40)) {
          batch.DeleteRange(std::move(key), PowerKey(k + 1 + rnd->Uniform(8)));
        } else if (rnd->OneIn(5)) {
          batch.Delete(std::move(key));
        } else if (rnd->OneIn(8)) {
          batch.Merge(std::move(key), "m" + std::to_string(round) + "." + std::to_string(i) + "." +
                                          std::to_string(j));
        } else {
          std::string value =
              "r" + std::to_string(round) + "." + std::to_string(i) + "." + std::to_string(j) + ":";
          value += RandomBytes(rnd, 100 + rnd->Uniform(1400));
          batch.Put(std::move(key), std::move(value));
        }
      }
      WriteBatch wb = batch.ToWriteBatch();
      WriteOptions wo;
      wo.sync = rnd->OneIn(10);
      s = db->Write(wo, &wb);
      model->Record(std::move(batch), s.ok());
      if (s.ok() && wo.sync) model->MarkDurable();
    }
    // Only the machine's death may fail a call here.
    if (!s.ok()) {
      EXPECT_FALSE(fs->IsFilesystemActive()) << "a call failed with power on: " << s.ToString();
      EXPECT_TRUE(s.IsIOError()) << s.ToString();
      break;
    }
  }
}

// Drops what power loss drops (everything not synced, or with torn, what rnd decides); the
// disk works again afterwards.
void PowerLoss(FaultInjectionFileSystem* fs, std::unique_ptr<DB>* db, bool torn, Random* rnd,
               PowerLossResult* result, const std::string& dbname, std::set<uint64_t>* states) {
  fs->SetFilesystemActive(false);
  db->reset();
  if (torn) {
    EXPECT_OK(fs->DropUnsyncedData(
        [&](const UnsyncedFile& f) {
          FileFate fate = RandomFate(f, rnd);
          if (fate.keep_entry && !f.entry_durable) result->kept_entries++;
          if (fate.keep_entry && (fate.keep_bytes > f.synced_size || fate.tear_bytes > 0)) {
            result->torn_files++;
          }
          return fate;
        },
        rnd->Next()));
  } else {
    EXPECT_OK(fs->DropUnsyncedData());
  }
  states->insert(HashDir(fs->target(), dbname));
  fs->SetFilesystemActive(true);
}

}  // namespace

PowerLossResult RunPowerLossCycles(const std::string& dir, const PowerLossOptions& opt) {
  PowerLossResult result;
  Random rnd(opt.seed);
  auto fs = std::make_shared<FaultInjectionFileSystem>(NewNoSyncFileSystem());
  if (opt.torn) fs->SetCrashOpPersistence(50, opt.seed);
  std::set<uint64_t> states;
  const Options options = PowerLossDBOptions(fs);
  Options quiet_options = options;
  quiet_options.level0_file_num_compaction_trigger = 1000;
  quiet_options.seek_compaction = false;  // nor do reads
  quiet_options.level0_slowdown_writes_trigger = 1000;
  quiet_options.level0_stop_writes_trigger = 1000;
  quiet_options.max_bytes_for_level_base = 1ull << 50;
  std::unique_ptr<DB> db;
  std::string dbname;
  KVMap state;  // what the database holds, verified after the last recovery
  for (int cut = 0; cut < opt.cuts; cut++) {
    if (cut % opt.cuts_per_database == 0) {
      db.reset();
      dbname = dir + "/db" + std::to_string(cut / opt.cuts_per_database);
      state.clear();
      Status s = DB::Open(options, dbname, &db);
      EXPECT_TRUE(s.ok()) << s.ToString();
      if (!s.ok()) return result;
    }

    // The workload, with the machine dying at the aimed change.
    const Aim& aim = kAims[rnd.Uniform(std::size(kAims))];
    const uint64_t n = 1 + rnd.Uniform(aim.max_n);
    fs->ResetCounts();
    fs->DeactivateAtWrite(n, aim.filter);
    WriteModel model(state);
    model.set_in_flight_may_survive(opt.torn);
    RunWorkload(db.get(), fs.get(), &rnd, cut, &model);
    result.cuts++;
    std::string where = "cut " + std::to_string(cut) + " (seed " + std::to_string(opt.seed) +
                        ", change " + std::to_string(n) + " of '" + aim.filter + "'";
    if (fs->IsFilesystemActive()) {
      result.cuts_after_workload++;
      where += ", after the workload)";
    } else {
      std::optional<InjectedFault> f = fs->FirstInjectedFault();
      const std::string landing = f ? DescribeLanding(OpKindName(f->kind), f->path) : "?";
      result.landed[landing]++;
      where += ", landed: " + landing + ")";
    }
    PowerLoss(fs.get(), &db, opt.torn, &rnd, &result, dbname, &states);

    // Recovery, perhaps cut short by another power loss.
    if (rnd.OneIn(opt.recovery_cut_one_in)) {
      fs->ResetCounts();
      const Aim& recovery_aim = kRecoveryAims[rnd.Uniform(std::size(kRecoveryAims))];
      fs->DeactivateAtWrite(1 + rnd.Uniform(recovery_aim.max_n), recovery_aim.filter);
      Status s = DB::Open(options, dbname, &db);
      if (!fs->IsFilesystemActive()) {
        result.recovery_cuts++;
        std::optional<InjectedFault> f = fs->FirstInjectedFault();
        const std::string landing = f ? DescribeLanding(OpKindName(f->kind), f->path) : "?";
        result.recovery_landed[landing]++;
        where += " and again in recovery (landed: " + landing + ")";
      } else {
        EXPECT_TRUE(s.ok()) << s.ToString() << "; " << where;
      }
      PowerLoss(fs.get(), &db, opt.torn, &rnd, &result, dbname, &states);
    }
    // Recovery proper, with automatic compaction off so that the files on disk can be
    // checked exactly afterwards; the next workload reopens with it on.
    Status s = DB::Open(quiet_options, dbname, &db);
    EXPECT_TRUE(s.ok()) << "reopen after " << where << ": " << s.ToString();
    if (!s.ok()) {
      result.violations++;
      return result;
    }

    KVMap recovered;
    s = ScanAll(db.get(), &recovered);
    EXPECT_TRUE(s.ok()) << "scan after " << where << ": " << s.ToString();
    size_t k = 0;
    ::testing::AssertionResult prefix = model.IsDurablePrefix(recovered, &k);
    EXPECT_TRUE(prefix) << where;
    bool ok = s.ok() && prefix;
    for (int i = 0; i < kKeys; i++) {
      auto it = recovered.find(PowerKey(i));
      const std::string expected = it == recovered.end() ? "NOT_FOUND" : it->second;
      const std::string got = GetString(db.get(), PowerKey(i));
      if (got != expected) {
        ADD_FAILURE() << "Get and the scan disagree on " << PowerKey(i) << " after " << where;
        ok = false;
        break;
      }
    }
    // Tables of interrupted flushes and compactions are gone; so are temporary files.
    uint64_t live = 0;
    for (int level = 0; level < quiet_options.num_levels; level++) {
      uint64_t n;
      if (db->GetIntProperty("strata.num-files-at-level" + std::to_string(level), &n)) live += n;
    }
    const size_t tables = FilesOfType(dbname, FileType::kTable).size();
    EXPECT_EQ(live, tables) << "unused tables left after " << where;
    EXPECT_TRUE(FilesOfType(dbname, FileType::kTemp).empty()) << where;
    ok = ok && live == tables;

    result.acknowledged += model.acknowledged();
    result.durable += model.durable();
    result.recovered += k;
    if (k > model.durable()) result.beyond_durable++;
    if (!ok) {
      result.violations++;
      return result;  // one failure, fully described, is enough to start from
    }
    result.distinct_states = states.size();
    state = std::move(recovered);
    db.reset();
    s = DB::Open(options, dbname, &db);
    EXPECT_TRUE(s.ok()) << "reopen after a clean close after " << where << ": " << s.ToString();
    if (!s.ok()) return result;
  }
  return result;
}

void PrintPowerLossResult(const PowerLossResult& r, double seconds) {
  auto u = [](uint64_t v) { return static_cast<unsigned long long>(v); };
  std::printf(
      "power loss: %llu cuts in %.1f s (%llu after the workload ended, %llu more inside "
      "recovery), %llu violations; writes: %llu acknowledged, %llu durable, %llu recovered; "
      "unsynced writes survived in %llu cuts\n",
      u(r.cuts), seconds, u(r.cuts_after_workload), u(r.recovery_cuts), u(r.violations),
      u(r.acknowledged), u(r.durable), u(r.recovered), u(r.beyond_durable));
  if (r.torn_files + r.kept_entries > 0) {
    std::printf(
        "torn and reordered: %llu files kept part of their unsynced bytes or a torn "
        "sector, %llu unsynced entries kept; %llu distinct states on disk\n",
        u(r.torn_files), u(r.kept_entries), u(r.distinct_states));
  }
  for (const auto& [where, count] : r.landed) {
    std::printf("  %-28s %llu\n", where.c_str(), u(count));
  }
  std::printf("inside recovery:\n");
  for (const auto& [where, count] : r.recovery_landed) {
    std::printf("  %-28s %llu\n", where.c_str(), u(count));
  }
}

}  // namespace strata::test
