// Write-ahead log micro benchmarks: LogWriter append throughput (no sync), a synced append
// against the device's own limit, and LogReader scan throughput, on real files through
// FileSystem::Default().
//
// Files go to a fresh directory under $TMPDIR (or /tmp), removed at the end. The writer
// switches to a new file every kRotateBytes, as the DB does when a memtable fills, so a long
// run does not grow one file without bound.

#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "strata/file_system.h"
#include "util/discarding_file.h"
#include "util/page_size.h"
#include "util/random.h"
#include "wal/log_reader.h"
#include "wal/log_sync_thread.h"
#include "wal/log_writer.h"

namespace strata {
namespace {

constexpr uint64_t kRotateBytes = 64ull << 20;

// A scratch directory for one benchmark run.
class BenchDir {
 public:
  BenchDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/strata_wal_bench_XXXXXX";
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~BenchDir() {
    if (path_.empty()) return;
    FileSystem* fs = FileSystem::Default().get();
    std::vector<std::string> names;
    if (fs->GetChildren(path_, &names).ok()) {
      for (const auto& name : names) fs->RemoveFile(path_ + "/" + name).PermitUncheckedError();
    }
    fs->RemoveDir(path_).PermitUncheckedError();
  }
  bool ok() const { return !path_.empty(); }
  std::string Child(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string RandomRecord(size_t size) {
  Random rnd(301);
  std::string s(size, '\0');
  for (auto& c : s) c = static_cast<char>(rnd.Uniform(256));
  return s;
}

// mapped: FileSystem::NewLogFile (what the database uses: appends through a shared mapping),
// else NewWritableFile (a write() per append; what kAbsoluteConsistency uses).
Status NewLog(const std::string& path, std::unique_ptr<LogWriter>* writer, bool mapped = false) {
  std::unique_ptr<WritableFile> file;
  Status s = mapped ? FileSystem::Default()->NewLogFile(path, &file)
                    : FileSystem::Default()->NewWritableFile(path, &file);
  if (s.ok()) *writer = std::make_unique<LogWriter>(std::move(file));
  return s;
}

// range(0): record bytes; range(1): 1 = the mapped log file.
void BM_WalAppend(benchmark::State& state) {
  const size_t record_size = static_cast<size_t>(state.range(0));
  const bool mapped = state.range(1) != 0;
  BenchDir dir;
  if (!dir.ok()) {
    state.SkipWithError("mkdtemp failed");
    return;
  }
  const std::string path = dir.Child("bench.log");
  const std::string record = RandomRecord(record_size);
  std::unique_ptr<LogWriter> writer;
  if (!NewLog(path, &writer, mapped).ok()) {
    state.SkipWithError("cannot create the log file");
    return;
  }
  for (auto _ : state) {
    Status s = writer->AddRecord(record);
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
    if (writer->Size() >= kRotateBytes) {
      state.PauseTiming();
      Status c = writer->Close();
      if (c.ok()) c = NewLog(path, &writer, mapped);
      state.ResumeTiming();
      if (!c.ok()) {
        state.SkipWithError(c.ToString().c_str());
        break;
      }
    }
  }
  writer->Close().PermitUncheckedError();
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * record_size));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_WalAppend)
    ->ArgNames({"record", "mapped"})
    ->Args({100, 0})
    ->Args({100, 1})
    ->Args({1024, 0})
    ->Args({1024, 1});

// One synced writer: a 120-byte record (a 16-byte key and 100-byte value with its batch
// header) appended through the database's log file, then synced, each iteration. Compare
// with BM_DeviceSyncLimit: the gap is what the log adds to the device's sync time.
void BM_WalSyncedAppend(benchmark::State& state) {
  BenchDir dir;
  if (!dir.ok()) {
    state.SkipWithError("mkdtemp failed");
    return;
  }
  const std::string record = RandomRecord(120);
  std::unique_ptr<LogWriter> writer;
  if (!NewLog(dir.Child("bench.log"), &writer, /*mapped=*/true).ok()) {
    state.SkipWithError("cannot create the log file");
    return;
  }
  for (auto _ : state) {
    Status s = writer->AddRecord(record);
    if (s.ok()) s = writer->Sync();
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
  }
  writer->Close().PermitUncheckedError();
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_WalSyncedAppend)->UseRealTime();

// The device's limit for one synced writer, without any of our code: pwrite of 127 bytes
// (the record with its log header) into blocks already written and synced, then fdatasync.
// Raw system calls on purpose: this is the yardstick, not the engine.
void BM_DeviceSyncLimit(benchmark::State& state) {
  BenchDir dir;
  if (!dir.ok()) {
    state.SkipWithError("mkdtemp failed");
    return;
  }
  const std::string path = dir.Child("limit.dat");
  const int fd = ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0) {
    state.SkipWithError("cannot create the file");
    return;
  }
  constexpr off_t kSpan = 16 << 20;
  // A page per write, as the log writes its zeros: one large write would form large
  // page-cache folios, and each synced record would then write back a whole folio.
  const std::string zeros(PageSize(), '\0');
  bool ok = true;
  for (off_t at = 0; ok && at < kSpan; at += static_cast<off_t>(zeros.size())) {
    ok = ::pwrite(fd, zeros.data(), zeros.size(), at) == static_cast<ssize_t>(zeros.size());
  }
  ok = ok && ::fdatasync(fd) == 0;
  const std::string record = RandomRecord(127);
  off_t at = 0;
  for (auto _ : state) {
    if (!ok) break;
    ok = ::pwrite(fd, record.data(), record.size(), at) == static_cast<ssize_t>(record.size()) &&
         ::fdatasync(fd) == 0;
    at = (at + static_cast<off_t>(record.size())) % (kSpan - 4096);
  }
  if (!ok) state.SkipWithError("write or sync failed");
  ::close(fd);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_DeviceSyncLimit)->UseRealTime();

// The cost of handing a sync to the LogSyncThread (a wake-up each way) rather than syncing
// on the caller's thread, with a file whose sync costs nothing. range(0): 0 = inline, 1 =
// on the thread. A write group hands its sync on only when its memtable insert, overlapped
// with the sync, saves more than this (kMinEntriesToInsertDuringSync in db_impl_write.cc).
void BM_SyncHandOff(benchmark::State& state) {
  LogWriter writer(std::make_unique<DiscardingFile>());
  std::unique_ptr<LogSyncThread> thread = LogSyncThread::Create();
  if (thread == nullptr) {
    state.SkipWithError("no thread");
    return;
  }
  const std::string record = RandomRecord(120);
  for (auto _ : state) {
    Status s = writer.AddRecord(record);
    if (s.ok() && state.range(0) == 0) {
      s = writer.Sync();
    } else if (s.ok()) {
      thread->Start(&writer);
      uint64_t micros = 0;
      s = thread->Wait(&micros);
    }
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_SyncHandOff)->Arg(0)->Arg(1)->UseRealTime();

void BM_WalRead(benchmark::State& state) {
  const size_t record_size = static_cast<size_t>(state.range(0));
  BenchDir dir;
  if (!dir.ok()) {
    state.SkipWithError("mkdtemp failed");
    return;
  }
  const std::string path = dir.Child("bench.log");
  const std::string record = RandomRecord(record_size);
  const uint64_t records = (16ull << 20) / record_size;
  {
    std::unique_ptr<LogWriter> writer;
    Status s = NewLog(path, &writer);
    for (uint64_t i = 0; s.ok() && i < records; i++) s = writer->AddRecord(record);
    if (s.ok()) s = writer->Close();
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      return;
    }
  }
  std::string scratch;
  std::string_view r;
  for (auto _ : state) {
    std::unique_ptr<SequentialFile> file;
    if (!FileSystem::Default()->NewSequentialFile(path, &file).ok()) {
      state.SkipWithError("cannot open the log file");
      break;
    }
    LogReader reader(std::move(file), nullptr);
    uint64_t n = 0;
    while (reader.ReadRecord(&r, &scratch)) n++;
    if (n != records) {
      state.SkipWithError("records lost");
      break;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * records * record_size));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * records));
}
BENCHMARK(BM_WalRead)->Arg(100)->Arg(1024);

}  // namespace
}  // namespace strata
