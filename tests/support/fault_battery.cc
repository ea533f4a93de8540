#include "support/fault_battery.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <vector>

#include "strata/db.h"
#include "support/db_test_util.h"
#include "support/fault_injection_fs.h"
#include "support/no_sync_fs.h"
#include "support/test_util.h"
#include "support/write_model.h"
#include "util/random.h"
#include "version/filename.h"

namespace strata::test {
namespace {

constexpr int kKeys = 80;

std::string BatteryKey(uint64_t i) { return NumberKey(i, 4); }

struct Step {
  enum Kind { kWrite, kFlush, kCompactRange, kSyncWAL, kReopen } kind;
  ModelBatch batch;  // kWrite
  bool sync = false;
};

const char* StepName(Step::Kind kind) {
  switch (kind) {
    case Step::kWrite:
      return "Write";
    case Step::kFlush:
      return "Flush";
    case Step::kCompactRange:
      return "CompactRange";
    case Step::kSyncWAL:
      return "SyncWAL";
    case Step::kReopen:
      return "reopen";
  }
  return "?";
}

// About 300 writes of 0.6-1.4 KiB values over 80 keys: the 64 KiB memtable switches every
// 60 or so, so the writes alone flush several times; explicit Flushes, a CompactRange and a
// reopen (which replays the log) add the rest of the engine's file operations.
std::vector<Step> MakeWorkload(uint64_t seed) {
  Random rnd(seed);
  std::vector<Step> steps;
  auto writes = [&](int n) {
    for (int i = 0; i < n; i++) {
      Step step{Step::kWrite, {}, rnd.OneIn(8)};
      const int ops = rnd.Uniform(10) < 7 ? 1 : 2 + static_cast<int>(rnd.Uniform(3));
      for (int j = 0; j < ops; j++) {
        const uint64_t k = rnd.Uniform(kKeys);
        std::string key = BatteryKey(k);
        if (rnd.OneIn(30)) {
          step.batch.DeleteRange(std::move(key), BatteryKey(k + 1 + rnd.Uniform(6)));
        } else if (rnd.OneIn(6)) {
          step.batch.Delete(std::move(key));
        } else if (rnd.OneIn(8)) {
          step.batch.Merge(std::move(key),
                           "m" + std::to_string(steps.size()) + "." + std::to_string(j));
        } else {
          std::string value = "s" + std::to_string(steps.size()) + "." + std::to_string(j) + ":";
          value += RandomBytes(&rnd, 600 + rnd.Uniform(800));
          step.batch.Put(std::move(key), std::move(value));
        }
      }
      steps.push_back(std::move(step));
    }
  };
  auto op = [&](Step::Kind kind) { steps.push_back(Step{kind, {}, false}); };
  writes(100);
  op(Step::kFlush);
  writes(60);
  op(Step::kSyncWAL);
  writes(80);
  op(Step::kFlush);
  op(Step::kCompactRange);
  writes(30);
  op(Step::kReopen);
  writes(20);
  op(Step::kFlush);
  return steps;
}

Options BatteryOptions(bool automatic_compaction) {
  Options options;
  options.create_if_missing = true;
  options.merge_operator = ModelMergeOperator();
  options.write_buffer_size = 64 << 10;
  options.block_size = 8 << 10;
  options.num_levels = 4;
  if (automatic_compaction) {
    options.level0_file_num_compaction_trigger = 2;
    options.max_bytes_for_level_base = 128 << 10;
    options.max_bytes_for_level_multiplier = 4;
    options.target_file_size_base = 64 << 10;
  } else {
    // Only CompactRange compacts: a fault lands at the same kind of step in every run.
    options.level0_file_num_compaction_trigger = 100;
    options.seek_compaction = false;  // nor do reads
    options.level0_slowdown_writes_trigger = 100;
    options.level0_stop_writes_trigger = 100;
    options.max_bytes_for_level_base = 1ull << 40;
  }
  return options;
}

bool Contains(const Status& s, const std::string& text) {
  return s.ToString().find(text) != std::string::npos;
}

// One run of the workload with the fault at position n (0: none). Returns false if the run
// found a failure (already reported).
bool RunOnce(const std::string& dbname, const std::vector<Step>& steps,
             const FaultBatteryOptions& opt, uint64_t n, uint64_t* operations,
             FaultBatteryResult* result) {
  const FaultMode mode = opt.mode;
  // No power is lost here: real fsyncs would only cost time.
  auto fs = std::make_shared<FaultInjectionFileSystem>(NewNoSyncFileSystem());
  Options options = BatteryOptions(opt.automatic_compaction);
  options.file_system = fs;
  if (n > 0) {
    switch (mode) {
      case FaultMode::kEioOnce:
        fs->FailNthWrite(n, ErrorKind::kEIO);
        break;
      case FaultMode::kEnospcUntilCleared:
        fs->SetTornAppends(true);
        fs->FailNthWrite(n, ErrorKind::kENOSPC, /*sticky=*/true);
        break;
      case FaultMode::kEioAfterTheChange:
        fs->SetFaultsTakeEffect(true);
        fs->FailNthWrite(n, ErrorKind::kEIO);
        break;
      case FaultMode::kCloseFails:
        fs->FailNth(OpKind::kClose, n, ErrorKind::kEIO);
        break;
    }
  }

  WriteModel model;
  Status error;  // the first failure the workload saw
  std::string failed_at = "none";
  std::unique_ptr<DB> db;
  Status s = DB::Open(options, dbname, &db);
  if (!s.ok()) {
    error = s;
    failed_at = "Open";
  }
  for (size_t i = 0; error.ok() && i < steps.size(); i++) {
    const Step& step = steps[i];
    switch (step.kind) {
      case Step::kWrite: {
        WriteBatch batch = step.batch.ToWriteBatch();
        WriteOptions wo;
        wo.sync = step.sync;
        s = db->Write(wo, &batch);
        model.Record(step.batch, s.ok());
        break;
      }
      case Step::kFlush:
        s = db->Flush();
        break;
      case Step::kCompactRange:
        s = db->CompactRange(nullptr, nullptr);
        break;
      case Step::kSyncWAL:
        s = db->SyncWAL();
        break;
      case Step::kReopen:
        db.reset();
        s = DB::Open(options, dbname, &db);
        break;
    }
    if (!s.ok()) {
      error = s;
      failed_at = std::string(StepName(step.kind)) + " (step " + std::to_string(i) + ")";
    }
  }
  if (operations != nullptr) {
    *operations = mode == FaultMode::kCloseFails ? fs->Count(OpKind::kClose) : fs->WriteCount();
  }

  const bool fired = fs->InjectedFaults() > 0;
  std::optional<InjectedFault> fault = fs->FirstInjectedFault();
  const std::string landing =
      fault ? DescribeLanding(OpKindName(fault->kind), fault->path) : "nowhere";
  const std::string where = std::string(FaultModeName(mode)) + " at operation " +
                            std::to_string(n) + " (landed: " + landing +
                            ", first failure: " + failed_at + ": " + error.ToString() + ")";
  if (n > 0) result->runs++;
  if (fired) {
    result->fired++;
    result->landed[landing]++;
  }
  if (!fired) {
    EXPECT_TRUE(error.ok()) << "failure without a fault: " << where;
  }

  // A write after the workload (or after its first failure) shows whether writes stopped.
  bool probe_ok = false;
  if (db != nullptr) {
    ModelBatch probe;
    probe.Put("probe", "after " + failed_at);
    WriteBatch batch = probe.ToWriteBatch();
    Status p = db->Write(WriteOptions(), &batch);
    probe_ok = p.ok();
    model.Record(std::move(probe), p.ok());
    if (fired && error.ok() && !p.ok()) {  // a background error, seen at the next call
      error = p;
      failed_at = "the write after the workload";
    }
  } else {
    result->open_failed++;
  }
  // A failed sync of a log that a memtable switch left unsynced goes unreported when the
  // log was let go during the sync: its memtable is then in a synced table and the log is
  // obsolete (db/unsynced_logs.h). Checked below, once the database is closed: the log must
  // be gone.
  bool sync_of_released_log = false;
  if (fired && error.ok()) {
    result->absorbed++;
    // Only best-effort operations may fail unseen: the info LOG, removing files that are no
    // longer needed (obsolete ones, or the remains of a failed job), and closing a file
    // whose contents are already written (and synced, where it matters) or abandoned.
    const bool background = landing.ends_with(" table") || landing.ends_with(" MANIFEST");
    sync_of_released_log = fault->kind == OpKind::kSync && landing.ends_with(" log");
    EXPECT_TRUE(fault->kind == OpKind::kRemove || fault->kind == OpKind::kClose ||
                landing.ends_with(" info LOG") || (opt.automatic_compaction && background) ||
                sync_of_released_log)
        << "a fault nobody reported: " << where;
  } else if (fired) {
    result->reported++;
    EXPECT_TRUE(error.IsIOError()) << where;
    EXPECT_TRUE(Contains(error, "(injected)")) << "the error is not the file system's: " << where;
    if (probe_ok) {
      result->writes_went_on++;
      // Writes may go on only when nothing is in doubt: a new log could not be created (or
      // its directory entry made durable), so the old one stays in use.
      EXPECT_TRUE((fault->kind == OpKind::kOpen && landing.ends_with(" log")) ||
                  fault->kind == OpKind::kSyncDir)
          << "a write succeeded after the failure: " << where;
    }
  }
  result->failed_batches += model.unacknowledged();

  // The fault goes away; the process closes the database and opens it on the plain file
  // system.
  fs->ClearFaults();
  fs->SetTornAppends(false);
  fs->SetFaultsTakeEffect(false);
  db.reset();
  if (sync_of_released_log) {
    EXPECT_FALSE(fs->FileExists(fault->path))
        << "a log whose failed sync nobody reported outlived the database: " << where;
  }
  // Compactions stay off here: the files on disk can then be checked exactly.
  Options plain = BatteryOptions(/*automatic_compaction=*/false);
  plain.file_system = NewNoSyncFileSystem();
  KVMap first;
  for (int reopen = 0; reopen < 2; reopen++) {
    s = DB::Open(plain, dbname, &db);
    EXPECT_TRUE(s.ok()) << "reopen " << reopen + 1 << ": " << s.ToString() << "; " << where;
    if (!s.ok()) return false;
    KVMap state;
    s = ScanAll(db.get(), &state);
    EXPECT_TRUE(s.ok()) << "scan: " << s.ToString() << "; " << where;
    if (reopen == 0) {
      EXPECT_TRUE(model.HoldsEveryAcknowledgedWrite(state)) << where;
    } else {
      EXPECT_TRUE(state == first) << "the second reopen differs: " << FirstDifference(first, state)
                                  << "; " << where;
    }
    for (uint64_t k = 0; k <= kKeys; k++) {
      const std::string key = k < kKeys ? BatteryKey(k) : "probe";
      auto it = state.find(key);
      EXPECT_EQ(it == state.end() ? "NOT_FOUND" : it->second, GetString(db.get(), key))
          << "Get and the scan disagree on " << key << "; " << where;
    }
    // No leftovers: one MANIFEST, one log, no temporary files, every table referenced.
    uint64_t live = 0;
    for (int level = 0; level < plain.num_levels; level++) {
      live += IntProperty(db.get(), "strata.num-files-at-level" + std::to_string(level));
    }
    EXPECT_EQ(live, FilesOfType(dbname, FileType::kTable).size()) << "stray tables; " << where;
    EXPECT_EQ(1u, FilesOfType(dbname, FileType::kManifest).size()) << where;
    EXPECT_EQ(1u, FilesOfType(dbname, FileType::kLog).size()) << where;
    EXPECT_TRUE(FilesOfType(dbname, FileType::kTemp).empty()) << where;
    if (reopen == 0) {
      s = db->Put(WriteOptions(), "probe", "after reopen");
      EXPECT_TRUE(s.ok()) << "write after reopen: " << s.ToString() << "; " << where;
      state["probe"] = "after reopen";
      first = std::move(state);
    }
    db.reset();
  }
  return !::testing::Test::HasFailure();
}

}  // namespace

const char* FaultModeName(FaultMode mode) {
  switch (mode) {
    case FaultMode::kEioOnce:
      return "EIO once";
    case FaultMode::kEnospcUntilCleared:
      return "ENOSPC until cleared";
    case FaultMode::kEioAfterTheChange:
      return "EIO after the change";
    case FaultMode::kCloseFails:
      return "Close fails";
  }
  return "?";
}

std::string DescribeLanding(const std::string& op, const std::string& path) {
  const std::string name = path.substr(path.find_last_of('/') + 1);
  uint64_t number;
  FileType type;
  std::string what = name;
  if (ParseFileName(name, &number, &type)) {
    switch (type) {
      case FileType::kLog:
        what = "log";
        break;
      case FileType::kTable:
        what = "table";
        break;
      case FileType::kManifest:
        what = "MANIFEST";
        break;
      case FileType::kCurrent:
        what = "CURRENT";
        break;
      case FileType::kTemp:
        what = "temp file";
        break;
      case FileType::kInfoLog:
        what = "info LOG";
        break;
      case FileType::kLock:
        what = "LOCK";
        break;
      case FileType::kOptions:
        what = "OPTIONS";
        break;
      case FileType::kOldInfoLog:
        what = "old info LOG";
        break;
    }
  } else {
    what = "directory";
  }
  if (op == "Rename" && what == "temp file") return "Rename temp file to CURRENT";
  return op + " " + what;
}

FaultBatteryResult RunFaultBattery(const std::string& dir, const FaultBatteryOptions& opt) {
  FaultBatteryResult result;
  const std::vector<Step> steps = MakeWorkload(opt.seed);
  auto fresh = [&](uint64_t n) {
    std::string dbname = dir + "/db" + std::to_string(n);
    std::error_code ec;
    std::filesystem::remove_all(dbname, ec);
    return dbname;
  };
  // The fault-free run counts the operations, and must pass every check itself.
  FaultBatteryResult baseline;
  if (!RunOnce(fresh(0), steps, opt, 0, &result.operations, &baseline)) return result;
  std::filesystem::remove_all(dir + "/db0");
  // Background flushes shift the count a little from run to run: go a few past it.
  const uint64_t last = result.operations + 5;
  for (uint64_t n = opt.first; n <= last; n += opt.stride) {
    const std::string dbname = fresh(n);
    if (n > result.operations) result.past_end++;
    const bool ok = RunOnce(dbname, steps, opt, n, nullptr, &result);
    std::error_code ec;
    std::filesystem::remove_all(dbname, ec);
    if (!ok) break;  // one failure, fully described, is enough to start from
  }
  return result;
}

void PrintFaultBatteryResult(const FaultBatteryOptions& options, const FaultBatteryResult& r) {
  auto u = [](uint64_t v) { return static_cast<unsigned long long>(v); };
  std::printf(
      "%s%s, seed %llu: %llu operations, %llu positions tried (from %llu, every %llu), %llu "
      "faults fired: %llu reported, %llu absorbed, %llu failed an Open, %llu let writes go "
      "on; %llu failed batches\n",
      FaultModeName(options.mode), options.automatic_compaction ? " (background compactions)" : "",
      u(options.seed), u(r.operations), u(r.runs), u(options.first), u(options.stride), u(r.fired),
      u(r.reported), u(r.absorbed), u(r.open_failed), u(r.writes_went_on), u(r.failed_batches));
  for (const auto& [where, count] : r.landed) {
    std::printf("  %-28s %llu\n", where.c_str(), u(count));
  }
}

}  // namespace strata::test
