// ChunkPrefaulter: a prepared chunk is the file's range, the writer's stores into it take no
// page faults, and a chunk that is not taken (another range, Stop) is unmapped.
#include "util/chunk_prefaulter.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

#include "support/test_util.h"
#include "util/page_size.h"
#include "util/sanitizers.h"

namespace strata {
namespace {

constexpr size_t kChunk = 1 << 20;

// A file of three chunks of zeros (sparse), open for reading and writing.
class ChunkPrefaulterTest : public testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.Child("file");
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    ASSERT_GE(fd_, 0) << std::strerror(errno);
    ASSERT_EQ(::ftruncate(fd_, 3 * kChunk), 0) << std::strerror(errno);
  }
  void TearDown() override {
    if (fd_ >= 0) ::close(fd_);
  }

  // How many mappings of the file the process has (lines of /proc/self/maps naming it).
  int MappingsOfFile() const {
    std::ifstream maps("/proc/self/maps");
    int n = 0;
    for (std::string line; std::getline(maps, line);) {
      if (line.size() >= path_.size() &&
          line.compare(line.size() - path_.size(), path_.size(), path_) == 0)
        n++;
    }
    return n;
  }

  // A chunk taken for certain: prepared and waited for. Null if this kernel cannot populate.
  char* PreparedChunk(ChunkPrefaulter* prefaulter, uint64_t offset) {
    prefaulter->Prepare(fd_, offset, kChunk);
    prefaulter->WaitUntilPrepared();
    return prefaulter->Take(offset, kChunk);
  }

  test::TempDir dir_;
  std::string path_;
  int fd_ = -1;
};

TEST_F(ChunkPrefaulterTest, APreparedChunkIsTheFilesRange) {
  const std::string before(100, 'b');
  ASSERT_EQ(::pwrite(fd_, before.data(), before.size(), kChunk + 10), 100);
  ChunkPrefaulter prefaulter;
  char* p = PreparedChunk(&prefaulter, kChunk);
  if (p == nullptr) GTEST_SKIP() << "the kernel cannot populate a mapping (MADV_POPULATE_WRITE)";
  EXPECT_EQ(std::string(p + 10, 100), before) << "the mapping starts at the chunk's offset";
  std::memcpy(p + 500, "written through the mapping", 27);
  ASSERT_EQ(::munmap(p, kChunk), 0);
  char back[27];
  ASSERT_EQ(::pread(fd_, back, sizeof back, kChunk + 500), 27);
  EXPECT_EQ(std::string(back, 27), "written through the mapping") << "a shared mapping";
}

// The reason it exists: the pages are faulted in on the prefaulter's thread, not the writer's.
TEST_F(ChunkPrefaulterTest, StoresIntoAPreparedChunkTakeNoPageFaults) {
  if (STRATA_TSAN) {
    GTEST_SKIP() << "ThreadSanitizer's shadow of every page faults in on the writer's thread";
  }
  const size_t page = PageSize();
  auto faults_of_filling = [&](char* p) {
    rusage before{};
    ::getrusage(RUSAGE_THREAD, &before);
    for (size_t i = 0; i < kChunk; i += page) p[i] = 'x';
    rusage after{};
    ::getrusage(RUSAGE_THREAD, &after);
    return after.ru_minflt - before.ru_minflt;
  };
  ChunkPrefaulter prefaulter;
  char* prepared = PreparedChunk(&prefaulter, kChunk);
  if (prepared == nullptr) GTEST_SKIP() << "the kernel cannot populate a mapping";
  const long prepared_faults = faults_of_filling(prepared);

  // The control: the same stores into a chunk mapped here fault page by page.
  void* fresh = ::mmap(nullptr, kChunk, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 2 * kChunk);
  ASSERT_NE(fresh, MAP_FAILED) << std::strerror(errno);
  const long fresh_faults = faults_of_filling(static_cast<char*>(fresh));
  ::munmap(fresh, kChunk);
  ::munmap(prepared, kChunk);

  if (fresh_faults < static_cast<long>(kChunk / page / 4)) {
    GTEST_SKIP() << "this kernel maps many pages per fault (" << fresh_faults << " for 1 MiB)";
  }
  EXPECT_LE(prepared_faults * 4, fresh_faults)
      << "prepared " << prepared_faults << " faults, fresh " << fresh_faults;
}

TEST_F(ChunkPrefaulterTest, AChunkNotTakenIsUnmapped) {
  ChunkPrefaulter prefaulter;
  EXPECT_EQ(prefaulter.Take(0, kChunk), nullptr) << "nothing was asked for";
  char* p = PreparedChunk(&prefaulter, 0);
  if (p == nullptr) GTEST_SKIP() << "the kernel cannot populate a mapping";
  EXPECT_EQ(MappingsOfFile(), 1);
  ::munmap(p, kChunk);
  ASSERT_EQ(MappingsOfFile(), 0) << "the test's own count";

  // Another range than the one prepared: null, and the prepared chunk is unmapped.
  prefaulter.Prepare(fd_, kChunk, kChunk);
  prefaulter.WaitUntilPrepared();
  EXPECT_EQ(MappingsOfFile(), 1);
  EXPECT_EQ(prefaulter.Take(2 * kChunk, kChunk), nullptr);
  EXPECT_EQ(MappingsOfFile(), 0);
  EXPECT_EQ(prefaulter.Take(kChunk, kChunk), nullptr) << "dropped by the first Take";

  // A second Prepare replaces the first; Stop drops the second.
  prefaulter.Prepare(fd_, 0, kChunk);
  prefaulter.WaitUntilPrepared();
  prefaulter.Prepare(fd_, kChunk, kChunk);
  prefaulter.WaitUntilPrepared();
  EXPECT_EQ(MappingsOfFile(), 1);
  prefaulter.Stop();
  EXPECT_EQ(MappingsOfFile(), 0);
  EXPECT_EQ(prefaulter.Take(kChunk, kChunk), nullptr) << "Stop dropped it";

  // The thread starts again after Stop.
  char* again = PreparedChunk(&prefaulter, 2 * kChunk);
  ASSERT_NE(again, nullptr);
  ::munmap(again, kChunk);
}

// Stop at any moment (the request not yet picked up, the thread at work, the chunk ready)
// leaves nothing mapped, and the next Prepare starts the thread again.
TEST_F(ChunkPrefaulterTest, StopAtAnyMomentLeavesNothingMapped) {
  ChunkPrefaulter prefaulter;
  for (int i = 0; i < 50; i++) {
    prefaulter.Prepare(fd_, (i % 3) * kChunk, kChunk);
    if (i % 2 == 1) std::this_thread::yield();
    prefaulter.Stop();
    ASSERT_EQ(MappingsOfFile(), 0) << "round " << i;
    ASSERT_EQ(prefaulter.Take((i % 3) * kChunk, kChunk), nullptr) << "round " << i;
  }
}

// A range the prefaulter cannot map is only a missed speed-up: the caller maps it itself.
TEST_F(ChunkPrefaulterTest, AFailedMappingIsNull) {
  ChunkPrefaulter prefaulter;
  prefaulter.Prepare(-1, 0, kChunk);
  prefaulter.WaitUntilPrepared();
  EXPECT_EQ(prefaulter.Take(0, kChunk), nullptr);
}

}  // namespace
}  // namespace strata
