// Concurrency stress: writers and readers on one database while tiny memtables and level
// sizes keep flushes and compactions running, every read checked against what the writers
// published.
//
// Each writer owns a disjoint key range, so each key has a single writer and a history of
// versions 1, 2, ...; whether version v of a key is a put or a delete, and the exact value a
// put writes, are functions of (key, v). A writer stores the version it is about to write in
// in_flight[key] before the write and in published[key] after it is acknowledged. A read of
// key k that starts after loading lo = published[k] and ends before loading hi =
// in_flight[k] must see one of the states v in [lo, hi] (v = 0: never written): a value must
// be exactly the value of such a v that is a put; NotFound needs such a v that is a delete or
// 0. Some keys come in pairs that are only ever written together in one batch, at the same
// version: any one point in time (a snapshot, an iterator) must show both at one version.
// Snapshot reads repeated later must give the same answer; scans must yield increasing keys.
//
// STRATA_STRESS_SECONDS sets the duration (default 3; the "long" label runs 120).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "strata/db.h"
#include "strata/statistics.h"
#include "support/test_util.h"
#include "util/random.h"

namespace strata {
namespace {

constexpr int kWriters = 4;
constexpr int kReaders = 4;
constexpr uint32_t kKeysPerWriter = 600;
constexpr uint32_t kPairKeysPerWriter = 100;  // the last 100 keys of a range: 50 pairs
constexpr uint32_t kKeys = kWriters * kKeysPerWriter;

uint64_t Mix(uint64_t a, uint64_t b) {
  uint64_t z = a * 0x9E3779B97F4A7C15ull + b + 0x632BE59BD9B4E019ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::string Key(uint32_t i) { return test::NumberKey(i, 6); }
bool IsPairKey(uint32_t i) { return i % kKeysPerWriter >= kKeysPerWriter - kPairKeysPerWriter; }
// The other key of i's pair. REQUIRES: IsPairKey(i).
uint32_t Twin(uint32_t i) { return i ^ 1u; }
// Pair members share their history of puts and deletes.
uint32_t HistoryKey(uint32_t i) { return IsPairKey(i) ? i & ~1u : i; }

bool IsDelete(uint32_t i, uint64_t v) { return v > 0 && Mix(HistoryKey(i), v) % 4 == 0; }

std::string ValueOf(uint32_t i, uint64_t v) {
  const uint64_t h = Mix(i + 0x10000000ull, v);
  const size_t len = h % 64 == 0 ? 1000 + h % 2000 : h % 200;
  std::string value = std::to_string(i) + ":" + std::to_string(v) + ":";
  value.append(len, static_cast<char>('a' + h % 26));
  return value;
}

// The version a value claims, if it is exactly the value of (i, that version).
std::optional<uint64_t> VersionOf(uint32_t i, std::string_view value) {
  const size_t a = value.find(':');
  const size_t b = a == std::string_view::npos ? a : value.find(':', a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  const uint64_t v =
      std::strtoull(std::string(value.substr(a + 1, b - a - 1)).c_str(), nullptr, 10);
  if (v == 0 || ValueOf(i, v) != value) return std::nullopt;
  return v;
}

// Whether some version in [lo, hi] of key i leaves it absent.
bool AbsentAllowed(uint32_t i, uint64_t lo, uint64_t hi) {
  for (uint64_t v = lo; v <= hi; v++) {
    if (v == 0 || IsDelete(i, v)) return true;
  }
  return false;
}

// A read result: the version of the value seen, or nullopt for NotFound.
using Seen = std::optional<uint64_t>;

class Stress {
 public:
  Stress() : published_(kKeys), in_flight_(kKeys) {}

  // The database to run on; the published state carries over (a reopened database).
  void set_db(DB* db) { db_ = db; }

  void Run(std::chrono::milliseconds duration, uint64_t seed) {
    stop_.store(false);
    std::vector<std::thread> threads;
    for (int w = 0; w < kWriters; w++) threads.emplace_back([=, this] { Writer(w, seed + w); });
    for (int r = 0; r < kReaders; r++) {
      threads.emplace_back([=, this] { Reader(seed + 100 + r); });
    }
    const auto end = std::chrono::steady_clock::now() + duration;
    while (!failed_.load() && std::chrono::steady_clock::now() < end) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    stop_.store(true);
    for (auto& t : threads) t.join();
  }

  // With every writer stopped: the database holds exactly the published state.
  void VerifyQuiescent(DB* db) {
    std::unique_ptr<Iterator> it = db->NewIterator(ReadOptions());
    it->SeekToFirst();
    for (uint32_t i = 0; i < kKeys && !failed_.load(); i++) {
      const uint64_t v = published_[i].load();
      std::string value;
      Status s = db->Get(ReadOptions(), Key(i), &value);
      const bool present = v > 0 && !IsDelete(i, v);
      if (present ? !(s.ok() && value == ValueOf(i, v)) : !s.IsNotFound()) {
        Fail("after the run, Get(" + Key(i) + ") = " + s.ToString() + ", expected version " +
             std::to_string(v));
      }
      if (!present) continue;
      if (!it->Valid() || it->key() != Key(i) || it->value() != ValueOf(i, v)) {
        Fail("after the run, the scan disagrees at " + Key(i));
      } else {
        it->Next();
      }
    }
    if (!failed_.load() && (it->Valid() || !it->status().ok())) {
      Fail("after the run, the scan has more: " + it->status().ToString());
    }
  }

  void Fail(const std::string& why) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!failed_.exchange(true)) failure_ = why;
  }
  bool failed() const { return failed_.load(); }
  std::string failure() {
    std::lock_guard<std::mutex> lock(mu_);
    return failure_;
  }

  std::atomic<uint64_t> writes{0}, batches{0}, reads{0}, scans{0}, scanned{0}, snapshots{0};

 private:
  // --- writers ---

  void Writer(int w, uint64_t seed) {
    Random rnd(seed);
    const uint32_t base = static_cast<uint32_t>(w) * kKeysPerWriter;
    const uint32_t singles = kKeysPerWriter - kPairKeysPerWriter;
    while (!stop_.load() && !failed_.load()) {
      std::vector<uint32_t> keys;
      const uint64_t kind = rnd.Uniform(10);
      if (kind < 4) {
        keys.push_back(base + static_cast<uint32_t>(rnd.Uniform(singles)));
      } else if (kind < 8) {
        const size_t n = 2 + rnd.Uniform(19);
        for (size_t j = 0; j < n; j++) {
          const uint32_t k = base + static_cast<uint32_t>(rnd.Uniform(singles));
          if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
        }
      } else {
        const uint32_t k =
            (base + singles + static_cast<uint32_t>(rnd.Uniform(kPairKeysPerWriter))) & ~1u;
        keys = {k, Twin(k)};
      }
      WriteOptions wo;
      wo.sync = rnd.OneIn(200);
      WriteBatch batch;
      for (uint32_t k : keys) {
        const uint64_t v = published_[k].load() + 1;  // we are the only writer of k
        in_flight_[k].store(v);
        IsDelete(k, v) ? batch.Delete(Key(k)) : batch.Put(Key(k), ValueOf(k, v));
      }
      Status s;
      if (keys.size() == 1 && !rnd.OneIn(4)) {  // the single-key calls, not only batches
        const uint64_t v = in_flight_[keys[0]].load();
        s = IsDelete(keys[0], v) ? db_->Delete(wo, Key(keys[0]))
                                 : db_->Put(wo, Key(keys[0]), ValueOf(keys[0], v));
      } else {
        s = db_->Write(wo, &batch);
      }
      if (!s.ok()) return Fail("write: " + s.ToString());
      for (uint32_t k : keys) published_[k].store(in_flight_[k].load());
      writes += keys.size();
      batches++;
      // Our own keys read back exactly as last written.
      const uint32_t k = keys[rnd.Uniform(keys.size())];
      const uint64_t v = published_[k].load();
      std::string value;
      s = db_->Get(ReadOptions(), Key(k), &value);
      if (IsDelete(k, v) ? !s.IsNotFound() : !(s.ok() && value == ValueOf(k, v))) {
        return Fail("writer reads back " + Key(k) + " version " + std::to_string(v) + ": " +
                    s.ToString());
      }
    }
  }

  // --- readers ---

  // The published and in-flight versions of keys [a, b), loaded before and after a read.
  std::vector<uint64_t> Load(const std::vector<std::atomic<uint64_t>>& from, uint32_t a,
                             uint32_t b) const {
    std::vector<uint64_t> out(b - a);
    for (uint32_t i = a; i < b; i++) out[i - a] = from[i].load();
    return out;
  }

  // Checks one read of key i against the window [lo, hi]; returns what it saw.
  Seen Check(uint32_t i, const Status& s, std::string_view value, uint64_t lo, uint64_t hi,
             const char* what) {
    if (s.IsNotFound()) {
      if (!AbsentAllowed(i, lo, hi)) {
        Fail(std::string(what) + ": " + Key(i) + " absent, but versions " + std::to_string(lo) +
             ".." + std::to_string(hi) + " are all puts");
      }
      return std::nullopt;
    }
    if (!s.ok()) {
      Fail(std::string(what) + ": " + Key(i) + ": " + s.ToString());
      return std::nullopt;
    }
    const auto v = VersionOf(i, value);
    if (!v) {
      Fail(std::string(what) + ": " + Key(i) + " holds a value that is not its own");
    } else if (*v < lo || *v > hi || IsDelete(i, *v)) {
      Fail(std::string(what) + ": " + Key(i) + " at version " + std::to_string(*v) +
           ", expected one in " + std::to_string(lo) + ".." + std::to_string(hi));
    }
    return v;
  }

  // Both keys of a pair seen at one point in time hold one version (or are both absent).
  void CheckPairs(uint32_t a, const std::vector<Seen>& seen, const char* what) {
    for (uint32_t i = a; i + 1 < a + seen.size(); i++) {
      if (IsPairKey(i) && (i & 1u) == 0 && seen[i - a] != seen[i + 1 - a]) {
        Fail(std::string(what) + ": the pair " + Key(i) + ", " + Key(i + 1) +
             " was written in one batch but is seen at different versions");
      }
    }
  }

  void PointRead(Random* rnd) {
    const uint32_t i = static_cast<uint32_t>(rnd->Uniform(kKeys));
    const uint64_t lo = published_[i].load();
    std::string value;
    Status s = db_->Get(ReadOptions(), Key(i), &value);
    Check(i, s, value, lo, in_flight_[i].load(), "Get");
    reads++;
  }

  // Keys [a, b) through an iterator (forward or backward, bounded or not), with a snapshot
  // if one is given; returns what each key showed.
  std::vector<Seen> Scan(uint32_t a, uint32_t b, const Snapshot* snapshot, bool forward,
                         bool bounded, const std::vector<uint64_t>& lo,
                         const std::vector<uint64_t>& hi_or_empty) {
    const std::string lower = Key(a), upper = Key(b);
    ReadOptions ro;
    ro.snapshot = snapshot;
    if (bounded) {
      ro.iterate_lower_bound = lower;
      ro.iterate_upper_bound = upper;
    }
    std::unique_ptr<Iterator> it = db_->NewIterator(ro);
    std::vector<std::pair<uint32_t, std::string>> got;
    std::string last;
    forward ? it->Seek(lower) : (b < kKeys ? it->SeekForPrev(upper) : it->SeekToLast());
    for (; it->Valid(); forward ? it->Next() : it->Prev()) {
      std::string key(it->key());
      if (forward ? key >= upper : key < lower) break;
      if (!forward && key == upper) continue;  // SeekForPrev lands on upper itself
      if (!last.empty() && (forward ? key <= last : key >= last)) {
        Fail("scan yields " + key + " after " + last);
        return {};
      }
      last = key;
      got.emplace_back(static_cast<uint32_t>(std::stoul(key.substr(3))), std::string(it->value()));
    }
    if (!it->status().ok()) {
      Fail("scan: " + it->status().ToString());
      return {};
    }
    const std::vector<uint64_t> hi = hi_or_empty.empty() ? Load(in_flight_, a, b) : hi_or_empty;
    if (!forward) std::reverse(got.begin(), got.end());
    std::vector<Seen> seen(b - a);
    size_t g = 0;
    for (uint32_t i = a; i < b; i++) {
      if (g < got.size() && got[g].first == i) {
        seen[i - a] = Check(i, Status::OK(), got[g].second, lo[i - a], hi[i - a], "scan");
        g++;
      } else {
        seen[i - a] = Check(i, Status::NotFound(""), "", lo[i - a], hi[i - a], "scan");
      }
    }
    if (g != got.size()) Fail("scan yields keys outside [" + lower + ", " + upper + ")");
    CheckPairs(a, seen, "scan");
    scans++;
    scanned += got.size();
    return seen;
  }

  void ScanRound(Random* rnd) {
    const uint32_t a = static_cast<uint32_t>(rnd->Uniform(kKeys));
    const uint32_t b = std::min<uint32_t>(kKeys, a + 1 + static_cast<uint32_t>(rnd->Uniform(400)));
    const auto lo = Load(published_, a, b);
    Scan(a, b, nullptr, rnd->OneIn(2), rnd->OneIn(2), lo, {});
  }

  void SnapshotRound(Random* rnd) {
    const uint32_t a = static_cast<uint32_t>(rnd->Uniform(kKeys));
    const uint32_t b = std::min<uint32_t>(kKeys, a + 1 + static_cast<uint32_t>(rnd->Uniform(200)));
    const auto lo = Load(published_, a, b);
    const Snapshot* snapshot = db_->GetSnapshot();
    const auto hi = Load(in_flight_, a, b);
    ReadOptions ro;
    ro.snapshot = snapshot;
    auto gets = [&] {
      std::vector<Seen> seen(b - a);
      for (uint32_t i = a; i < b; i++) {
        std::string value;
        Status s = db_->Get(ro, Key(i), &value);
        seen[i - a] = Check(i, s, value, lo[i - a], hi[i - a], "snapshot Get");
      }
      return seen;
    };
    const std::vector<Seen> first = gets();
    CheckPairs(a, first, "snapshot Get");
    // Let writes, flushes and compactions go on, then read the same point in time again.
    std::this_thread::sleep_for(std::chrono::milliseconds(rnd->Uniform(10)));
    if (gets() != first) Fail("a snapshot read twice gave different answers");
    const std::vector<Seen> scanned_seen = Scan(a, b, snapshot, rnd->OneIn(2), true, lo, hi);
    if (!failed_.load() && scanned_seen != first) {
      Fail("at one snapshot, Get and a scan disagree in [" + Key(a) + ", " + Key(b) + ")");
    }
    db_->ReleaseSnapshot(snapshot);
    snapshots++;
  }

  void Reader(uint64_t seed) {
    Random rnd(seed);
    while (!stop_.load() && !failed_.load()) {
      const uint64_t r = rnd.Uniform(100);
      if (r < 70) {
        PointRead(&rnd);
      } else if (r < 87) {
        ScanRound(&rnd);
      } else if (r < 99) {
        SnapshotRound(&rnd);
      } else {
        // A manual compaction over a random range, racing the automatic ones.
        const std::string x = Key(static_cast<uint32_t>(rnd.Uniform(kKeys)));
        const std::string y = Key(static_cast<uint32_t>(rnd.Uniform(kKeys)));
        const std::string_view lo = std::min(x, y), hi = std::max(x, y);
        Status s = db_->CompactRange(&lo, &hi);
        if (!s.ok()) Fail("CompactRange: " + s.ToString());
      }
    }
  }

  DB* db_ = nullptr;
  std::vector<std::atomic<uint64_t>> published_;
  std::vector<std::atomic<uint64_t>> in_flight_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> failed_{false};
  std::mutex mu_;
  std::string failure_;
};

Options StressOptions() {
  Options o;
  o.create_if_missing = true;
  o.write_buffer_size = 64 << 10;  // the smallest Options::Validate allows
  o.max_write_buffer_number = 2;
  o.level0_file_num_compaction_trigger = 2;
  o.level0_slowdown_writes_trigger = 6;
  o.level0_stop_writes_trigger = 10;
  o.max_bytes_for_level_base = 128 << 10;
  o.max_bytes_for_level_multiplier = 4;
  o.target_file_size_base = 32 << 10;
  o.block_size = 1024;
  o.block_cache_capacity = 256 << 10;  // evictions too
  return o;
}


std::chrono::milliseconds Duration() {
  const char* env = std::getenv("STRATA_STRESS_SECONDS");
  const double seconds = env ? std::atof(env) : 3.0;
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

// Two rounds on one database with a close and reopen between them: the second round runs on
// what recovery rebuilt (tables at several levels and a replayed log).
TEST(StressTest, ReadersSeeOnlyPublishedStatesWhileFlushesAndCompactionsRun) {
  test::TempDir dir;
  const std::string dbname = dir.Child("db");
  Stress stress;
  // Shared by both opens, and recorded into by every thread at once (TSan checks it).
  Options options = StressOptions();
  options.statistics = CreateStatistics();
  for (int round = 0; round < 2 && !stress.failed(); round++) {
    std::unique_ptr<DB> db;
    ASSERT_OK(DB::Open(options, dbname, &db));
    if (round > 0) stress.VerifyQuiescent(db.get());  // recovery kept every acknowledged write
    stress.set_db(db.get());
    stress.Run(Duration() / 2, 1000 * (round + 1));
    stress.VerifyQuiescent(db.get());
  }
  const uint64_t flushes = options.statistics->GetTickerCount(Ticker::kFlushCount);
  const uint64_t compacted = options.statistics->GetTickerCount(Ticker::kCompactionBytesWritten);
  EXPECT_GT(flushes, 0u);
  EXPECT_FALSE(stress.failed()) << stress.failure();
  std::printf(
      "stress: %llu writes in %llu batches, %llu reads, %llu scans (%llu entries), "
      "%llu snapshots checked; %llu flushes, %llu bytes written by compactions\n",
      (unsigned long long)stress.writes.load(), (unsigned long long)stress.batches.load(),
      (unsigned long long)stress.reads.load(), (unsigned long long)stress.scans.load(),
      (unsigned long long)stress.scanned.load(), (unsigned long long)stress.snapshots.load(),
      (unsigned long long)flushes, (unsigned long long)compacted);
  // Low floors: sanitizer builds on a loaded machine do a tenth of a Release run's work.
  EXPECT_GT(stress.batches.load(), 200u);
  EXPECT_GT(stress.snapshots.load(), 5u);
  EXPECT_GT(flushes, 3u) << "the run should flush constantly";
  EXPECT_GT(compacted, 0u) << "the run should compact";
}

}  // namespace
}  // namespace strata
