#include "support/damage_battery.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <set>
#include <thread>

#include "db/write_batch_internal.h"
#include "sstable/block.h"
#include "sstable/format.h"
#include "strata/comparator.h"
#include "strata/db.h"
#include "strata/file_system.h"
#include "strata/merge_operator.h"
#include "support/in_memory_file.h"
#include "support/mem_file_system.h"
#include "util/escape.h"
#include "wal/log_format.h"
#include "wal/log_reader.h"
#include "wal/log_writer.h"

namespace strata::test {

namespace {

// Far above what any case needs (well under a second, a few under ASan): only a hang gets
// near it.
constexpr auto kCaseTimeLimit = std::chrono::seconds(120);
// Failures described in full; the rest are only counted, so one bug cannot bury the output.
constexpr int kFailuresShown = 25;

std::string Apply(const Damage& d, std::string bytes) {
  switch (d.kind) {
    case DamageKind::kFlip:
      bytes[d.offset] = static_cast<char>(bytes[d.offset] ^ d.mask);
      break;
    case DamageKind::kZero:
      std::fill(bytes.begin() + static_cast<ptrdiff_t>(d.offset),
                bytes.begin() + static_cast<ptrdiff_t>(std::min(d.offset + d.length, bytes.size())),
                '\0');
      break;
    case DamageKind::kTruncate:
      bytes.resize(d.offset);
      break;
  }
  return bytes;
}

std::string Show(const std::optional<std::string>& v) {
  if (!v) return "<absent>";
  std::string s = EscapeBytes(*v);
  if (s.size() > 40) s = s.substr(0, 40) + "...(" + std::to_string(v->size()) + " bytes)";
  return "\"" + s + "\"";
}

bool IsDamageStatus(const Status& s) { return s.IsCorruption() || s.IsIOError(); }

// The offsets where a table's blocks start and end (trailer included), and its footer.
std::vector<uint64_t> TableEdges(const std::string& name, const std::string& bytes) {
  std::vector<uint64_t> edges;
  if (bytes.size() < Footer::kEncodedLength) return edges;
  const uint64_t footer_at = bytes.size() - Footer::kEncodedLength;
  for (uint64_t i = footer_at; i < bytes.size(); i++) edges.push_back(i);
  Footer footer;
  if (!footer.DecodeFrom(std::string_view(bytes).substr(footer_at), name, footer_at).ok()) {
    ADD_FAILURE() << "pristine table " << name << " has a bad footer";
    return edges;
  }
  InMemoryRandomAccessFile file(bytes);
  std::vector<BlockHandle> handles = {footer.index, footer.metaindex};
  for (const BlockHandle index : {footer.index, footer.metaindex}) {
    BlockContents contents;
    Status s = ReadBlock(file, name, footer_at, index, true, &contents);
    if (!s.ok()) {
      ADD_FAILURE() << "pristine table " << name << ": " << s.ToString();
      return edges;
    }
    Block block(std::move(contents));
    BlockIter it(BytewiseComparator(), &block);
    for (it.SeekToFirst(); it.Valid(); it.Next()) {
      std::string_view value = it.value();
      BlockHandle h;
      if (h.DecodeFrom(&value)) handles.push_back(h);
    }
  }
  for (const BlockHandle& h : handles) {
    edges.push_back(h.offset);
    edges.push_back(h.offset + h.size);                      // the trailer's type byte
    edges.push_back(h.offset + h.size + kBlockTrailerSize);  // the next block
  }
  return edges;
}

}  // namespace

std::string Damage::Describe() const {
  std::string s = file;
  switch (kind) {
    case DamageKind::kFlip: {
      char mask_text[8];
      std::snprintf(mask_text, sizeof mask_text, "0x%02x", mask);
      s += ": byte " + std::to_string(offset) + " xor " + mask_text;
      break;
    }
    case DamageKind::kZero:
      s += ": " + std::to_string(length) + " bytes zeroed from " + std::to_string(offset);
      break;
    case DamageKind::kTruncate:
      s += ": cut to " + std::to_string(offset) + " bytes";
      break;
  }
  return s;
}

const char* WalRecoveryModeName(WalRecoveryMode mode) {
  switch (mode) {
    case WalRecoveryMode::kTolerateCorruptedTailRecords:
      return "tolerate-tail";
    case WalRecoveryMode::kAbsoluteConsistency:
      return "absolute";
    case WalRecoveryMode::kPointInTimeRecovery:
      return "point-in-time";
    case WalRecoveryMode::kSkipAnyCorruptedRecords:
      return "skip-any";
  }
  return "?";
}

const char* OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOpenCorruption:
      return "open:Corruption";
    case Outcome::kOpenIOError:
      return "open:IOError";
    case Outcome::kCorrect:
      return "correct";
    case Outcome::kDropped:
      return "dropped-as-documented";
    case Outcome::kReadError:
      return "read-error";
    case Outcome::kFailed:
      return "FAILED";
  }
  return "?";
}

// ---------------------------------------------------------------------------------------
// Watchdog: aborts the process, naming the case, if a case runs past its limit (a hang must
// fail loudly, not stall the run until ctest's timeout).

class DamageBattery::Watchdog {
 public:
  Watchdog() : thread_([this] { Loop(); }) {}
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void Arm(std::string what) {
    std::lock_guard<std::mutex> lock(mu_);
    what_ = std::move(what);
    deadline_ = std::chrono::steady_clock::now() + kCaseTimeLimit;
    armed_ = true;
    cv_.notify_all();
  }
  void Disarm() {
    std::lock_guard<std::mutex> lock(mu_);
    armed_ = false;
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      if (armed_ && std::chrono::steady_clock::now() >= deadline_) {
        std::fprintf(stderr, "damage battery: case still running after %lld s (hang?): %s\n",
                     static_cast<long long>(kCaseTimeLimit.count()), what_.c_str());
        std::fflush(stderr);
        std::abort();
      }
      if (armed_) {
        cv_.wait_until(lock, deadline_);
      } else {
        cv_.wait(lock);
      }
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool armed_ = false;
  std::string what_;
  std::chrono::steady_clock::time_point deadline_;
  std::thread thread_;  // last: starts after the members it reads
};

// ---------------------------------------------------------------------------------------
// Building the pristine database.

DamageBattery::DamageBattery(bool on_disk)
    : on_disk_(on_disk),
      path_(on_disk ? dir_.Child("db") : "/pristine"),
      watchdog_(std::make_unique<Watchdog>()) {
  options_.file_system = on_disk ? FileSystem::Default()
                                 : std::shared_ptr<FileSystem>(std::make_shared<MemFileSystem>());
  // Flushes and compactions are explicit, so the layout is the same on every run.
  options_.write_buffer_size = 4 << 20;
  options_.block_size = 1024;
  options_.target_file_size_base = 16 << 10;
  options_.level0_file_num_compaction_trigger = 8;
  options_.seek_compaction = false;  // the tree stays as built: reads of a copy compact nothing
  options_.paranoid_checks = true;   // tables are opened (and checked) by Open itself
  options_.merge_operator = NewStringAppendOperator(',');  // for the WAL records' merges
}

DamageBattery::~DamageBattery() = default;

namespace {

std::string BaseKey(int i) {
  std::string k = "b" + NumberKey(static_cast<uint64_t>(i), 5);
  if (i % 37 == 0) k += std::string("\x00\xff", 2);  // awkward bytes inside the keys
  return k;
}

std::string Value(Random* rnd, size_t size) {
  if (rnd->OneIn(2)) return RandomBytes(rnd, size);
  return std::string(size, static_cast<char>('a' + rnd->Uniform(26)));  // compressible
}

// What the battery's merge operator (string append with ',') makes of an operand on a value.
std::string MergedValue(const std::string& base, const std::string& operand) {
  return base + "," + operand;
}

// (A template: DamageBattery::Op is private, a deduced type is not.)
template <typename Op>
void AddOp(WriteBatch* batch, const Op& op) {
  if (op.merge) {
    batch->Merge(op.key, *op.value);
  } else if (op.value) {
    batch->Put(op.key, *op.value);
  } else {
    batch->Delete(op.key);
  }
}

// Writes a batch through the DB and keeps the model in step.
void WriteOps(DB* db, const std::vector<std::pair<std::string, std::optional<std::string>>>& ops,
              std::map<std::string, std::string>* model, std::set<std::string>* all_keys) {
  WriteBatch batch;
  for (const auto& [k, v] : ops) {
    all_keys->insert(k);
    if (v) {
      batch.Put(k, *v);
      (*model)[k] = *v;
    } else {
      batch.Delete(k);
      model->erase(k);
    }
  }
  ASSERT_OK(db->Write(WriteOptions(), &batch));
}

}  // namespace

std::vector<DamageBattery::Op> DamageBattery::MakeWalOps(
    Random* rnd, size_t record, std::vector<std::string>* unused_base,
    std::map<std::string, std::string>* model) {
  // Every key a record writes is written by no other record, so which records a recovery
  // kept can be read back key by key; and each changes what the tables hold.
  std::vector<Op> ops;
  const int fresh = 1 + static_cast<int>(rnd->Uniform(3));
  for (int i = 0; i < fresh; i++) {
    std::string key = "w" + NumberKey(record, 3) + "-" + std::to_string(i);
    // Every ninth record is large enough to span log blocks.
    size_t size = (record % 9 == 4 && i == 0) ? 9000 + rnd->Uniform(30000) : 10 + rnd->Uniform(90);
    ops.push_back({key, Value(rnd, size)});
  }
  const int changed = static_cast<int>(rnd->Uniform(4));
  for (int i = 0; i < changed && !unused_base->empty(); i++) {
    std::string key = unused_base->back();
    unused_base->pop_back();
    const uint64_t what = rnd->Uniform(6);
    if (what < 2) {
      ops.push_back({key, std::nullopt});
    } else if (what < 4) {
      ops.push_back({key, "wal#" + Value(rnd, 5 + rnd->Uniform(60))});
    } else {
      // An operand onto what the tables hold (or onto nothing, for a deleted key).
      ops.push_back({key, "op#" + Value(rnd, 5 + rnd->Uniform(60)), /*merge=*/true});
    }
  }
  for (const Op& op : ops) {
    if (op.merge) {
      auto [it, inserted] = model->try_emplace(op.key, *op.value);
      if (!inserted) it->second = MergedValue(it->second, *op.value);
    } else if (op.value) {
      (*model)[op.key] = *op.value;
    } else {
      model->erase(op.key);
    }
  }
  return ops;
}

void DamageBattery::Build() {
  Options o = options_;
  o.create_if_missing = true;
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(o, path_, &db));
  Random rnd(20261124);
  std::map<std::string, std::string> model;
  std::set<std::string> all_keys;
  using Ops = std::vector<std::pair<std::string, std::optional<std::string>>>;

  // L1: 1,000 keys flushed in four tables, then compacted.
  for (int i = 0, next_flush = 250; i < 1000;) {
    Ops ops;
    for (int n = 1 + static_cast<int>(rnd.Uniform(4)); n > 0 && i < 1000; n--, i++) {
      ops.emplace_back(BaseKey(i), Value(&rnd, 20 + rnd.Uniform(180)));
    }
    ASSERT_NO_FATAL_FAILURE(WriteOps(db.get(), ops, &model, &all_keys));
    if (i >= next_flush) {
      ASSERT_OK(db->Flush());
      next_flush += 250;
    }
  }
  ASSERT_OK(db->CompactRange(nullptr, nullptr));

  // L0: two tables of overwrites, deletions, range deletions and new keys across the whole
  // key range (the first and last keys included, so that compacting L0 rewrites every L1
  // table).
  int next_new = 1000;
  for (int round = 0; round < 2; round++) {
    Ops edge = {{BaseKey(0), Value(&rnd, 50)}, {BaseKey(999), Value(&rnd, 50)}};
    ASSERT_NO_FATAL_FAILURE(WriteOps(db.get(), edge, &model, &all_keys));
    for (int n = 0; n < 60; n++) {
      Ops ops;
      for (int m = 1 + static_cast<int>(rnd.Uniform(4)); m > 0; m--) {
        const uint64_t what = rnd.Uniform(10);
        if (what < 6) {
          ops.emplace_back(BaseKey(static_cast<int>(rnd.Uniform(1000))),
                           Value(&rnd, 20 + rnd.Uniform(180)));
        } else if (what < 8) {
          ops.emplace_back(BaseKey(static_cast<int>(rnd.Uniform(1000))), std::nullopt);
        } else {
          ops.emplace_back(BaseKey(next_new++), Value(&rnd, 20 + rnd.Uniform(180)));
        }
      }
      ASSERT_NO_FATAL_FAILURE(WriteOps(db.get(), ops, &model, &all_keys));
      if (n % 20 == 10) {
        // A range deletion of a few keys: the L0 tables carry range tombstone blocks, which
        // the battery damages like any other block.
        const int from = static_cast<int>(rnd.Uniform(990));
        const std::string begin = BaseKey(from), end = BaseKey(from + 1 + rnd.Uniform(8));
        ASSERT_OK(db->DeleteRange(WriteOptions(), begin, end));
        model.erase(model.lower_bound(begin), model.lower_bound(end));
      }
    }
    ASSERT_OK(db->Flush());
  }
  const std::map<std::string, std::string> base = model;

  // The logs: 36 records written through the DB (its live log), then a newer log of 6
  // records written by hand, as a crash leaves one while a full memtable awaits its flush.
  std::vector<std::string> unused_base;
  for (const auto& [k, v] : base) unused_base.push_back(k);
  for (size_t i = unused_base.size(); i > 1; i--)
    std::swap(unused_base[i - 1], unused_base[rnd.Uniform(i)]);
  uint64_t last_sequence = 0;
  ASSERT_TRUE(db->GetIntProperty("strata.last-sequence", &last_sequence));
  const uint64_t first_in_log = last_sequence + 1;
  for (size_t r = 0; r < 36; r++) {
    WalRecord rec;
    rec.ops = MakeWalOps(&rnd, records_.size(), &unused_base, &model);
    WriteBatch batch;
    for (const Op& op : rec.ops) AddOp(&batch, op);
    ASSERT_OK(db->Write(WriteOptions(), &batch));
    records_.push_back(std::move(rec));
  }
  uint64_t l0 = 0, l1 = 0;
  ASSERT_TRUE(db->GetIntProperty("strata.num-files-at-level0", &l0));
  ASSERT_TRUE(db->GetIntProperty("strata.num-files-at-level1", &l1));
  ASSERT_EQ(2u, l0);
  ASSERT_GE(l1, 3u);
  db.reset();

  FileSystem* fs = options_.file_system.get();
  std::vector<std::string> names;
  ASSERT_OK(fs->GetChildren(path_, &names));
  std::sort(names.begin(), names.end());  // six-digit numbers: by name is by number
  uint64_t max_number = 0;
  logs_.clear();
  for (const std::string& n : names) {
    uint64_t number;
    FileType type;
    if (!ParseFileName(n, &number, &type)) continue;
    max_number = std::max(max_number, number);
    if (type == FileType::kLog) logs_.push_back(n);
  }
  ASSERT_EQ(1u, logs_.size()) << "the workload should leave one live log";
  ASSERT_NO_FATAL_FAILURE(LocateRecords(0, 0, first_in_log));
  {
    const uint64_t number = max_number + 1;
    std::unique_ptr<WritableFile> file;
    ASSERT_OK(fs->NewWritableFile(LogFileName(path_, number), &file));
    LogWriter writer(std::move(file));
    uint64_t seq = first_in_log;
    for (const WalRecord& r : records_) seq += r.ops.size();
    const uint64_t first_in_newer = seq;
    const size_t first_record = records_.size();
    for (size_t r = 0; r < 6; r++) {
      WalRecord rec;
      if (r == 5) {  // a small last record: every byte of it is damaged
        rec.ops = {{"w" + NumberKey(records_.size(), 3) + "-tail", "tail"}};
        model[rec.ops[0].key] = "tail";
      } else {
        rec.ops = MakeWalOps(&rnd, records_.size(), &unused_base, &model);
      }
      WriteBatch batch;
      for (const Op& op : rec.ops) AddOp(&batch, op);
      WriteBatchInternal::SetSequence(&batch, seq);
      seq += rec.ops.size();
      ASSERT_OK(writer.AddRecord(WriteBatchInternal::Contents(batch)));
      records_.push_back(std::move(rec));
    }
    ASSERT_OK(writer.Close());
    logs_.push_back(LogFileName("", number).substr(1));
    ASSERT_NO_FATAL_FAILURE(LocateRecords(1, first_record, first_in_newer));
  }

  // Every key, with what the tables hold and what its WAL record (if any) writes.
  std::map<std::string, KeyInfo> info;
  for (const std::string& k : all_keys) info[k].key = k;
  for (const auto& [k, v] : base) info[k].base = v;
  for (size_t r = 0; r < records_.size(); r++) {
    for (const Op& op : records_[r].ops) {
      KeyInfo& ki = info[op.key];
      ki.key = op.key;
      ASSERT_EQ(-1, ki.record) << "a key written by two WAL records";
      ki.record = static_cast<int>(r);
      ki.wal = op.value;
      if (op.merge && ki.base) ki.wal = MergedValue(*ki.base, *op.value);
      ASSERT_NE(ki.base, ki.wal) << "a WAL record that changes nothing";
    }
  }
  keys_.clear();
  for (auto& [k, ki] : info) keys_.push_back(std::move(ki));

  // The expectations agree with the model kept while writing...
  for (const KeyInfo& ki : keys_) {
    auto it = model.find(ki.key);
    ASSERT_EQ(it == model.end() ? std::nullopt : std::optional<std::string>(it->second),
              ki.record >= 0 ? ki.wal : ki.base);
  }
  ASSERT_NO_FATAL_FAILURE(LoadPristine());
  // ... and an undamaged copy passes every check, with every record recovered.
  ASSERT_EQ(Outcome::kCorrect, RunIntact());
  ASSERT_EQ(0, failures_);
}

void DamageBattery::LocateRecords(size_t log_index, size_t first_record, uint64_t first_sequence) {
  class Counter final : public LogReader::Reporter {
   public:
    void Corruption(const LogCorruption&) override { reports++; }
    int reports = 0;
  } counter;
  std::unique_ptr<SequentialFile> file;
  ASSERT_OK(options_.file_system->NewSequentialFile(path_ + "/" + logs_[log_index], &file));
  LogReader reader(std::move(file), &counter);
  std::string scratch;
  std::string_view record;
  size_t r = first_record;
  uint64_t seq = first_sequence;
  while (reader.ReadRecord(&record, &scratch)) {
    ASSERT_LT(r, records_.size()) << logs_[log_index] << " holds more records than written";
    WriteBatch batch;
    ASSERT_OK(WriteBatchInternal::SetContents(&batch, record));
    ASSERT_EQ(seq, WriteBatchInternal::Sequence(batch));
    WriteBatch expected;
    for (const Op& op : records_[r].ops) AddOp(&expected, op);
    ASSERT_EQ(expected.Data().substr(8), record.substr(8)) << "record " << r;
    seq += records_[r].ops.size();
    records_[r].log = log_index;
    records_[r].first_fragment = reader.LastRecordOffset();
    records_[r].end = reader.LastRecordEnd();
    r++;
  }
  ASSERT_EQ(0, counter.reports);
  ASSERT_EQ(records_.size(), r) << logs_[log_index] << " lacks records";
}

void DamageBattery::LoadPristine() {
  FileSystem* fs = options_.file_system.get();
  std::vector<std::string> names;
  ASSERT_OK(fs->GetChildren(path_, &names));
  for (const std::string& n : names) {
    uint64_t number;
    FileType type;
    if (!ParseFileName(n, &number, &type) || type == FileType::kLock) continue;
    ASSERT_OK(ReadFileToString(fs, path_ + "/" + n, &pristine_[n]));
  }
}

std::vector<std::string> DamageBattery::Files(FileType wanted) const {
  std::vector<std::pair<uint64_t, std::string>> found;
  for (const auto& [name, bytes] : pristine_) {
    uint64_t number;
    FileType type;
    if (ParseFileName(name, &number, &type) && type == wanted) found.emplace_back(number, name);
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> names;
  for (auto& [number, name] : found) names.push_back(name);
  return names;
}

int DamageBattery::Count(const std::string& label, Outcome outcome) const {
  auto it = tallies_.find(label);
  return it == tallies_.end() ? 0 : it->second[static_cast<int>(outcome)];
}

int DamageBattery::cases() const {
  int n = 0;
  for (const auto& [label, counts] : tallies_) {
    for (int c : counts) n += c;
  }
  return n;
}

// ---------------------------------------------------------------------------------------
// Where to damage, and what is allowed to come of it.

std::vector<uint64_t> DamageBattery::Positions(const std::string& file,
                                               const Density& density) const {
  const std::string& bytes = pristine_.at(file);
  const uint64_t size = bytes.size();
  uint64_t number;
  FileType type;
  if (!ParseFileName(file, &number, &type) || size == 0) return {};
  std::set<uint64_t> positions;
  if (type == FileType::kInfoLog) {
    // Only human-readable events: a token sample shows its damage does not matter.
    positions = {0, size / 2, size - 1};
  } else if (size <= density.every_byte_up_to) {
    for (uint64_t p = 0; p < size; p++) positions.insert(p);
  } else {
    std::vector<uint64_t> edges;
    if (type == FileType::kTable) edges = TableEdges(file, bytes);
    if (type == FileType::kLog) {
      const size_t log = std::find(logs_.begin(), logs_.end(), file) - logs_.begin();
      const WalRecord* last = nullptr;
      for (const WalRecord& r : records_) {
        if (r.log != log) continue;
        edges.push_back(r.first_fragment);
        edges.push_back(r.first_fragment + kLogHeaderSize);
        edges.push_back(r.end);
        last = &r;
      }
      for (uint64_t b = kLogBlockSize; b < size; b += kLogBlockSize) edges.push_back(b);
      // The last record of the last log: where a torn write is legitimately dropped.
      if (last != nullptr && log + 1 == logs_.size() && last->end - last->first_fragment < 512) {
        for (uint64_t p = last->first_fragment; p < last->end; p++) positions.insert(p);
      }
    }
    const uint64_t r = density.edge_radius;
    for (uint64_t e : edges) {
      for (uint64_t p = e > r ? e - r : 0; p <= e + r && p < size; p++) positions.insert(p);
    }
    Random rnd(size * 1000003 + number);
    for (int i = 0; i < density.random_positions; i++) positions.insert(rnd.Uniform(size));
  }
  return {positions.begin(), positions.end()};
}

struct DamageBattery::Rule {
  bool may_fail = true;  // Open may refuse, with Corruption or IOError
  bool may_open = true;  // Open may succeed
  // If it opens: which WAL records the recovered state may hold (one entry per record).
  std::vector<std::vector<bool>> allowed;
  bool read_errors = false;  // reads may report Corruption/IOError (a table is damaged)
  std::string why;           // the rule in words, for failure messages
};

DamageBattery::Rule DamageBattery::RuleFor(const Damage& damage, const std::string& damaged,
                                           WalRecoveryMode mode) const {
  uint64_t number;
  FileType type = FileType::kTemp;
  ParseFileName(damage.file, &number, &type);
  if (type == FileType::kLog) return WalRule(damage, damaged, mode);
  Rule rule;
  rule.allowed = {std::vector<bool>(records_.size(), true)};
  switch (type) {
    case FileType::kTable:
      // Open reads no table; reads of the damaged one fail, the rest stay right.
      rule.read_errors = true;
      rule.why = "damage in a table: reads of it fail, nothing is silently lost";
      break;
    case FileType::kInfoLog:
      rule.may_fail = false;
      rule.why = "LOG is only human-readable events: its damage must not matter";
      break;
    default:
      rule.why = "damage in " + damage.file + ": refused at Open or harmless, never lost data";
      break;
  }
  return rule;
}

// What each recovery mode promises for damage in a write-ahead log (options.h,
// docs/DURABILITY.md). "Before the damage" means the records wholly before its first changed
// byte. A torn tail (a cut, zeros to the end, or a bad length in the very last fragment) is
// tolerated in the last log; in the older one too, since the newer log (written by hand, as
// a switch that parked the older log unsynced leaves it) holds no sync marker: the hole
// after the older log's tail is then what a power loss leaves, and tolerate-tail drops the
// newer log with it.
DamageBattery::Rule DamageBattery::WalRule(const Damage& damage, const std::string& damaged,
                                           WalRecoveryMode mode) const {
  const std::string& original = pristine_.at(damage.file);
  const size_t log = std::find(logs_.begin(), logs_.end(), damage.file) - logs_.begin();
  const bool last_log = log + 1 == logs_.size();
  const bool cut = damage.kind == DamageKind::kTruncate;

  uint64_t first = damage.offset, last = original.size() - 1;
  if (!cut) {
    while (first < damaged.size() && damaged[first] == original[first]) first++;
    last = damaged.size() - 1;
    while (last > first && damaged[last] == original[last]) last--;
  }
  const bool zeros_to_end =
      damage.kind == DamageKind::kZero && damage.offset + damage.length >= original.size();
  const uint64_t damaged_block_end = (last / kLogBlockSize + 1) * kLogBlockSize;

  size_t first_hit = records_.size();  // the first record the damage reaches
  size_t last_in_log = 0;
  bool clean_cut = cut && first == 0;
  std::vector<bool> skip(records_.size(), true);
  for (size_t i = 0; i < records_.size(); i++) {
    const WalRecord& r = records_[i];
    if (r.log != log) continue;
    last_in_log = i;
    if (cut && r.end == first) clean_cut = true;
    if (r.end > first) {
      first_hit = std::min(first_hit, i);
      // The reader resumes at the next block: records starting there survive skip-any.
      if (cut || r.first_fragment < damaged_block_end) skip[i] = false;
    }
  }
  std::vector<bool> prefix(records_.size(), false);
  for (size_t i = 0; i < first_hit; i++) prefix[i] = true;
  // The reader's rule 6 (wal/log_reader.cc): damage followed by no intact record is a write
  // cut short, since a torn copy into the mapped log, or a power loss that kept later
  // unsynced pages and lost earlier ones, leaves exactly that. So damage that reaches into
  // the last record (nothing intact after it) may pass as a torn tail wherever it starts.
  const bool reaches_last_record =
      first_hit <= last_in_log && last >= records_[last_in_log].first_fragment;
  const bool torn_tail_possible =
      cut || zeros_to_end || first_hit == last_in_log || reaches_last_record;

  Rule rule;
  switch (mode) {
    case WalRecoveryMode::kAbsoluteConsistency:
      rule.why = "absolute consistency refuses any damage";
      if (cut && clean_cut && last_log) {
        // A cut between records of the last log is indistinguishable from writes that
        // never happened.
        rule.may_fail = false;
        rule.allowed = {prefix};
        rule.why = "a cut between records of the last log is a clean shorter log";
      } else {
        rule.may_open = false;
      }
      break;
    case WalRecoveryMode::kTolerateCorruptedTailRecords:
      if (cut) {
        rule.may_fail = false;
        rule.allowed = {prefix};
        rule.why = last_log ? "tolerate-tail drops a torn tail of the last log, keeping "
                              "everything before"
                            : "tolerate-tail: an older log cut short, with no sync marker "
                              "after it, ends the history there (unsynced writes lost)";
      } else if (torn_tail_possible) {
        rule.allowed = {prefix};
        rule.why = "tolerate-tail: damage at the end of a log may pass as a torn tail";
      } else {
        rule.may_open = false;
        rule.why = "tolerate-tail refuses damage that is not a torn tail";
      }
      break;
    case WalRecoveryMode::kPointInTimeRecovery:
      rule.may_fail = false;
      rule.allowed = {prefix};
      rule.why = "point-in-time keeps exactly the records before the damage";
      break;
    case WalRecoveryMode::kSkipAnyCorruptedRecords:
      rule.may_fail = false;
      rule.allowed = {skip};
      rule.why = "skip-any keeps every record the damage does not reach";
      break;
  }
  return rule;
}

std::string DamageBattery::Label(const std::string& file, WalRecoveryMode mode) const {
  uint64_t number;
  FileType type = FileType::kTemp;
  ParseFileName(file, &number, &type);
  switch (type) {
    case FileType::kLog:
      return std::string(file == logs_.back() ? "wal/last " : "wal/older ") +
             WalRecoveryModeName(mode);
    case FileType::kTable:
      return "sst";
    case FileType::kManifest:
      return "MANIFEST";
    case FileType::kCurrent:
      return "CURRENT";
    case FileType::kInfoLog:
      return "LOG";
    default:
      return file;
  }
}

// ---------------------------------------------------------------------------------------
// One case: a copy with the damage, opened and read every way.

class DamageBattery::Case {
 public:
  Case(DamageBattery* battery, const Damage& damage, WalRecoveryMode mode, Rule rule)
      : b_(battery),
        mode_(mode),
        rule_(std::move(rule)),
        what_(damage.Describe() + ", " + WalRecoveryModeName(mode)) {}

  Outcome Run(const std::string& file, const std::string& damaged) {
    std::optional<TempDir> dir;
    Options options = b_->options_;
    options.wal_recovery_mode = mode_;
    std::string path = "/db";
    if (b_->on_disk_) {
      dir.emplace();
      path = dir->Child("db");
    } else {
      options.file_system = std::make_shared<MemFileSystem>();
    }
    FileSystem* fs = options.file_system.get();
    Status s = fs->CreateDir(path);
    for (const auto& [name, bytes] : b_->pristine_) {
      if (s.ok())
        s = WriteStringToFile(fs, name == file ? damaged : bytes, path + "/" + name, false);
    }
    if (!s.ok()) {
      Fail("copying the database: " + s.ToString());
      return Outcome::kFailed;
    }
    b_->watchdog_->Arm(what_);
    Outcome outcome = Check(options, path);
    b_->watchdog_->Disarm();
    return failed_ ? Outcome::kFailed : outcome;
  }

 private:
  struct Read {
    Status error;  // a status other than OK and NotFound
    std::optional<std::string> value;
  };
  // For each key (as keys_), the results a read may give.
  using Expectation = std::vector<std::vector<std::optional<std::string>>>;

  void Fail(const std::string& msg) {
    if (!failed_ && ++b_->failures_ <= kFailuresShown) {
      ADD_FAILURE() << what_ << ": " << msg << "\n  (" << rule_.why << ")";
    }
    failed_ = true;
  }

  Outcome Check(Options options, const std::string& path) {
    std::unique_ptr<DB> db;
    Status s = DB::Open(options, path, &db);
    if (!s.ok()) {
      if (!IsDamageStatus(s)) {
        Fail("Open returned " + s.ToString() + ", not Corruption or IOError");
      } else if (!rule_.may_fail) {
        Fail("Open refused: " + s.ToString());
      }
      return s.IsIOError() ? Outcome::kOpenIOError : Outcome::kOpenCorruption;
    }
    if (!rule_.may_open) Fail("Open succeeded; this damage must be refused in this mode");

    bool errors_ok = rule_.read_errors;
    std::vector<Read> reads = GetAll(db.get());
    std::vector<int> applied = Infer(reads);
    CheckApplied(applied);
    const Expectation expect = Expect(applied);
    CheckReads(reads, expect, errors_ok, "after Open");
    CheckScan(db.get(), expect, errors_ok, true, "after Open");
    CheckScan(db.get(), expect, errors_ok, false, "after Open");

    s = db->CompactRange(nullptr, nullptr);
    if (!s.ok()) {
      saw_error_ = true;
      if (!IsDamageStatus(s) || !errors_ok) Fail("CompactRange returned " + s.ToString());
    } else {
      // Everything was read back and rewritten: no damaged byte can remain in the read path.
      errors_ok = false;
    }
    CheckReads(GetAll(db.get()), expect, errors_ok, "after CompactRange");
    CheckScan(db.get(), expect, errors_ok, true, "after CompactRange");
    CheckScan(db.get(), expect, errors_ok, false, "after CompactRange");
    db.reset();

    // The recovered state stands on its own: even the strictest mode reopens it unchanged.
    options.wal_recovery_mode = WalRecoveryMode::kAbsoluteConsistency;
    s = DB::Open(options, path, &db);
    if (!s.ok()) {
      Fail("reopening the recovered database failed: " + s.ToString());
    } else {
      CheckReads(GetAll(db.get()), expect, errors_ok, "after reopen");
      CheckScan(db.get(), expect, errors_ok, true, "after reopen");
    }
    if (saw_error_) return Outcome::kReadError;
    for (int a : applied) {
      if (a != 1) return Outcome::kDropped;
    }
    return Outcome::kCorrect;
  }

  std::vector<Read> GetAll(DB* db) {
    std::vector<Read> reads(b_->keys_.size());
    for (size_t i = 0; i < reads.size(); i++) {
      std::string value;
      Status s = db->Get(ReadOptions(), b_->keys_[i].key, &value);
      if (s.ok()) {
        reads[i].value = std::move(value);
      } else if (!s.IsNotFound()) {
        reads[i].error = s;
      }
    }
    return reads;
  }

  // Which WAL records the reads show: 1 applied, 0 not, -1 unknown (every read failed).
  std::vector<int> Infer(const std::vector<Read>& reads) {
    std::vector<int> applied(b_->records_.size(), -1);
    for (size_t i = 0; i < reads.size(); i++) {
      const KeyInfo& ki = b_->keys_[i];
      if (ki.record < 0 || !reads[i].error.ok()) continue;
      int vote = reads[i].value == ki.wal ? 1 : reads[i].value == ki.base ? 0 : -1;
      if (vote < 0) continue;  // a wrong value: CheckReads reports it
      int& a = applied[ki.record];
      if (a >= 0 && a != vote) {
        Fail("WAL record " + std::to_string(ki.record) + " is only partly recovered (key " +
             EscapeBytes(ki.key) + ")");
      }
      a = vote;
    }
    return applied;
  }

  void CheckApplied(const std::vector<int>& applied) {
    for (const std::vector<bool>& allowed : rule_.allowed) {
      bool match = true;
      for (size_t r = 0; r < applied.size() && match; r++) {
        match = applied[r] < 0 || applied[r] == static_cast<int>(allowed[r]);
      }
      if (match) return;
    }
    auto show = [](auto& v) {
      std::string s;
      for (auto x : v) s += static_cast<int>(x) < 0 ? '?' : x ? '1' : '0';
      return s;
    };
    std::string msg = "recovered WAL records " + show(applied) + ", expected";
    for (const std::vector<bool>& allowed : rule_.allowed) msg += " " + show(allowed);
    Fail(msg);
  }

  Expectation Expect(const std::vector<int>& applied) const {
    Expectation e(b_->keys_.size());
    for (size_t i = 0; i < e.size(); i++) {
      const KeyInfo& ki = b_->keys_[i];
      const int a = ki.record < 0 ? 0 : applied[ki.record];
      if (a != 0) e[i].push_back(ki.wal);
      if (a != 1) e[i].push_back(ki.base);
    }
    return e;
  }

  static bool Accepts(const std::vector<std::optional<std::string>>& ok,
                      const std::optional<std::string>& v) {
    return std::find(ok.begin(), ok.end(), v) != ok.end();
  }

  void NoteError(const Status& s, bool errors_ok, const std::string& what) {
    saw_error_ = true;
    if (!IsDamageStatus(s)) {
      Fail(what + " returned " + s.ToString() + ", not Corruption or IOError");
    } else if (!errors_ok) {
      Fail(what + " failed where nothing damaged should be read: " + s.ToString());
    }
  }

  void CheckReads(const std::vector<Read>& reads, const Expectation& expect, bool errors_ok,
                  const char* when) {
    for (size_t i = 0; i < reads.size() && !failed_; i++) {
      const std::string key = EscapeBytes(b_->keys_[i].key);
      if (!reads[i].error.ok()) {
        NoteError(reads[i].error, errors_ok, std::string("Get(") + key + ") " + when);
      } else if (!Accepts(expect[i], reads[i].value)) {
        Fail(std::string("Get(") + key + ") " + when + " gave " + Show(reads[i].value) +
             ", expected " + Show(expect[i][0]) + (expect[i].size() > 1 ? " or another" : ""));
      }
    }
  }

  // A scan must show exactly the expected keys in order, or stop early with an error
  // status after showing a correct prefix of them.
  void CheckScan(DB* db, const Expectation& expect, bool errors_ok, bool forward,
                 const char* when) {
    const std::vector<KeyInfo>& keys = b_->keys_;
    const std::string what = std::string(forward ? "forward" : "backward") + " scan " + when;
    std::unique_ptr<Iterator> it = db->NewIterator(ReadOptions());
    std::vector<std::pair<std::string, std::string>> got;
    forward ? it->SeekToFirst() : it->SeekToLast();
    while (it->Valid() && got.size() <= keys.size()) {
      got.emplace_back(it->key(), it->value());
      forward ? it->Next() : it->Prev();
    }
    const Status status = it->status();
    it.reset();
    if (!status.ok()) NoteError(status, errors_ok, what);
    size_t g = 0;
    for (size_t n = 0; n < keys.size() && !failed_; n++) {
      const size_t i = forward ? n : keys.size() - 1 - n;
      if (g < got.size() && got[g].first == keys[i].key) {
        if (!Accepts(expect[i], got[g].second)) {
          Fail(what + ": " + EscapeBytes(keys[i].key) + " has " + Show(got[g].second) +
               ", expected " + Show(expect[i][0]));
        }
        g++;
      } else if (g == got.size() && !status.ok()) {
        return;  // stopped at the error: the rest was not read
      } else if (!Accepts(expect[i], std::nullopt)) {
        Fail(what + " passed over " + EscapeBytes(keys[i].key) + " (expected " +
             Show(expect[i][0]) + ")");
      }
    }
    if (g < got.size() && !failed_) {
      Fail(what + " returned " + EscapeBytes(got[g].first) +
           ", a key out of order or never written");
    }
  }

  DamageBattery* const b_;
  const WalRecoveryMode mode_;
  const Rule rule_;
  const std::string what_;
  bool failed_ = false;
  bool saw_error_ = false;
};

Outcome DamageBattery::RunIntact() {
  Rule rule;
  rule.may_fail = false;
  rule.allowed = {std::vector<bool>(records_.size(), true)};
  rule.why = "an undamaged copy reads back whole in the strictest mode";
  Damage none;
  none.file = "(none)";
  return Case(this, none, WalRecoveryMode::kAbsoluteConsistency, std::move(rule)).Run("", "");
}

std::optional<Outcome> DamageBattery::RunCase(const Damage& damage, WalRecoveryMode mode) {
  const std::string& original = pristine_.at(damage.file);
  std::string damaged = Apply(damage, original);
  if (damaged == original) return std::nullopt;
  Case c(this, damage, mode, RuleFor(damage, damaged, mode));
  const Outcome outcome = c.Run(damage.file, damaged);
  tallies_[Label(damage.file, mode)][static_cast<int>(outcome)]++;
  return outcome;
}

int DamageBattery::DamageFile(const std::string& file, const Density& density,
                              const std::vector<WalRecoveryMode>& modes) {
  const std::vector<uint64_t> positions = Positions(file, density);
  const uint64_t size = pristine_.at(file).size();
  int cases = 0;
  for (size_t i = 0; i < positions.size(); i++) {
    for (int k = 0; k < 3; k++) {
      if ((i + static_cast<size_t>(k)) % static_cast<size_t>(density.stride) != 0) continue;
      Damage d;
      d.file = file;
      d.kind = static_cast<DamageKind>(k);
      d.offset = positions[i];
      Random rnd(positions[i] * 7919 + size * 31 + static_cast<uint64_t>(k));
      rnd.Next();
      if (d.kind == DamageKind::kFlip) d.mask = static_cast<uint8_t>(1 + rnd.Uniform(255));
      if (d.kind == DamageKind::kZero) {
        switch (rnd.Uniform(3)) {
          case 0:
            d.length = 1 + rnd.Uniform(8);
            break;
          case 1:
            d.length = 9 + rnd.Uniform(400);
            break;
          default:
            d.length = size - d.offset;  // zeros to the end, like never-written space
            break;
        }
      }
      for (WalRecoveryMode mode : modes) {
        if (RunCase(d, mode)) cases++;
      }
    }
  }
  return cases;
}

void DamageBattery::PrintTallies(std::ostream& out) const {
  char line[256];
  std::snprintf(line, sizeof line, "%-26s %7s", "damaged file / mode", "cases");
  out << line;
  for (int o = 0; o < kNumOutcomes; o++) {
    std::snprintf(line, sizeof line, " %*s", o == 3 ? 22 : 16,
                  OutcomeName(static_cast<Outcome>(o)));
    out << line;
  }
  out << "\n";
  for (const auto& [label, counts] : tallies_) {
    int total = 0;
    for (int c : counts) total += c;
    std::snprintf(line, sizeof line, "%-26s %7d", label.c_str(), total);
    out << line;
    for (int o = 0; o < kNumOutcomes; o++) {
      std::snprintf(line, sizeof line, " %*d", o == 3 ? 22 : 16, counts[o]);
      out << line;
    }
    out << "\n";
  }
}

}  // namespace strata::test
