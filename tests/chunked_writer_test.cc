// Tests for ChunkedWriter: the file sees whole chunks, each at a multiple of the chunk size,
// then the rest at Flush; the bytes arrive unchanged and in order; the file's errors reach
// the caller.

#include "util/chunked_writer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "util/random.h"

namespace strata {
namespace {

// Records each Append; fails the appends numbered in fail_at (counting from 1).
class RecordingFile final : public WritableFile {
 public:
  Status Append(std::string_view data) override {
    if (++calls == fail_at) return Status::IOError("injected");
    sizes.push_back(data.size());
    contents.append(data);
    return Status::OK();
  }
  Status Sync() override { return Status::OK(); }
  Status Close() override { return Status::OK(); }
  uint64_t Size() const override { return contents.size(); }

  std::string contents;
  std::vector<size_t> sizes;
  int calls = 0;
  int fail_at = 0;
};

std::string Bytes(size_t n, char first) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; i++) s[i] = static_cast<char>(first + i * 7);
  return s;
}

TEST(ChunkedWriterTest, PassesWholeChunksThenTheRestAtFlush) {
  constexpr size_t kChunk = 100;
  Random rnd(301);
  for (int round = 0; round < 50; round++) {
    RecordingFile file;
    ChunkedWriter writer(&file, kChunk);
    std::string expected;
    const int appends = 1 + static_cast<int>(rnd.Uniform(40));
    for (int i = 0; i < appends; i++) {
      // Pieces from empty to several chunks long, so that some fill the buffer exactly,
      // some span it and some go to the file directly.
      const std::string piece = Bytes(rnd.Uniform(3 * kChunk + 2), static_cast<char>(i));
      ASSERT_TRUE(writer.Append(piece).ok());
      expected += piece;
      EXPECT_EQ(writer.buffered(), expected.size() % kChunk);
      EXPECT_EQ(file.contents.size(), expected.size() - expected.size() % kChunk);
    }
    ASSERT_TRUE(writer.Flush().ok());
    EXPECT_EQ(writer.buffered(), 0u);
    EXPECT_EQ(file.contents, expected);
    for (size_t i = 0; i + 1 < file.sizes.size(); i++) EXPECT_EQ(file.sizes[i], kChunk) << i;
    if (!file.sizes.empty()) {
      EXPECT_GT(file.sizes.back(), 0u);
      EXPECT_LE(file.sizes.back(), kChunk);
    }
  }
}

TEST(ChunkedWriterTest, FlushWithNothingBufferedWritesNothing) {
  RecordingFile file;
  ChunkedWriter writer(&file, 64);
  ASSERT_TRUE(writer.Flush().ok());
  ASSERT_TRUE(writer.Append(Bytes(128, 'a')).ok());  // two whole chunks, nothing left over
  ASSERT_TRUE(writer.Flush().ok());
  EXPECT_EQ(file.sizes, (std::vector<size_t>{64, 64}));
}

TEST(ChunkedWriterTest, TheFilesErrorReachesTheCaller) {
  {
    RecordingFile file;  // the chunk an Append completes fails
    file.fail_at = 2;
    ChunkedWriter writer(&file, 10);
    ASSERT_TRUE(writer.Append(Bytes(15, 'a')).ok());
    Status s = writer.Append(Bytes(10, 'b'));
    EXPECT_TRUE(s.IsIOError()) << s.ToString();
    EXPECT_EQ(file.contents, Bytes(15, 'a').substr(0, 10));
  }
  {
    RecordingFile file;  // a chunk passed without a copy fails; later calls keep failing
    file.fail_at = 1;
    ChunkedWriter writer(&file, 10);
    EXPECT_TRUE(writer.Append(Bytes(25, 'a')).IsIOError());
    EXPECT_TRUE(writer.Append(Bytes(3, 'b')).IsIOError()) << "sticky";
    EXPECT_TRUE(writer.Flush().IsIOError()) << "sticky";
    EXPECT_EQ(file.calls, 1) << "nothing written after the failed chunk";
    EXPECT_TRUE(file.contents.empty());
  }
  {
    RecordingFile file;  // the rest, at Flush
    file.fail_at = 1;
    ChunkedWriter writer(&file, 10);
    ASSERT_TRUE(writer.Append(Bytes(5, 'a')).ok());
    EXPECT_TRUE(writer.Flush().IsIOError());
    EXPECT_TRUE(file.contents.empty());
  }
}

}  // namespace
}  // namespace strata
