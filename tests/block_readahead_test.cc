// BlockReadahead on its own (windows, directions, sizes, short and failed reads) and inside
// a table's iterator (fewer file reads for scans, the same entries, damage and read errors
// still reported).
#include "sstable/block_readahead.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "sstable/table.h"
#include "sstable/table_builder.h"
#include "support/in_memory_file.h"
#include "support/iterator_model.h"
#include "support/test_util.h"

namespace strata::test {
namespace {

// A file of n_blocks blocks of block_bytes each (trailer included) whose bytes encode their
// offset, and the handles of its blocks.
struct FakeBlocks {
  std::string bytes;
  std::vector<BlockHandle> handles;
  FakeBlocks(int n_blocks, size_t block_bytes) {
    for (int i = 0; i < n_blocks; i++) {
      BlockHandle h;
      h.offset = bytes.size();
      h.size = block_bytes - kBlockTrailerSize;
      handles.push_back(h);
      bytes.append(block_bytes, static_cast<char>('a' + i % 26));
    }
  }
};

// Asks for block i as a scan would: the move, then the bytes.
void Visit(BlockReadahead* ra, const RandomAccessFile& file, const FakeBlocks& fb, size_t i,
           int direction, bool* found) {
  ra->Moved(direction);
  std::string_view bytes;
  ASSERT_OK(ra->Get(file, fb.bytes.size(), fb.handles[i], &bytes, found));
  if (*found) {
    ASSERT_EQ(bytes.size(), fb.handles[i].size + kBlockTrailerSize);
    ASSERT_EQ(bytes, std::string_view(fb.bytes).substr(fb.handles[i].offset, bytes.size()));
  }
}

TEST(BlockReadaheadTest, AutomaticWindowsStartAfterTwoStepsAndGrow) {
  FakeBlocks fb(400, 4096);
  InMemoryRandomAccessFile file(fb.bytes);
  BlockReadahead ra(0);
  bool found;
  Visit(&ra, file, fb, 0, 0, &found);  // a seek: read alone
  EXPECT_FALSE(found);
  Visit(&ra, file, fb, 1, +1, &found);  // one step: still alone
  EXPECT_FALSE(found);
  Visit(&ra, file, fb, 2, +1, &found);  // two steps: a 16 KiB window from block 2
  EXPECT_TRUE(found);
  EXPECT_EQ(ra.fills(), 1u);
  for (size_t i = 3; i < 6; i++) {  // blocks 3..5 are in it
    Visit(&ra, file, fb, i, +1, &found);
    EXPECT_TRUE(found);
  }
  EXPECT_EQ(ra.fills(), 1u);
  EXPECT_EQ(file.reads(), 1u);  // only the window; the first two blocks were the caller's
  // The windows double to 256 KiB: 32 + 64 + 128 + 256 KiB cover blocks 6..125.
  for (size_t i = 6; i < 126; i++) {
    Visit(&ra, file, fb, i, +1, &found);
    ASSERT_TRUE(found);
  }
  EXPECT_EQ(ra.fills(), 5u);
  Visit(&ra, file, fb, 126, +1, &found);  // a fresh 256 KiB window: no more growth
  Visit(&ra, file, fb, 189, 0, &found);   // a seek inside it: served, and the run starts over
  EXPECT_TRUE(found);
  EXPECT_EQ(ra.fills(), 6u);
  Visit(&ra, file, fb, 300, 0, &found);  // a seek outside it: the block alone
  EXPECT_FALSE(found);
  Visit(&ra, file, fb, 301, +1, &found);
  EXPECT_FALSE(found);
  Visit(&ra, file, fb, 302, +1, &found);
  EXPECT_TRUE(found);
  EXPECT_EQ(ra.fills(), 7u);
  for (size_t i = 303; i < 306; i++) Visit(&ra, file, fb, i, +1, &found);
  EXPECT_EQ(ra.fills(), 7u);  // 16 KiB again after the seek
  Visit(&ra, file, fb, 306, +1, &found);
  EXPECT_EQ(ra.fills(), 8u);
}

TEST(BlockReadaheadTest, BackwardWindowsEndWithTheBlock) {
  FakeBlocks fb(100, 4096);
  InMemoryRandomAccessFile file(fb.bytes);
  BlockReadahead ra(0);
  bool found;
  Visit(&ra, file, fb, 99, 0, &found);
  Visit(&ra, file, fb, 98, -1, &found);
  EXPECT_FALSE(found);
  Visit(&ra, file, fb, 97, -1, &found);
  EXPECT_TRUE(found);  // window: blocks 94..97
  for (size_t i = 96; i >= 94; i--) {
    Visit(&ra, file, fb, i, -1, &found);
    EXPECT_TRUE(found);
  }
  EXPECT_EQ(ra.fills(), 1u);
  Visit(&ra, file, fb, 93, -1, &found);  // 32 KiB: blocks 86..93
  EXPECT_EQ(ra.fills(), 2u);
  for (size_t i = 92; i >= 86; i--) Visit(&ra, file, fb, i, -1, &found);
  EXPECT_EQ(ra.fills(), 2u);
  // Near the start of the file a backward window stops at offset 0.
  for (size_t i = 85; i-- > 0;) {
    Visit(&ra, file, fb, i, -1, &found);
    ASSERT_TRUE(found) << i;
  }
  EXPECT_EQ(ra.fills(), 5u);  // 64 KiB, 128 KiB, then what is left of 256 KiB
}

TEST(BlockReadaheadTest, AFixedSizeReadsAheadFromTheFirstMiss) {
  FakeBlocks fb(64, 4096);
  InMemoryRandomAccessFile file(fb.bytes);
  BlockReadahead ra(64 * 1024);
  bool found;
  for (size_t i = 0; i < 64; i++) {
    Visit(&ra, file, fb, i, i == 0 ? 0 : +1, &found);
    ASSERT_TRUE(found);
  }
  EXPECT_EQ(ra.fills(), 4u);
  EXPECT_EQ(file.reads(), 4u);
  // A block larger than the window gets a window of its own size.
  FakeBlocks big(3, 100 * 1024);
  InMemoryRandomAccessFile big_file(big.bytes);
  BlockReadahead ra2(64 * 1024);
  Visit(&ra2, big_file, big, 1, 0, &found);
  EXPECT_TRUE(found);
}

TEST(BlockReadaheadTest, AMappedFileGetsNoWindow) {
  class Mapped final : public RandomAccessFile {
   public:
    explicit Mapped(std::string_view bytes) : bytes_(bytes) {}
    Status Read(uint64_t offset, size_t n, std::string_view* result, char*) const override {
      *result = bytes_.substr(offset, n);
      return Status::OK();
    }
    bool IsMemoryMapped() const override { return true; }

   private:
    std::string_view bytes_;
  };
  FakeBlocks fb(16, 4096);
  Mapped file(fb.bytes);
  BlockReadahead ra(64 * 1024);
  bool found = true;
  Visit(&ra, file, fb, 0, 0, &found);
  EXPECT_FALSE(found);
  EXPECT_EQ(ra.fills(), 0u);
}

TEST(BlockReadaheadTest, AShortOrFailedReadIsLeftToTheBlockRead) {
  FakeBlocks fb(16, 4096);
  // The file holds ten blocks and a half, though the table says sixteen.
  const std::string cut = fb.bytes.substr(0, 10 * 4096 + 2048);
  InMemoryRandomAccessFile file(cut);
  BlockReadahead ra(64 * 1024);
  bool found;
  Visit(&ra, file, fb, 8, 0, &found);  // the window reaches past the cut but holds block 8
  EXPECT_TRUE(found);
  ra.Moved(0);
  std::string_view bytes;
  ASSERT_OK(ra.Get(file, fb.bytes.size(), fb.handles[10], &bytes, &found));
  EXPECT_FALSE(found);  // block 10 is cut: the caller's own read reports it
  // Damaged handles are not the window's to judge either: past the end of the blocks, and
  // sizes whose sum with the trailer would wrap around.
  for (BlockHandle bad : {BlockHandle{fb.bytes.size(), 10}, BlockHandle{0, ~uint64_t{0}},
                          BlockHandle{4096, ~uint64_t{0} - 2}}) {
    ASSERT_OK(ra.Get(file, fb.bytes.size(), bad, &bytes, &found));
    EXPECT_FALSE(found) << bad.offset << " " << bad.size;
  }

  // A failed window read is left to the block's own read, which reports it.
  file.set_fail_reads(true);
  ra.Moved(0);
  ASSERT_OK(ra.Get(file, fb.bytes.size(), fb.handles[3], &bytes, &found));
  EXPECT_FALSE(found);
  file.set_fail_reads(false);
  ASSERT_OK(ra.Get(file, fb.bytes.size(), fb.handles[3], &bytes, &found));
  EXPECT_TRUE(found);

  // DecodeBlock refuses bytes that do not match the handle, whatever the handle's size.
  BlockContents contents;
  EXPECT_TRUE(
      DecodeBlock(bytes, "t.sst", BlockHandle{0, ~uint64_t{0}}, true, &contents).IsCorruption());
  EXPECT_TRUE(DecodeBlock(bytes, "t.sst", BlockHandle{0, 100}, true, &contents).IsCorruption());
}

// Table scans: a table of about 300 data blocks read without a block cache, so every block
// visited is a miss.
class TableReadaheadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 30000; i++) model_.emplace_back(NumberKey(i), std::string(100, 'v'));
    InMemoryWritableFile out(&bytes_);
    TableBuilder builder(options_, &out);
    for (const auto& [k, v] : model_) builder.Add(k, v);
    ASSERT_OK(builder.Finish());
    Reopen();
  }
  void Reopen() {
    auto file = std::make_unique<InMemoryRandomAccessFile>(bytes_);
    file_ = file.get();
    ASSERT_OK(Table::Open(options_, "000007.sst", std::move(file), bytes_.size(), &table_));
  }
  uint64_t blocks() const { return table_->properties().num_data_blocks; }

  TableOptions options_;
  KVModel model_;
  std::string bytes_;
  std::unique_ptr<Table> table_;
  InMemoryRandomAccessFile* file_ = nullptr;
};

TEST_F(TableReadaheadTest, ScansBothWaysReadFarFewerTimesThanBlocks) {
  ASSERT_GT(blocks(), 250u);
  for (bool forward : {true, false}) {
    const uint64_t reads0 = file_->reads();
    auto it = table_->NewIterator(ReadOptions());
    size_t i = forward ? 0 : model_.size();
    for (forward ? it->SeekToFirst() : it->SeekToLast(); it->Valid();
         forward ? it->Next() : it->Prev()) {
      const auto& [k, v] = model_[forward ? i++ : --i];
      ASSERT_EQ(it->key(), k);
      ASSERT_EQ(it->value(), v);
    }
    ASSERT_OK(it->status());
    EXPECT_EQ(i, forward ? model_.size() : 0u);
    // Without read-ahead: one read per block. With it: two blocks alone, then windows of
    // 16 KiB doubling to 256 KiB.
    EXPECT_LT(file_->reads() - reads0, blocks() / 10) << (forward ? "forward" : "backward");
  }
}

TEST_F(TableReadaheadTest, ShortHopsAfterSeeksReadBlockByBlock) {
  auto it = table_->NewIterator(ReadOptions());
  const uint64_t reads0 = file_->reads();
  // Each seek lands in a new block and steps into the next one at most (a block holds about
  // thirty entries).
  for (int i = 0; i < 20; i++) {
    it->Seek(NumberKey(i * 1000));
    ASSERT_TRUE(it->Valid());
    for (int j = 0; j < 20 && it->Valid(); j++) it->Next();
  }
  ASSERT_OK(it->status());
  const uint64_t reads = file_->reads() - reads0;
  EXPECT_GE(reads, 20u);
  EXPECT_LE(reads, 40u);  // one or two blocks per seek, never a window
}

TEST_F(TableReadaheadTest, AFixedSizeServesTheWholeScan) {
  ReadOptions ro;
  ro.readahead_size = 1 << 20;
  const uint64_t reads0 = file_->reads();
  auto it = table_->NewIterator(ro);
  size_t n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) n++;
  ASSERT_OK(it->status());
  EXPECT_EQ(n, model_.size());
  EXPECT_EQ(file_->reads() - reads0, (bytes_.size() + (1 << 20) - 1) / (1 << 20));
}

TEST_F(TableReadaheadTest, DamageInAWindowIsCaughtAndNamed) {
  // Flip a byte in the middle of the data blocks: the scan stops with Corruption there.
  bytes_[bytes_.size() / 2] ^= 0x40;
  Reopen();
  for (bool forward : {true, false}) {
    auto it = table_->NewIterator(ReadOptions());
    size_t n = 0;
    for (forward ? it->SeekToFirst() : it->SeekToLast(); it->Valid();
         forward ? it->Next() : it->Prev()) {
      n++;
    }
    EXPECT_TRUE(it->status().IsCorruption()) << it->status().ToString();
    EXPECT_NE(it->status().ToString().find("checksum mismatch"), std::string::npos);
    EXPECT_GT(n, model_.size() / 4);
    EXPECT_LT(n, model_.size() * 3 / 4);
  }
}

TEST_F(TableReadaheadTest, AReadErrorMidScanIsReported) {
  auto it = table_->NewIterator(ReadOptions());
  size_t n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (++n == 5000) file_->set_fail_reads(true);
  }
  EXPECT_TRUE(it->status().IsIOError()) << it->status().ToString();
  EXPECT_LT(n, model_.size());
}

}  // namespace
}  // namespace strata::test
