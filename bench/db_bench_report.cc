// db_bench's console output (header, one line per benchmark, footer) and its JSON file.
#include "bench/db_bench_report.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace strata::bench {

namespace {

constexpr double kMiB = 1048576.0;

std::string Join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

// "N * model" from /proc/cpuinfo, or empty.
std::string CpuDescription() {
  std::ifstream in("/proc/cpuinfo");
  std::string line, model;
  int count = 0;
  while (std::getline(in, line)) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, colon);
    while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.pop_back();
    if (key == "model name") {
      count++;
      model = line.substr(colon + 1);
      if (!model.empty() && model.front() == ' ') model.erase(0, 1);
    }
  }
  if (count == 0) return {};
  return std::to_string(count) + " * " + model;
}

class JsonWriter {
 public:
  void Open(char bracket) {
    Separate();
    out_ << bracket;
    first_ = true;
  }
  void Close(char bracket) {
    out_ << bracket;
    first_ = false;
  }
  void Key(std::string_view key) {
    Separate();
    String(key);
    out_ << ':';
    first_ = true;  // the value follows without a comma
  }
  void Value(std::string_view s) {
    Separate();
    String(s);
  }
  void Value(double v) {
    Separate();
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", std::isfinite(v) ? v : 0.0);
    out_ << buf;
  }
  void Value(int64_t v) {
    Separate();
    out_ << v;
  }
  void Value(uint64_t v) {
    Separate();
    out_ << v;
  }
  void Value(bool v) {
    Separate();
    out_ << (v ? "true" : "false");
  }
  template <typename T>
  void Field(std::string_view key, T value) {
    Key(key);
    Value(value);
  }
  std::string str() const { return out_.str(); }

 private:
  void Separate() {
    if (!first_) out_ << ',';
    first_ = false;
  }
  void String(std::string_view s) {
    out_ << '"';
    for (char c : s) {
      switch (c) {
        case '"':
          out_ << "\\\"";
          break;
        case '\\':
          out_ << "\\\\";
          break;
        case '\n':
          out_ << "\\n";
          break;
        case '\r':
          out_ << "\\r";
          break;
        case '\t':
          out_ << "\\t";
          break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
            out_ << buf;
          } else {
            out_ << c;
          }
      }
    }
    out_ << '"';
  }

  std::ostringstream out_;
  bool first_ = true;
};

}  // namespace

void DbBench::PrintHeader() {
  const double compressed =
      static_cast<double>(config_.value_size) * config_.compression_ratio + 0.5;
  const double raw = static_cast<double>(config_.key_size + config_.value_size) *
                     static_cast<double>(config_.num) / kMiB;
  const double file =
      (config_.key_size +
       (config_.engine_options.compression ? static_cast<int>(compressed) : config_.value_size)) *
      static_cast<double>(config_.num) / kMiB;
  const EngineOptions& eo = config_.engine_options;
  std::fprintf(out_, "Engine:      %s\n", summary_.version.c_str());
  std::fprintf(out_, "Date:        %s\n", summary_.date.c_str());
  const std::string cpu = CpuDescription();
  if (!cpu.empty()) std::fprintf(out_, "CPU:         %s\n", cpu.c_str());
  std::fprintf(out_, "Keys:        %d bytes each\n", config_.key_size);
  std::fprintf(out_, "Values:      %d bytes each (%d bytes after compression)\n",
               config_.value_size, static_cast<int>(compressed));
  std::fprintf(out_, "Entries:     %lld\n", static_cast<long long>(config_.num));
  std::fprintf(out_, "RawSize:     %.1f MB (estimated)\n", raw);
  std::fprintf(out_, "FileSize:    %.1f MB (estimated)\n", file);
  std::fprintf(out_, "Compression: %s\n", summary_.compression.c_str());
  std::fprintf(out_,
               "Options:     write_buffer_size=%zu block_size=%zu cache_size=%zu bloom_bits=%d "
               "open_files=%d max_background_jobs=%d sync=%s threads=%d batch_size=%d\n",
               eo.write_buffer_size, eo.block_size, eo.cache_size, eo.bloom_bits, eo.open_files,
               eo.max_background_jobs, config_.sync ? "true" : "false", config_.threads,
               config_.batch_size);
  if (!eo.merge_operator.empty() && factory_->SupportsMerge()) {
    std::fprintf(out_, "Merge:       %s operator%s\n", eo.merge_operator.c_str(),
                 eo.merge_operator == "uint64add" ? " (mergerandom adds 1: 8-byte operands)" : "");
  }
  std::fprintf(out_, "Database:    %s%s\n", path_.c_str(),
               temp_dir_.empty() ? "" : " (temporary, removed at the end)");
  for (const std::string& note : summary_.notes)
    std::fprintf(out_, "NOTE:        %s\n", note.c_str());
  std::fprintf(out_, "------------------------------------------------\n");
  std::fflush(out_);
}

void DbBench::PrintResult(const BenchmarkResult& r) {
  if (r.skipped) {
    std::fprintf(out_, "%-12s : skipped (%s)\n", r.name.c_str(),
                 r.skip_reason.empty() ? "--use_existing_db" : r.skip_reason.c_str());
  } else if (!r.text.empty() || r.ops == 0) {
    std::fprintf(out_, "%-12s :\n%s", r.name.c_str(), r.text.c_str());
    if (!r.text.empty() && r.text.back() != '\n') std::fputc('\n', out_);
  } else {
    std::fprintf(out_, "%-12s : %11.3f micros/op %9.0f ops/sec %8.3f seconds %9lld operations;",
                 r.name.c_str(), r.micros_per_op, r.ops_per_sec, r.seconds,
                 static_cast<long long>(r.ops));
    if (r.bytes > 0) std::fprintf(out_, " %6.1f MB/s", r.mb_per_sec);
    if (!r.message.empty()) std::fprintf(out_, " %s", r.message.c_str());
    std::fputc('\n', out_);
    if (r.latency) {
      const HistogramData& l = *r.latency;
      std::fprintf(out_, "Microseconds per op:\n");
      std::fprintf(out_, "Count: %llu  Average: %.4f  StdDev: %.2f\n",
                   static_cast<unsigned long long>(l.count), l.mean, l.stddev);
      std::fprintf(out_, "Min: %.4f  Median: %.4f  Max: %.4f\n", l.min, l.p50, l.max);
      std::fprintf(out_, "Percentiles: P50: %.2f P95: %.2f P99: %.2f P99.9: %.2f Max: %.2f\n",
                   l.p50, l.p95, l.p99, l.p999, l.max);
      std::fprintf(out_, "------------------------------------------------\n");
    }
  }
  std::fflush(out_);
}

void DbBench::PrintFooter() {
  const RunSummary& s = summary_;
  std::fprintf(out_, "------------------------------------------------\n");
  if (s.user_bytes_written > 0) {
    std::fprintf(
        out_,
        "Writes:      %.1f MB of keys and values, %.1f MB written to files "
        "(write amplification %.2f, WAL included)\n",
        static_cast<double>(s.user_bytes_written) / kMiB,
        static_cast<double>(s.file_bytes_written) / kMiB,
        static_cast<double>(s.file_bytes_written) / static_cast<double>(s.user_bytes_written));
  }
  if (s.user_bytes_written > 0 && s.device_bytes_written > 0) {
    std::fprintf(
        out_,
        "Device:      %.1f MB of file pages to the device (write amplification %.2f; "
        "logs deleted before write-back never reach it)\n",
        static_cast<double>(s.device_bytes_written) / kMiB,
        static_cast<double>(s.device_bytes_written) / static_cast<double>(s.user_bytes_written));
  }
  std::fprintf(out_, "Disk:        %.1f MB in the database directory\n",
               static_cast<double>(s.db_size_bytes) / kMiB);
  std::fprintf(out_, "Memory:      %.1f MB peak resident set\n",
               static_cast<double>(s.peak_rss_bytes) / kMiB);
  std::fflush(out_);
}

std::string RunToJson(const Config& config, const RunSummary& summary) {
  JsonWriter w;
  w.Open('{');
  w.Field("engine", std::string_view(summary.engine));
  w.Field("version", std::string_view(summary.version));
  w.Field("date", std::string_view(summary.date));
  w.Field("compression", std::string_view(summary.compression));
  w.Key("notes");
  w.Open('[');
  for (const std::string& note : summary.notes) w.Value(std::string_view(note));
  w.Close(']');

  const EngineOptions& eo = config.engine_options;
  w.Key("config");
  w.Open('{');
  w.Field("benchmarks", std::string_view(Join(config.benchmarks, ",")));
  w.Field("num", int64_t{config.num});
  w.Field("reads", int64_t{config.reads < 0 ? config.num : config.reads});
  w.Field("threads", int64_t{config.threads});
  w.Field("key_size", int64_t{config.key_size});
  w.Field("value_size", int64_t{config.value_size});
  w.Field("compression_ratio", config.compression_ratio);
  w.Field("compression", std::string_view(eo.compression ? "lz4" : "none"));
  w.Field("write_buffer_size", uint64_t{eo.write_buffer_size});
  w.Field("block_size", uint64_t{eo.block_size});
  w.Field("cache_size", uint64_t{eo.cache_size});
  w.Field("bloom_bits", int64_t{eo.bloom_bits});
  w.Field("open_files", int64_t{eo.open_files});
  w.Field("max_background_jobs", int64_t{eo.max_background_jobs});
  w.Field("sync", config.sync);
  w.Field("use_existing_db", config.use_existing_db);
  w.Field("histogram", config.histogram);
  w.Field("seed", uint64_t{config.seed});
  w.Field("duration", int64_t{config.duration});
  w.Field("batch_size", int64_t{config.batch_size});
  w.Field("seek_nexts", int64_t{config.seek_nexts});
  w.Field("range_width", config.range_width);
  w.Field("range_tombstones", config.range_tombstones);
  w.Field("benchmark_write_rate_limit", uint64_t{config.benchmark_write_rate_limit});
  w.Field("merge_operator", std::string_view(eo.merge_operator));
  w.Close('}');

  w.Key("benchmarks");
  w.Open('[');
  for (const BenchmarkResult& r : summary.results) {
    w.Open('{');
    w.Field("name", std::string_view(r.name));
    w.Field("skipped", r.skipped);
    if (!r.skip_reason.empty()) w.Field("skip_reason", std::string_view(r.skip_reason));
    w.Field("threads", int64_t{r.threads});
    w.Field("ops", int64_t{r.ops});
    w.Field("bytes", int64_t{r.bytes});
    if (r.found >= 0) w.Field("found", int64_t{r.found});
    w.Field("seconds", r.seconds);
    w.Field("micros_per_op", r.micros_per_op);
    w.Field("ops_per_sec", r.ops_per_sec);
    w.Field("mb_per_sec", r.mb_per_sec);
    w.Field("user_bytes_written", int64_t{r.user_bytes_written});
    w.Field("file_bytes_written", uint64_t{r.file_bytes_written});
    if (!r.message.empty()) w.Field("message", std::string_view(r.message));
    if (!r.text.empty()) w.Field("text", std::string_view(r.text));
    if (r.latency) {
      const HistogramData& l = *r.latency;
      w.Key("latency_micros");
      w.Open('{');
      w.Field("count", uint64_t{l.count});
      w.Field("mean", l.mean);
      w.Field("stddev", l.stddev);
      w.Field("min", l.min);
      w.Field("p50", l.p50);
      w.Field("p95", l.p95);
      w.Field("p99", l.p99);
      w.Field("p99_9", l.p999);
      w.Field("max", l.max);
      w.Close('}');
    }
    w.Close('}');
  }
  w.Close(']');

  w.Key("totals");
  w.Open('{');
  w.Field("user_bytes_written", uint64_t{summary.user_bytes_written});
  w.Field("file_bytes_written", uint64_t{summary.file_bytes_written});
  w.Field("write_amplification", summary.user_bytes_written > 0
                                     ? static_cast<double>(summary.file_bytes_written) /
                                           static_cast<double>(summary.user_bytes_written)
                                     : 0.0);
  w.Field("device_bytes_written", uint64_t{summary.device_bytes_written});
  w.Field("device_write_amplification", summary.user_bytes_written > 0
                                            ? static_cast<double>(summary.device_bytes_written) /
                                                  static_cast<double>(summary.user_bytes_written)
                                            : 0.0);
  w.Field("db_size_bytes", uint64_t{summary.db_size_bytes});
  w.Field("peak_rss_bytes", uint64_t{summary.peak_rss_bytes});
  w.Close('}');
  w.Close('}');
  return w.str() + "\n";
}

Status WriteJson(const Config& config, const RunSummary& summary, const std::string& path) {
  std::ofstream out(path, std::ios::trunc);
  out << RunToJson(config, summary);
  out.close();
  if (!out) return Status::IOError("cannot write the JSON file", path);
  return Status::OK();
}

}  // namespace strata::bench
