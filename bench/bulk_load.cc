// bulk_load: loading N sorted keys through Put versus building tables with TableWriter and
// ingesting them, with the bytes each writes to disk (write amplification = bytes written /
// bytes of keys and values); then the time of a checkpoint of the loaded database.
//
//   bulk_load [--keys=N] [--value_size=B] [--keys_per_file=M] [--dir=DIR] [--skip_put]
//
// The database directories go under DIR (default: a new directory in $TMPDIR) and are
// removed at the end. Results go to standard output, one "name: value" line each.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "strata/db.h"
#include "strata/file_system.h"
#include "strata/table_writer.h"

namespace {

using strata::Status;

// Counts the bytes appended to every file written through it.
class CountingFileSystem final : public strata::FileSystemWrapper {
 public:
  CountingFileSystem() : FileSystemWrapper(strata::FileSystem::Default()) {}
  Status NewWritableFile(const std::string& path,
                         std::unique_ptr<strata::WritableFile>* result) override {
    std::unique_ptr<strata::WritableFile> file;
    Status s = target()->NewWritableFile(path, &file);
    if (s.ok()) *result = std::make_unique<File>(std::move(file), &bytes);
    return s;
  }
  std::atomic<uint64_t> bytes{0};

 private:
  class File final : public strata::WritableFile {
   public:
    File(std::unique_ptr<strata::WritableFile> f, std::atomic<uint64_t>* n)
        : f_(std::move(f)), n_(n) {}
    Status Append(std::string_view data) override {
      n_->fetch_add(data.size());
      return f_->Append(data);
    }
    Status Sync() override { return f_->Sync(); }
    Status Close() override { return f_->Close(); }
    uint64_t Size() const override { return f_->Size(); }

   private:
    std::unique_ptr<strata::WritableFile> f_;
    std::atomic<uint64_t>* n_;
  };
};

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void Check(const Status& s, const char* what) {
  if (s.ok()) return;
  std::fprintf(stderr, "bulk_load: %s: %s\n", what, s.ToString().c_str());
  std::exit(1);
}

std::string Key(uint64_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "key%016" PRIu64, i);
  return buf;
}

// A value that LZ4 shrinks to about half, like db_bench's default data.
std::string Value(uint64_t i, size_t size) {
  std::string v(size, ' ');
  uint64_t x = i * 0x9e3779b97f4a7c15ull + 1;
  for (size_t j = 0; j < size; j++) {
    if (j % 2 == 0) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
    }
    v[j] = static_cast<char>('a' + (j % 2 == 0 ? x % 26 : 0));
  }
  return v;
}

uint64_t Flag(int argc, char** argv, const char* name, uint64_t def) {
  const size_t n = std::strlen(name);
  for (int i = 1; i < argc; i++) {
    if (std::strncmp(argv[i], name, n) == 0 && argv[i][n] == '=') {
      return std::strtoull(argv[i] + n + 1, nullptr, 10);
    }
  }
  return def;
}

}  // namespace

int main(int argc, char** argv) {
  const uint64_t keys = Flag(argc, argv, "--keys", 2000000);
  const size_t value_size = Flag(argc, argv, "--value_size", 100);
  const uint64_t per_file = Flag(argc, argv, "--keys_per_file", 1000000);
  bool skip_put = false;
  std::string dir;
  for (int i = 1; i < argc; i++) {
    if (std::strcmp(argv[i], "--skip_put") == 0) skip_put = true;
    if (std::strncmp(argv[i], "--dir=", 6) == 0) dir = argv[i] + 6;
  }
  if (dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    dir = std::string(tmp ? tmp : "/tmp") + "/bulk_load." + std::to_string(::getpid());
  }
  std::filesystem::create_directories(dir);
  const double user_bytes = static_cast<double>(keys) * (Key(0).size() + value_size);
  std::printf("keys: %" PRIu64 "\nvalue_size: %zu\nuser_bytes: %.0f\n", keys, value_size,
              user_bytes);

  // A database in dir/name whose writes are counted by *fs.
  auto open = [&](const std::string& name, std::shared_ptr<CountingFileSystem>* fs,
                  strata::Options* options, std::unique_ptr<strata::DB>* db) {
    *fs = std::make_shared<CountingFileSystem>();
    options->create_if_missing = true;
    options->file_system = *fs;
    Check(strata::DB::Open(*options, dir + "/" + name, db), "open");
  };

  if (!skip_put) {
    std::shared_ptr<CountingFileSystem> fs;
    strata::Options options;
    std::unique_ptr<strata::DB> db;
    open("put", &fs, &options, &db);
    auto start = std::chrono::steady_clock::now();
    for (uint64_t i = 0; i < keys; i++) {
      Check(db->Put(strata::WriteOptions(), Key(i), Value(i, value_size)), "put");
    }
    Check(db->Flush(), "flush");
    const double secs = Seconds(start);
    std::printf("put_seconds: %.2f\nput_bytes_written: %" PRIu64 "\nput_write_amp: %.2f\n", secs,
                fs->bytes.load(), fs->bytes.load() / user_bytes);
    db.reset();
    std::filesystem::remove_all(dir + "/put");
  }

  std::shared_ptr<CountingFileSystem> fs;
  strata::Options options;
  std::unique_ptr<strata::DB> db;
  open("ingest", &fs, &options, &db);
  auto start = std::chrono::steady_clock::now();
  std::vector<std::string> files;
  for (uint64_t first = 0; first < keys; first += per_file) {
    files.push_back(dir + "/in" + std::to_string(files.size()) + ".sst");
    strata::TableWriter writer(options);
    Check(writer.Open(files.back()), "table open");
    for (uint64_t i = first; i < std::min(keys, first + per_file); i++) {
      Check(writer.Put(Key(i), Value(i, value_size)), "table put");
    }
    Check(writer.Finish(), "table finish");
  }
  const double build_secs = Seconds(start);
  strata::IngestOptions ingest;
  ingest.move_files = true;
  auto ingest_start = std::chrono::steady_clock::now();
  Check(db->IngestExternalFiles(files, ingest), "ingest");
  const double ingest_secs = Seconds(ingest_start);
  std::printf(
      "table_writer_seconds: %.2f\ningest_call_seconds: %.3f\ningest_total_seconds: %.2f\n"
      "ingest_bytes_written: %" PRIu64 "\ningest_write_amp: %.2f\n",
      build_secs, ingest_secs, build_secs + ingest_secs, fs->bytes.load(),
      fs->bytes.load() / user_bytes);
  std::string value;
  Check(db->Get(strata::ReadOptions(), Key(keys / 2), &value), "get");
  if (value != Value(keys / 2, value_size)) {
    std::fprintf(stderr, "bulk_load: wrong value read back\n");
    return 1;
  }

  // A checkpoint of the loaded database, with some writes in the log to copy.
  std::string size;
  db->GetProperty("strata.total-sst-size", &size);
  for (uint64_t i = 0; i < 10000; i++) {
    Check(db->Put(strata::WriteOptions(), Key(keys + i), Value(i, value_size)), "put");
  }
  auto ckpt_start = std::chrono::steady_clock::now();
  Check(db->CreateCheckpoint(dir + "/ckpt"), "checkpoint");
  std::printf(
      "checkpoint_db_table_bytes: %s\ncheckpoint_log_records: 10000\n"
      "checkpoint_milliseconds: %.1f\n",
      size.c_str(), Seconds(ckpt_start) * 1000);
  db.reset();
  std::filesystem::remove_all(dir);
  return 0;
}
