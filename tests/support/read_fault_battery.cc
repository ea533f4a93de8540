#include "support/read_fault_battery.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>

#include "strata/cache.h"
#include "strata/db.h"
#include "support/crash_states.h"
#include "support/db_test_util.h"
#include "support/fault_battery.h"
#include "support/fault_injection_fs.h"
#include "support/no_sync_fs.h"
#include "support/test_util.h"
#include "support/write_model.h"

namespace strata::test {
namespace {

constexpr int kKeys = 2000;

std::string ReadKey(int i) { return NumberKey(i, 6); }

Options ReadFaultDBOptions(std::shared_ptr<FileSystem> fs) {
  Options options;
  options.create_if_missing = true;
  options.file_system = std::move(fs);
  options.write_buffer_size = 1 << 20;
  options.block_size = 1024;
  options.block_cache = NewLRUCache(256 << 10);      // small: blocks are read again
  options.level0_file_num_compaction_trigger = 100;  // compactions only when asked
  options.seek_compaction = false;                   // nor do reads
  options.level0_slowdown_writes_trigger = 100;
  options.level0_stop_writes_trigger = 100;
  options.target_file_size_base = 128 << 10;
  options.max_bg_error_resume_count = 0;  // the battery resumes explicitly
  return options;
}

void PutRound(DB* db, int round, int stride, KVMap* model) {
  for (int i = round % stride; i < kKeys; i += stride) {
    const std::string value = "r" + std::to_string(round) + std::string(150, 'a' + round % 26);
    ASSERT_OK(db->Put(WriteOptions(), ReadKey(i), value));
    (*model)[ReadKey(i)] = value;
  }
}

// Tables in level 1 (compacted) and level 0, and writes only in the log.
void Prepare(const std::string& dbname, KVMap* model) {
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(ReadFaultDBOptions(NewNoSyncFileSystem()), dbname, &db));
  PutRound(db.get(), 0, 1, model);
  ASSERT_OK(db->Flush());
  PutRound(db.get(), 1, 3, model);
  ASSERT_OK(db->CompactRange(nullptr, nullptr));
  PutRound(db.get(), 2, 5, model);
  ASSERT_OK(db->Flush());
  PutRound(db.get(), 3, 7, model);
  ASSERT_OK(db->Flush());
  PutRound(db.get(), 4, 11, model);  // replayed from the log at every Open
  ASSERT_OK(db->SyncWAL());
}

// One run's checks; `fail` records a violation with the position.
struct Run {
  KVMap model;
  std::string where;
  bool error_seen = false;
  bool ok = true;

  // A call's outcome: OK, or the injected I/O error.
  void Outcome(const char* call, const Status& s) {
    if (s.ok()) return;
    error_seen = true;
    if (!s.IsIOError() || s.ToString().find("(injected)") == std::string::npos) {
      Fail(std::string(call) +
           " failed with an error that is not the injected one: " + s.ToString());
    }
  }
  void Fail(const std::string& what) {
    if (ok) ADD_FAILURE() << where << ": " << what;
    ok = false;
  }

  void Gets(DB* db, int step) {
    for (int i = 0; i < kKeys && ok; i += step) {
      std::string value;
      Status s = db->Get(ReadOptions(), ReadKey(i), &value);
      auto it = model.find(ReadKey(i));
      if (s.ok()) {
        if (it == model.end() || it->second != value) Fail("Get returned a wrong value");
      } else if (s.IsNotFound()) {
        if (it != model.end()) Fail("Get said NotFound for " + ReadKey(i));
      } else {
        Outcome("Get", s);
      }
    }
  }

  // A scan must return the model's entries in order; it may stop early only with an error.
  void Scan(DB* db, bool forward) {
    auto it = db->NewIterator(ReadOptions());
    auto m = model.begin();
    auto rm = model.rbegin();
    size_t n = 0;
    for (forward ? it->SeekToFirst() : it->SeekToLast(); it->Valid() && ok;
         forward ? it->Next() : it->Prev()) {
      if (forward ? m == model.end() : rm == model.rend()) {
        Fail("a scan returned more entries than the model holds");
        return;
      }
      const auto& [k, v] = forward ? *m : *rm;
      if (it->key() != k || it->value() != v) {
        Fail(std::string(forward ? "forward" : "backward") + " scan returned a wrong entry at " +
             std::to_string(n));
        return;
      }
      if (forward) {
        ++m;
      } else {
        ++rm;
      }
      n++;
    }
    if (it->status().ok()) {
      if (ok && n != model.size()) {
        Fail("a scan ended early without an error: " + std::to_string(n) + " of " +
             std::to_string(model.size()));
      }
    } else {
      Outcome("scan", it->status());
    }
  }

  void Writes(DB* db, int round) {
    for (int i = round % 13; i < kKeys && ok; i += 13) {
      const std::string value = "w" + std::to_string(round);
      Status s = db->Put(WriteOptions(), ReadKey(i), value);
      if (s.ok()) {
        model[ReadKey(i)] = value;
      } else {
        Outcome("Put", s);  // a background job failed; the batch never reached the log
        return;
      }
    }
  }

  // Everything, with no fault pending: exactly the model.
  void VerifyAll(DB* db, const std::string& when) {
    const std::string saved = where;
    where += " " + when;
    const bool seen = error_seen;
    error_seen = false;
    Gets(db, 1);
    Scan(db, true);
    Scan(db, false);
    if (error_seen) Fail("a read failed with no fault pending");
    error_seen = seen;
    where = saved;
  }
};

}  // namespace

ReadFaultResult RunReadFaultBattery(const std::string& dir, const ReadFaultOptions& opt) {
  ReadFaultResult result;
  const std::string pristine = dir + "/pristine";
  KVMap base;
  Prepare(pristine, &base);
  if (::testing::Test::HasFatalFailure()) return result;
  auto plain = NewNoSyncFileSystem();
  Options plain_options;
  plain_options.file_system = plain;

  uint64_t limit = 0;  // set by the fault-free run (n = 0)
  for (uint64_t n = 0; n == 0 || n <= limit; n += n < opt.dense ? 1 : opt.stride) {
    const std::string dbname = dir + "/run";
    EXPECT_OK(DestroyDB(dbname, plain_options));
    EXPECT_OK(CopyDir(plain.get(), pristine, dbname));
    auto fs = std::make_shared<FaultInjectionFileSystem>(plain);
    const Options options = ReadFaultDBOptions(fs);
    Run run;
    run.model = base;
    run.where = "read fault at " + std::to_string(n);
    if (n > 0) fs->FailNthRead(n, ErrorKind::kEIO);

    std::unique_ptr<DB> db;
    Status s = DB::Open(options, dbname, &db);
    run.Outcome("Open", s);
    if (!s.ok()) {
      fs->ClearFaults();
      s = DB::Open(options, dbname, &db);
      if (!s.ok()) run.Fail("Open after the fault: " + s.ToString());
    }
    if (run.ok) {
      run.Gets(db.get(), 7);
      run.Scan(db.get(), true);
      run.Scan(db.get(), false);
      run.Writes(db.get(), 5);
      run.Outcome("Flush", db->Flush());
      run.Outcome("CompactRange", db->CompactRange(nullptr, nullptr));
      run.Gets(db.get(), 3);
    }
    if (n == 0) {
      limit = fs->ReadCount() + 5;
      result.reads = fs->ReadCount();
      if (run.error_seen) ADD_FAILURE() << "the fault-free run met an error";
      continue;
    }
    result.runs++;
    const bool fired = fs->InjectedFaults() > 0;
    fs->ClearFaults();
    if (fired) {
      result.fired++;
      run.error_seen ? result.reported++ : result.absorbed++;
      const std::optional<InjectedFault> f = fs->FirstInjectedFault();
      if (f) {
        const std::string landing = DescribeLanding(OpKindName(f->kind), f->path);
        result.landed[landing]++;
        run.where += " (" + landing + ")";
      }
    }
    // With the fault gone, the same DB object reads everything right.
    if (run.ok) {
      s = db->Resume();
      if (!s.ok()) run.Fail("Resume: " + s.ToString());
    }
    if (run.ok) run.VerifyAll(db.get(), "after the fault, without reopening");
    if (run.ok) {
      s = db->Flush();
      if (s.ok()) s = db->CompactRange(nullptr, nullptr);
      if (!s.ok()) run.Fail("Flush or CompactRange after the fault: " + s.ToString());
    }
    if (run.ok) run.VerifyAll(db.get(), "after a compaction");
    db.reset();
    if (run.ok) {
      s = DB::Open(options, dbname, &db);
      if (!s.ok()) run.Fail("reopen: " + s.ToString());
    }
    if (run.ok) run.VerifyAll(db.get(), "after reopening");
    db.reset();
    if (!run.ok) {
      result.violations++;
      return result;  // one failure, fully described
    }
  }
  return result;
}

void PrintReadFaultResult(const ReadFaultResult& r, double seconds) {
  auto u = [](uint64_t v) { return static_cast<unsigned long long>(v); };
  std::printf(
      "read faults: %llu reads in the fault-free run; %llu positions in %.1f s, %llu faults "
      "injected, %llu reported by the call that met them, %llu absorbed; %llu violations\n",
      u(r.reads), u(r.runs), seconds, u(r.fired), u(r.reported), u(r.absorbed), u(r.violations));
  for (const auto& [where, count] : r.landed) {
    std::printf("  %-28s %llu\n", where.c_str(), u(count));
  }
}

}  // namespace strata::test
