#include "crash/driver.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <vector>

#include "crash/child.h"
#include "crash/model.h"
#include "crash/workload.h"
#include "strata/db.h"
#include "strata/file_system.h"
#include "support/child_process.h"
#include "util/random.h"

namespace strata::crash {
namespace {

struct Totals {
  int cycles = 0;
  uint64_t acknowledged = 0;
  uint64_t verified = 0;  // acknowledged batches found present after the kill that followed
  uint64_t in_flight_applied = 0;
  uint64_t in_flight_absent = 0;
  int cycles_without_ack = 0;  // killed before the first acknowledgement (often during Open)
  uint64_t lost = 0;
  uint64_t torn = 0;
  uint64_t wrong = 0;
  int child_failures = 0;
};

constexpr int kEarlyKillMs = 15;

// "3 5 12 0 0 0 0": table files per level.
std::string Shape(DB* db) {
  std::string out;
  for (int level = 0; level < 7; level++) {
    std::string n;
    if (!db->GetProperty("strata.num-files-at-level" + std::to_string(level), &n)) break;
    out += (level ? " " : "") + n;
  }
  return out;
}

// Runs one cycle; false on a failure (already printed).
bool RunCycle(const DriverOptions& o, int cycle, Random* rnd, Model* model, uint64_t* next,
              Totals* t) {
  const Profile profile = ProfileFor(o.seed, cycle);
  test::AckChild child;
  std::string error;
  const std::vector<std::string> argv = {o.self,          "--child",
                                         "--db",          o.db,
                                         "--seed",        std::to_string(o.seed),
                                         "--cycle",       std::to_string(cycle),
                                         "--first_batch", std::to_string(*next),
                                         "--keys",        std::to_string(o.key_count)};
  if (!child.Exec(argv, &error)) {
    std::fprintf(stderr, "cycle %d: cannot start the child: %s\n", cycle, error.c_str());
    t->child_failures++;
    return false;
  }
  // Some kills land within the first milliseconds, mostly inside Open's recovery of what the
  // previous child left behind.
  const bool early = o.early_kill_one_in != 0 && rnd->OneIn(o.early_kill_one_in);
  const int delay_ms =
      early ? static_cast<int>(rnd->Uniform(kEarlyKillMs + 1))
            : o.min_kill_ms + static_cast<int>(rnd->Uniform(o.max_kill_ms - o.min_kill_ms + 1));
  std::vector<uint64_t> acks;
  const int status = child.KillAfter(std::chrono::milliseconds(delay_ms), &acks);
  if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
    std::fprintf(stderr, "cycle %d: the child %s (%s) before it was killed [%s]\n", cycle,
                 test::DescribeWaitStatus(status).c_str(),
                 WIFEXITED(status) ? DescribeChildExit(WEXITSTATUS(status)).c_str() : "",
                 Describe(profile).c_str());
    t->child_failures++;
    return false;
  }
  for (size_t i = 0; i < acks.size(); i++) {
    if (acks[i] != *next + i) {
      std::fprintf(stderr, "cycle %d: acknowledgement %llu where %llu was due\n", cycle,
                   static_cast<unsigned long long>(acks[i]),
                   static_cast<unsigned long long>(*next + i));
      t->child_failures++;
      return false;
    }
    model->Apply(acks[i], MakeBatch(o.seed, profile, o.key_count, acks[i]));
  }
  t->acknowledged += acks.size();
  if (acks.empty()) t->cycles_without_ack++;

  const uint64_t in_flight = *next + acks.size();
  std::unique_ptr<DB> db;
  Status s = DB::Open(OptionsFor(profile), o.db, &db);
  if (!s.ok()) {
    std::fprintf(stderr, "cycle %d: reopen after the kill: %s\n", cycle, s.ToString().c_str());
    t->wrong++;
    return false;
  }
  const CheckResult r =
      model->Check(db.get(), in_flight, MakeBatch(o.seed, profile, o.key_count, in_flight));
  const std::string shape = o.verbose ? Shape(db.get()) : "";
  db.reset();
  t->lost += r.lost_batches.size();
  t->torn += r.torn;
  t->wrong += r.wrong;
  if (!r.ok()) {
    std::fprintf(
        stderr, "cycle %d: check failed after %zu acknowledged batches (in flight: %llu) [%s]\n",
        cycle, acks.size(), static_cast<unsigned long long>(in_flight), Describe(profile).c_str());
    for (const auto& m : r.messages) std::fprintf(stderr, "  %s\n", m.c_str());
    return false;
  }
  t->verified += acks.size();
  (r.in_flight_applied ? t->in_flight_applied : t->in_flight_absent)++;
  if (o.verbose) {
    std::printf(
        "cycle %d: killed after %d ms, %zu acknowledged, in-flight batch %s, %zu live keys, "
        "files per level %s [%s]\n",
        cycle, delay_ms, acks.size(), r.in_flight_applied ? "applied" : "absent",
        model->live_keys(), shape.c_str(), Describe(profile).c_str());
  }
  *next = in_flight + 1;  // an absent in-flight id is never reused: its contents are fixed
  return true;
}

}  // namespace

int RunDriver(const DriverOptions& options) {
  DriverOptions o = options;
  std::string temp_dir;
  if (o.db.empty()) {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/strata_crash_XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      std::perror("mkdtemp");
      return 2;
    }
    temp_dir = pattern;
    o.db = temp_dir + "/db";
  } else if (FileSystem::Default()->FileExists(o.db)) {
    std::fprintf(stderr, "%s exists; the driver starts from an empty database\n", o.db.c_str());
    return 2;
  }

  const auto start = std::chrono::steady_clock::now();
  Random rnd(o.seed * 0x2545F4914F6CDD1Dull + 17);
  Model model(o.key_count);
  uint64_t next = 1;
  Totals t;
  bool ok = true;
  for (int cycle = 0; cycle < o.cycles && ok; cycle++) {
    ok = RunCycle(o, cycle, &rnd, &model, &next, &t);
    if (ok) t.cycles++;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "strata_crash_driver: %s cycles=%d acknowledged=%llu verified=%llu in_flight_applied=%llu "
      "in_flight_absent=%llu cycles_without_ack=%d lost=%llu torn=%llu wrong=%llu "
      "child_failures=%d seed=%llu seconds=%.1f\n",
      ok ? "PASS" : "FAIL", t.cycles, static_cast<unsigned long long>(t.acknowledged),
      static_cast<unsigned long long>(t.verified),
      static_cast<unsigned long long>(t.in_flight_applied),
      static_cast<unsigned long long>(t.in_flight_absent), t.cycles_without_ack,
      static_cast<unsigned long long>(t.lost), static_cast<unsigned long long>(t.torn),
      static_cast<unsigned long long>(t.wrong), t.child_failures,
      static_cast<unsigned long long>(o.seed), seconds);
  if (!ok || o.keep) {
    std::printf("database kept in %s\n", o.db.c_str());
  } else {
    Status s = DestroyDB(o.db, OptionsFor(ProfileFor(o.seed, 0)));
    if (!s.ok()) std::fprintf(stderr, "DestroyDB: %s\n", s.ToString().c_str());
    if (!temp_dir.empty()) FileSystem::Default()->RemoveDir(temp_dir).PermitUncheckedError();
  }
  std::fflush(stdout);
  return ok ? 0 : 1;
}

}  // namespace strata::crash
