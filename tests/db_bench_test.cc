// db_bench: flag parsing, every benchmark on a tiny database with every engine built in, the
// JSON file read back, and the pieces the workloads are made of (keys, values, histogram).
#include <gflags/gflags.h>
#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "bench/db_bench_data.h"
#include "bench/db_bench_engine.h"
#include "bench/db_bench_flags.h"
#include "bench/db_bench_runner.h"
#include "strata/options.h"
#include "support/test_util.h"
#include "util/coding.h"
#include "util/histogram.h"

namespace strata::bench {
namespace {

// ---- a minimal JSON reader, enough to read db_bench's file back ----

struct Json;
using JsonObject = std::map<std::string, Json>;
using JsonArray = std::vector<Json>;
struct Json {
  std::variant<std::nullptr_t, bool, double, std::string, JsonArray, JsonObject> v;
  const Json& operator[](const std::string& key) const { return std::get<JsonObject>(v).at(key); }
  const Json& operator[](size_t i) const { return std::get<JsonArray>(v).at(i); }
  bool Has(const std::string& key) const { return std::get<JsonObject>(v).count(key) > 0; }
  size_t size() const { return std::get<JsonArray>(v).size(); }
  double num() const { return std::get<double>(v); }
  const std::string& str() const { return std::get<std::string>(v); }
  bool boolean() const { return std::get<bool>(v); }
};

class JsonParser {
 public:
  explicit JsonParser(std::string_view text) : s_(text) {}
  // Parses one value and requires nothing but whitespace after it.
  bool Parse(Json* out) {
    if (!Value(out)) return false;
    Space();
    return i_ == s_.size();
  }

 private:
  void Space() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) i_++;
  }
  bool Eat(char c) {
    Space();
    if (i_ < s_.size() && s_[i_] == c) {
      i_++;
      return true;
    }
    return false;
  }
  bool Literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }
  bool String(std::string* out) {
    if (!Eat('"')) return false;
    while (i_ < s_.size() && s_[i_] != '"') {
      char c = s_[i_++];
      if (c == '\\') {
        if (i_ >= s_.size()) return false;
        char e = s_[i_++];
        if (e == 'n')
          c = '\n';
        else if (e == 't')
          c = '\t';
        else if (e == 'r')
          c = '\r';
        else if (e == 'u') {
          if (i_ + 4 > s_.size()) return false;
          c = static_cast<char>(std::stoi(std::string(s_.substr(i_, 4)), nullptr, 16));
          i_ += 4;
        } else {
          c = e;
        }
      }
      out->push_back(c);
    }
    return Eat('"');
  }
  bool Value(Json* out) {
    Space();
    if (i_ >= s_.size()) return false;
    const char c = s_[i_];
    if (c == '{') {
      i_++;
      JsonObject object;
      if (!Eat('}')) {
        do {
          std::string key;
          Json value;
          if (!String(&key) || !Eat(':') || !Value(&value)) return false;
          object.emplace(std::move(key), std::move(value));
        } while (Eat(','));
        if (!Eat('}')) return false;
      }
      out->v = std::move(object);
      return true;
    }
    if (c == '[') {
      i_++;
      JsonArray array;
      if (!Eat(']')) {
        do {
          Json value;
          if (!Value(&value)) return false;
          array.push_back(std::move(value));
        } while (Eat(','));
        if (!Eat(']')) return false;
      }
      out->v = std::move(array);
      return true;
    }
    if (c == '"') {
      std::string s;
      if (!String(&s)) return false;
      out->v = std::move(s);
      return true;
    }
    if (Literal("true")) return out->v = true, true;
    if (Literal("false")) return out->v = false, true;
    if (Literal("null")) return out->v = nullptr, true;
    const std::string rest(s_.substr(i_, 64));
    char* end = nullptr;
    const double d = std::strtod(rest.c_str(), &end);
    if (end == rest.c_str()) return false;
    i_ += static_cast<size_t>(end - rest.c_str());
    out->v = d;
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
};

// ---- running db_bench in-process ----

// Captures what a DbBench prints.
class Capture {
 public:
  Capture() : file_(open_memstream(&buffer_, &size_)) {}
  ~Capture() {
    Close();
    std::free(buffer_);
  }
  std::FILE* file() { return file_; }
  std::string Close() {
    if (file_ != nullptr) {
      std::fclose(file_);
      file_ = nullptr;
    }
    return std::string(buffer_, size_);
  }

 private:
  char* buffer_ = nullptr;
  size_t size_ = 0;
  std::FILE* file_;
};

// Parses a db_bench command line (the program name first) into *config.
Status ParseArgs(std::vector<std::string> args, Config* config) {
  args.insert(args.begin(), "db_bench");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int argc = static_cast<int>(args.size());
  char** p = argv.data();
  return ParseFlags(&argc, &p, config);
}

const BenchmarkResult& ResultOf(const RunSummary& summary, const std::string& name) {
  for (const BenchmarkResult& r : summary.results) {
    if (r.name == name) return r;
  }
  ADD_FAILURE() << "no result for " << name;
  static const BenchmarkResult none;
  return none;
}

// ---- flags ----

TEST(DbBenchFlagsTest, DefaultsAreTheFamiliarOnes) {
  gflags::FlagSaver saver;
  Config c;
  ASSERT_TRUE(ParseArgs({}, &c).ok());
  EXPECT_EQ(c.engine, "strata");
  EXPECT_EQ(c.benchmarks, (std::vector<std::string>{"fillseq", "fillrandom", "overwrite",
                                                    "readrandom", "readseq"}));
  EXPECT_EQ(c.num, 1000000);
  EXPECT_EQ(c.reads, -1);
  EXPECT_EQ(c.threads, 1);
  EXPECT_EQ(c.key_size, 16);
  EXPECT_EQ(c.value_size, 100);
  EXPECT_DOUBLE_EQ(c.compression_ratio, 0.5);
  EXPECT_TRUE(c.engine_options.compression);
  EXPECT_EQ(c.engine_options.write_buffer_size, size_t{64} << 20);
  EXPECT_EQ(c.engine_options.block_size, 4096u);
  EXPECT_EQ(c.engine_options.cache_size, size_t{32} << 20);
  EXPECT_EQ(c.engine_options.bloom_bits, 10);
  EXPECT_EQ(c.engine_options.open_files, 1000);
  EXPECT_EQ(c.engine_options.max_background_jobs, 2);
  EXPECT_TRUE(c.engine_options.mmap_read);
  EXPECT_EQ(c.engine_options.mmap_read_bytes, uint64_t{1} << 30);
  EXPECT_TRUE(c.engine_options.dynamic_file_size);
  EXPECT_DOUBLE_EQ(c.engine_options.memtable_bloom_size_ratio, Options().memtable_bloom_size_ratio);
  EXPECT_FALSE(c.sync);
  EXPECT_FALSE(c.use_existing_db);
  EXPECT_TRUE(c.db.empty());
  EXPECT_FALSE(c.histogram);
  EXPECT_EQ(c.duration, 0);
  EXPECT_EQ(c.stats_interval_seconds, 0);
  EXPECT_TRUE(c.json.empty());
  EXPECT_TRUE(c.engine_options.merge_operator.empty());
}

TEST(DbBenchFlagsTest, EveryFlagReachesTheConfig) {
  gflags::FlagSaver saver;
  Config c;
  Status s = ParseArgs({"--benchmarks=fillsync,,readhot,stats",
                        "--num=1234",
                        "--reads=77",
                        "--threads=3",
                        "--key_size=20",
                        "--value_size=64",
                        "--compression_ratio=0.25",
                        "--compression=none",
                        "--write_buffer_size=1048576",
                        "--block_size=8192",
                        "--cache_size=999999",
                        "--bloom_bits=0",
                        "--open_files=50",
                        "--sync",
                        "--use_existing_db",
                        "--db=/nowhere/db",
                        "--histogram",
                        "--seed=9",
                        "--duration=4",
                        "--stats_interval_seconds=2",
                        "--statistics",
                        "--max_background_jobs=3",
                        "--seek_compaction=false",
                        "--memtable_huge_pages=true",
                        "--table_huge_pages=true",
                        "--block_cache_admit_on_first_miss=true",
                        "--memtable_bloom_size_ratio=0.125",
                        "--level_compaction_dynamic_level_bytes=false",
                        "--level_compaction_dynamic_file_size=false",
                        "--mmap_read=false",
                        "--mmap_read_bytes=4096",
                        "--max_bytes_for_level_base=33554432",
                        "--target_file_size_base=8388608",
                        "--batch_size=8",
                        "--seek_nexts=5",
                        "--range_width=7",
                        "--range_tombstones=40",
                        "--json=out.json",
                        "--merge_operator=stringappend",
                        "--benchmark_write_rate_limit=1000000"},
                       &c);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(c.benchmarks, (std::vector<std::string>{"fillsync", "readhot", "stats"}));
  EXPECT_EQ(c.num, 1234);
  EXPECT_EQ(c.reads, 77);
  EXPECT_EQ(c.threads, 3);
  EXPECT_EQ(c.key_size, 20);
  EXPECT_EQ(c.value_size, 64);
  EXPECT_DOUBLE_EQ(c.compression_ratio, 0.25);
  EXPECT_FALSE(c.engine_options.compression);
  EXPECT_EQ(c.engine_options.write_buffer_size, 1048576u);
  EXPECT_EQ(c.engine_options.block_size, 8192u);
  EXPECT_EQ(c.engine_options.cache_size, 999999u);
  EXPECT_EQ(c.engine_options.bloom_bits, 0);
  EXPECT_EQ(c.engine_options.open_files, 50);
  EXPECT_EQ(c.engine_options.max_background_jobs, 3);
  EXPECT_TRUE(c.engine_options.statistics);
  EXPECT_FALSE(c.engine_options.seek_compaction);
  EXPECT_TRUE(c.engine_options.memtable_huge_pages);
  EXPECT_TRUE(c.engine_options.table_huge_pages);
  EXPECT_TRUE(c.engine_options.block_cache_admit_on_first_miss);
  EXPECT_DOUBLE_EQ(c.engine_options.memtable_bloom_size_ratio, 0.125);
  EXPECT_FALSE(c.engine_options.dynamic_level_bytes);
  EXPECT_FALSE(c.engine_options.dynamic_file_size);
  EXPECT_FALSE(c.engine_options.mmap_read);
  EXPECT_EQ(c.engine_options.mmap_read_bytes, 4096u);
  EXPECT_EQ(c.engine_options.max_bytes_for_level_base, 33554432u);
  EXPECT_EQ(c.engine_options.target_file_size_base, 8388608u);
  EXPECT_TRUE(c.sync);
  EXPECT_TRUE(c.use_existing_db);
  EXPECT_EQ(c.db, "/nowhere/db");
  EXPECT_TRUE(c.histogram);
  EXPECT_EQ(c.seed, 9u);
  EXPECT_EQ(c.duration, 4);
  EXPECT_EQ(c.stats_interval_seconds, 2);
  EXPECT_EQ(c.batch_size, 8);
  EXPECT_EQ(c.seek_nexts, 5);
  EXPECT_EQ(c.range_width, 7);
  EXPECT_EQ(c.range_tombstones, 40);
  EXPECT_EQ(c.json, "out.json");
  EXPECT_EQ(c.benchmark_write_rate_limit, 1000000u);
  EXPECT_EQ(c.engine_options.merge_operator, "stringappend");
}

TEST(DbBenchFlagsTest, BadValuesAreRefusedWithTheirName) {
  struct Case {
    std::string flag;
    std::string expected;  // in the message
  };
  const std::vector<Case> cases = {
      {"--compression=zstd", "compression"},
      {"--benchmarks=fillseq,nosuchbench", "nosuchbench"},
      {"--benchmarks=", "benchmarks"},
      {"--engine=sqlite", "engine"},
      {"--num=0", "num"},
      {"--threads=0", "threads"},
      {"--compression_ratio=0", "compression_ratio"},
      {"--compression_ratio=1.5", "compression_ratio"},
      {"--batch_size=0", "batch_size"},
      {"--open_files=1", "open_files"},
      {"--write_buffer_size=-1", "sizes"},
      {"--merge_operator=sum", "merge_operator"},
      {"--benchmarks=mergerandom", "mergerandom needs --merge_operator"},
  };
  for (const Case& c : cases) {
    gflags::FlagSaver saver;
    Config config;
    Status s = ParseArgs({c.flag}, &config);
    EXPECT_TRUE(s.IsInvalidArgument()) << c.flag << ": " << s.ToString();
    EXPECT_NE(s.ToString().find(c.expected), std::string::npos) << c.flag << ": " << s.ToString();
  }
  gflags::FlagSaver saver;
  Config config;
  Status s = ParseArgs({"--num=100000", "--key_size=4"}, &config);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
}

// uint64add adds to 8-byte values only: fills of other sizes in a run with mergerandom are
// refused (reads of the merged keys would fail), 8-byte ones are fine.
TEST(DbBenchFlagsTest, Uint64AddRefusesFillsThatAreNotCounters) {
  Config config;
  for (const char* fills :
       {"fillseq,mergerandom", "mergerandom,overwrite", "fill100K,mergerandom"}) {
    gflags::FlagSaver flags;
    Status s =
        ParseArgs({std::string("--benchmarks=") + fills, "--merge_operator=uint64add",
                   std::string(fills).starts_with("fill100K") ? "--value_size=8" : "--num=10"},
                  &config);
    EXPECT_TRUE(s.IsInvalidArgument()) << fills << ": " << s.ToString();
    EXPECT_NE(s.ToString().find("--value_size=8"), std::string::npos) << s.ToString();
  }
  {
    gflags::FlagSaver flags;
    EXPECT_OK(ParseArgs(
        {"--benchmarks=fillseq,mergerandom", "--merge_operator=uint64add", "--value_size=8"},
        &config));
  }
  gflags::FlagSaver flags;
  EXPECT_OK(
      ParseArgs({"--benchmarks=fillseq,mergerandom", "--merge_operator=stringappend"}, &config));
}

TEST(DbBenchFlagsTest, EnginesNotBuiltInAreNamedAsSuch) {
  for (const char* name : {"leveldb", "rocksdb"}) {
    gflags::FlagSaver saver;
    Config config;
    Status s = ParseArgs({std::string("--engine=") + name}, &config);
    if (FindEngine(name) != nullptr) {
      EXPECT_TRUE(s.ok()) << s.ToString();
    } else {
      EXPECT_NE(s.ToString().find("not built"), std::string::npos) << s.ToString();
    }
  }
}

// ---- workloads on every engine ----

class DbBenchEngineTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { dir_ = std::make_unique<test::TempDir>(); }

  Config TinyConfig() {
    Config c;
    c.engine = GetParam();
    c.num = 300;
    c.engine_options.write_buffer_size = 64 << 10;  // several flushes even at this size
    return c;
  }

  // Runs config; returns the text printed on stdout.
  std::string Run(const Config& config, RunSummary* summary = nullptr) {
    Capture out, err;
    DbBench bench(config, out.file(), err.file());
    Status s = bench.Run();
    const std::string text = out.Close();
    EXPECT_TRUE(s.ok()) << s.ToString() << "\n" << text << err.Close();
    if (summary != nullptr) *summary = bench.summary();
    return text;
  }

  std::unique_ptr<test::TempDir> dir_;
};

TEST_P(DbBenchEngineTest, EveryBenchmarkRunsOnATinyDatabase) {
  Config c = TinyConfig();
  c.threads = 2;
  c.histogram = true;
  c.engine_options.merge_operator = "stringappend";  // appends to any value, fills' included
  c.benchmarks = {
      "fillseq",      "readrandom",        "readmissing", "readhot",     "readseq",
      "readreverse",  "seekrandom",        "fillrandom",  "overwrite",   "readwhilewriting",
      "deleterandom", "deleteseq",         "readseq",     "fillsync",    "fill100K",
      "compact",      "waitforcompaction", "stats",       "levelstats",  "flush",
      "fillseq",      "deleterangerandom", "readseq",     "mergerandom", "readrandom"};
  ASSERT_EQ(std::set<std::string>(c.benchmarks.begin(), c.benchmarks.end()).size(),
            BenchmarkNames().size())
      << "a benchmark is missing from this test";
  RunSummary summary;
  const std::string text = Run(c, &summary);
  ASSERT_EQ(summary.results.size(), c.benchmarks.size());
  EXPECT_EQ(summary.engine, GetParam());

  // Two threads each write all 300 keys in order: every read finds its key.
  EXPECT_EQ(summary.results[0].ops, 600);
  EXPECT_EQ(summary.results[0].bytes, 600 * 116);
  const BenchmarkResult& readrandom = summary.results[1];
  EXPECT_EQ(readrandom.ops, 600);
  EXPECT_EQ(readrandom.found, 600);
  EXPECT_EQ(summary.results[2].found, 0) << "readmissing";
  EXPECT_EQ(summary.results[3].found, 600) << "readhot";
  EXPECT_EQ(summary.results[4].ops, 600) << "readseq: 300 entries per thread";
  EXPECT_EQ(summary.results[5].ops, 600) << "readreverse";
  EXPECT_EQ(summary.results[6].found, 600) << "seekrandom";
  EXPECT_GT(summary.results[9].found, 0) << "readwhilewriting";
  EXPECT_NE(summary.results[9].message.find("writer:"), std::string::npos);
  // After both deletes nothing is left.
  EXPECT_EQ(summary.results[12].ops, 0) << "readseq after deleteseq";
  EXPECT_EQ(ResultOf(summary, "fillsync").ops, 2) << "num / 1000, at least 1, per thread";
  EXPECT_EQ(ResultOf(summary, "fill100K").bytes, 2 * (16 + 100000));
  EXPECT_EQ(ResultOf(summary, "compact").ops, 1);
  EXPECT_EQ(ResultOf(summary, "waitforcompaction").ops, 1);
  EXPECT_FALSE(ResultOf(summary, "stats").text.empty());
  EXPECT_NE(ResultOf(summary, "levelstats").text.find("level"), std::string::npos);
  // deleterangerandom: 300 range deletions of 10 keys per thread over 300 keys leave little.
  const BenchmarkResult& ranges = summary.results[summary.results.size() - 4];
  const BenchmarkResult& after = summary.results[summary.results.size() - 3];
  // mergerandom: 600 merges over the 300 keys bring most of them back, readable.
  const BenchmarkResult& merges = summary.results[summary.results.size() - 2];
  const BenchmarkResult& merged = summary.results.back();
  if (GetParam() == "leveldb") {
    EXPECT_TRUE(ranges.skipped);
    EXPECT_EQ(after.ops, 300 * 2);
    EXPECT_NE(text.find("LevelDB has no range deletion"), std::string::npos) << text;
    EXPECT_TRUE(merges.skipped);
    EXPECT_NE(text.find("mergerandom  : skipped (not supported by leveldb)"), std::string::npos)
        << text;
    EXPECT_NE(text.find("NOTE:        LevelDB has no merge operator"), std::string::npos) << text;
  } else {
    EXPECT_EQ(ranges.ops, 600);
    EXPECT_LT(after.ops, 100) << "readseq after deleterangerandom";
    EXPECT_EQ(merges.ops, 600);
    EXPECT_EQ(merges.bytes, 600 * (16 + 100));
    EXPECT_GT(merged.found, 400) << "readrandom after mergerandom";
    EXPECT_NE(text.find("Merge:       stringappend operator"), std::string::npos) << text;
  }

  for (const BenchmarkResult& r : summary.results) {
    if (r.text.empty() && r.ops > 0) {
      EXPECT_GT(r.ops_per_sec, 0) << r.name;
      if (r.name != "compact" && r.name != "flush" && r.name != "waitforcompaction") {
        ASSERT_TRUE(r.latency.has_value()) << r.name;
        EXPECT_EQ(r.latency->count, static_cast<uint64_t>(r.ops)) << r.name;
        EXPECT_LE(r.latency->p50, r.latency->p99) << r.name;
        EXPECT_LE(r.latency->p99, r.latency->max) << r.name;
      }
    }
  }
  // The usual lines: header, then name : micros/op, ops/sec, MB/s.
  EXPECT_NE(text.find("Entries:     300\n"), std::string::npos) << text;
  EXPECT_NE(text.find("fillseq      : "), std::string::npos) << text;
  EXPECT_NE(text.find("micros/op"), std::string::npos);
  EXPECT_NE(text.find("ops/sec"), std::string::npos);
  EXPECT_NE(text.find("MB/s"), std::string::npos);
  EXPECT_NE(text.find("Percentiles: P50: "), std::string::npos);
  EXPECT_NE(text.find("P99.9: "), std::string::npos);
  EXPECT_NE(text.find("Memory:"), std::string::npos);
}

TEST_P(DbBenchEngineTest, RangeTombstonesAreWrittenAfterTheFill) {
  Config c = TinyConfig();
  c.benchmarks = {"fillseq", "readrandom", "seekrandom"};
  c.range_tombstones = 20;
  c.range_width = 5;
  RunSummary summary;
  const std::string text = Run(c, &summary);
  ASSERT_EQ(summary.results.size(), 3u);
  if (GetParam() == "leveldb") {
    EXPECT_EQ(summary.results[1].found, 300);
    EXPECT_EQ(text.find("range_tombstones     :"), std::string::npos) << text;
  } else {
    // Some keys are gone: at least 5, at most 20 * 5 of the 300.
    EXPECT_LE(summary.results[1].found, 295);
    EXPECT_GE(summary.results[1].found, 150);
    EXPECT_NE(text.find("range_tombstones     : 20 range deletions of 5 keys"), std::string::npos)
        << text;
  }
}

// mergerandom with uint64add: every merge adds 1 (8-byte operands whatever --value_size), so
// the counters of the database add up to the merges made, and reads see them whole.
TEST_P(DbBenchEngineTest, MergeRandomCountsEveryMerge) {
  Config c = TinyConfig();
  c.threads = 2;
  c.db = dir_->path() + "/db";
  c.engine_options.merge_operator = "uint64add";
  c.benchmarks = {"mergerandom", "readrandom", "readseq"};
  RunSummary summary;
  const std::string text = Run(c, &summary);
  ASSERT_EQ(summary.results.size(), 3u);
  const BenchmarkResult& merges = summary.results[0];
  if (GetParam() == "leveldb") {
    EXPECT_TRUE(merges.skipped);
    EXPECT_EQ(summary.results[2].ops, 0);
    return;
  }
  EXPECT_EQ(merges.ops, 600);
  EXPECT_EQ(merges.bytes, 600 * (16 + 8)) << "8-byte operands, not --value_size";
  EXPECT_EQ(merges.user_bytes_written, 600 * (16 + 8));
  const int64_t keys = summary.results[2].ops / 2;  // each thread read every key
  EXPECT_GT(keys, 200);
  EXPECT_LE(keys, 300);
  EXPECT_GT(summary.results[1].found, 0);
  EXPECT_LT(summary.results[1].found, 600);

  EngineOptions eo = c.engine_options;
  std::unique_ptr<Engine> engine;
  ASSERT_OK(FindEngine(GetParam())->Open(eo, c.db, &engine));
  std::unique_ptr<EngineIterator> it = engine->NewIterator();
  uint64_t sum = 0;
  int64_t seen = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ASSERT_EQ(it->value().size(), 8u) << it->key();
    sum += DecodeFixed64(it->value().data());
    seen++;
  }
  ASSERT_OK(it->status());
  EXPECT_EQ(sum, 600u);
  EXPECT_EQ(seen, keys);
  it.reset();
  engine.reset();

  // Counters over 8-byte fill values: readrandom finds every key and fails on none.
  c.value_size = 8;
  c.benchmarks = {"fillseq", "mergerandom", "compact", "readrandom"};
  Run(c, &summary);
  EXPECT_EQ(summary.results[3].found, 600);
}

TEST(DbBenchStatisticsTest, StatsPrintsTheEnginesStatistics) {
  test::TempDir dir;
  Config c;
  c.engine = "strata";
  c.num = 300;
  c.db = dir.Child("db");
  c.engine_options.statistics = true;
  c.benchmarks = {"fillrandom", "readrandom", "stats"};
  Capture out, err;
  DbBench bench(c, out.file(), err.file());
  ASSERT_OK(bench.Run());
  const std::string text = out.Close();
  EXPECT_NE(text.find("strata.keys.written 300\n"), std::string::npos) << text;
  EXPECT_NE(text.find("strata.get.micros count 300 "), std::string::npos) << text;
}

TEST_P(DbBenchEngineTest, JsonHoldsEveryResult) {
  Config c = TinyConfig();
  c.benchmarks = {"fillrandom", "readrandom", "readseq", "stats"};
  c.histogram = true;
  c.json = dir_->path() + "/out.json";
  RunSummary summary;
  Run(c, &summary);

  std::ifstream in(c.json);
  std::stringstream text;
  text << in.rdbuf();
  Json json;
  ASSERT_TRUE(JsonParser(text.str()).Parse(&json)) << text.str();
  EXPECT_EQ(json["engine"].str(), GetParam());
  EXPECT_EQ(json["version"].str(), summary.version);
  EXPECT_EQ(json["config"]["num"].num(), 300);
  EXPECT_EQ(json["config"]["benchmarks"].str(), "fillrandom,readrandom,readseq,stats");
  ASSERT_EQ(json["benchmarks"].size(), 4u);
  for (size_t i = 0; i < 4; i++) {
    const Json& b = json["benchmarks"][i];
    const BenchmarkResult& r = summary.results[i];
    EXPECT_EQ(b["name"].str(), r.name);
    EXPECT_EQ(b["ops"].num(), static_cast<double>(r.ops));
    EXPECT_NEAR(b["ops_per_sec"].num(), r.ops_per_sec, r.ops_per_sec * 1e-5 + 1e-9);
    EXPECT_NEAR(b["micros_per_op"].num(), r.micros_per_op, r.micros_per_op * 1e-5 + 1e-9);
  }
  EXPECT_EQ(json["benchmarks"][1]["found"].num(), static_cast<double>(summary.results[1].found));
  EXPECT_FALSE(json["benchmarks"][0].Has("found"));
  const Json& latency = json["benchmarks"][1]["latency_micros"];
  EXPECT_EQ(latency["count"].num(), 300);
  EXPECT_LE(latency["p50"].num(), latency["p99_9"].num());
  EXPECT_FALSE(json["benchmarks"][3]["text"].str().empty());
  EXPECT_GT(json["totals"]["user_bytes_written"].num(), 300 * 116 - 1);
  EXPECT_GT(json["totals"]["peak_rss_bytes"].num(), 0);
  EXPECT_EQ(json["totals"]["device_bytes_written"].num(),
            static_cast<double>(summary.device_bytes_written));
  const double device_wa = static_cast<double>(summary.device_bytes_written) /
                           static_cast<double>(summary.user_bytes_written);
  EXPECT_NEAR(json["totals"]["device_write_amplification"].num(), device_wa,
              device_wa * 1e-5 + 1e-9);
}

// Every synced write dirties its log's last page again after the sync cleaned it, so the
// bytes counted for the device are at least a page per synced write (where the kernel
// counts at all: not on tmpfs), and the footer says so.
TEST_P(DbBenchEngineTest, DeviceBytesCountAPagePerSyncedWrite) {
  Config c = TinyConfig();
  c.benchmarks = {"fillseq"};
  c.num = 200;
  c.sync = true;
  auto dirtied = [] {  // this process's write_bytes, read here independently of db_bench
    std::ifstream io("/proc/self/io");
    std::string field;
    uint64_t value = 0;
    while (io >> field >> value) {
      if (field == "write_bytes:") return value;
    }
    return uint64_t{0};
  };
  const uint64_t before = dirtied();
  RunSummary summary;
  const std::string text = Run(c, &summary);
  if (dirtied() == before) {
    GTEST_SKIP() << "this file system's writes are not counted per process (tmpfs?)";
  }
  EXPECT_GE(summary.device_bytes_written, 200u * 4096);
  EXPECT_NE(text.find("Device:      "), std::string::npos) << text;
}

TEST_P(DbBenchEngineTest, ExistingDatabaseIsReusedAndFillsAreSkipped) {
  Config c = TinyConfig();
  c.db = dir_->path() + "/db";
  c.benchmarks = {"fillseq"};
  Run(c);
  c.use_existing_db = true;
  c.benchmarks = {"fillrandom", "readseq"};
  RunSummary summary;
  const std::string text = Run(c, &summary);
  EXPECT_TRUE(summary.results[0].skipped);
  EXPECT_NE(text.find("skipped"), std::string::npos);
  EXPECT_EQ(summary.results[1].ops, 300) << "the first run's keys are all there";
  EXPECT_TRUE(std::filesystem::exists(c.db)) << "a given --db is kept";
}

TEST_P(DbBenchEngineTest, BatchesAndDurationAndMissingReads) {
  Config c = TinyConfig();
  c.batch_size = 7;
  c.benchmarks = {"fillseq", "readmissing"};
  RunSummary summary;
  Run(c, &summary);
  EXPECT_EQ(summary.results[0].ops, 300);
  EXPECT_EQ(summary.results[1].found, 0);

  c.duration = 1;
  c.benchmarks = {"readrandom"};
  Run(c, &summary);
  EXPECT_GT(summary.results[0].ops, 300) << "runs for the time, not the count";
  EXPECT_GE(summary.results[0].seconds, 0.9);
  EXPECT_LT(summary.results[0].seconds, 5);

  // A writer held to 116 kB/s (1,000 puts/s) while one reader reads for a second.
  c.benchmarks = {"readwhilewriting"};
  c.benchmark_write_rate_limit = 116000;
  Run(c, &summary);
  const std::string& m = summary.results[0].message;
  const size_t at = m.find("writer: ");
  ASSERT_NE(at, std::string::npos) << m;
  const long puts = std::atol(m.c_str() + at + 8);
  EXPECT_GT(puts, 300) << m;
  EXPECT_LT(puts, 2000) << m;
}

// --perf_level=1 prints where Strata's reads went; the other engines have no such counters.
TEST_P(DbBenchEngineTest, PerfLevelPrintsWhereReadsWent) {
  Config c = TinyConfig();
  c.benchmarks = {"fillrandom", "readrandom"};
  c.perf_level = 1;
  RunSummary summary;
  Run(c, &summary);
  const std::string& m = summary.results[1].message;
  if (GetParam() == "strata") {
    EXPECT_NE(m.find("[perf: get_count = 300"), std::string::npos) << m;
  } else {
    EXPECT_EQ(m.find("[perf:"), std::string::npos) << m;
  }
  c.perf_level = 0;
  Run(c, &summary);
  EXPECT_EQ(summary.results[1].message.find("[perf:"), std::string::npos);
}

TEST_P(DbBenchEngineTest, HeaderNamesTheEngineAndItsCompression) {
  Config c = TinyConfig();
  c.benchmarks = {"fillseq"};
  const std::string text = Run(c);
  const EngineFactory* f = FindEngine(GetParam());
  ASSERT_NE(f, nullptr);
  EXPECT_NE(text.find("Engine:      " + f->version()), std::string::npos) << text;
  if (GetParam() == "leveldb") {
    EXPECT_NE(text.find("Compression: snappy"), std::string::npos) << text;
    EXPECT_NE(text.find("LevelDB has no LZ4"), std::string::npos) << text;
  } else {
    EXPECT_NE(text.find("Compression: lz4"), std::string::npos) << text;
  }
  static const std::map<std::string, std::string> kVersionPrefix = {
      {"strata", "Strata "}, {"leveldb", "LevelDB "}, {"rocksdb", "RocksDB "}};
  EXPECT_TRUE(f->version().starts_with(kVersionPrefix.at(GetParam()))) << f->version();
}

INSTANTIATE_TEST_SUITE_P(BuiltEngines, DbBenchEngineTest, ::testing::ValuesIn(BuiltEngines()),
                         [](const auto& info) { return info.param; });

// The memory a progress line reports for Strata: its memtables (here 3 MiB of writes), the
// open tables' indexes and filters, and the block cache, each as the database counts it.
TEST(DbBenchMemoryTest, StrataSaysWhereItsMemoryIs) {
  test::TempDir dir;
  std::unique_ptr<Engine> engine;
  ASSERT_OK(FindEngine("strata")->Open(EngineOptions(), dir.path() + "/db", &engine));
  const std::string value(1024, 'v');
  for (int i = 0; i < 3 * 1024; i++) ASSERT_OK(engine->Put(test::NumberKey(i), value, false));
  double memtables = -1, readers = -1, cache = -1;
  const std::string text = engine->MemoryText();
  ASSERT_EQ(
      std::sscanf(text.c_str(), "memtables %lf MiB, table readers %lf MiB, block cache %lf MiB",
                  &memtables, &readers, &cache),
      3)
      << text;
  EXPECT_GE(memtables, 3) << text;
  EXPECT_LT(memtables, 5) << text;
  EXPECT_EQ(readers, 0) << text;
  EXPECT_EQ(cache, 0) << text;
}

TEST(DbBenchEngineSwitchTest, EveryBuiltEngineRoundTripsThroughItsLibrary) {
  test::TempDir dir;
  for (const std::string& name : BuiltEngines()) {
    const EngineFactory* f = FindEngine(name);
    ASSERT_NE(f, nullptr);
    const std::string path = dir.path() + "/" + name;
    std::unique_ptr<Engine> engine;
    ASSERT_TRUE(f->Open(EngineOptions(), path, &engine).ok()) << name;
    ASSERT_TRUE(engine->Put("key", "value-" + name, false).ok());
    engine.reset();
    ASSERT_TRUE(f->Open(EngineOptions(), path, &engine).ok()) << name;
    std::string value;
    ASSERT_TRUE(engine->Get("key", &value).ok()) << name;
    EXPECT_EQ(value, "value-" + name);
    EXPECT_TRUE(engine->Get("absent", &value).IsNotFound()) << name;
    engine.reset();
    ASSERT_TRUE(f->Destroy(path).ok()) << name;
  }
  EXPECT_EQ(BuiltEngines().front(), "strata");
  // Each engine's own operators, by RocksDB's names; LevelDB has none.
  for (const std::string& name : BuiltEngines()) {
    const EngineFactory* f = FindEngine(name);
    for (const char* op : {"uint64add", "stringappend"}) {
      EngineOptions eo;
      eo.merge_operator = op;
      const std::string path = dir.path() + "/merge-" + name + "-" + op;
      std::unique_ptr<Engine> engine;
      ASSERT_OK(f->Open(eo, path, &engine));
      std::string a = "a", b = "b", value;
      if (std::string(op) == "uint64add") {
        a.clear();
        b.clear();
        PutFixed64(&a, 40);
        PutFixed64(&b, 2);
      }
      Status s = engine->Merge("key", a, false);
      if (!f->SupportsMerge()) {
        EXPECT_TRUE(s.IsNotSupported()) << name << ": " << s.ToString();
        continue;
      }
      ASSERT_OK(s);
      ASSERT_OK(engine->Merge("key", b, false));
      ASSERT_OK(engine->Get("key", &value));
      if (std::string(op) == "uint64add") {
        ASSERT_EQ(value.size(), 8u) << name;
        EXPECT_EQ(DecodeFixed64(value.data()), 42u) << name;
      } else {
        EXPECT_EQ(value, "a,b") << name;
      }
    }
    if (!f->SupportsMerge()) continue;
    EngineOptions eo;
    eo.merge_operator = "sum";
    std::unique_ptr<Engine> engine;
    EXPECT_FALSE(f->Open(eo, dir.path() + "/merge-" + name + "-sum", &engine).ok()) << name;
  }
#ifdef STRATA_HAVE_LEVELDB
  EXPECT_NE(FindEngine("leveldb"), nullptr);
#endif
#ifdef STRATA_HAVE_ROCKSDB
  EXPECT_NE(FindEngine("rocksdb"), nullptr);
#endif
}

// ---- pieces ----

TEST(DbBenchDataTest, KeysAreFixedWidthDecimalAndMissingKeysFallBetween) {
  KeyFormatter keys(16);
  EXPECT_EQ(keys.Key(42), "0000000000000042");
  EXPECT_EQ(keys.Key(1234567890123456ull), "1234567890123456");
  const std::string missing(keys.MissingKey(42));
  EXPECT_EQ(missing, "0000000000000042.");
  EXPECT_LT(std::string(keys.Key(42)), missing);
  EXPECT_LT(missing, std::string(keys.Key(43)));
  EXPECT_EQ(KeyFormatter::Digits(0), 1);
  EXPECT_EQ(KeyFormatter::Digits(999999), 6);
  EXPECT_EQ(KeyFormatter::Digits(1000000), 7);
}

TEST(DbBenchDataTest, ValuesRepeatToTheCompressionRatio) {
  const ValuePool pool(1, 0.5, 100);
  ValueGenerator values(pool, 0);
  for (int i = 0; i < 1000; i++) {
    const std::string_view v = values.Next(100);
    ASSERT_EQ(v.size(), 100u);
    EXPECT_EQ(v.substr(0, 50), v.substr(50, 50)) << "half random, half repeated";
  }
  const ValuePool big_pool(1, 0.5, 100000);
  EXPECT_GE(big_pool.bytes().size(), 200000u);
  ValueGenerator big(big_pool, 12345);
  EXPECT_EQ(big.Next(100000).size(), 100000u);
  EXPECT_EQ(big.Next(100000).size(), 100000u);
  EXPECT_EQ(big.Next(100000).size(), 100000u) << "wraps to the start";
}

TEST(DbBenchDataTest, ThreadsSharingAPoolStartAtTheirOwnOffsets) {
  const ValuePool pool(7, 0.5, 100);
  ValueGenerator a(pool, 0), b(pool, 1000), c(pool, pool.bytes().size() + 1000);
  const std::string first(a.Next(100));
  EXPECT_NE(first, b.Next(100)) << "another offset, other bytes";
  EXPECT_EQ(pool.bytes().substr(1000, 100), c.Next(100)) << "the start wraps around the pool";
  EXPECT_EQ(first, pool.bytes().substr(0, 100));
}

TEST(DbBenchHistogramTest, PercentilesAreWithinABucket) {
  Histogram a, b;
  for (uint64_t us = 1; us <= 1000; us++) (us % 2 ? a : b).Add(us * 1000);
  a.Merge(b);
  const HistogramData s = a.Summarize();
  EXPECT_EQ(s.count, 1000u);
  EXPECT_NEAR(s.mean, 500.5, 0.01);
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 1000);
  EXPECT_NEAR(s.p50, 500, 500 * 0.07);
  EXPECT_NEAR(s.p95, 950, 950 * 0.07);
  EXPECT_NEAR(s.p99, 990, 990 * 0.07);
  EXPECT_NEAR(s.p999, 999, 999 * 0.07);
  EXPECT_LE(s.p999, s.max);
  EXPECT_EQ(Histogram().Summarize().count, 0u);
}

}  // namespace
}  // namespace strata::bench
