#include "support/crash_workload.h"

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <vector>

#include "strata/db.h"
#include "strata/merge_operator.h"
#include "support/child_process.h"
#include "support/db_test_util.h"
#include "support/test_util.h"
#include "util/coding.h"
#include "util/random.h"

namespace strata::test {
namespace {

int KeysOf(uint64_t b) { return 1 + static_cast<int>(b % 4); }
std::string KeyOf(uint64_t b, int j) { return "b" + std::to_string(b) + "-" + std::to_string(j); }
std::string ValueOf(uint64_t b) { return "v" + std::to_string(b); }
bool DeletesOlder(uint64_t b) { return b % 4 == 0 && b >= 8; }
constexpr char kCounterKey[] = "count";

std::string EncodeCount(uint64_t n) {
  std::string s;
  PutFixed64(&s, n);
  return s;
}

// Child: write batches from `first` on until killed. Never returns.
[[noreturn]] void ChildLoop(const std::string& dbname, const Options& options, bool sync,
                            uint64_t first, int fd) {
  std::unique_ptr<DB> db;
  if (!DB::Open(options, dbname, &db).ok()) _exit(3);
  WriteOptions wo;
  wo.sync = sync;
  for (uint64_t b = first;; b++) {
    WriteBatch batch;
    for (int j = 0; j < KeysOf(b); j++) batch.Put(KeyOf(b, j), ValueOf(b));
    if (DeletesOlder(b)) {
      for (int j = 0; j < KeysOf(b - 8); j++) batch.Delete(KeyOf(b - 8, j));
    }
    batch.Merge(kCounterKey, EncodeCount(1));
    if (!db->Write(wo, &batch).ok()) _exit(4);
    if (write(fd, &b, sizeof b) != sizeof b) _exit(5);
  }
}

// The expected database: key → value for every batch applied so far.
class Model {
 public:
  void Apply(uint64_t b) {
    applied_++;
    for (int j = 0; j < KeysOf(b); j++) state_[KeyOf(b, j)] = ValueOf(b);
    if (DeletesOlder(b)) {
      for (int j = 0; j < KeysOf(b - 8); j++) state_.erase(KeyOf(b - 8, j));
    }
  }
  // Whether all or none of batch b's puts are visible in db.
  static void BatchVisible(DB* db, uint64_t b, bool* all, bool* none) {
    *all = *none = true;
    for (int j = 0; j < KeysOf(b); j++) {
      bool has = GetString(db, KeyOf(b, j)) == ValueOf(b);
      *all &= has;
      *none &= !has;
    }
  }
  void Verify(DB* db) const {
    for (const auto& [k, v] : state_) ASSERT_EQ(v, GetString(db, k)) << "key " << k;
    const std::string count = GetString(db, kCounterKey);
    if (applied_ == 0) {
      ASSERT_EQ("NOT_FOUND", count);
    } else {
      ASSERT_EQ(EncodeCount(applied_), count)
          << "the merge counter is not the number of batches applied (" << applied_ << ")";
    }
  }
  std::vector<std::string> AbsentKeys(uint64_t upto) const {
    std::vector<std::string> out;
    for (uint64_t b = 0; b < upto; b++) {
      for (int j = 0; j < KeysOf(b); j++) {
        if (!state_.count(KeyOf(b, j))) out.push_back(KeyOf(b, j));
      }
    }
    return out;
  }

 private:
  std::map<std::string, std::string> state_;
  uint64_t applied_ = 0;  // batches, each one merge of +1 into kCounterKey
};

}  // namespace

uint64_t RunCrashCycles(const std::string& dbname, const CrashOptions& opt) {
  Random rnd(opt.seed);
  Options options;
  options.create_if_missing = true;  // the child may have died before creating it
  options.merge_operator = NewUInt64AddOperator();
  if (opt.write_buffer_size != 0) options.write_buffer_size = opt.write_buffer_size;
  Model model;
  uint64_t next = 0;  // first batch number of the next child
  uint64_t verified = 0;
  for (int cycle = 0; cycle < opt.cycles; cycle++) {
    AckChild child;
    std::string error;
    if (!child.Fork([&](int fd) { ChildLoop(dbname, options, opt.sync, next, fd); }, &error)) {
      ADD_FAILURE() << error;
      return verified;
    }
    const int delay_ms =
        opt.min_kill_ms + static_cast<int>(rnd.Uniform(opt.max_kill_ms - opt.min_kill_ms + 1));
    std::vector<uint64_t> acked;
    const int status = child.KillAfter(std::chrono::milliseconds(delay_ms), &acked);
    if (!WIFSIGNALED(status)) {
      ADD_FAILURE() << "child " << DescribeWaitStatus(status) << " before it was killed";
      return verified;
    }

    for (size_t i = 0; i < acked.size(); i++) {
      if (acked[i] != next + i) {
        ADD_FAILURE() << "acknowledgements out of order";
        return verified;
      }
      model.Apply(acked[i]);
    }
    const uint64_t in_flight = next + acked.size();

    std::unique_ptr<DB> db;
    Status s = DB::Open(options, dbname, &db);
    if (!s.ok()) {
      ADD_FAILURE() << "reopen after kill " << cycle << ": " << s.ToString();
      return verified;
    }
    // The in-flight batch is all or nothing; adopt whichever happened.
    bool all, none;
    model.BatchVisible(db.get(), in_flight, &all, &none);
    if (!all && !none) {
      ADD_FAILURE() << "batch " << in_flight << " is half applied after kill " << cycle;
      return verified;
    }
    if (all) model.Apply(in_flight);
    // Nothing after it may exist.
    model.BatchVisible(db.get(), in_flight + 1, &all, &none);
    EXPECT_TRUE(none) << "batch " << in_flight + 1 << " exists but was never written";
    model.Verify(db.get());
    for (const auto& k : model.AbsentKeys(in_flight + 1)) {
      EXPECT_EQ("NOT_FOUND", GetString(db.get(), k)) << "deleted key came back: " << k;
      if (testing::Test::HasFailure()) break;
    }
    if (testing::Test::HasFailure()) return verified;
    verified += acked.size();
    next = in_flight + 1;
  }
  return verified;
}

}  // namespace strata::test
