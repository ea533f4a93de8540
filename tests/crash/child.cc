#include "crash/child.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "crash/workload.h"
#include "strata/db.h"
#include "support/child_process.h"
#include "util/random.h"

namespace strata::crash {
namespace {

using Entries = std::vector<std::pair<std::string, std::string>>;

[[noreturn]] void Die(int code, const std::string& why) {
  std::fprintf(stderr, "crash child: %s\n", why.c_str());
  std::fflush(stderr);
  _exit(code);
}

[[noreturn]] void Violation(const std::string& why) {
  Die(kExitInvariant, "invariant violated: " + why);
}

class Checker {
 public:
  Checker(DB* db, uint32_t key_count, const std::atomic<uint64_t>* started)
      : db_(db), key_count_(key_count), started_(started) {}

  // A value read for key must be well-formed, be one this key was given, and come from a
  // batch that has started.
  void CheckValue(std::string_view key, std::string_view value, const char* where) const {
    ValueInfo info;
    if (!ParseValue(value, &info) || info.key != key) {
      Violation(std::string(where) + ": malformed value for " + std::string(key));
    }
    if (info.batch > started_->load()) {
      Violation(std::string(where) + ": " + std::string(key) + " holds batch " +
                std::to_string(info.batch) + " which was never written");
    }
  }

  // Walks an iterator from a random start in a random direction, then turns back over what
  // it saw: a point-in-time iterator must retrace exactly the same entries.
  void IteratorRound(Random* rnd) const {
    const uint32_t a = static_cast<uint32_t>(rnd->Uniform(key_count_));
    const uint32_t b = a + 1 + static_cast<uint32_t>(rnd->Uniform(key_count_));
    const std::string lower = KeyName(a), upper = KeyName(std::min(b, key_count_));
    ReadOptions ro;
    const bool bounded = rnd->OneIn(2);
    if (bounded) {
      ro.iterate_lower_bound = lower;
      ro.iterate_upper_bound = upper;
    }
    std::unique_ptr<Iterator> it = db_->NewIterator(ro);
    const bool forward = rnd->OneIn(2);
    const std::string target = KeyName(static_cast<uint32_t>(rnd->Uniform(key_count_)));
    switch (rnd->Uniform(2)) {
      case 0:
        forward ? it->SeekToFirst() : it->SeekToLast();
        break;
      default:
        forward ? it->Seek(target) : it->SeekForPrev(target);
        break;
    }
    Entries seen;
    const size_t steps = 1 + rnd->Uniform(300);
    while (it->Valid() && seen.size() < steps) {
      std::string key(it->key());
      if (!seen.empty() && (forward ? key <= seen.back().first : key >= seen.back().first)) {
        Violation("iterator yields " + key + " after " + seen.back().first);
      }
      if (bounded && (key < lower || key >= upper)) {
        Violation("iterator yields " + key + " outside [" + lower + ", " + upper + ")");
      }
      CheckValue(key, it->value(), "iterator");
      seen.emplace_back(std::move(key), std::string(it->value()));
      forward ? it->Next() : it->Prev();
    }
    if (!it->status().ok()) Violation("iterator: " + it->status().ToString());
    if (seen.size() < 2 || !it->Valid()) return;
    // Back to the last entry seen, then over the rest of them in reverse.
    for (size_t i = seen.size(); i-- > 0;) {
      forward ? it->Prev() : it->Next();
      if (!it->Valid() || it->key() != seen[i].first || it->value() != seen[i].second) {
        Violation("iterator does not retrace its steps at " + seen[i].first + ": " +
                  (it->Valid() ? std::string(it->key()) : "invalid, " + it->status().ToString()));
      }
    }
  }

  // Reads a key range at a snapshot with Get and with a scan, twice, some time apart.
  void SnapshotRound(Random* rnd) const {
    const uint32_t a = static_cast<uint32_t>(rnd->Uniform(key_count_));
    const uint32_t b = std::min(key_count_, a + 1 + static_cast<uint32_t>(rnd->Uniform(200)));
    const Snapshot* snapshot = db_->GetSnapshot();
    const auto first = ReadRange(snapshot, a, b);
    std::this_thread::sleep_for(std::chrono::milliseconds(1 + rnd->Uniform(20)));
    const auto second = ReadRange(snapshot, a, b);
    if (first != second) {
      Violation("snapshot reads of [" + KeyName(a) + ", " + KeyName(b) + ") changed");
    }
    db_->ReleaseSnapshot(snapshot);
  }

 private:
  // The entries of keys [a, b) at snapshot, by Get and by scan; they must agree.
  Entries ReadRange(const Snapshot* snapshot, uint32_t a, uint32_t b) const {
    ReadOptions ro;
    ro.snapshot = snapshot;
    Entries by_get;
    for (uint32_t i = a; i < b; i++) {
      std::string key = KeyName(i), value;
      Status s = db_->Get(ro, key, &value);
      if (s.ok()) {
        CheckValue(key, value, "snapshot Get");
        by_get.emplace_back(std::move(key), std::move(value));
      } else if (!s.IsNotFound()) {
        Violation("snapshot Get(" + key + "): " + s.ToString());
      }
    }
    const std::string lower = KeyName(a), upper = KeyName(b);
    ro.iterate_lower_bound = lower;
    ro.iterate_upper_bound = upper;
    Entries by_scan;
    std::unique_ptr<Iterator> it = db_->NewIterator(ro);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      by_scan.emplace_back(std::string(it->key()), std::string(it->value()));
    }
    if (!it->status().ok()) Violation("snapshot scan: " + it->status().ToString());
    if (by_get != by_scan) {
      Violation("at one snapshot, Get and a scan of [" + lower + ", " + upper + ") disagree (" +
                std::to_string(by_get.size()) + " and " + std::to_string(by_scan.size()) +
                " entries)");
    }
    return by_get;
  }

  DB* db_;
  uint32_t key_count_;
  const std::atomic<uint64_t>* started_;
};

}  // namespace

void RunChild(const ChildArgs& args) {
  Profile profile = ProfileFor(args.seed, args.cycle);
  Options options = OptionsFor(profile);
  if (!args.merges) {
    profile.merge_one_in = 0;
    options.merge_operator = nullptr;
  }
  std::unique_ptr<DB> db;
  Status s = DB::Open(options, args.db, &db);
  if (!s.ok()) Die(kExitOpenFailed, "open: " + s.ToString());

  // The highest batch id whose Write has begun: no reader may see a later one.
  std::atomic<uint64_t> started{args.first_batch - 1};
  const Checker checker(db.get(), args.key_count, &started);
  // The readers run until the process is killed; they are never joined.
  const uint64_t rseed = args.seed * 1000003 + static_cast<uint64_t>(args.cycle);
  std::thread([&checker, rseed] {
    Random rnd(rseed + 1);
    for (;;) {
      checker.IteratorRound(&rnd);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));  // leave the writer a core
    }
  }).detach();
  std::thread([&checker, rseed] {
    Random rnd(rseed + 2);
    for (;;) checker.SnapshotRound(&rnd);
  }).detach();

  Random rnd(rseed + 3);
  for (uint64_t id = args.first_batch;; id++) {
    WriteBatch batch;
    for (const Op& op : MakeBatch(args.seed, profile, args.key_count, id)) {
      if (op.range_end) {
        batch.DeleteRange(op.key, *op.range_end);
      } else if (op.merge) {
        batch.Merge(op.key, *op.value);
      } else {
        op.value ? batch.Put(op.key, *op.value) : batch.Delete(op.key);
      }
    }
    WriteOptions wo;
    wo.sync = profile.sync_one_in != 0 && rnd.OneIn(profile.sync_one_in);
    started.store(id);
    s = db->Write(wo, &batch);
    if (!s.ok())
      Die(kExitWriteFailed, "write of batch " + std::to_string(id) + ": " + s.ToString());
    if (write(test::AckChild::kAckFd, &id, sizeof id) != sizeof id) Die(kExitAckFailed, "ack");
    if (profile.manual_compaction_one_in != 0 && rnd.OneIn(profile.manual_compaction_one_in)) {
      const std::string a = KeyName(static_cast<uint32_t>(rnd.Uniform(args.key_count)));
      const std::string b = KeyName(static_cast<uint32_t>(rnd.Uniform(args.key_count)));
      const std::string_view lo = std::min(a, b), hi = std::max(a, b);
      s = db->CompactRange(&lo, &hi);
      if (!s.ok()) Die(kExitWriteFailed, "CompactRange: " + s.ToString());
    }
  }
}

std::string DescribeChildExit(int code) {
  switch (code) {
    case kExitOpenFailed:
      return "its Open failed";
    case kExitWriteFailed:
      return "a write failed";
    case kExitAckFailed:
      return "it could not acknowledge";
    case kExitInvariant:
      return "a reader saw an invariant violated";
    default:
      return "exit status " + std::to_string(code);
  }
}

}  // namespace strata::crash
