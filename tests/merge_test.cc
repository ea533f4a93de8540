// Merge operands (DB::Merge, WriteBatch::Merge) and the built-in merge operators: the
// operators alone; every read kind (Get, MultiGet, iterators both ways with seeks, bounds and
// direction changes) over operands on values, deletions, range deletions and nothing, in the
// memtable, an immutable memtable, tables of level 0 and below, after compaction and after
// reopen, at snapshots held through it all; compaction combining what every reader sees (and
// keeping apart what a snapshot separates); failing merges; the operator's name check; and
// the randomized model (tests/support/range_del_model.h) with merges, over a few seeds.
#include <atomic>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "strata/db.h"
#include "strata/file_system.h"
#include "strata/merge_operator.h"
#include "strata/table_writer.h"
#include "support/db_test_util.h"
#include "support/gate.h"
#include "support/iterator_model.h"
#include "support/range_del_model.h"
#include "support/test_util.h"
#include "support/write_model.h"
#include "util/coding.h"

namespace strata::test {
namespace {

std::string U64(uint64_t v) {
  std::string s;
  PutFixed64(&s, v);
  return s;
}

// FullMerge of key "k" as a string: the merged value, or "FAILED".
std::string Full(const MergeOperator& op, const std::string* base,
                 const std::vector<std::string>& operands) {
  std::vector<std::string_view> views(operands.begin(), operands.end());
  const std::string_view base_view = base ? std::string_view(*base) : std::string_view();
  std::string out = "garbage from before";
  if (!op.FullMerge("k", base ? &base_view : nullptr, views, &out)) return "FAILED";
  return out;
}

std::string Partial(const MergeOperator& op, const std::vector<std::string>& operands) {
  std::vector<std::string_view> views(operands.begin(), operands.end());
  std::string out = "garbage from before";
  if (!op.PartialMerge("k", views, &out)) return "FAILED";
  return out;
}

// ---- The operators alone ----

TEST(MergeOperatorTest, UInt64AddSumsOperandsOntoTheValueOrZero) {
  auto op = NewUInt64AddOperator();
  EXPECT_STREQ("strata.UInt64Add", op->Name());
  EXPECT_EQ(U64(7), Full(*op, nullptr, {U64(7)}));
  EXPECT_EQ(U64(6), Full(*op, nullptr, {U64(1), U64(2), U64(3)}));
  const std::string ten = U64(10);
  EXPECT_EQ(U64(15), Full(*op, &ten, {U64(5)}));
  EXPECT_EQ(U64(10), Full(*op, &ten, {U64(0), U64(0)}));
  // Little-endian: the low byte first.
  EXPECT_EQ(std::string("\x02\x01\0\0\0\0\0\0", 8), Full(*op, nullptr, {U64(0x102)}));
}

TEST(MergeOperatorTest, UInt64AddWrapsModulo2To64) {
  auto op = NewUInt64AddOperator();
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  const std::string max = U64(kMax);
  EXPECT_EQ(U64(1), Full(*op, &max, {U64(2)}));
  EXPECT_EQ(U64(0), Full(*op, nullptr, {U64(kMax), U64(1)}));
  EXPECT_EQ(U64(kMax - 1), Partial(*op, {U64(kMax), U64(kMax)}));
  // "Minus one" is adding 2^64 - 1.
  const std::string five = U64(5);
  EXPECT_EQ(U64(4), Full(*op, &five, {U64(kMax)}));
}

TEST(MergeOperatorTest, UInt64AddRefusesValuesAndOperandsOfAnyOtherSize) {
  auto op = NewUInt64AddOperator();
  const std::string good = U64(1);
  for (size_t size : {0, 1, 4, 7, 9, 16}) {
    SCOPED_TRACE(size);
    const std::string bad(size, '\x01');
    EXPECT_EQ("FAILED", Full(*op, nullptr, {bad}));
    EXPECT_EQ("FAILED", Full(*op, nullptr, {good, bad, good}));
    EXPECT_EQ("FAILED", Full(*op, &good, {bad}));
    EXPECT_EQ("FAILED", Full(*op, &bad, {good}));
    EXPECT_EQ("FAILED", Partial(*op, {good, bad}));
    EXPECT_EQ("FAILED", Partial(*op, {bad, good}));
  }
}

TEST(MergeOperatorTest, UInt64AddPartialMergeActsLikeItsOperands) {
  auto op = NewUInt64AddOperator();
  const std::string partial = Partial(*op, {U64(1), U64(20), U64(300)});
  EXPECT_EQ(U64(321), partial);
  const std::string base = U64(1000);
  EXPECT_EQ(Full(*op, &base, {U64(1), U64(20), U64(300)}), Full(*op, &base, {partial}));
  EXPECT_EQ(Full(*op, nullptr, {U64(1), U64(20), U64(300)}), Full(*op, nullptr, {partial}));
}

TEST(MergeOperatorTest, StringAppendJoinsPiecesWithTheDelimiter) {
  auto op = NewStringAppendOperator();
  EXPECT_STREQ("strata.StringAppend", op->Name());
  EXPECT_STREQ("strata.StringAppend", NewStringAppendOperator(',')->Name());
  EXPECT_EQ("a", Full(*op, nullptr, {"a"}));
  EXPECT_EQ("a,b,c", Full(*op, nullptr, {"a", "b", "c"}));
  const std::string x = "x";
  EXPECT_EQ("x,a,b", Full(*op, &x, {"a", "b"}));
  // An empty value is a value: the delimiter separates it from the first operand.
  const std::string empty;
  EXPECT_EQ(",a", Full(*op, &empty, {"a"}));
  EXPECT_EQ(",", Full(*op, nullptr, {"", ""}));
  EXPECT_EQ("a,b", Partial(*op, {"a", "b"}));
  EXPECT_EQ(Full(*op, &x, {"a", "b", "c"}), Full(*op, &x, {Partial(*op, {"a", "b"}), "c"}));
  // Bytes pass through untouched, the delimiter included.
  const std::string bytes("\0\xff,", 3);
  EXPECT_EQ(bytes + "," + bytes, Full(*op, &bytes, {bytes}));
}

TEST(MergeOperatorTest, StringAppendDelimitersOtherThanCommaAreInTheName) {
  auto bar = NewStringAppendOperator('|');
  EXPECT_STREQ("strata.StringAppend.7c", bar->Name());
  const std::string x = "x";
  EXPECT_EQ("x|a|b", Full(*bar, &x, {"a", "b"}));
  EXPECT_EQ("a|b", Partial(*bar, {"a", "b"}));
  auto nul = NewStringAppendOperator('\0');
  EXPECT_STREQ("strata.StringAppend.00", nul->Name());
  EXPECT_EQ(std::string("x\0a", 3), Full(*nul, &x, {"a"}));
  EXPECT_STREQ("strata.StringAppend.ff", NewStringAppendOperator('\xff')->Name());
  EXPECT_STREQ("strata.StringAppend.0a", NewStringAppendOperator('\n')->Name());
}

// ---- Through the engine ----

// String append that counts its calls (compaction's, when the test reads nothing meanwhile).
class CountingAppendOperator final : public MergeOperator {
 public:
  const char* Name() const override { return "test.CountingAppend"; }
  bool FullMerge(std::string_view key, const std::string_view* existing_value,
                 std::span<const std::string_view> operands,
                 std::string* new_value) const override {
    full_merges++;
    return append_->FullMerge(key, existing_value, operands, new_value);
  }
  bool PartialMerge(std::string_view key, std::span<const std::string_view> operands,
                    std::string* new_operand) const override {
    partial_merges++;
    return append_->PartialMerge(key, operands, new_operand);
  }
  void Reset() {
    full_merges = 0;
    partial_merges = 0;
  }
  mutable std::atomic<int> full_merges{0};
  mutable std::atomic<int> partial_merges{0};

 private:
  const std::shared_ptr<const MergeOperator> append_ = NewStringAppendOperator();
};

// Holds the creation of table files while its gate is closed: a flush then waits with its
// memtable immutable (and still read).
class GateFileSystem : public FileSystemWrapper {
 public:
  GateFileSystem() : FileSystemWrapper(FileSystem::Default()) {}
  Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* r) override {
    if (path.ends_with(".sst")) gate.Pass();
    return FileSystemWrapper::NewWritableFile(path, r);
  }
  Gate gate;
};

// A flush on its own thread, held before it writes its table until Release (or destruction).
class HeldFlush {
 public:
  HeldFlush(DB* db, GateFileSystem* fs) : fs_(fs) {
    fs_->gate.Close();
    thread_ = std::thread([this, db] { status_ = db->Flush(); });
    fs_->gate.WaitForHeld(1);
  }
  ~HeldFlush() { Release().PermitUncheckedError(); }
  Status Release() {
    fs_->gate.Open();
    if (thread_.joinable()) thread_.join();
    return status_;
  }

 private:
  GateFileSystem* fs_;
  std::thread thread_;
  Status status_;
};

KVModel ToVector(const KVMap& m, const std::string& lo = "", const std::string& hi = "") {
  KVModel r;
  for (const auto& [k, v] : m) {
    if (k >= lo && (hi.empty() || k < hi)) r.emplace_back(k, v);
  }
  return r;
}

class MergeTest : public ::testing::Test {
 protected:
  MergeTest() {
    options_.create_if_missing = true;
    // Tests count table entries after reads: only flushes and CompactRange may change them.
    options_.seek_compaction = false;
    options_.merge_operator = ModelMergeOperator();
    options_.file_system = gate_fs_;
    // Only the test compacts: the tables stay where the test put them.
    options_.level0_file_num_compaction_trigger = 100;
    options_.level0_slowdown_writes_trigger = 100;
    options_.level0_stop_writes_trigger = 100;
    options_.max_bytes_for_level_base = 1ull << 40;
  }
  ~MergeTest() override { ReleaseSnapshots(); }

  Status TryOpen(const Options& options) {
    db_.reset();
    return DB::Open(options, dir_.Child("db"), &db_);
  }
  void Reopen() {
    ReleaseSnapshots();
    ASSERT_OK(TryOpen(options_));
  }
  void Merge(std::string_view key, std::string_view operand) {
    ASSERT_OK(db_->Merge(WriteOptions(), key, operand));
  }
  // Writes batch and applies it to model_.
  void Write(const ModelBatch& batch) {
    WriteBatch wb = batch.ToWriteBatch();
    ASSERT_OK(db_->Write(WriteOptions(), &wb));
    batch.ApplyTo(&model_);
  }
  void TakeSnapshot() { snapshots_.push_back({db_->GetSnapshot(), model_}); }
  void ReleaseSnapshots() {
    for (const auto& [snapshot, model] : snapshots_) db_->ReleaseSnapshot(snapshot);
    snapshots_.clear();
  }
  uint64_t Entries() { return IntProperty(db_.get(), "strata.num-entries-in-tables"); }
  // key = value in a table ingested into the last level (nothing may overlap it).
  void IngestIntoTheLastLevel(const std::string& key, const std::string& value) {
    const std::string path = dir_.Child("base-" + key + ".sst");
    TableWriter w(options_);
    ASSERT_OK(w.Open(path));
    ASSERT_OK(w.Put(key, value));
    ASSERT_OK(w.Finish());
    const std::string last = "strata.num-files-at-level" + std::to_string(options_.num_levels - 1);
    const uint64_t before = IntProperty(db_.get(), last);
    ASSERT_OK(db_->IngestExternalFiles({path}, IngestOptions()));
    ASSERT_EQ(before + 1, IntProperty(db_.get(), last));
  }
  // Each operand in a level-0 table of its own (so that no flush can combine them).
  void OperandsInTablesOfTheirOwn(const std::string& key, const std::vector<std::string>& ops) {
    const uint64_t before = IntProperty(db_.get(), "strata.num-files-at-level0");
    for (const std::string& op : ops) {
      Merge(key, op);
      ASSERT_OK(db_->Flush());
    }
    ASSERT_EQ(before + ops.size(), IntProperty(db_.get(), "strata.num-files-at-level0"));
  }
  int TableFiles() {
    int n = 0;
    for (int level = 0; level < options_.num_levels; level++) {
      n += static_cast<int>(
          IntProperty(db_.get(), "strata.num-files-at-level" + std::to_string(level)));
    }
    return n;
  }

  // Every read kind agrees with model at snapshot (null: now): Get and MultiGet of each key
  // and of probes between them, and iterators (scans, seeks to every key and probe, a random
  // walk with direction changes), unbounded and within a few bounds.
  void CheckReads(const KVMap& model, const Snapshot* snapshot = nullptr) {
    ReadOptions ro;
    ro.snapshot = snapshot;
    std::vector<std::string> probes = {"", "a", "k", "k00", "k055", "k99", "z"};
    for (const auto& kv : model) probes.push_back(kv.first);
    for (const auto& kv : model_) probes.push_back(kv.first + "0");
    for (const std::string& k : probes) {
      std::string v;
      Status s = db_->Get(ro, k, &v);
      auto it = model.find(k);
      if (it == model.end()) {
        ASSERT_TRUE(s.IsNotFound()) << k << " -> " << s.ToString() << " " << v;
      } else {
        ASSERT_OK(s);
        ASSERT_EQ(it->second, v) << k;
      }
    }
    std::vector<std::string> keys = probes;
    keys.insert(keys.end(), probes.rbegin(), probes.rend());  // repeats, out of order
    ASSERT_NO_FATAL_FAILURE(ExpectMultiGetMatches(db_.get(), ro, keys, model));
    {
      std::unique_ptr<Iterator> it = db_->NewIterator(ro);
      ASSERT_TRUE(IteratorMatchesModel(it.get(), ToVector(model), BytewiseComparator(), probes,
                                       ++seed_, 600));
    }
    const std::vector<std::pair<std::string, std::string>> bounds = {
        {"k02", "k05"}, {"k030", "k10"}, {"k06", "k0600"}, {"k09", "k11"}};
    for (const auto& [lo, hi] : bounds) {
      SCOPED_TRACE("bounds [" + lo + ", " + hi + ")");
      ReadOptions bro = ro;
      bro.iterate_lower_bound = lo;
      bro.iterate_upper_bound = hi;
      std::unique_ptr<Iterator> it = db_->NewIterator(bro);
      ASSERT_TRUE(IteratorMatchesModel(it.get(), ToVector(model, lo, hi), BytewiseComparator(),
                                       probes, ++seed_, 200));
    }
  }
  // CheckReads now and at every held snapshot.
  void CheckAll(const std::string& stage) {
    SCOPED_TRACE(stage);
    ASSERT_NO_FATAL_FAILURE(CheckReads(model_));
    for (size_t i = 0; i < snapshots_.size(); i++) {
      SCOPED_TRACE("snapshot " + std::to_string(i));
      ASSERT_NO_FATAL_FAILURE(CheckReads(snapshots_[i].second, snapshots_[i].first));
    }
  }

  TempDir dir_;
  std::shared_ptr<GateFileSystem> gate_fs_ = std::make_shared<GateFileSystem>();
  Options options_;
  std::unique_ptr<DB> db_;
  KVMap model_;
  std::vector<std::pair<const Snapshot*, KVMap>> snapshots_;
  uint64_t seed_ = 0;
};

ModelBatch One(void (ModelBatch::*op)(std::string, std::string), std::string a, std::string b) {
  ModelBatch batch;
  (batch.*op)(std::move(a), std::move(b));
  return batch;
}
ModelBatch M(std::string key, std::string operand) {
  return One(&ModelBatch::Merge, std::move(key), std::move(operand));
}
ModelBatch P(std::string key, std::string value) {
  return One(&ModelBatch::Put, std::move(key), std::move(value));
}
ModelBatch D(std::string key) {
  ModelBatch batch;
  batch.Delete(std::move(key));
  return batch;
}
ModelBatch DR(std::string begin, std::string end) {
  return One(&ModelBatch::DeleteRange, std::move(begin), std::move(end));
}

// The writes every layout replays: operands onto nothing, a value, a deletion, a range
// deletion; operands a range deletion or a value later hides; batches mixing them; keys
// side by side whose values are all merged (the backward walk passes from one to the next).
std::vector<ModelBatch> Scenario() {
  std::vector<ModelBatch> ops = {
      M("k01", "1"),                                       // onto nothing
      P("k02", "v"),     M("k02", "1"),                    // onto a value
      P("k03", "v"),     D("k03"),         M("k03", "1"),  // onto a deletion
      P("k04", "v"),     DR("k04", "k05"), M("k04", "1"),  // onto a range deletion
      M("k05", "1"),     DR("k05", "k06"),                 // operands under a range deletion
      M("k01", "2"),     M("k02", "2"),    M("k03", "2"), M("k04", "2"),
      M("k06", "1"),     P("k06", "w"),    M("k06", "2"),  // a value over an operand
      P("k08", "plain"), M("k09", "1"),    M("k10", "1"), M("k11", "1"),
      M("k05", "after"), DR("k12", "k14"), M("k13", "1"), M("k09", "2"),
      M("k10", "2"),     M("k11", "2"),    M("k01", "3"),
  };
  ModelBatch mixed;  // one batch: sequence order inside it decides
  mixed.Put("k07", "v");
  mixed.Merge("k07", "1");
  mixed.Delete("k07");
  mixed.Merge("k07", "2");
  mixed.Merge("k07", "3");
  mixed.Merge("k14", "x");
  mixed.Put("k14", "y");
  mixed.Merge("k14", "z");
  ops.insert(ops.begin() + 12, mixed);
  for (int i = 0; i < 12; i++) ops.push_back(M("k02", std::to_string(3 + i)));
  ops.push_back(D("k11"));
  ops.push_back(M("k11", "3"));
  return ops;
}

TEST_F(MergeTest, ScenarioModelIsWhatStringAppendMeans) {
  KVMap model;
  for (const ModelBatch& b : Scenario()) b.ApplyTo(&model);
  EXPECT_EQ("1,2,3", model["k01"]);
  EXPECT_EQ("v,1,2,3,4,5,6,7,8,9,10,11,12,13,14", model["k02"]);
  EXPECT_EQ("1,2", model["k03"]);
  EXPECT_EQ("1,2", model["k04"]);
  EXPECT_EQ("after", model["k05"]);
  EXPECT_EQ("w,2", model["k06"]);
  EXPECT_EQ("2,3", model["k07"]);
  EXPECT_EQ("1,2", model["k09"]);
  EXPECT_EQ("3", model["k11"]);
  EXPECT_EQ("1", model["k13"]);
  EXPECT_EQ("y,z", model["k14"]);
  EXPECT_EQ(0u, model.count("k12"));
}

// Where the scenario's entries end up while it is written.
enum class Layout {
  kMemtable,       // all in the active memtable
  kTablePerWrite,  // a level-0 table per write: every operand of a key in another table
  kMixed,          // flushes and compactions now and then: operands over tables and levels
  kImmutable,      // tables, then an immutable memtable held in flushing, then the memtable
};

class MergeLayoutTest : public MergeTest, public ::testing::WithParamInterface<Layout> {};

TEST_P(MergeLayoutTest, EveryReadAgreesWithTheModelThroughFlushCompactionAndReopen) {
  Reopen();
  const std::vector<ModelBatch> ops = Scenario();
  std::unique_ptr<HeldFlush> held;
  for (size_t i = 0; i < ops.size(); i++) {
    SCOPED_TRACE("write " + std::to_string(i));
    ASSERT_NO_FATAL_FAILURE(Write(ops[i]));
    if (i % 9 == 4) TakeSnapshot();
    switch (GetParam()) {
      case Layout::kMemtable:
        break;
      case Layout::kTablePerWrite:
        ASSERT_OK(db_->Flush());
        break;
      case Layout::kMixed:
        if (i % 3 == 2) ASSERT_OK(db_->Flush());
        if (i % 11 == 7) ASSERT_OK(db_->CompactRange(nullptr, nullptr));
        break;
      case Layout::kImmutable:
        if (i < ops.size() / 2 && i % 2 == 1) ASSERT_OK(db_->Flush());
        if (i == ops.size() * 3 / 4) held = std::make_unique<HeldFlush>(db_.get(), gate_fs_.get());
        break;
    }
  }
  switch (GetParam()) {
    case Layout::kMemtable:
      EXPECT_EQ(0, TableFiles());
      break;
    case Layout::kTablePerWrite:
      EXPECT_EQ(static_cast<int>(ops.size()), TableFiles());
      break;
    case Layout::kMixed:
      EXPECT_GT(IntProperty(db_.get(), "strata.num-files-at-level1"), 0u);
      EXPECT_GT(IntProperty(db_.get(), "strata.num-files-at-level0") +
                    IntProperty(db_.get(), "strata.num-entries-active-mem-table"),
                0u);
      break;
    case Layout::kImmutable:
      EXPECT_EQ(1u, IntProperty(db_.get(), "strata.num-immutable-mem-table"));
      EXPECT_GT(IntProperty(db_.get(), "strata.num-entries-active-mem-table"), 0u);
      break;
  }
  ASSERT_NO_FATAL_FAILURE(CheckAll("as written"));
  if (held) ASSERT_OK(held->Release());
  ASSERT_NO_FATAL_FAILURE(CheckAll("flushes done"));
  ASSERT_OK(db_->Flush());
  ASSERT_NO_FATAL_FAILURE(CheckAll("flushed"));
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  ASSERT_NO_FATAL_FAILURE(CheckAll("compacted"));
  // More operands on the compacted keys, then reopen: the log replays them onto the tables.
  for (const char* k : {"k01", "k02", "k05", "k10", "k12"}) {
    ASSERT_NO_FATAL_FAILURE(Write(M(k, "late")));
  }
  ASSERT_NO_FATAL_FAILURE(CheckAll("late operands"));
  ASSERT_NO_FATAL_FAILURE(Reopen());
  ASSERT_NO_FATAL_FAILURE(CheckAll("reopened"));
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  ASSERT_NO_FATAL_FAILURE(CheckAll("compacted after reopen"));
  // With nothing held, compaction leaves one entry per live key.
  EXPECT_EQ(model_.size(), Entries());
}

INSTANTIATE_TEST_SUITE_P(Layouts, MergeLayoutTest,
                         ::testing::Values(Layout::kMemtable, Layout::kTablePerWrite,
                                           Layout::kMixed, Layout::kImmutable),
                         [](const ::testing::TestParamInfo<Layout>& info) {
                           switch (info.param) {
                             case Layout::kMemtable:
                               return "Memtable";
                             case Layout::kTablePerWrite:
                               return "TablePerWrite";
                             case Layout::kMixed:
                               return "Mixed";
                             case Layout::kImmutable:
                               return "Immutable";
                           }
                           return "Unknown";
                         });

TEST_F(MergeTest, LogReplayMergesOperandsOntoTables) {
  Reopen();
  ASSERT_NO_FATAL_FAILURE(Write(P("k01", "v")));
  ASSERT_NO_FATAL_FAILURE(Write(M("k02", "a")));
  ASSERT_OK(db_->Flush());
  ASSERT_NO_FATAL_FAILURE(Write(M("k01", "b")));
  ASSERT_NO_FATAL_FAILURE(Write(M("k02", "c")));
  ASSERT_NO_FATAL_FAILURE(Write(M("k03", "d")));
  ASSERT_NO_FATAL_FAILURE(Reopen());
  EXPECT_EQ("v,b", GetString(db_.get(), "k01"));
  EXPECT_EQ("a,c", GetString(db_.get(), "k02"));
  EXPECT_EQ("d", GetString(db_.get(), "k03"));
  ASSERT_NO_FATAL_FAILURE(CheckAll("reopened"));
}

TEST_F(MergeTest, ReadOnlyOpenMergesOperandsFromTablesAndLog) {
  Reopen();
  ASSERT_NO_FATAL_FAILURE(Write(P("k01", "v")));
  ASSERT_NO_FATAL_FAILURE(Write(M("k01", "a")));
  ASSERT_NO_FATAL_FAILURE(Write(M("k02", "a")));
  ASSERT_OK(db_->Flush());
  ASSERT_NO_FATAL_FAILURE(Write(M("k01", "b")));  // left in the log
  ASSERT_NO_FATAL_FAILURE(Write(M("k02", "b")));
  ASSERT_NO_FATAL_FAILURE(Write(M("k03", "b")));
  db_.reset();
  ASSERT_OK(DB::OpenForReadOnly(options_, dir_.Child("db"), &db_));
  ASSERT_NO_FATAL_FAILURE(CheckReads(model_));
  EXPECT_EQ("v,a,b", GetString(db_.get(), "k01"));
}

TEST_F(MergeTest, BackwardIterationOverKeysMergedOntoNothing) {
  Reopen();
  for (const char* k : {"k1", "k2", "k3"}) {
    Merge(k, std::string(k) + "a");
    Merge(k, std::string(k) + "b");
  }
  std::unique_ptr<Iterator> it = db_->NewIterator(ReadOptions());
  it->SeekToLast();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ("k3", it->key());
  EXPECT_EQ("k3a,k3b", it->value());
  it->Prev();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ("k2", it->key());
  EXPECT_EQ("k2a,k2b", it->value());
  it->Prev();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ("k1a,k1b", it->value());
  it->Next();  // forward again from a merged key
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ("k2a,k2b", it->value());
  it->Prev();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ("k1a,k1b", it->value());
  it->Prev();
  EXPECT_FALSE(it->Valid());
  EXPECT_OK(it->status());
}

// Runs of operands longer than the iterator's skip-then-seek threshold, with as many newer
// entries hidden from a snapshot, between plain keys.
TEST_F(MergeTest, LongRunsOfOperandsAndOfHiddenNewerEntries) {
  Reopen();
  ASSERT_NO_FATAL_FAILURE(Write(P("k00", "first")));
  ASSERT_NO_FATAL_FAILURE(Write(P("k03", "last")));
  for (int i = 0; i < 40; i++) {
    ASSERT_NO_FATAL_FAILURE(Write(M("k01", std::to_string(i))));
    if (i % 2 == 0) {
      ASSERT_NO_FATAL_FAILURE(Write(M("k02", std::to_string(i))));
    }
    if (i == 19) TakeSnapshot();
  }
  ASSERT_NO_FATAL_FAILURE(CheckAll("memtable"));
  ASSERT_OK(db_->Flush());
  ASSERT_NO_FATAL_FAILURE(CheckAll("flushed"));
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  ASSERT_NO_FATAL_FAILURE(CheckAll("compacted"));
  EXPECT_EQ(2u + 1u + 20u + 1u + 10u, Entries()) << "the operands above the snapshot stay apart";
}

TEST_F(MergeTest, SnapshotsBetweenMergesKeepTheirAnswers) {
  Reopen();
  ASSERT_NO_FATAL_FAILURE(Write(P("k01", "v")));
  TakeSnapshot();
  for (int i = 0; i < 6; i++) {
    ASSERT_NO_FATAL_FAILURE(Write(M("k01", "m" + std::to_string(i))));
    ASSERT_NO_FATAL_FAILURE(Write(M("k02", "n" + std::to_string(i))));
    if (i == 2) {
      ASSERT_NO_FATAL_FAILURE(Write(D("k02")));
    }
    if (i == 4) {
      ASSERT_NO_FATAL_FAILURE(Write(DR("k01", "k02")));
    }
    TakeSnapshot();
    if (i % 2 == 1) ASSERT_OK(db_->Flush());
  }
  ASSERT_NO_FATAL_FAILURE(CheckAll("written"));
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  ASSERT_NO_FATAL_FAILURE(CheckAll("compacted"));
  EXPECT_EQ("m5", GetString(db_.get(), "k01"));
  EXPECT_EQ("n3,n4,n5", GetString(db_.get(), "k02"));
  ReadOptions ro;
  ro.snapshot = snapshots_[3].first;
  std::string v;
  ASSERT_OK(db_->Get(ro, "k01", &v));
  EXPECT_EQ("v,m0,m1,m2", v);
  // Releasing the snapshots one by one, oldest first, compaction may combine more each time;
  // the remaining ones still read their answer.
  while (!snapshots_.empty()) {
    db_->ReleaseSnapshot(snapshots_.front().first);
    snapshots_.erase(snapshots_.begin());
    ASSERT_OK(db_->CompactRange(nullptr, nullptr));
    ASSERT_NO_FATAL_FAILURE(CheckAll(std::to_string(snapshots_.size()) + " snapshots left"));
  }
  EXPECT_EQ(2u, Entries());
}

TEST_F(MergeTest, CompactionCombinesOperandsEveryReaderSees) {
  Reopen();
  ASSERT_NO_FATAL_FAILURE(Write(P("k01", "v")));
  for (int i = 0; i < 10; i++) {
    ASSERT_NO_FATAL_FAILURE(Write(M("k01", std::to_string(i))));
    ASSERT_NO_FATAL_FAILURE(Write(M("k02", std::to_string(i))));
  }
  EXPECT_EQ(21u, IntProperty(db_.get(), "strata.num-entries-active-mem-table"));
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  EXPECT_EQ(2u, Entries());  // one value per key
  EXPECT_EQ("v,0,1,2,3,4,5,6,7,8,9", GetString(db_.get(), "k01"));
  EXPECT_EQ("0,1,2,3,4,5,6,7,8,9", GetString(db_.get(), "k02"));
  ASSERT_NO_FATAL_FAILURE(CheckAll("compacted"));
}

// Flush combines what no snapshot separates: operands onto their value in the memtable (one
// value), operands without a base there (one operand: older tables may hold the base); the
// operands above a snapshot stay apart. Recovery's flush combines too.
TEST_F(MergeTest, FlushCombinesOperandsNoSnapshotSeparates) {
  options_.level0_file_num_compaction_trigger = 100;  // the flushed tables stay as written
  options_.level0_slowdown_writes_trigger = 100;
  options_.level0_stop_writes_trigger = 100;
  Reopen();
  ASSERT_NO_FATAL_FAILURE(Write(P("k01", "v")));
  ASSERT_NO_FATAL_FAILURE(Write(M("k01", "1")));
  ASSERT_NO_FATAL_FAILURE(Write(M("k01", "2")));
  ASSERT_NO_FATAL_FAILURE(Write(M("k02", "a")));
  ASSERT_NO_FATAL_FAILURE(Write(M("k02", "b")));
  TakeSnapshot();
  ASSERT_NO_FATAL_FAILURE(Write(M("k01", "3")));
  ASSERT_NO_FATAL_FAILURE(Write(M("k02", "c")));
  ASSERT_OK(db_->Flush());
  // k01: "v,1,2" and 3; k02: "a,b" (partially merged) and c.
  EXPECT_EQ(4u, Entries());
  ASSERT_NO_FATAL_FAILURE(CheckAll("flushed under a snapshot"));
  ReleaseSnapshots();

  ASSERT_NO_FATAL_FAILURE(Write(M("k01", "4")));
  ASSERT_NO_FATAL_FAILURE(Write(M("k01", "5")));
  ASSERT_NO_FATAL_FAILURE(Write(M("k03", "x")));
  ASSERT_OK(db_->Flush());
  EXPECT_EQ(4u + 2u, Entries());  // k01 "4,5" as one operand, k03's one
  ASSERT_NO_FATAL_FAILURE(CheckAll("flushed"));

  // Left in the log, then replayed and flushed by recovery: one value.
  ASSERT_NO_FATAL_FAILURE(Write(P("k04", "w")));
  ASSERT_NO_FATAL_FAILURE(Write(M("k04", "6")));
  ASSERT_NO_FATAL_FAILURE(Write(M("k04", "7")));
  Reopen();
  EXPECT_EQ(6u + 1u, Entries());
  EXPECT_EQ("w,6,7", GetString(db_.get(), "k04"));
  ASSERT_NO_FATAL_FAILURE(CheckAll("recovered"));
}

TEST_F(MergeTest, CompactionKeepsOperandsNewerThanASnapshotApart) {
  Reopen();
  ASSERT_NO_FATAL_FAILURE(Write(P("k01", "v")));
  ASSERT_NO_FATAL_FAILURE(Write(M("k01", "1")));
  ASSERT_NO_FATAL_FAILURE(Write(M("k01", "2")));
  TakeSnapshot();
  ASSERT_NO_FATAL_FAILURE(Write(M("k01", "3")));
  ASSERT_NO_FATAL_FAILURE(Write(M("k01", "4")));
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  // "v,1,2" (what the snapshot sees), then the two operands above it.
  EXPECT_EQ(3u, Entries());
  ASSERT_NO_FATAL_FAILURE(CheckAll("compacted under a snapshot"));
  ReleaseSnapshots();
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  EXPECT_EQ(1u, Entries());
  EXPECT_EQ("v,1,2,3,4", GetString(db_.get(), "k01"));
}

// Operands whose base lies in a level below the compaction's output become one operand (the
// partial merge); the compaction that reaches the base merges it in (the full merge).
TEST_F(MergeTest, CompactionAboveTheBasePartiallyMergesAndTheBaseLevelFullyMerges) {
  auto counting = std::make_shared<CountingAppendOperator>();
  options_.merge_operator = counting;
  Reopen();
  ASSERT_NO_FATAL_FAILURE(IngestIntoTheLastLevel("k01", "base"));
  // A table around the key, ingested right above the base: level 0 merges into it (a manual
  // compaction passes over levels that hold none of level 0's keys).
  {
    const std::string path = dir_.Child("around.sst");
    TableWriter w(options_);
    ASSERT_OK(w.Open(path));
    ASSERT_OK(w.Put("k00", "x"));
    ASSERT_OK(w.Put("k02", "y"));
    ASSERT_OK(w.Finish());
    ASSERT_OK(db_->IngestExternalFiles({path}, IngestOptions()));
    ASSERT_EQ(1u, IntProperty(db_.get(), "strata.num-files-at-level" +
                                             std::to_string(options_.num_levels - 2)));
  }
  ASSERT_NO_FATAL_FAILURE(OperandsInTablesOfTheirOwn("k01", {"a", "b", "c"}));
  EXPECT_EQ("base,a,b,c", GetString(db_.get(), "k01"));
  counting->Reset();
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  EXPECT_EQ(1, counting->partial_merges.load()) << "level 0 into the table above the base";
  EXPECT_EQ(1, counting->full_merges.load()) << "into the last level, onto the base";
  EXPECT_EQ(3u, Entries());
  EXPECT_EQ("base,a,b,c", GetString(db_.get(), "k01"));
  ASSERT_NO_FATAL_FAILURE(Reopen());
  EXPECT_EQ("base,a,b,c", GetString(db_.get(), "k01"));
}

// An operator without a partial merge: operands stay apart until they reach their base.
class FullMergeOnlyAppendOperator final : public MergeOperator {
 public:
  const char* Name() const override { return "test.FullMergeOnlyAppend"; }
  bool FullMerge(std::string_view key, const std::string_view* existing_value,
                 std::span<const std::string_view> operands,
                 std::string* new_value) const override {
    return append_->FullMerge(key, existing_value, operands, new_value);
  }

 private:
  const std::shared_ptr<const MergeOperator> append_ = NewStringAppendOperator();
};

TEST_F(MergeTest, OperandsOfAnOperatorWithoutPartialMergeWaitForTheirBase) {
  options_.merge_operator = std::make_shared<FullMergeOnlyAppendOperator>();
  Reopen();
  ASSERT_NO_FATAL_FAILURE(IngestIntoTheLastLevel("k01", "base"));
  ASSERT_NO_FATAL_FAILURE(OperandsInTablesOfTheirOwn("k01", {"a", "b", "c"}));
  ASSERT_NO_FATAL_FAILURE(OperandsInTablesOfTheirOwn("k02", {"x", "y"}));
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  EXPECT_EQ(2u, Entries());
  EXPECT_EQ("base,a,b,c", GetString(db_.get(), "k01"));
  EXPECT_EQ("x,y", GetString(db_.get(), "k02"));
}

// A partial merge that fails (a bad operand among good ones, the base further down) keeps
// the operands apart; the full merge that fails at the base keeps them all too.
TEST_F(MergeTest, FailingPartialMergeKeepsTheOperandsApart) {
  options_.merge_operator = NewUInt64AddOperator();
  Reopen();
  ASSERT_NO_FATAL_FAILURE(IngestIntoTheLastLevel("n", U64(10)));
  ASSERT_NO_FATAL_FAILURE(OperandsInTablesOfTheirOwn("n", {U64(1), "bad", U64(2)}));
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  EXPECT_EQ(4u, Entries());
  std::string v;
  Status s = db_->Get(ReadOptions(), "n", &v);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  ASSERT_OK(db_->Put(WriteOptions(), "n", U64(5)));
  ASSERT_OK(db_->Merge(WriteOptions(), "n", U64(1)));
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  EXPECT_EQ(1u, Entries());
  EXPECT_EQ(U64(6), GetString(db_.get(), "n"));
}

TEST_F(MergeTest, IngestedValuesAreBasesForOperandsAboveThem) {
  Reopen();
  ASSERT_NO_FATAL_FAILURE(Write(M("k01", "before")));
  const std::string path = dir_.Child("in.sst");
  {
    TableWriter w(options_);
    ASSERT_OK(w.Open(path));
    ASSERT_OK(w.Put("k01", "ingested"));
    ASSERT_OK(w.Put("k02", "ingested"));
    ASSERT_OK(w.Delete("k03"));
    ASSERT_OK(w.Finish());
  }
  ASSERT_OK(db_->IngestExternalFiles({path}, IngestOptions()));
  model_["k01"] = "ingested";
  model_["k02"] = "ingested";
  for (const char* k : {"k01", "k02", "k03"}) ASSERT_NO_FATAL_FAILURE(Write(M(k, "after")));
  ASSERT_NO_FATAL_FAILURE(CheckAll("ingested"));
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  ASSERT_NO_FATAL_FAILURE(CheckAll("compacted"));
}

TEST_F(MergeTest, CountersThroughTheEngine) {
  options_.merge_operator = NewUInt64AddOperator();
  Reopen();
  uint64_t expected = 0;
  for (int round = 0; round < 5; round++) {
    for (uint64_t i = 1; i <= 20; i++) {
      ASSERT_OK(db_->Merge(WriteOptions(), "counter", U64(i)));
      expected += i;
    }
    ASSERT_OK(db_->Merge(WriteOptions(), "counter", U64(std::numeric_limits<uint64_t>::max())));
    expected -= 1;
    EXPECT_EQ(U64(expected), GetString(db_.get(), "counter"));
    if (round % 2 == 0) ASSERT_OK(db_->Flush());
    if (round == 3) ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  }
  ASSERT_NO_FATAL_FAILURE(Reopen());
  EXPECT_EQ(U64(expected), GetString(db_.get(), "counter"));
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  EXPECT_EQ(U64(expected), GetString(db_.get(), "counter"));
  EXPECT_EQ(1u, Entries());
}

// A merge the operator refuses fails every read of its key with Corruption naming it, and
// only of its key; compaction over it succeeds and keeps its entries as they were.
TEST_F(MergeTest, FailingMergeIsCorruptionNamingTheKeyAndCompactionKeepsIt) {
  options_.merge_operator = NewUInt64AddOperator();
  Reopen();
  ASSERT_OK(db_->Put(WriteOptions(), "bad-value", "abc"));  // not 8 bytes
  ASSERT_OK(db_->Merge(WriteOptions(), "bad-value", U64(1)));
  ASSERT_OK(db_->Merge(WriteOptions(), "bad-operand", "xy"));
  ASSERT_OK(db_->Merge(WriteOptions(), "bad-operand", U64(1)));
  ASSERT_OK(db_->Put(WriteOptions(), "good", U64(5)));
  ASSERT_OK(db_->Merge(WriteOptions(), "good", U64(2)));
  ASSERT_OK(db_->Merge(WriteOptions(), "only", U64(7)));
  auto corrupt_naming = [](const Status& s, const std::string& key) {
    return s.IsCorruption() && s.ToString().find(key) != std::string::npos &&
           s.ToString().find("strata.UInt64Add") != std::string::npos;
  };
  auto check = [&](const std::string& stage) {
    SCOPED_TRACE(stage);
    std::string v;
    for (const char* k : {"bad-value", "bad-operand"}) {
      Status s = db_->Get(ReadOptions(), k, &v);
      EXPECT_TRUE(corrupt_naming(s, k)) << s.ToString();
    }
    EXPECT_EQ(U64(7), GetString(db_.get(), "good"));
    EXPECT_EQ(U64(7), GetString(db_.get(), "only"));

    std::vector<std::string_view> keys = {"good", "bad-value", "only", "bad-operand", "none"};
    std::vector<std::string> values;
    std::vector<Status> statuses;
    db_->MultiGet(ReadOptions(), keys, &values, &statuses);
    ASSERT_EQ(5u, statuses.size());
    EXPECT_TRUE(statuses[0].ok());
    EXPECT_EQ(U64(7), values[0]);
    EXPECT_TRUE(corrupt_naming(statuses[1], "bad-value")) << statuses[1].ToString();
    EXPECT_TRUE(statuses[2].ok());
    EXPECT_EQ(U64(7), values[2]);
    EXPECT_TRUE(corrupt_naming(statuses[3], "bad-operand")) << statuses[3].ToString();
    EXPECT_TRUE(statuses[4].IsNotFound());

    // Iterators stop at the bad key, either way.
    std::unique_ptr<Iterator> it = db_->NewIterator(ReadOptions());
    it->SeekToFirst();  // "bad-operand" sorts first
    EXPECT_FALSE(it->Valid());
    EXPECT_TRUE(corrupt_naming(it->status(), "bad-operand")) << it->status().ToString();
    it = db_->NewIterator(ReadOptions());
    it->Seek("good");
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ(U64(7), it->value());
    it->Next();
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ("only", it->key());
    it->Prev();
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ("good", it->key());
    it->Prev();
    EXPECT_FALSE(it->Valid());
    EXPECT_TRUE(corrupt_naming(it->status(), "bad-value")) << it->status().ToString();
    it = db_->NewIterator(ReadOptions());
    it->SeekForPrev("bad-value");
    EXPECT_FALSE(it->Valid());
    EXPECT_TRUE(corrupt_naming(it->status(), "bad-value")) << it->status().ToString();
    // The failure ends that positioning only: the same iterator seeks on cleanly.
    it->Seek("good");
    ASSERT_TRUE(it->Valid());
    EXPECT_OK(it->status());
    EXPECT_EQ(U64(7), it->value());
    // Bounds that leave the bad keys out read cleanly.
    ReadOptions bounded;
    bounded.iterate_lower_bound = "good";
    it = db_->NewIterator(bounded);
    int n = 0;
    for (it->SeekToLast(); it->Valid(); it->Prev()) n++;
    EXPECT_EQ(2, n);
    EXPECT_OK(it->status());
  };
  check("memtable");
  ASSERT_OK(db_->Flush());
  check("flushed");
  const uint64_t before = Entries();
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  check("compacted");
  // Only "good" and "only" could combine (one entry each); the bad keys keep theirs.
  EXPECT_EQ(2u + 2u + 2u, Entries()) << "before: " << before;
  std::string error;
  ASSERT_TRUE(db_->GetProperty("strata.background-error", &error));
  EXPECT_EQ("OK", error);
  ASSERT_NO_FATAL_FAILURE(Reopen());
  check("reopened");
  // A good value over the bad entries makes the key readable again.
  ASSERT_OK(db_->Put(WriteOptions(), "bad-value", U64(3)));
  ASSERT_OK(db_->Merge(WriteOptions(), "bad-value", U64(1)));
  EXPECT_EQ(U64(4), GetString(db_.get(), "bad-value"));
  ASSERT_OK(db_->Delete(WriteOptions(), "bad-operand"));
  ASSERT_OK(db_->Merge(WriteOptions(), "bad-operand", U64(9)));
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  EXPECT_EQ(U64(4), GetString(db_.get(), "bad-value"));
  EXPECT_EQ(U64(9), GetString(db_.get(), "bad-operand"));
  EXPECT_EQ(4u, Entries());
}

TEST_F(MergeTest, MergeWithoutAnOperatorIsRefusedAndWritesNothing) {
  options_.merge_operator = nullptr;
  Reopen();
  const uint64_t sequence = IntProperty(db_.get(), "strata.last-sequence");
  Status s = db_->Merge(WriteOptions(), "k", "1");
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find("merge operator")) << s.ToString();
  WriteBatch batch;
  batch.Put("a", "1");
  batch.Merge("k", "1");
  batch.Put("z", "1");
  s = db_->Write(WriteOptions(), &batch);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ(sequence, IntProperty(db_.get(), "strata.last-sequence"));
  EXPECT_EQ(0u, IntProperty(db_.get(), "strata.num-entries-active-mem-table"));
  EXPECT_EQ("NOT_FOUND", GetString(db_.get(), "a"));
  EXPECT_EQ("NOT_FOUND", GetString(db_.get(), "k"));
  ASSERT_OK(db_->Put(WriteOptions(), "after", "x"));  // the database still takes writes
  ASSERT_NO_FATAL_FAILURE(Reopen());
  KVMap all;
  ASSERT_OK(ScanAll(db_.get(), &all));
  EXPECT_EQ((KVMap{{"after", "x"}}), all);
}

TEST_F(MergeTest, TheRecordedOperatorMustBeGivenOnOpen) {
  Reopen();
  Merge("k", "1");
  db_.reset();
  auto refused = [&](std::shared_ptr<const MergeOperator> op, const std::string& given) {
    Options o = options_;
    o.merge_operator = std::move(op);
    Status s = TryOpen(o);
    EXPECT_TRUE(s.IsInvalidArgument()) << given << ": " << s.ToString();
    EXPECT_NE(std::string::npos, s.ToString().find("strata.StringAppend")) << s.ToString();
    EXPECT_NE(std::string::npos, s.ToString().find(given)) << s.ToString();
    std::unique_ptr<DB> read_only;
    s = DB::OpenForReadOnly(o, dir_.Child("db"), &read_only);
    EXPECT_TRUE(s.IsInvalidArgument()) << given << " (read-only): " << s.ToString();
  };
  refused(NewUInt64AddOperator(), "strata.UInt64Add");
  refused(nullptr, "none");
  refused(NewStringAppendOperator('|'), "strata.StringAppend.7c");
  // The same name, another instance: opens, and the operands read.
  options_.merge_operator = NewStringAppendOperator(',');
  ASSERT_NO_FATAL_FAILURE(Reopen());
  EXPECT_EQ("1", GetString(db_.get(), "k"));
  // The refusals changed nothing on disk: still refused after a clean open and close.
  db_.reset();
  refused(nullptr, "none");
}

TEST_F(MergeTest, ADatabaseWithoutAnOperatorMayGainOneAndThenKeepsIt) {
  options_.merge_operator = nullptr;
  Reopen();
  ASSERT_OK(db_->Put(WriteOptions(), "k", "v"));
  ASSERT_OK(db_->Flush());
  db_.reset();
  options_.merge_operator = NewUInt64AddOperator();  // any operator: none was recorded
  ASSERT_NO_FATAL_FAILURE(Reopen());
  db_.reset();
  options_.merge_operator = NewStringAppendOperator();  // the first open recorded UInt64Add
  Status s = TryOpen(options_);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  options_.merge_operator = nullptr;
  s = TryOpen(options_);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  options_.merge_operator = NewUInt64AddOperator();
  ASSERT_NO_FATAL_FAILURE(Reopen());
  ASSERT_OK(db_->Put(WriteOptions(), "n", U64(1)));
  ASSERT_OK(db_->Merge(WriteOptions(), "n", U64(2)));
  EXPECT_EQ(U64(3), GetString(db_.get(), "n"));
  EXPECT_EQ("v", GetString(db_.get(), "k"));
}

// The randomized model of tests/support/range_del_model.h with merges among its writes
// (more seeds and steps in tests/long/merge_model_long_test.cc).
class MergeModelTest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(MergeModelTest, MatchesModel) {
  TempDir dir;
  RangeDelModelOptions o;
  o.seed = GetParam();
  o.steps = 300;
  o.merge_percent = 30;
  RunRangeDelModel(dir.Child("db"), o);
}

INSTANTIATE_TEST_SUITE_P(Seeds, MergeModelTest, ::testing::Values(1, 2, 3, 4, 5, 6));

}  // namespace
}  // namespace strata::test
