// Tests for the POSIX FileSystem (FileSystem::Default()).

#include "strata/file_system.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "support/test_util.h"
#include "util/page_size.h"

namespace strata::test {
namespace {

class FileSystemTest : public ::testing::Test {
 protected:
  FileSystem* fs() { return fs_.get(); }

  std::shared_ptr<FileSystem> fs_ = FileSystem::Default();
  TempDir dir_;
};

TEST_F(FileSystemTest, DefaultIsShared) { EXPECT_EQ(FileSystem::Default(), fs_); }

TEST_F(FileSystemTest, WriteReadRoundTrip) {
  Random rnd(301);
  const std::string data = RandomBytes(&rnd, 200000);
  const std::string path = dir_.Child("f");
  ASSERT_OK(WriteStringToFile(fs(), data, path, /*sync=*/true));
  std::string read;
  ASSERT_OK(ReadFileToString(fs(), path, &read));
  EXPECT_EQ(read, data);
  uint64_t size = 0;
  ASSERT_OK(fs()->GetFileSize(path, &size));
  EXPECT_EQ(size, data.size());
}

TEST_F(FileSystemTest, WritableFileTracksSizeAndRejectsUseAfterClose) {
  std::unique_ptr<WritableFile> file;
  ASSERT_OK(fs()->NewWritableFile(dir_.Child("f"), &file));
  EXPECT_EQ(file->Size(), 0u);
  ASSERT_OK(file->Append("hello"));
  ASSERT_OK(file->Append(""));
  ASSERT_OK(file->Append(" world"));
  EXPECT_EQ(file->Size(), 11u);
  ASSERT_OK(file->Sync());
  ASSERT_OK(file->Sync());
  ASSERT_OK(file->Close());
  EXPECT_TRUE(file->Append("x").IsIOError());
  EXPECT_TRUE(file->Sync().IsIOError());
  EXPECT_TRUE(file->Close().IsIOError());
  std::string read;
  ASSERT_OK(ReadFileToString(fs(), dir_.Child("f"), &read));
  EXPECT_EQ(read, "hello world");
}

TEST_F(FileSystemTest, NewWritableFileTruncatesExisting) {
  const std::string path = dir_.Child("f");
  ASSERT_OK(WriteStringToFile(fs(), "a long first version", path, false));
  ASSERT_OK(WriteStringToFile(fs(), "short", path, false));
  std::string read;
  ASSERT_OK(ReadFileToString(fs(), path, &read));
  EXPECT_EQ(read, "short");
}

TEST_F(FileSystemTest, SequentialReadsAndSkip) {
  const std::string path = dir_.Child("seq");
  ASSERT_OK(WriteStringToFile(fs(), "0123456789abcdef", path, false));
  std::unique_ptr<SequentialFile> file;
  ASSERT_OK(fs()->NewSequentialFile(path, &file));
  char scratch[32];
  std::string_view result;
  ASSERT_OK(file->Read(4, &result, scratch));
  EXPECT_EQ(result, "0123");
  ASSERT_OK(file->Skip(6));
  ASSERT_OK(file->Read(3, &result, scratch));
  EXPECT_EQ(result, "abc");
  // Short read at end of file, then empty reads.
  ASSERT_OK(file->Read(10, &result, scratch));
  EXPECT_EQ(result, "def");
  ASSERT_OK(file->Read(10, &result, scratch));
  EXPECT_TRUE(result.empty());
  ASSERT_OK(file->Read(10, &result, scratch));
  EXPECT_TRUE(result.empty());
}

TEST_F(FileSystemTest, RandomAccessReads) {
  const std::string path = dir_.Child("rand");
  ASSERT_OK(WriteStringToFile(fs(), "0123456789abcdef", path, false));
  std::unique_ptr<RandomAccessFile> file;
  ASSERT_OK(fs()->NewRandomAccessFile(path, &file));
  char scratch[32];
  std::string_view result;
  ASSERT_OK(file->Read(10, 3, &result, scratch));
  EXPECT_EQ(result, "abc");
  ASSERT_OK(file->Read(0, 2, &result, scratch));
  EXPECT_EQ(result, "01");
  // Short read across end of file; empty read past it.
  ASSERT_OK(file->Read(14, 10, &result, scratch));
  EXPECT_EQ(result, "ef");
  ASSERT_OK(file->Read(16, 10, &result, scratch));
  EXPECT_TRUE(result.empty());
  ASSERT_OK(file->Read(1000, 10, &result, scratch));
  EXPECT_TRUE(result.empty());
}

// Tables are read through a mapping: no copy, no scratch, and only the length the file had
// when opened, so a file that grows (or was cut short) reads like pread would at open time.
TEST_F(FileSystemTest, RandomAccessFilesAreMappedAtTheirLengthWhenOpened) {
  const std::string path = dir_.Child("mapped");
  ASSERT_OK(WriteStringToFile(fs(), "0123456789", path, false));
  std::unique_ptr<RandomAccessFile> file;
  ASSERT_OK(fs()->NewRandomAccessFile(path, &file));
  ASSERT_TRUE(file->IsMemoryMapped());
  std::string_view result;
  ASSERT_OK(file->Read(2, 3, &result, nullptr));
  EXPECT_EQ(result, "234");
  ASSERT_OK(WriteStringToFile(fs(), "0123456789abcdef", path, false));  // now longer
  ASSERT_OK(file->Read(8, 8, &result, nullptr));
  EXPECT_EQ(result, "89");
  ASSERT_OK(file->Read(10, 1, &result, nullptr));
  EXPECT_TRUE(result.empty());
  // An empty file cannot be mapped: it is read with pread (and reads nothing).
  const std::string empty = dir_.Child("empty");
  ASSERT_OK(WriteStringToFile(fs(), "", empty, false));
  ASSERT_OK(fs()->NewRandomAccessFile(empty, &file));
  EXPECT_FALSE(file->IsMemoryMapped());
  char scratch[4];
  ASSERT_OK(file->Read(0, 4, &result, scratch));
  EXPECT_TRUE(result.empty());
}

// Default() maps a file only while the random-access files it has open, mapped or read with
// pread, the new one included, total at most 1 GiB: beyond that a file is read with pread, and
// closing files makes room again. Sparse files: no disk space is used.
TEST_F(FileSystemTest, MappingsStopAtTheirByteBudget) {
  auto sparse = [&](const std::string& name, off_t size) {
    const std::string path = dir_.Child(name);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(0, ::ftruncate(fd, size));
    ::close(fd);
    return path;
  };
  const off_t kLarge = off_t{600} << 20;
  std::unique_ptr<RandomAccessFile> first, second, third, fourth;
  ASSERT_OK(fs()->NewRandomAccessFile(sparse("first", kLarge), &first));
  EXPECT_TRUE(first->IsMemoryMapped());
  ASSERT_OK(fs()->NewRandomAccessFile(sparse("second", kLarge), &second));
  EXPECT_FALSE(second->IsMemoryMapped()) << "1200 MiB would be open";
  std::string_view result;
  char scratch[8];
  ASSERT_OK(second->Read(kLarge - 4, 8, &result, scratch));
  EXPECT_EQ(std::string(4, '\0'), result);
  first.reset();
  ASSERT_OK(fs()->NewRandomAccessFile(sparse("third", kLarge), &third));
  EXPECT_FALSE(third->IsMemoryMapped()) << "the file read with pread counts too";
  second.reset();
  third.reset();
  ASSERT_OK(fs()->NewRandomAccessFile(sparse("fourth", kLarge), &fourth));
  EXPECT_TRUE(fourth->IsMemoryMapped()) << "closed files gave their bytes back";
}

// NewUnmappedRandomAccessFile reads with pread where the file would have been mapped, and its
// bytes count against the bound like any open file's; MappingBound says the bound (0: never
// maps). A wrapper reports 0 and opens through its own NewRandomAccessFile.
TEST_F(FileSystemTest, AnUnmappedOpenReadsWithPreadAndCountsAgainstTheBound) {
  const std::string path = dir_.Child("table");
  const std::string data(10000, 'd');
  ASSERT_OK(WriteStringToFile(fs(), data, path, /*sync=*/false));
  EXPECT_EQ(FileSystem::NewPosix(0)->MappingBound(), 0u);
  std::shared_ptr<FileSystem> two_files = FileSystem::NewPosix(2 * data.size());
  EXPECT_EQ(two_files->MappingBound(), 2 * data.size());
  std::unique_ptr<RandomAccessFile> unmapped, mapped, over;
  ASSERT_OK(two_files->NewUnmappedRandomAccessFile(path, &unmapped));
  EXPECT_FALSE(unmapped->IsMemoryMapped());
  std::string scratch(data.size(), '\0');
  std::string_view result;
  ASSERT_OK(unmapped->Read(0, data.size(), &result, scratch.data()));
  EXPECT_EQ(result, data);
  ASSERT_OK(two_files->NewRandomAccessFile(path, &mapped));
  EXPECT_TRUE(mapped->IsMemoryMapped()) << "two files fit the bound";
  ASSERT_OK(two_files->NewRandomAccessFile(path, &over));
  EXPECT_FALSE(over->IsMemoryMapped()) << "the unmapped file's bytes count too";

  FileSystemWrapper wrapper(two_files);
  EXPECT_EQ(wrapper.MappingBound(), 0u);
  over.reset();
  unmapped.reset();
  ASSERT_OK(wrapper.NewUnmappedRandomAccessFile(path, &unmapped));
  EXPECT_TRUE(unmapped->IsMemoryMapped()) << "through the wrapper's NewRandomAccessFile";
}

// NewPosix: a file system with a budget of its own. 0 maps nothing (every read a pread); a
// budget of one file's size maps that file and not the next, whatever Default() has open,
// and maps a file again once both have closed. Files read the same either way.
TEST_F(FileSystemTest, NewPosixMapsWithinItsOwnBudget) {
  const std::string path = dir_.Child("table");
  const std::string data(10000, 'd');
  {
    std::unique_ptr<WritableFile> w;
    ASSERT_OK(fs()->NewWritableFile(path, &w));
    ASSERT_OK(w->Append(data));
    ASSERT_OK(w->Close());
  }
  auto read_back = [&](const RandomAccessFile& file) {
    std::string scratch(data.size(), '\0');
    std::string_view result;
    EXPECT_OK(file.Read(0, data.size(), &result, scratch.data()));
    return std::string(result);
  };

  std::shared_ptr<FileSystem> never = FileSystem::NewPosix(0);
  ASSERT_NE(never, FileSystem::Default());
  std::unique_ptr<RandomAccessFile> unmapped;
  ASSERT_OK(never->NewRandomAccessFile(path, &unmapped));
  EXPECT_FALSE(unmapped->IsMemoryMapped());
  EXPECT_EQ(read_back(*unmapped), data);

  std::shared_ptr<FileSystem> one_file = FileSystem::NewPosix(data.size());
  std::unique_ptr<RandomAccessFile> first, second, default_mapped;
  ASSERT_OK(fs()->NewRandomAccessFile(path, &default_mapped));
  EXPECT_TRUE(default_mapped->IsMemoryMapped()) << "Default()'s budget is its own";
  ASSERT_OK(one_file->NewRandomAccessFile(path, &first));
  EXPECT_TRUE(first->IsMemoryMapped());
  ASSERT_OK(one_file->NewRandomAccessFile(path, &second));
  EXPECT_FALSE(second->IsMemoryMapped()) << "the budget holds one file";
  EXPECT_EQ(read_back(*first), data);
  EXPECT_EQ(read_back(*second), data);
  first.reset();
  second.reset();
  std::unique_ptr<RandomAccessFile> mapped_again;
  ASSERT_OK(one_file->NewRandomAccessFile(path, &mapped_again));
  EXPECT_TRUE(mapped_again->IsMemoryMapped()) << "both files gave their bytes back";
  one_file.reset();
  EXPECT_EQ(read_back(*mapped_again), data) << "the mapping outlives its file system";
}

// ReleasePages on a mapped file: ranges with partial pages at either end, empty, or past the
// file's end are accepted, and bytes a read returned before the release read the same after
// it (a shared file mapping is refilled from the page cache). An empty file counts nothing
// against the bound: a file of the whole bound is still mapped beside it.
TEST_F(FileSystemTest, ReleasedPagesReadTheSameAgain) {
  const std::string path = dir_.Child("released");
  const size_t page = PageSize();
  std::string data(5 * page + 100, '\0');
  for (size_t i = 0; i < data.size(); i++) data[i] = static_cast<char>('a' + i % 23);
  ASSERT_OK(WriteStringToFile(fs(), data, path, false));
  const std::string empty = dir_.Child("empty");
  ASSERT_OK(WriteStringToFile(fs(), "", empty, false));

  std::shared_ptr<FileSystem> bounded = FileSystem::NewPosix(data.size());
  std::unique_ptr<RandomAccessFile> nothing, file;
  ASSERT_OK(bounded->NewRandomAccessFile(empty, &nothing));
  EXPECT_FALSE(nothing->IsMemoryMapped());
  ASSERT_OK(bounded->NewRandomAccessFile(path, &file));
  ASSERT_TRUE(file->IsMemoryMapped()) << "the empty file took nothing from the bound";

  std::string_view before;
  ASSERT_OK(file->Read(0, data.size(), &before, nullptr));
  ASSERT_EQ(before, data);
  file->ReleasePages(100, 3 * page);           // partial pages at both ends
  file->ReleasePages(0, 0);                    // nothing
  file->ReleasePages(page, data.size());       // past the end
  file->ReleasePages(data.size() + 10, page);  // wholly past the end
  file->ReleasePages(0, data.size());          // everything
  EXPECT_EQ(before, data) << "a view taken before the release";
  std::string_view after;
  ASSERT_OK(file->Read(page - 96, page + 904, &after, nullptr));
  EXPECT_EQ(after, data.substr(page - 96, page + 904));
  nothing->ReleasePages(0, page);  // a file read with pread: nothing happens
}

TEST_F(FileSystemTest, GetChildrenListsNamesWithoutDots) {
  ASSERT_OK(WriteStringToFile(fs(), "1", dir_.Child("a"), false));
  ASSERT_OK(WriteStringToFile(fs(), "2", dir_.Child("b"), false));
  ASSERT_OK(fs()->CreateDir(dir_.Child("sub")));
  std::vector<std::string> names = {"stale"};
  ASSERT_OK(fs()->GetChildren(dir_.path(), &names));
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "sub"}));
  EXPECT_TRUE(fs()->GetChildren(dir_.Child("missing"), &names).IsIOError());
}

TEST_F(FileSystemTest, CreateDirAndRemoveDir) {
  const std::string sub = dir_.Child("sub");
  ASSERT_OK(fs()->CreateDir(sub));
  ASSERT_OK(fs()->CreateDir(sub));  // Already exists: fine.
  EXPECT_TRUE(fs()->FileExists(sub));
  ASSERT_OK(fs()->SyncDir(sub));
  // Not its parents.
  EXPECT_TRUE(fs()->CreateDir(dir_.Child("x/y")).IsIOError());
  // A file in the way is not a directory.
  ASSERT_OK(WriteStringToFile(fs(), "", dir_.Child("file"), false));
  EXPECT_TRUE(fs()->CreateDir(dir_.Child("file")).IsIOError());
  ASSERT_OK(fs()->RemoveDir(sub));
  EXPECT_FALSE(fs()->FileExists(sub));
  EXPECT_TRUE(fs()->RemoveDir(sub).IsIOError());
}

TEST_F(FileSystemTest, RenameReplacesTargetAtomically) {
  const std::string from = dir_.Child("CURRENT.tmp");
  const std::string to = dir_.Child("CURRENT");
  ASSERT_OK(WriteStringToFile(fs(), "old", to, true));
  ASSERT_OK(WriteStringToFile(fs(), "new", from, true));
  ASSERT_OK(fs()->RenameFile(from, to));
  EXPECT_FALSE(fs()->FileExists(from));
  std::string read;
  ASSERT_OK(ReadFileToString(fs(), to, &read));
  EXPECT_EQ(read, "new");
  Status s = fs()->RenameFile(from, to);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_NE(s.ToString().find("No such file"), std::string::npos) << s.ToString();
}

TEST_F(FileSystemTest, RenameAcrossDirectories) {
  ASSERT_OK(fs()->CreateDir(dir_.Child("sub")));
  ASSERT_OK(WriteStringToFile(fs(), "x", dir_.Child("a"), true));
  ASSERT_OK(fs()->RenameFile(dir_.Child("a"), dir_.Child("sub/b")));
  EXPECT_TRUE(fs()->FileExists(dir_.Child("sub/b")));
  EXPECT_FALSE(fs()->FileExists(dir_.Child("a")));
}

TEST_F(FileSystemTest, RemoveFile) {
  const std::string path = dir_.Child("f");
  ASSERT_OK(WriteStringToFile(fs(), "x", path, false));
  EXPECT_TRUE(fs()->FileExists(path));
  ASSERT_OK(fs()->RemoveFile(path));
  EXPECT_FALSE(fs()->FileExists(path));
  EXPECT_TRUE(fs()->RemoveFile(path).IsIOError());
}

TEST_F(FileSystemTest, TruncateShortensAndExtends) {
  const std::string path = dir_.Child("f");
  ASSERT_OK(WriteStringToFile(fs(), "0123456789", path, false));
  ASSERT_OK(fs()->Truncate(path, 4));
  std::string read;
  ASSERT_OK(ReadFileToString(fs(), path, &read));
  EXPECT_EQ(read, "0123");
  ASSERT_OK(fs()->Truncate(path, 6));
  ASSERT_OK(ReadFileToString(fs(), path, &read));
  EXPECT_EQ(read, std::string("0123\0\0", 6));
  EXPECT_TRUE(fs()->Truncate(dir_.Child("missing"), 0).IsIOError());
}

TEST_F(FileSystemTest, MissingFilesAreIOErrorsNamingThePath) {
  const std::string path = dir_.Child("missing");
  EXPECT_FALSE(fs()->FileExists(path));
  std::unique_ptr<SequentialFile> seq;
  Status s = fs()->NewSequentialFile(path, &seq);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_NE(s.ToString().find(path), std::string::npos) << s.ToString();
  EXPECT_NE(s.ToString().find("No such file"), std::string::npos) << s.ToString();
  EXPECT_EQ(seq, nullptr);
  std::unique_ptr<RandomAccessFile> rand;
  EXPECT_TRUE(fs()->NewRandomAccessFile(path, &rand).IsIOError());
  uint64_t size = 1;
  EXPECT_TRUE(fs()->GetFileSize(path, &size).IsIOError());
  std::string data;
  EXPECT_TRUE(ReadFileToString(fs(), path, &data).IsIOError());
  std::unique_ptr<WritableFile> w;
  EXPECT_TRUE(fs()->NewWritableFile(dir_.Child("nodir/f"), &w).IsIOError());
  EXPECT_TRUE(fs()->SyncDir(dir_.Child("nodir")).IsIOError());
}

TEST_F(FileSystemTest, CreatedFilesAreNotGroupOrWorldWritable) {
  const mode_t old_umask = ::umask(0);  // Show the mode we ask for, not the umask's.
  const std::string path = dir_.Child("f");
  Status s = WriteStringToFile(fs(), "x", path, false);
  std::unique_ptr<FileLock> lock;
  Status ls = fs()->LockFile(dir_.Child("LOCK"), &lock);
  ::umask(old_umask);
  ASSERT_OK(s);
  ASSERT_OK(ls);
  for (const std::string& p : {path, dir_.Child("LOCK")}) {
    struct stat st;
    ASSERT_EQ(::stat(p.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & (S_IWGRP | S_IWOTH), 0u) << p;
    EXPECT_NE(st.st_mode & S_IRUSR, 0u) << p;
    EXPECT_NE(st.st_mode & S_IWUSR, 0u) << p;
  }
}

// Table reads leave the file's access time alone, mapped or not (O_NOATIME): nothing uses it.
TEST_F(FileSystemTest, RandomAccessReadsLeaveTheAccessTimeAlone) {
  const std::string path = dir_.Child("table");
  const std::string data(10000, 'a');
  ASSERT_OK(WriteStringToFile(fs(), data, path, /*sync=*/false));
  // An access time older than the modification time: even "relatime" updates it on a read.
  auto age_access_time = [&path] {
    const struct timespec times[2] = {{1, 0}, {0, UTIME_OMIT}};
    return ::utimensat(AT_FDCWD, path.c_str(), times, 0) == 0;
  };
  auto access_seconds = [&path] {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 ? static_cast<long long>(st.st_atim.tv_sec) : -1;
  };
  ASSERT_TRUE(age_access_time());
  {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    char c;
    ASSERT_EQ(::pread(fd, &c, 1, 0), 1);
    ::close(fd);
  }
  if (access_seconds() == 1) GTEST_SKIP() << "this file system does not record access times";

  for (uint64_t bound : {uint64_t{0}, uint64_t{1} << 20}) {  // pread, then mapped
    ASSERT_TRUE(age_access_time());
    std::shared_ptr<FileSystem> posix = FileSystem::NewPosix(bound);
    std::unique_ptr<RandomAccessFile> file;
    ASSERT_OK(posix->NewRandomAccessFile(path, &file));
    EXPECT_EQ(file->IsMemoryMapped(), bound != 0);
    std::string scratch(data.size(), '\0');
    std::string_view result;
    ASSERT_OK(file->Read(0, data.size(), &result, scratch.data()));
    EXPECT_EQ(result, data);
    file.reset();
    EXPECT_EQ(access_seconds(), 1) << "bound " << bound;
  }
}

TEST_F(FileSystemTest, DescriptorsAreCloseOnExec) {
  // The only portable look at a descriptor we do not own: scan /proc/self/fd for one that
  // refers to our file and check its flags.
  const std::string path = dir_.Child("f");
  std::unique_ptr<WritableFile> file;
  ASSERT_OK(fs()->NewWritableFile(path, &file));
  bool found = false;
  for (int fd = 3; fd < 1024; ++fd) {
    char link[4096];
    std::string proc = "/proc/self/fd/" + std::to_string(fd);
    ssize_t n = ::readlink(proc.c_str(), link, sizeof(link));
    if (n <= 0 || std::string(link, static_cast<size_t>(n)) != path) continue;
    found = true;
    int flags = ::fcntl(fd, F_GETFD);
    EXPECT_NE(flags & FD_CLOEXEC, 0);
  }
  if (!found) GTEST_SKIP() << "/proc/self/fd not available";
}

TEST_F(FileSystemTest, SecondLockInSameProcessIsBusyAndNamesPath) {
  const std::string path = dir_.Child("LOCK");
  std::unique_ptr<FileLock> lock;
  ASSERT_OK(fs()->LockFile(path, &lock));
  std::unique_ptr<FileLock> second;
  Status s = fs()->LockFile(path, &second);
  EXPECT_TRUE(s.IsBusy()) << s.ToString();
  EXPECT_NE(s.ToString().find(path), std::string::npos) << s.ToString();
  EXPECT_EQ(second, nullptr);
  lock.reset();
  ASSERT_OK(fs()->LockFile(path, &second));
}

TEST_F(FileSystemTest, LockFileInMissingDirectoryIsIOError) {
  std::unique_ptr<FileLock> lock;
  EXPECT_TRUE(fs()->LockFile(dir_.Child("nodir/LOCK"), &lock).IsIOError());
  // A failed attempt must not leave the path marked as locked.
  ASSERT_OK(fs()->CreateDir(dir_.Child("nodir")));
  ASSERT_OK(fs()->LockFile(dir_.Child("nodir/LOCK"), &lock));
}

// The child is forked before the parent locks, so its copy of the process-wide set of locked
// paths is empty: whatever refuses its lock must be the kernel's flock.
TEST_F(FileSystemTest, LockExcludesAnotherProcess) {
  const std::string path = dir_.Child("LOCK");
  int to_child[2];
  int to_parent[2];
  ASSERT_EQ(::pipe(to_child), 0);
  ASSERT_EQ(::pipe(to_parent), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(to_child[1]);
    ::close(to_parent[0]);
    // For each byte from the parent, try to lock and answer 'L' (locked), 'B' (busy) or
    // 'E' (another error). No gtest assertions here: the child must only report and exit.
    char cmd;
    while (::read(to_child[0], &cmd, 1) == 1) {
      std::unique_ptr<FileLock> lock;
      Status s = FileSystem::Default()->LockFile(path, &lock);
      char answer = s.ok() ? 'L' : (s.IsBusy() ? 'B' : 'E');
      lock.reset();  // Released before answering, so the parent may take it at once.
      if (::write(to_parent[1], &answer, 1) != 1) ::_exit(2);
    }
    ::_exit(0);
  }
  ::close(to_child[0]);
  ::close(to_parent[1]);
  auto ask_child = [&]() {
    char cmd = '?';
    char answer = 0;
    EXPECT_EQ(::write(to_child[1], &cmd, 1), 1);
    EXPECT_EQ(::read(to_parent[0], &answer, 1), 1);
    return answer;
  };

  // Closing the command pipe ends the child; it must happen even if an assertion returns.
  auto finish_child = [&]() {
    ::close(to_child[1]);
    int status = 0;
    EXPECT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
    ::close(to_parent[0]);
  };

  std::unique_ptr<FileLock> lock;
  Status first = fs()->LockFile(path, &lock);
  EXPECT_OK(first);
  if (first.ok()) {
    EXPECT_EQ(ask_child(), 'B');
    lock.reset();
    EXPECT_EQ(ask_child(), 'L');
    EXPECT_OK(fs()->LockFile(path, &lock));
    EXPECT_EQ(ask_child(), 'B');
  }
  finish_child();
}

}  // namespace
}  // namespace strata::test
