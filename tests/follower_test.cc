// Followers under fire, with real processes: `strata_ctl tail --follow --slot f --format
// binary | strata_ctl apply` keeps a database B identical to a database A that another
// process writes, while the follower pipeline is killed with SIGKILL at random moments and
// the writer (the crash driver's child: random batches, small memtables, flushes and
// compactions) is killed too. After each restart the follower resumes where it stopped; at
// the end B holds exactly A's contents and A's last sequence as its applied position: no
// record was applied twice or skipped (a duplicate would fail apply's sequence check; a gap
// would leave B behind or fail it).
//
// STRATA_FOLLOWER_CYCLES sets the number of follower kills (default 12; the long run, 150).
#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "strata/change_feed.h"
#include "strata/db.h"
#include "support/child_process.h"
#include "support/db_test_util.h"
#include "support/process_pipeline.h"
#include "support/test_util.h"
#include "support/write_model.h"

namespace strata {
namespace {

using namespace std::chrono_literals;

constexpr char kAppliedKey[] =
    "\xff\xff"
    "strata.applied-sequence";

test::KVMap Scan(DB* db) {
  test::KVMap m;
  EXPECT_OK(test::ScanAll(db, &m));
  return m;
}

int Cycles() {
  const char* env = std::getenv("STRATA_FOLLOWER_CYCLES");
  return env != nullptr ? std::atoi(env) : 12;
}

class FollowerTest : public testing::Test {
 protected:
  FollowerTest() : a_(dir_.Child("a")), b_(dir_.Child("b")), log_(dir_.Child("apply.out")) {}

  // Starts the writer process on A: the crash driver's child, writing batches until killed.
  void StartLeader(test::AckChild* leader, int cycle) {
    std::string error;
    ASSERT_TRUE(leader->Exec({STRATA_CRASH_DRIVER_BIN, "--child", "--db", a_, "--keys", "2000",
                              "--seed", std::to_string(cycle + 1), "--cycle", std::to_string(cycle),
                              "--first_batch", std::to_string(uint64_t(cycle) * 1000000 + 1),
                              // strata_ctl apply knows only the built-in merge operators
                              "--no_merges"},
                             &error))
        << error;
  }
  std::vector<std::string> Tail(bool follow) {
    std::vector<std::string> argv = {STRATA_CTL_BIN, "--db", a_,         "tail",
                                     "--slot",       "f",    "--format", "binary"};
    if (follow) argv.push_back("--follow");
    return argv;
  }
  std::vector<std::string> Apply() { return {STRATA_CTL_BIN, "--db", b_, "apply"}; }

  test::TempDir dir_;
  const std::string a_, b_, log_;
};

TEST_F(FollowerTest, KilledFollowerAndLeaderResumeExactlyOnce) {
  {
    Options options;
    options.create_if_missing = true;
    std::unique_ptr<DB> db;
    ASSERT_OK(DB::Open(options, a_, &db));
  }
  ASSERT_OK(CreateLogSlot(a_, "f", 1));

  Random rnd(301);
  std::vector<uint64_t> acks;
  auto leader = std::make_unique<test::AckChild>();
  int leader_cycle = 0;
  StartLeader(leader.get(), leader_cycle);
  const int cycles = Cycles();
  for (int i = 0; i < cycles; i++) {
    test::ProcessPipeline follower;
    std::string error;
    ASSERT_TRUE(follower.Start(Tail(true), Apply(), log_, &error)) << error;
    // Let the leader make progress (its acknowledgements are the event), then kill the
    // follower wherever it is.
    const size_t target = acks.size() + 50 + rnd.Uniform(400);
    leader->WaitForAcks(target, 5s, &acks);
    follower.Kill();
    if (rnd.OneIn(3)) {
      const int status = leader->KillAfter(0ms, &acks);
      ASSERT_TRUE(WIFSIGNALED(status)) << test::DescribeWaitStatus(status);
      leader = std::make_unique<test::AckChild>();
      StartLeader(leader.get(), ++leader_cycle);
    }
  }
  const int status = leader->KillAfter(0ms, &acks);
  ASSERT_TRUE(WIFSIGNALED(status)) << test::DescribeWaitStatus(status);
  leader.reset();
  ASSERT_GT(acks.size(), 100u) << "the leader should have written";

  // Catch up with what A holds now, then compare.
  test::ProcessPipeline last;
  std::string error;
  ASSERT_TRUE(last.Start(Tail(false), Apply(), log_, &error)) << error;
  int tail_status = 0, apply_status = 0;
  last.Wait(&tail_status, &apply_status);
  std::ifstream in(log_);
  std::stringstream output;
  output << in.rdbuf();
  ASSERT_TRUE(WIFEXITED(tail_status) && WEXITSTATUS(tail_status) == 0)
      << test::DescribeWaitStatus(tail_status) << "\n"
      << output.str();
  ASSERT_TRUE(WIFEXITED(apply_status) && WEXITSTATUS(apply_status) == 0)
      << test::DescribeWaitStatus(apply_status) << "\n"
      << output.str();

  // Every restart resumed at or after where the previous one had got to.
  uint64_t previous = 0;
  int resumes = 0;
  std::string line;
  while (std::getline(output, line)) {
    const std::string prefix = "apply: resuming after sequence ";
    if (line.rfind(prefix, 0) != 0) continue;
    const uint64_t at = std::stoull(line.substr(prefix.size()));
    EXPECT_GE(at, previous) << line;
    previous = at;
    resumes++;
  }
  // (A follower killed before apply got to print does not count.)
  EXPECT_LE(resumes, cycles + 1);
  EXPECT_GE(resumes, 2);

  std::unique_ptr<DB> a, b;
  Options options;
  ASSERT_OK(DB::Open(options, a_, &a));
  ASSERT_OK(DB::Open(options, b_, &b));
  test::KVMap source = Scan(a.get()), copy = Scan(b.get());
  ASSERT_EQ(1u, copy.count(kAppliedKey));
  EXPECT_EQ(test::IntProperty(a.get(), "strata.last-sequence"), std::stoull(copy[kAppliedKey]));
  copy.erase(kAppliedKey);
  EXPECT_EQ(source.size(), copy.size());
  EXPECT_TRUE(source == copy) << test::FirstDifference(source, copy);
  std::printf(
      "follower kills %d, leader restarts %d, batches acknowledged %zu, follower "
      "resumes seen %d, last sequence %llu, keys %zu\n",
      cycles, leader_cycle, acks.size(), resumes,
      static_cast<unsigned long long>(test::IntProperty(a.get(), "strata.last-sequence")),
      source.size());
}

}  // namespace
}  // namespace strata
