// Damaged table files: a flipped byte anywhere, truncation at every length, tiny files, and
// crafted blocks with implausible sizes. Every damage must surface as Corruption (at Open for
// the footer and the blocks Open reads, at read time for data blocks), never as a crash and
// never as silently wrong data while checksums are verified.

#include <string>
#include <vector>

#include "sstable/format.h"
#include "sstable/table.h"
#include "sstable/table_builder.h"
#include "support/in_memory_file.h"
#include "support/iterator_model.h"
#include "support/test_util.h"
#include "util/checksum.h"
#include "util/coding.h"

namespace strata::test {
namespace {

constexpr const char* kFileName = "000012.sst";

struct GoodTable {
  std::string bytes;
  KVModel model;
  TableProperties props;
};

// A small table with many blocks: compressed and raw data blocks, a filter, and the rest.
GoodTable MakeTable() {
  GoodTable t;
  TableOptions options;
  options.block_size = 256;
  options.block_restart_interval = 4;
  Random rnd(2024);
  for (int i = 0; i < 120; i++) {
    std::string value = i % 3 == 0 ? RandomBytes(&rnd, 30) : std::string(30, 'a' + i % 5);
    t.model.emplace_back(NumberKey(i * 3, 6), value);
  }
  InMemoryWritableFile file(&t.bytes);
  TableBuilder builder(options, &file);
  for (const auto& [k, v] : t.model) builder.Add(k, v);
  EXPECT_OK(builder.Finish());
  t.props = builder.properties();
  return t;
}

Status Open(std::string_view bytes, std::unique_ptr<Table>* table) {
  return Table::Open(TableOptions(), kFileName, std::make_unique<InMemoryRandomAccessFile>(bytes),
                     bytes.size(), table);
}

// The "at offset N" a corruption message names, or -1.
long long NamedOffset(const Status& s) {
  std::string text = s.ToString();
  size_t at = text.find(" at offset ");
  if (at == std::string::npos) return -1;
  return std::stoll(text.substr(at + 11));
}

// Reads everything from a table whose bytes may be damaged, checking that whatever is
// returned is true. Returns the first error seen (OK if none).
Status ReadAll(const Table& table, const KVModel& model, bool verify) {
  ReadOptions ro;
  ro.verify_checksums = verify;
  Status first;
  auto it = table.NewIterator(ro);
  size_t i = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next(), i++) {
    if (verify) {
      EXPECT_LT(i, model.size());
      if (i >= model.size()) break;
      EXPECT_EQ(it->key(), model[i].first);
      EXPECT_EQ(it->value(), model[i].second);
    }
  }
  if (!it->status().ok()) first = it->status();
  for (it->SeekToLast(); it->Valid(); it->Prev()) {
  }
  if (first.ok() && !it->status().ok()) first = it->status();
  for (const auto& [k, v] : model) {
    struct Result {
      std::string key, value;
    } r;
    Status s = table.Get(
        ro, k, k,
        [](void* arg, std::string_view key, std::string_view value) {
          static_cast<Result*>(arg)->key.assign(key);
          static_cast<Result*>(arg)->value.assign(value);
          return false;
        },
        &r);
    if (!s.ok()) {
      if (first.ok()) first = s;
    } else if (verify && !r.key.empty()) {
      EXPECT_EQ(r.key, k);
      EXPECT_EQ(r.value, v);
    }
    it->Seek(k);
    if (it->Valid()) it->Prev();
    it->SeekForPrev(k);
    if (it->Valid()) it->Next();
  }
  return first;
}

TEST(TableCorruptionTest, IntactTableReadsCleanly) {
  GoodTable t = MakeTable();
  std::unique_ptr<Table> table;
  ASSERT_OK(Open(t.bytes, &table));
  EXPECT_OK(ReadAll(*table, t.model, true));
  EXPECT_GT(t.props.num_data_blocks, 10u);
}

// A flipped bit at every offset: in the footer, index, metaindex, properties or filter Open
// fails; in a data block, the read of that block fails, naming the file and block offset.
TEST(TableCorruptionTest, FlippedByteAnywhereIsDetected) {
  GoodTable t = MakeTable();
  const size_t data_end = t.props.data_size;
  size_t at_open = 0, at_read = 0;
  for (size_t pos = 0; pos < t.bytes.size(); pos++) {
    std::string bad = t.bytes;
    bad[pos] ^= static_cast<char>(1 << (pos % 8));
    std::unique_ptr<Table> table;
    Status s = Open(bad, &table);
    if (!s.ok()) {
      ASSERT_TRUE(s.IsCorruption()) << pos << ": " << s.ToString();
      EXPECT_NE(s.ToString().find(kFileName), std::string::npos) << s.ToString();
      at_open++;
      continue;
    }
    ASSERT_LT(pos, data_end) << "damage after the data blocks not caught at Open";
    s = ReadAll(*table, t.model, true);
    ASSERT_TRUE(s.IsCorruption()) << pos << ": " << s.ToString();
    EXPECT_NE(s.ToString().find("block checksum mismatch in 000012.sst at offset "),
              std::string::npos)
        << s.ToString();
    long long block_offset = NamedOffset(s);
    EXPECT_LE(block_offset, static_cast<long long>(pos));
    EXPECT_GT(block_offset + 400, static_cast<long long>(pos));
    at_read++;
  }
  EXPECT_EQ(at_open, t.bytes.size() - data_end);
  EXPECT_EQ(at_read, data_end);
}

// Without checksum verification, damaged data blocks may read as wrong data, but decoding
// them must still be safe (this is what the ASan build checks).
TEST(TableCorruptionTest, UnverifiedDamageNeverCrashes) {
  GoodTable t = MakeTable();
  Random rnd(5);
  for (int round = 0; round < 3000; round++) {
    std::string bad = t.bytes;
    size_t pos = rnd.Uniform(t.props.data_size);
    int flips = 1 + static_cast<int>(rnd.Uniform(3));
    for (int f = 0; f < flips; f++) {
      bad[pos] = static_cast<char>(rnd.Next());
      pos = std::min<size_t>(pos + rnd.Uniform(8), t.props.data_size - 1);
    }
    std::unique_ptr<Table> table;
    ASSERT_OK(Open(bad, &table));
    ReadAll(*table, t.model, false).PermitUncheckedError();
  }
}

TEST(TableCorruptionTest, TruncatedFilesAreRejected) {
  GoodTable t = MakeTable();
  for (size_t len = 0; len < t.bytes.size(); len++) {
    std::string cut = t.bytes.substr(0, len);
    std::unique_ptr<Table> table;
    Status s = Open(cut, &table);
    ASSERT_TRUE(s.IsCorruption()) << len << ": " << s.ToString();
    EXPECT_EQ(table, nullptr);
  }
}

TEST(TableCorruptionTest, TinyFiles) {
  for (std::string bytes : {std::string(), std::string("x"), std::string(47, '\0'),
                            std::string(48, '\0'), std::string(100, '\xff')}) {
    std::unique_ptr<Table> table;
    Status s = Open(bytes, &table);
    EXPECT_TRUE(s.IsCorruption()) << bytes.size() << ": " << s.ToString();
    if (bytes.size() < Footer::kEncodedLength) {
      EXPECT_NE(s.ToString().find("too short"), std::string::npos) << s.ToString();
    }
  }
}

// A footer with a valid checksum that points outside the file.
TEST(TableCorruptionTest, HandlesBeyondTheFileAreRejected) {
  GoodTable t = MakeTable();
  const size_t footer_at = t.bytes.size() - Footer::kEncodedLength;
  Footer good;
  ASSERT_OK(good.DecodeFrom(std::string_view(t.bytes).substr(footer_at), kFileName, footer_at));
  const uint64_t huge = ~0ull - 2;
  const BlockHandle bad_handles[] = {
      {footer_at, 10},     // overlaps the footer
      {footer_at - 4, 0},  // no room for the trailer
      {huge, 10},          // offset past the end
      {0, huge},           // size past the end (and overflowing offset + size)
      {10, footer_at},     // runs into the footer
  };
  for (const BlockHandle& h : bad_handles) {
    for (int which = 0; which < 2; which++) {
      Footer f = good;
      (which == 0 ? f.index : f.metaindex) = h;
      std::string bytes = t.bytes.substr(0, footer_at);
      f.EncodeTo(&bytes);
      std::unique_ptr<Table> table;
      Status s = Open(bytes, &table);
      EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    }
  }
  // And a newer format version is refused as such.
  Footer f = good;
  f.version = kTableFormatVersion + 1;
  std::string bytes = t.bytes.substr(0, footer_at);
  f.EncodeTo(&bytes);
  std::unique_ptr<Table> table;
  EXPECT_TRUE(Open(bytes, &table).IsNotSupported());
}

// Blocks with valid checksums but impossible contents (as a buggy or hostile writer might
// produce): ReadBlock refuses them.
TEST(TableCorruptionTest, ImplausibleBlocks) {
  auto read = [](std::string contents, char type) {
    contents.push_back(type);
    PutFixed32(&contents, Checksum(contents));
    std::string file = contents + std::string(Footer::kEncodedLength, '\0');
    InMemoryRandomAccessFile f(file);
    BlockContents result;
    BlockHandle h{0, contents.size() - kBlockTrailerSize};
    return ReadBlock(f, kFileName, file.size() - Footer::kEncodedLength, h, true, &result);
  };
  std::string huge;
  PutVarint32(&huge, 1u << 31);
  huge += "tiny payload";
  EXPECT_TRUE(read(huge, 1).IsCorruption());
  std::string garbage;
  PutVarint32(&garbage, 100);
  garbage += std::string(20, '\xee');
  Status s = read(garbage, 1);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.ToString().find("decompression failed"), std::string::npos) << s.ToString();
  EXPECT_TRUE(read("\x80\x80", 1).IsCorruption());  // malformed size varint
  EXPECT_TRUE(read("", 1).IsCorruption());
  s = read("abc", 7);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.ToString().find("unknown block compression type 7"), std::string::npos);
  EXPECT_OK(read("abc", 0));

  // A compressed block that decompresses to a different size than stated.
  std::string compressed;
  ASSERT_TRUE(CompressBlock(CompressionType::kLZ4, std::string(1000, 'z'), &compressed));
  std::string wrong_size;
  PutVarint32(&wrong_size, 999);
  std::string_view payload(compressed);
  uint32_t ignored;
  ASSERT_TRUE(GetVarint32(&payload, &ignored));
  wrong_size.append(payload);
  EXPECT_TRUE(read(wrong_size, 1).IsCorruption());
  EXPECT_OK(read(compressed, 1));
}

}  // namespace
}  // namespace strata::test
