// The POSIX log file (FileSystem::NewLogFile: appends through a shared mapping, the next chunk
// reserved and faulted in ahead by a thread) where its speed-ups meet trouble: a file system
// that fills up while a chunk is reserved ahead, and a process that cannot start the thread.
// Either way the log must keep every record it accepted, refuse the rest whole, and go on.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "strata/file_system.h"
#include "support/child_process.h"
#include "support/small_tmpfs.h"
#include "support/test_util.h"
#include "util/chunk_prefaulter.h"
#include "wal/log_reader.h"
#include "wal/log_writer.h"

namespace strata {
namespace {

using test::RandomBytes;
using test::TempDir;

constexpr uint64_t kChunk = 1 << 20;

// The records of the log at path and the reports of its reader.
struct ReadBack {
  std::vector<std::string> records;
  std::vector<std::string> reports;
};

class Collector final : public LogReader::Reporter {
 public:
  void Corruption(const LogCorruption& c) override {
    reports.push_back(std::string(LogCorruptionKindName(c.kind)) + " @" + std::to_string(c.offset) +
                      ": " + c.reason);
  }
  std::vector<std::string> reports;
};

ReadBack ReadLog(const std::string& path) {
  ReadBack out;
  std::unique_ptr<SequentialFile> in;
  EXPECT_OK(FileSystem::Default()->NewSequentialFile(path, &in));
  if (in == nullptr) return out;
  Collector reporter;
  LogReader reader(std::move(in), &reporter);
  std::string scratch;
  std::string_view record;
  while (reader.ReadRecord(&record, &scratch)) out.records.emplace_back(record);
  out.reports = reporter.reports;
  return out;
}

// The log at path holds exactly records, with no report from its reader.
void ExpectLogHolds(const std::string& path, const std::vector<std::string>& records) {
  ReadBack read = ReadLog(path);
  EXPECT_EQ(read.records.size(), records.size());
  EXPECT_TRUE(read.records == records) << "the records read back differ from those written";
  EXPECT_TRUE(read.reports.empty()) << read.reports.front();
}

// A real full file system: a tmpfs of 8 MiB mounted for the test (needs root).
class MappedLogFullDiskTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    if (!tmpfs_.Mount(dir_.path(), 8 << 20, &error)) GTEST_SKIP() << error;
  }
  uint64_t FreeBytes() const { return tmpfs_.FreeBytes(); }
  // Fills the disk with a ballast file until about `leave` bytes are free.
  void Fill(uint64_t leave, const std::string& name = "ballast") {
    ASSERT_OK(tmpfs_.Fill(name, leave));
  }
  std::string Ballast() const { return tmpfs_.Child("ballast"); }

  // Appends 500-byte records until the disk refuses one; that refusal must be whole (the
  // writer usable, its size unchanged). Returns the size the log reached.
  uint64_t AppendUntilFull(LogWriter* writer, Random* rnd, std::vector<std::string>* records) {
    for (int i = 0; i < 100000; i++) {
      std::string r = RandomBytes(rnd, 500);
      const uint64_t before = writer->Size();
      Status s = writer->AddRecord(r);
      if (s.ok()) {
        records->push_back(std::move(r));
        continue;
      }
      EXPECT_TRUE(s.IsNoSpace()) << s.ToString();
      EXPECT_FALSE(writer->failed()) << "a record refused whole leaves the log usable";
      EXPECT_EQ(writer->Size(), before);
      return before;
    }
    ADD_FAILURE() << "the disk never filled";
    return writer->Size();
  }

  TempDir dir_;
  test::SmallTmpfs tmpfs_;
};

// An unsynced log reserves the chunk after the one it fills and has it faulted in ahead. On a
// nearly full disk that reservation takes what fits; the log fills all of it, then refuses
// records whole, and goes on once space frees.
TEST_F(MappedLogFullDiskTest, UnsyncedLogUsesWhatWasReservedAheadThenRefusesWhole) {
  const std::string path = tmpfs_.Child("000001.log");
  std::unique_ptr<WritableFile> file;
  ASSERT_OK(FileSystem::Default()->NewLogFile(path, &file));
  LogWriter writer(std::move(file));
  // Three chunks fit and a part of the fourth: the third is reserved ahead whole, the fourth
  // (reserved ahead from the third on) only in part.
  Fill(3 * kChunk + (200 << 10));
  Random rnd(31);
  std::vector<std::string> records;
  const uint64_t full_at = AppendUntilFull(&writer, &rnd, &records);
  EXPECT_GT(full_at, 3 * kChunk) << "the part of the fourth chunk that fit must be used";
  EXPECT_TRUE(writer.AddRecord(std::string(5000, 'f')).IsNoSpace())
      << "larger than the one refused";

  ASSERT_OK(FileSystem::Default()->RemoveFile(Ballast()));
  while (writer.Size() < full_at + 2 * kChunk) {
    records.push_back(RandomBytes(&rnd, 500));
    ASSERT_OK(writer.AddRecord(records.back()));
  }
  ASSERT_OK(writer.Close());
  ExpectLogHolds(path, records);
}

// The first sync drops the chunk prepared ahead (a hole punched over it, then allocated
// again) while the disk has no room for another chunk: the range stays the log's even when
// other files then take every free block, so the synced appends fill it, then are refused
// whole.
TEST_F(MappedLogFullDiskTest, FirstSyncOnANearlyFullDiskKeepsTheChunkAheadUsable) {
  const std::string path = tmpfs_.Child("000001.log");
  std::unique_ptr<WritableFile> file;
  ASSERT_OK(FileSystem::Default()->NewLogFile(path, &file));
  LogWriter writer(std::move(file));
  Fill(3 * kChunk + (200 << 10));
  Random rnd(32);
  std::vector<std::string> records;
  while (writer.Size() < kChunk + 1000) {  // in the second chunk: the third reserved ahead
    records.push_back(RandomBytes(&rnd, 500));
    ASSERT_OK(writer.AddRecord(records.back()));
  }
  EXPECT_LT(FreeBytes(), kChunk) << "the disk must have no room for another whole chunk";
  ASSERT_OK(writer.Sync());
  Fill(0, "more-ballast");
  const uint64_t full_at = AppendUntilFull(&writer, &rnd, &records);
  EXPECT_GT(full_at, 3 * kChunk - 1024) << "the dropped chunk must stay reserved for the log";
  ASSERT_OK(writer.Sync());

  ASSERT_OK(FileSystem::Default()->RemoveFile(Ballast()));
  ASSERT_OK(FileSystem::Default()->RemoveFile(tmpfs_.Child("more-ballast")));
  for (int i = 0; i < 3000; i++) {
    records.push_back(RandomBytes(&rnd, 500));
    ASSERT_OK(writer.AddRecord(records.back()));
    if (i % 100 == 0) ASSERT_OK(writer.Sync());
  }
  ASSERT_OK(writer.Close());
  ExpectLogHolds(path, records);
}

// Exit codes of the child below.
enum ChildExit {
  kChildOk = 0,
  kChildThreadsStillStart = 77,  // the limit did not hold: nothing to test here
  kChildCannotDropRoot = 10,
  kChildCannotLimit = 11,
  kChildTookAChunk = 12,
  kChildOpenFailed = 13,
  kChildAppendFailed = 14,
  kChildCloseFailed = 15,
};

// A process that may start no thread (RLIMIT_NPROC, which root ignores, so the child gives up
// root first): a log past its first chunks cannot have the next faulted in ahead, and must map
// each chunk itself. The prefaulter reports nothing prepared without waiting, and the log holds
// every record.
TEST(MappedLogNoThreadTest, LogWritesOnWhenThePrefaulterCannotStartItsThread) {
  TempDir dir;
  const std::string path = dir.Child("000001.log");
  Random rnd(33);
  std::vector<std::string> records;
  for (int i = 0; i < 9000; i++) records.push_back(RandomBytes(&rnd, 500));  // 4.3 MiB

  test::AckChild child;
  std::string error;
  ASSERT_TRUE(child.Fork(
      [&](int) {
        // Opened before root is given up: the directory is root's.
        std::unique_ptr<WritableFile> file;
        if (!FileSystem::Default()->NewLogFile(path, &file).ok()) ::_exit(kChildOpenFailed);
        if (::getuid() == 0 && ::setuid(65534) != 0) ::_exit(kChildCannotDropRoot);
        const struct rlimit none = {0, 0};
        if (::setrlimit(RLIMIT_NPROC, &none) != 0) ::_exit(kChildCannotLimit);
        try {
          std::thread([] {}).join();
          ::_exit(kChildThreadsStillStart);
        } catch (const std::system_error&) {
        }
        {
          ChunkPrefaulter prefaulter;
          prefaulter.Prepare(/*fd=*/0, 0, 4096);
          prefaulter.WaitUntilPrepared();
          if (prefaulter.Take(0, 4096) != nullptr) ::_exit(kChildTookAChunk);
        }
        LogWriter writer(std::move(file));
        for (const std::string& r : records) {
          if (!writer.AddRecord(r).ok()) ::_exit(kChildAppendFailed);
        }
        if (!writer.Close().ok()) ::_exit(kChildCloseFailed);
        ::_exit(kChildOk);
      },
      &error))
      << error;
  std::vector<uint64_t> acks;
  const int status = child.Wait(&acks);
  ASSERT_TRUE(WIFEXITED(status)) << test::DescribeWaitStatus(status);
  switch (WEXITSTATUS(status)) {
    case kChildThreadsStillStart:
      GTEST_SKIP() << "threads still start under RLIMIT_NPROC 0 here";
    case kChildCannotDropRoot:
      GTEST_SKIP() << "cannot give up root here (no uid 65534 or no CAP_SETUID)";
    case kChildCannotLimit:
      GTEST_SKIP() << "cannot lower RLIMIT_NPROC here";
    default:
      break;
  }
  ASSERT_EQ(WEXITSTATUS(status), kChildOk) << test::DescribeWaitStatus(status);
  ExpectLogHolds(path, records);
}

}  // namespace
}  // namespace strata
