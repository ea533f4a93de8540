#include "support/disk_full_workload.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>

#include "strata/db.h"
#include "support/db_test_util.h"
#include "support/fault_injection_fs.h"
#include "support/test_util.h"
#include "support/write_model.h"
#include "util/random.h"

namespace strata::test {
namespace {

constexpr int kKeys = 300;

Options DiskFullDBOptions(std::shared_ptr<FileSystem> fs) {
  Options options;
  options.create_if_missing = true;
  options.file_system = std::move(fs);
  options.write_buffer_size = 64 << 10;
  options.level0_file_num_compaction_trigger = 2;
  options.max_bytes_for_level_base = 256 << 10;
  options.max_bytes_for_level_multiplier = 4;
  options.target_file_size_base = 64 << 10;
  options.num_levels = 4;
  options.bg_error_resume_retry_interval_micros = 1000;
  return options;
}

// "resumes: 3 (automatic 2), failed resume attempts: 5" -> the three numbers.
void ResumeCounts(DB* db, uint64_t* automatic, uint64_t* failed) {
  std::string stats;
  *automatic = *failed = 0;
  if (!db->GetProperty("strata.stats", &stats)) return;
  unsigned long long all = 0, a = 0, f = 0;
  const size_t at = stats.find("resumes: ");
  if (at == std::string::npos) return;
  if (std::sscanf(stats.c_str() + at, "resumes: %llu (automatic %llu), failed resume attempts: %llu",
                  &all, &a, &f) == 3) {
    *automatic = a;
    *failed = f;
  }
}

std::string BackgroundError(DB* db) {
  std::string v;
  db->GetProperty("strata.background-error", &v);
  return v;
}

// Checks the database against the model; false (with a failure added) on a violation.
bool Verify(DB* db, const WriteModel& model, const std::string& where, KVMap* state) {
  KVMap got;
  Status s = ScanAll(db, &got);
  if (!s.ok()) {
    ADD_FAILURE() << "scan " << where << ": " << s.ToString();
    return false;
  }
  ::testing::AssertionResult held = model.HoldsEveryAcknowledgedWrite(got);
  if (!held) {
    ADD_FAILURE() << where << ": " << held.message();
    return false;
  }
  for (int i = 0; i < kKeys; i++) {
    const std::string key = NumberKey(i, 6);
    auto it = got.find(key);
    const std::string expected = it == got.end() ? "NOT_FOUND" : it->second;
    if (GetString(db, key) != expected) {
      ADD_FAILURE() << where << ": Get and the scan disagree on " << key;
      return false;
    }
  }
  *state = std::move(got);
  return true;
}

}  // namespace

DiskFullResult RunDiskFullCycles(const std::string& dir, const DiskFullOptions& opt) {
  DiskFullResult result;
  Random rnd(opt.seed);
  auto fs = std::make_shared<FaultInjectionFileSystem>(FileSystem::Default());
  const Options options = DiskFullDBOptions(fs);
  const std::string dbname = dir + "/db";
  std::unique_ptr<DB> db;
  Status s = DB::Open(options, dbname, &db);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (!s.ok()) return result;
  KVMap state;
  uint64_t resumes_before = 0, failed_before = 0;
  for (int cycle = 0; cycle < opt.cycles; cycle++) {
    const std::string where = "cycle " + std::to_string(cycle) + " (seed " +
                              std::to_string(opt.seed) + ")";
    // The disk fills up at a random change to tables or the MANIFEST.
    const bool tables = !rnd.OneIn(4);
    fs->FailNthWrite(1 + rnd.Uniform(tables ? 60 : 6), ErrorKind::kENOSPC, /*sticky=*/true,
                     tables ? ".sst" : "MANIFEST");
    WriteModel model(state);
    bool full = false;
    const int steps = 100 + static_cast<int>(rnd.Uniform(300));
    for (int i = 0; i < steps; i++) {
      Status w;
      const uint64_t what = rnd.Uniform(100);
      if (what < 2) {
        w = db->Flush();
      } else if (what < 3) {
        w = db->CompactRange(nullptr, nullptr);
      } else {
        ModelBatch batch;
        const int ops = rnd.OneIn(4) ? 2 + static_cast<int>(rnd.Uniform(3)) : 1;
        for (int j = 0; j < ops; j++) {
          std::string key = NumberKey(rnd.Uniform(kKeys), 6);
          if (rnd.OneIn(6)) {
            batch.Delete(std::move(key));
          } else {
            batch.Put(std::move(key), "c" + std::to_string(cycle) + "." + std::to_string(i) +
                                          ":" + RandomBytes(&rnd, 200 + rnd.Uniform(800)));
          }
        }
        WriteBatch wb = batch.ToWriteBatch();
        WriteOptions wo;
        wo.sync = rnd.OneIn(20);
        w = db->Write(wo, &wb);
        // Logs never fail here, so a refused batch never reached one: it must be absent
        // (recording it as failed would also allow it to be present).
        if (w.ok()) model.Record(std::move(batch), true);
      }
      if (!w.ok()) {
        result.failed_calls++;
        if (!w.IsNoSpace()) {
          ADD_FAILURE() << where << ": a call failed with another error: " << w.ToString();
          result.violations++;
          return result;
        }
        full = true;
        // Keep going for a while: writes are refused (or accepted again between resume
        // attempts) while the disk stays full.
        if (rnd.OneIn(8)) break;
      }
    }
    if (full) result.disk_full++;
    // Free the space: the database resumes without being reopened. A flush or compaction
    // that met the full disk just before may still report it after a resume that happened
    // just before too: then it is resumed from once more (at most a few times).
    fs->ClearFaults();
    for (int attempt = 0; attempt < 3; attempt++) {
      if (!WaitUntil([&] { return BackgroundError(db.get()) == "OK"; })) {
        ADD_FAILURE() << where << ": no resume after the space was freed: "
                      << BackgroundError(db.get());
        result.violations++;
        return result;
      }
      s = db->Flush();
      if (!s.IsNoSpace()) break;
    }
    if (!s.ok()) {
      ADD_FAILURE() << where << ": Flush after the resume: " << s.ToString();
      result.violations++;
      return result;
    }
    if (!Verify(db.get(), model, where, &state)) {
      result.violations++;
      return result;
    }
    result.acknowledged += model.acknowledged();
    result.cycles++;
    if ((cycle + 1) % opt.reopen_every == 0) {
      uint64_t a, f;
      ResumeCounts(db.get(), &a, &f);
      resumes_before += a;
      failed_before += f;
      db.reset();
      s = DB::Open(options, dbname, &db);
      if (!s.ok()) {
        ADD_FAILURE() << where << ": reopen: " << s.ToString();
        result.violations++;
        return result;
      }
      WriteModel same(state);
      if (!Verify(db.get(), same, where + " after reopening", &state)) {
        result.violations++;
        return result;
      }
    }
  }
  uint64_t a, f;
  ResumeCounts(db.get(), &a, &f);
  result.resumes = resumes_before + a;
  result.failed_resumes = failed_before + f;
  return result;
}

void PrintDiskFullResult(const DiskFullResult& r, double seconds) {
  auto u = [](uint64_t v) { return static_cast<unsigned long long>(v); };
  std::printf(
      "disk full: %llu cycles in %.1f s, the disk filled up in %llu; %llu calls refused with "
      "no space, %llu automatic resumes, %llu resume attempts on a full disk; %llu batches "
      "acknowledged; %llu violations\n",
      u(r.cycles), seconds, u(r.disk_full), u(r.failed_calls), u(r.resumes), u(r.failed_resumes),
      u(r.acknowledged), u(r.violations));
}

}  // namespace strata::test
