// The runner: benchmark table, database lifecycle, threads and their progress reports.
// The workloads themselves are in db_bench_workloads.cc, the output in db_bench_report.cc.
#include "bench/db_bench_runner.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <latch>
#include <mutex>
#include <thread>

#include "bench/db_bench_report.h"
#include "bench/db_bench_thread.h"
#include "util/process_io.h"
#include "util/process_status.h"

namespace strata::bench {

namespace {

enum class Kind {
  kThreads,            // every thread runs the method
  kReadWhileWriting,   // --threads readers and one extra writer
  kCompact,            // one call on the main thread
  kWaitForCompaction,  // one call on the main thread
  kFlush,              // one call on the main thread
  kStats,
  kLevelStats,
};

struct Spec {
  const char* name;
  Kind kind;
  bool fresh_db;  // starts on an empty database (skipped with --use_existing_db)
};

// The benchmarks; their methods are bound in MethodOf.
// clang-format off
constexpr Spec kSpecs[] = {
    {"fillseq", Kind::kThreads, true},
    {"fillrandom", Kind::kThreads, true},
    {"overwrite", Kind::kThreads, false},
    {"fillsync", Kind::kThreads, true},
    {"fill100K", Kind::kThreads, true},
    {"readrandom", Kind::kThreads, false},
    {"readmissing", Kind::kThreads, false},
    {"readhot", Kind::kThreads, false},
    {"readseq", Kind::kThreads, false},
    {"readreverse", Kind::kThreads, false},
    {"seekrandom", Kind::kThreads, false},
    {"readwhilewriting", Kind::kReadWhileWriting, false},
    {"deleteseq", Kind::kThreads, false},
    {"deleterandom", Kind::kThreads, false},
    {"compact", Kind::kCompact, false},
    {"waitforcompaction", Kind::kWaitForCompaction, false},
    {"stats", Kind::kStats, false},
    {"levelstats", Kind::kLevelStats, false},
    {"flush", Kind::kFlush, false},
    {"deleterangerandom", Kind::kThreads, false},
    {"mergerandom", Kind::kThreads, false},
};
// clang-format on

// Benchmarks that write values of --value_size (fill100K: of 100 000 bytes) with Put.
bool PutsValues(std::string_view name) {
  return name.starts_with("fill") || name == "overwrite" || name == "readwhilewriting";
}

const Spec* FindSpec(std::string_view name) {
  for (const Spec& s : kSpecs) {
    if (name == s.name) return &s;
  }
  return nullptr;
}

uint64_t DirectoryBytes(const std::string& path) {
  std::error_code ec;
  uint64_t total = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(path, ec)) {
    if (entry.is_regular_file(ec)) total += entry.file_size(ec);
  }
  return total;
}

}  // namespace

const std::vector<std::string>& BenchmarkNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const Spec& s : kSpecs) v.emplace_back(s.name);
    return v;
  }();
  return names;
}

Status Config::Validate() const {
  if (FindEngine(engine) == nullptr) {
    if (engine == "leveldb" || engine == "rocksdb") {
      return Status::InvalidArgument("--engine=" + engine + " is not built into this db_bench",
                                     "install lib" + engine + "-dev and re-run cmake");
    }
    return Status::InvalidArgument("unknown --engine", engine);
  }
  if (benchmarks.empty()) return Status::InvalidArgument("--benchmarks is empty");
  for (const std::string& b : benchmarks) {
    if (FindSpec(b) == nullptr) return Status::InvalidArgument("unknown benchmark", b);
  }
  if (num < 1) return Status::InvalidArgument("--num must be at least 1");
  if (threads < 1 || threads > 1024) return Status::InvalidArgument("--threads must be 1..1024");
  if (key_size < 1 || key_size > 1024) return Status::InvalidArgument("--key_size must be 1..1024");
  if (KeyFormatter::Digits(static_cast<uint64_t>(num)) > key_size) {
    return Status::InvalidArgument("--key_size is too small for --num",
                                   "keys are decimal numbers of key_size digits");
  }
  if (value_size < 0 || value_size > (64 << 20)) {
    return Status::InvalidArgument("--value_size must be 0..64 MiB");
  }
  if (!(compression_ratio > 0 && compression_ratio <= 1)) {
    return Status::InvalidArgument("--compression_ratio must be in (0, 1]");
  }
  if (batch_size < 1) return Status::InvalidArgument("--batch_size must be at least 1");
  if (duration < 0) return Status::InvalidArgument("--duration must not be negative");
  if (stats_interval_seconds < 0) {
    return Status::InvalidArgument("--stats_interval_seconds must not be negative");
  }
  if (seek_nexts < 0) return Status::InvalidArgument("--seek_nexts must not be negative");
  if (range_width < 1) return Status::InvalidArgument("--range_width must be at least 1");
  if (range_tombstones < 0) {
    return Status::InvalidArgument("--range_tombstones must not be negative");
  }
  const std::string& merge = engine_options.merge_operator;
  if (!merge.empty() && merge != "uint64add" && merge != "stringappend") {
    return Status::InvalidArgument("--merge_operator must be uint64add or stringappend", merge);
  }
  const bool merges =
      std::find(benchmarks.begin(), benchmarks.end(), "mergerandom") != benchmarks.end();
  if (merges && merge.empty()) {
    return Status::InvalidArgument("mergerandom needs --merge_operator",
                                   "uint64add or stringappend");
  }
  // uint64add cannot add to a value of another size than 8: reads of such a key fail.
  for (const std::string& b : benchmarks) {
    if (merges && merge == "uint64add" && PutsValues(b) && (value_size != 8 || b == "fill100K")) {
      return Status::InvalidArgument(
          "--merge_operator=uint64add adds 8-byte counters, but " + b + " writes values of " +
              (b == "fill100K" ? std::string("100000") : std::to_string(value_size)) +
              " bytes that mergerandom's counts cannot be added to",
          "give --value_size=8, or leave the fills out");
    }
  }
  if (engine_options.write_buffer_size < (64 << 10)) {
    return Status::InvalidArgument("--write_buffer_size must be at least 64 KiB");
  }
  if (engine_options.block_size < 256) {
    return Status::InvalidArgument("--block_size must be at least 256");
  }
  if (engine_options.open_files < 10) {
    return Status::InvalidArgument("--open_files must be at least 10");
  }
  if (engine_options.max_background_jobs < 1) {
    return Status::InvalidArgument("--max_background_jobs must be at least 1");
  }
  return Status::OK();
}

DbBench::DbBench(Config config, std::FILE* out, std::FILE* err)
    : config_(std::move(config)), out_(out), err_(err), shared_(std::make_unique<Shared>()) {}

DbBench::~DbBench() {
  engine_.reset();
  if (!temp_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(temp_dir_, ec);
  }
}

Status DbBench::OpenEngine(bool fresh) {
  engine_.reset();
  if (fresh) {
    Status s = factory_->Destroy(path_);
    if (!s.ok()) return s;
  }
  return factory_->Open(config_.engine_options, path_, &engine_);
}

Status DbBench::Run() {
  Status s = config_.Validate();
  if (!s.ok()) return s;
  factory_ = FindEngine(config_.engine);
  summary_.engine = config_.engine;
  summary_.version = factory_->version();
  summary_.compression = factory_->compression(config_.engine_options);
  summary_.notes = factory_->Notes(config_.engine_options);
  const std::time_t now = std::time(nullptr);
  char date[64];
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", std::localtime(&now));
  summary_.date = date;

  if (config_.db.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/strata_db_bench_XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      return Status::IOError("cannot create a temporary directory", pattern);
    }
    temp_dir_ = pattern;
    path_ = temp_dir_ + "/db";
  } else {
    path_ = config_.db;
  }

  const ProcessIo io_at_start = ReadProcessIo();
  s = OpenEngine(!config_.use_existing_db);
  if (!s.ok()) return s;
  bool fresh = !config_.use_existing_db;
  PrintHeader();

  for (const std::string& name : config_.benchmarks) {
    const Spec* spec = FindSpec(name);
    BenchmarkResult result;
    result.name = name;
    if (spec->fresh_db && config_.use_existing_db) {
      result.skipped = true;
      PrintResult(result);
      summary_.results.push_back(std::move(result));
      continue;
    }
    if (spec->fresh_db && !fresh) {
      s = OpenEngine(true);
      if (!s.ok()) return s;
    }
    fresh = false;
    if ((name == "deleterangerandom" && !factory_->SupportsRangeDeletion()) ||
        (name == "mergerandom" && !factory_->SupportsMerge())) {
      result.skipped = true;
      result.skip_reason = "not supported by " + std::string(factory_->name());
      PrintResult(result);
      summary_.results.push_back(std::move(result));
      continue;
    }
    const uint64_t written_before = ReadProcessIo().passed_to_write;
    s = RunOne(name, &result);
    if (!s.ok()) {
      std::fprintf(err_, "%s: %s\n", name.c_str(), s.ToString().c_str());
      return s;
    }
    result.file_bytes_written = ReadProcessIo().passed_to_write - written_before;
    summary_.user_bytes_written += static_cast<uint64_t>(result.user_bytes_written);
    PrintResult(result);
    summary_.results.push_back(std::move(result));
    if (spec->fresh_db && config_.range_tombstones > 0 && factory_->SupportsRangeDeletion()) {
      s = AddRangeTombstones();
      if (!s.ok()) return s;
    }
  }

  // Read before the engine closes: pages of the final tree count once dirtied.
  const ProcessIo io_now = ReadProcessIo();
  summary_.file_bytes_written = io_now.passed_to_write - io_at_start.passed_to_write;
  summary_.device_bytes_written =
      io_now.to_device > io_at_start.to_device ? io_now.to_device - io_at_start.to_device : 0;
  summary_.db_size_bytes = DirectoryBytes(path_);
  engine_.reset();
  struct rusage usage;
  if (getrusage(RUSAGE_SELF, &usage) == 0) {
    summary_.peak_rss_bytes = static_cast<uint64_t>(usage.ru_maxrss) * 1024;
  }
  PrintFooter();
  if (!config_.json.empty()) {
    s = WriteJson(config_, summary_, config_.json);
    if (!s.ok()) return s;
  }
  return Status::OK();
}

Status DbBench::RunOne(const std::string& name, BenchmarkResult* result) {
  const Spec* spec = FindSpec(name);
  switch (spec->kind) {
    case Kind::kCompact:
    case Kind::kWaitForCompaction:
    case Kind::kFlush: {
      const uint64_t start = NowNanos();
      Status s = spec->kind == Kind::kCompact             ? engine_->CompactAll()
                 : spec->kind == Kind::kWaitForCompaction ? engine_->WaitForCompaction()
                                                          : engine_->Flush();
      result->threads = 1;
      result->ops = 1;
      result->seconds = static_cast<double>(NowNanos() - start) / 1e9;
      result->micros_per_op = result->seconds * 1e6;
      result->ops_per_sec = result->seconds > 0 ? 1 / result->seconds : 0;
      return s;
    }
    case Kind::kStats:
      result->text = engine_->Stats();
      return Status::OK();
    case Kind::kLevelStats:
      result->text = engine_->LevelStats();
      return Status::OK();
    case Kind::kReadWhileWriting:
      return RunThreads(name, &DbBench::ReadWhileWriting, config_.threads, true, result);
    case Kind::kThreads:
      break;
  }
  struct Binding {
    const char* name;
    Method method;
  };
  static constexpr Binding kMethods[] = {
      {"fillseq", &DbBench::FillSeq},           {"fillrandom", &DbBench::FillRandom},
      {"overwrite", &DbBench::FillRandom},      {"fillsync", &DbBench::FillSync},
      {"fill100K", &DbBench::Fill100K},         {"readrandom", &DbBench::ReadRandom},
      {"readmissing", &DbBench::ReadMissing},   {"readhot", &DbBench::ReadHot},
      {"readseq", &DbBench::ReadSeq},           {"readreverse", &DbBench::ReadReverse},
      {"seekrandom", &DbBench::SeekRandom},     {"deleteseq", &DbBench::DeleteSeq},
      {"deleterandom", &DbBench::DeleteRandom}, {"deleterangerandom", &DbBench::DeleteRangeRandom},
      {"mergerandom", &DbBench::MergeRandom},
  };
  for (const Binding& b : kMethods) {
    if (name == b.name) return RunThreads(name, b.method, config_.threads, false, result);
  }
  return Status::InvalidArgument("benchmark without a method", name);
}

// Starts the threads together (after each built its state), reports progress on err_ while
// they run, then merges what they measured. With extra_writer, one more thread runs the
// same method as the writer (tid == workers) and is left out of the merged figures.
Status DbBench::RunThreads(const std::string& name, Method method, int workers, bool extra_writer,
                           BenchmarkResult* result) {
  const int total = workers + (extra_writer ? 1 : 0);
  if (shared_->values == nullptr) {
    // 8: mergerandom's uint64add operands.
    const int largest = std::max({config_.value_size, kFill100KValueSize, 8});
    shared_->values = std::make_unique<const ValuePool>(config_.seed, config_.compression_ratio,
                                                        static_cast<size_t>(largest));
  }
  std::vector<std::unique_ptr<ThreadContext>> threads;
  for (int i = 0; i < total; i++) {
    // Each benchmark and thread gets its own stream of random keys.
    const uint64_t seed = config_.seed * 1000003 + summary_.results.size() * 1009 + i;
    threads.push_back(std::make_unique<ThreadContext>(i, seed, config_.key_size, config_.histogram,
                                                      shared_.get()));
  }
  shared_->readers_running.store(workers);

  std::mutex mu;
  std::condition_variable cv;
  int finished = 0;
  std::latch start(total);
  std::vector<std::thread> running;
  for (int i = 0; i < total; i++) {
    running.emplace_back([&, i] {
      ThreadContext* t = threads[i].get();
      if (config_.perf_level > 0) {
        SetPerfLevel(PerfLevel::kEnableCount);
        GetPerfContext()->Reset();
      }
      start.arrive_and_wait();
      t->start_nanos = NowNanos();
      if (config_.duration > 0) {
        t->deadline_nanos = t->start_nanos + static_cast<uint64_t>(config_.duration) * 1000000000;
      }
      t->status = (this->*method)(t);
      t->finish_nanos = NowNanos();
      if (config_.perf_level > 0) {
        t->perf = *GetPerfContext();
        SetPerfLevel(PerfLevel::kDisable);
      }
      if (i < workers) shared_->readers_running.fetch_sub(1);
      std::lock_guard<std::mutex> lock(mu);
      finished++;
      cv.notify_all();
    });
  }

  // Progress: a line per --stats_interval_seconds, else (after the first second) one
  // refreshed line on a terminal or a line every 10 s in a log.
  const bool tty = isatty(fileno(err_)) != 0;
  const int interval = config_.stats_interval_seconds > 0 ? config_.stats_interval_seconds
                       : tty                              ? 1
                                                          : 10;
  const uint64_t began = NowNanos();
  int64_t last_ops = 0;
  uint64_t last_nanos = began;
  bool printed = false;
  {
    std::unique_lock<std::mutex> lock(mu);
    while (!cv.wait_for(lock, std::chrono::seconds(interval), [&] { return finished == total; })) {
      int64_t ops = 0;
      for (int i = 0; i < workers; i++) ops += threads[i]->progress.load(std::memory_order_relaxed);
      const uint64_t now = NowNanos();
      const double elapsed = static_cast<double>(now - began) / 1e9;
      const double rate =
          static_cast<double>(ops - last_ops) * 1e9 / static_cast<double>(now - last_nanos);
      if (config_.stats_interval_seconds > 0 || !tty) {
        // With the memory beside the rate, a log of a long run shows what grew when.
        std::string memory;
        // RssAnon: the heap, arenas and anonymous mappings, the part no file backs.
        if (const int64_t anon = ProcessStatusKiB("RssAnon"); anon >= 0) {
          memory = "; anon " + std::to_string(anon >> 10) + " MiB";
        }
        if (std::string engine = engine_->MemoryText(); !engine.empty()) {
          memory += (memory.empty() ? "; " : ": ") + engine;
        }
        std::fprintf(err_, "%s: %.0f s, %lld ops, %.0f ops/s now, %.0f ops/s overall%s\n",
                     name.c_str(), elapsed, static_cast<long long>(ops), rate,
                     static_cast<double>(ops) / elapsed, memory.c_str());
      } else {
        std::fprintf(err_, "\r%s: %.0f s, %lld ops, %.0f ops/s ...", name.c_str(), elapsed,
                     static_cast<long long>(ops), rate);
        printed = true;
      }
      std::fflush(err_);
      last_ops = ops;
      last_nanos = now;
    }
  }
  for (auto& t : running) t.join();
  if (printed) std::fprintf(err_, "\r\033[K");

  for (const auto& t : threads) {
    if (!t->status.ok()) return t->status;
  }
  Finish(threads, workers, result);
  return Status::OK();
}

void DbBench::Finish(std::vector<std::unique_ptr<ThreadContext>>& threads, int workers,
                     BenchmarkResult* result) {
  Histogram hist;
  uint64_t first_start = UINT64_MAX, last_finish = 0;
  double thread_seconds = 0;
  bool counts_found = false;
  int64_t found = 0;
  for (const auto& t : threads) result->user_bytes_written += t->bytes_written;
  for (int i = 0; i < workers; i++) {
    const ThreadContext& t = *threads[i];
    result->ops += t.ops;
    result->bytes += t.bytes;
    counts_found = counts_found || t.counts_found;
    found += t.found;
    hist.Merge(t.hist);
    first_start = std::min(first_start, t.start_nanos);
    last_finish = std::max(last_finish, t.finish_nanos);
    thread_seconds += static_cast<double>(t.finish_nanos - t.start_nanos) / 1e9;
  }
  result->threads = workers;
  result->seconds = static_cast<double>(last_finish - first_start) / 1e9;
  if (result->ops > 0) {
    result->micros_per_op = thread_seconds * 1e6 / static_cast<double>(result->ops);
  }
  if (result->seconds > 0) {
    result->ops_per_sec = static_cast<double>(result->ops) / result->seconds;
    result->mb_per_sec = static_cast<double>(result->bytes) / 1048576.0 / result->seconds;
  }
  if (config_.histogram) result->latency = hist.Summarize();
  std::string message;
  if (counts_found) {
    result->found = found;
    char text[64];
    std::snprintf(text, sizeof text, "(%lld of %lld found)", static_cast<long long>(found),
                  static_cast<long long>(result->ops));
    message = text;
  }
  if (config_.perf_level > 0) {
    PerfContext total;
    for (int i = 0; i < workers; i++) {
      total += threads[i]->perf;
    }
    const std::string counts = total.ToString();
    if (!counts.empty()) message += (message.empty() ? "" : " ") + ("[perf: " + counts + "]");
  }
  // The extra writer of readwhilewriting says what it did.
  for (size_t i = static_cast<size_t>(workers); i < threads.size(); i++) {
    if (threads[i]->message.empty()) continue;
    if (!message.empty()) message += ' ';
    message += threads[i]->message;
  }
  result->message = message;
}

}  // namespace strata::bench
