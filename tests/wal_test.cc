// Tests for the write-ahead log format: LogWriter, LogReader and their damage reports.
//
// Most tests run against an in-memory file pair (a std::string sink and source) so that the
// exhaustive ones -- a cut at every offset, a flipped byte at every offset -- stay fast; one
// test goes through the POSIX file system.

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <memory>
#include <new>
#include <set>
#include <string>
#include <vector>

#include "strata/file_system.h"
#include "support/allocation_counter.h"
#include "support/test_util.h"
#include "util/checksum.h"
#include "util/coding.h"
#include "util/discarding_file.h"
#include "util/page_size.h"
#include "util/process_io.h"
#include "wal/log_format.h"
#include "wal/log_reader.h"
#include "wal/log_writer.h"

STRATA_COUNT_ALLOCATIONS()

namespace strata::test {
namespace {

using Kind = LogCorruption::Kind;

// Appends to a string the test owns, optionally failing on a chosen Append or on Sync.
class StringSink final : public WritableFile {
 public:
  explicit StringSink(std::string* contents) : contents_(contents) {}

  Status Append(std::string_view data) override {
    appends++;
    if (refuse_appends_no_space) return Status::NoSpace("injected full disk, nothing written");
    if (fail_append_number > 0 && appends >= fail_append_number) {
      // A failed write may still have put part of the data in the file.
      contents_->append(data.substr(0, data.size() / 2));
      return fail_with_no_space ? Status::NoSpace("injected full disk, half written")
                                : Status::IOError("injected append failure");
    }
    contents_->append(data);
    return Status::OK();
  }
  Status Sync() override {
    syncs++;
    return fail_sync ? Status::IOError("injected sync failure") : Status::OK();
  }
  Status Close() override {
    closes++;
    return Status::OK();
  }
  uint64_t Size() const override { return contents_->size(); }
  bool FailedAppendsCountInSize() const override { return counts_failed_appends; }

  int appends = 0;
  int syncs = 0;
  int closes = 0;
  int fail_append_number = 0;  // the first Append (1-based) that fails, and all after; 0: none
  bool fail_sync = false;
  bool refuse_appends_no_space = false;  // Appends fail with NoSpace, writing nothing
  bool fail_with_no_space = false;       // the failing Append above reports NoSpace
  bool counts_failed_appends = true;     // FailedAppendsCountInSize()

 private:
  std::string* const contents_;
};

// Reads a string the test owns (without copying it first), optionally failing on one Read.
class StringSource final : public SequentialFile {
 public:
  explicit StringSource(std::string_view contents) : contents_(contents) {}

  Status Read(size_t n, std::string_view* result, char* scratch) override {
    reads++;
    if (fail_read_number > 0 && reads == fail_read_number) {
      *result = std::string_view();
      return Status::IOError("injected read failure");
    }
    const size_t len = std::min(n, contents_.size() - pos_);
    std::copy_n(contents_.data() + pos_, len, scratch);
    pos_ += len;
    *result = std::string_view(scratch, len);
    return Status::OK();
  }
  Status Skip(uint64_t n) override {
    pos_ = static_cast<size_t>(std::min<uint64_t>(pos_ + n, contents_.size()));
    return Status::OK();
  }

  int reads = 0;
  int fail_read_number = 0;  // the Read (1-based) that fails; 0: none

 private:
  const std::string_view contents_;
  size_t pos_ = 0;
};

class CollectingReporter final : public LogReader::Reporter {
 public:
  void Corruption(const LogCorruption& c) override { reports.push_back(c); }
  std::vector<LogCorruption> reports;
};

std::string Describe(const std::vector<LogCorruption>& reports) {
  std::string s;
  for (const auto& c : reports) {
    s += std::string(LogCorruptionKindName(c.kind)) + " @" + std::to_string(c.offset) + " -" +
         std::to_string(c.bytes_dropped) + " (" + c.reason + "); ";
  }
  return s;
}

// A log written by LogWriter, with where each record landed.
struct WrittenLog {
  std::string bytes;
  std::vector<std::string> records;
  std::vector<uint64_t> starts;  // writer Size() before the record (includes any padding)
  std::vector<uint64_t> ends;    // writer Size() after it
};

WrittenLog WriteLog(const std::vector<std::string>& records) {
  WrittenLog log;
  log.records = records;
  LogWriter writer(std::make_unique<StringSink>(&log.bytes));
  for (const auto& r : records) {
    log.starts.push_back(writer.Size());
    EXPECT_OK(writer.AddRecord(r));
    log.ends.push_back(writer.Size());
  }
  EXPECT_OK(writer.Close());
  EXPECT_EQ(writer.Size(), log.bytes.size());
  return log;
}

// Where a record written at writer offset start has its first header: padding moves it to the
// next block when fewer than a header's bytes are left.
uint64_t FirstFragmentOffset(uint64_t start) {
  const uint64_t in_block = start % kLogBlockSize;
  return kLogBlockSize - in_block < kLogHeaderSize ? start + (kLogBlockSize - in_block) : start;
}

struct ReadResult {
  std::vector<std::string> records;
  std::vector<uint64_t> offsets;  // LastRecordOffset() after each
  std::vector<uint64_t> ends;     // LastRecordEnd() after each
  std::vector<LogCorruption> reports;
  uint64_t final_end = 0;  // LastRecordEnd() once ReadRecord returned false
};

ReadResult ReadAll(std::string_view bytes, int fail_read_number = 0) {
  ReadResult result;
  CollectingReporter reporter;
  auto source = std::make_unique<StringSource>(bytes);
  source->fail_read_number = fail_read_number;
  LogReader reader(std::move(source), &reporter);
  std::string scratch;
  std::string_view record;
  while (reader.ReadRecord(&record, &scratch)) {
    result.records.emplace_back(record);
    result.offsets.push_back(reader.LastRecordOffset());
    result.ends.push_back(reader.LastRecordEnd());
  }
  // The end is sticky.
  EXPECT_FALSE(reader.ReadRecord(&record, &scratch));
  result.reports = reporter.reports;
  result.final_end = reader.LastRecordEnd();
  return result;
}

// One fragment with a correct checksum, for crafting logs by hand.
std::string RawFragment(uint8_t type, std::string_view payload) {
  std::string f(kLogHeaderSize, '\0');
  EncodeFixed16(f.data() + 4, static_cast<uint16_t>(payload.size()));
  f[kLogTypeOffset] = static_cast<char>(type);
  f.append(payload);
  EncodeFixed32(f.data(), Checksum(std::string_view(f).substr(kLogTypeOffset)));
  return f;
}
std::string Frag(LogRecordType type, std::string_view payload) {
  return RawFragment(static_cast<uint8_t>(type), payload);
}

void ExpectRoundTrip(const std::vector<std::string>& records) {
  WrittenLog log = WriteLog(records);
  ReadResult read = ReadAll(log.bytes);
  EXPECT_TRUE(read.reports.empty()) << Describe(read.reports);
  ASSERT_EQ(read.records.size(), records.size());
  for (size_t i = 0; i < records.size(); i++) {
    ASSERT_EQ(read.records[i], records[i]) << "record " << i << " of size " << records[i].size();
    EXPECT_EQ(read.offsets[i], FirstFragmentOffset(log.starts[i])) << "record " << i;
    EXPECT_EQ(read.ends[i], log.ends[i]) << "record " << i;
  }
}

TEST(WalTest, EmptyLog) {
  ReadResult read = ReadAll("");
  EXPECT_TRUE(read.records.empty());
  EXPECT_TRUE(read.reports.empty());
  EXPECT_EQ(read.final_end, 0u);
}

TEST(WalTest, ByteLayoutOfOneRecord) {
  WrittenLog log = WriteLog({"hello"});
  std::string expected(4, '\0');
  EncodeFixed32(expected.data(), Checksum(std::string_view("\x01hello", 6)));
  expected += std::string("\x05\x00\x01", 3) + "hello";
  EXPECT_EQ(log.bytes, expected);
}

// The worked example in docs/FORMATS.md, byte for byte.
TEST(WalTest, WorkedExampleFromFormatsDoc) {
  WrittenLog log = WriteLog({"hello", ""});
  const std::string expected(
      "\xc9\xec\x4e\x5f\x05\x00\x01hello"
      "\xeb\xce\x86\xeb\x00\x00\x01",
      19);
  ASSERT_EQ(log.bytes, expected);
  for (size_t cut = 13; cut <= 18; cut++) {
    ReadResult read = ReadAll(std::string_view(expected).substr(0, cut));
    EXPECT_EQ(read.records, std::vector<std::string>{"hello"});
    ASSERT_EQ(read.reports.size(), 1u);
    EXPECT_EQ(read.reports[0].kind, Kind::kTruncatedTail);
    EXPECT_EQ(read.reports[0].offset, 12u);
  }
  std::string flipped = expected;
  flipped[8] ^= 1;
  ReadResult read = ReadAll(flipped);
  EXPECT_TRUE(read.records.empty());
  ASSERT_EQ(read.reports.size(), 1u);
  EXPECT_EQ(read.reports[0].kind, Kind::kChecksumMismatch);
  EXPECT_EQ(read.reports[0].offset, 0u);
  EXPECT_EQ(read.reports[0].bytes_dropped, 19u);
}

TEST(WalTest, EmptyRecords) { ExpectRoundTrip({"", "", "x", "", ""}); }

TEST(WalTest, SizesAcrossBlockBoundaries) {
  Random rnd(17);
  const size_t payload_per_block = kLogBlockSize - kLogHeaderSize;
  std::vector<size_t> sizes = {0,
                               1,
                               2,
                               100,
                               payload_per_block - 1,
                               payload_per_block,
                               payload_per_block + 1,
                               kLogBlockSize - 2 * kLogHeaderSize,
                               kLogBlockSize - 1,
                               kLogBlockSize,
                               kLogBlockSize + 1,
                               2 * payload_per_block,
                               2 * payload_per_block + 1,
                               100000,
                               3,
                               0};
  std::vector<std::string> records;
  for (size_t size : sizes) records.push_back(RandomBytes(&rnd, size));
  ExpectRoundTrip(records);

  // Every size near a block's capacity, each starting at a fresh log (block offset 0).
  for (size_t size = payload_per_block - 10; size <= payload_per_block + 10; size++) {
    ExpectRoundTrip({RandomBytes(&rnd, size), "after"});
  }
}

TEST(WalTest, RecordExactlyFillingABlock) {
  const std::string filler(kLogBlockSize - kLogHeaderSize, 'f');
  WrittenLog log = WriteLog({filler, "next"});
  // No padding: the second record's header starts the second block.
  EXPECT_EQ(log.ends[0], kLogBlockSize);
  EXPECT_EQ(log.bytes.size(), kLogBlockSize + kLogHeaderSize + 4);
  EXPECT_EQ(log.bytes[kLogBlockSize + kLogTypeOffset], static_cast<char>(LogRecordType::kFullType));
  ExpectRoundTrip({filler, "next"});
}

TEST(WalTest, ShortBlockRemainderIsPadded) {
  for (size_t left = 0; left < kLogHeaderSize; left++) {
    SCOPED_TRACE("bytes left in the block: " + std::to_string(left));
    const std::string first(kLogBlockSize - kLogHeaderSize - left, 'a');
    WrittenLog log = WriteLog({first, "bbbb"});
    ASSERT_EQ(log.ends[0], kLogBlockSize - left);
    ASSERT_EQ(log.bytes.size(), kLogBlockSize + kLogHeaderSize + 4);
    EXPECT_EQ(log.bytes.substr(kLogBlockSize - left, left), std::string(left, '\0'));
    EXPECT_EQ(log.bytes.substr(kLogBlockSize + kLogHeaderSize), "bbbb");
    ExpectRoundTrip({first, "bbbb"});
  }
  // Exactly a header's room left: an empty first fragment goes there, the rest follows.
  const std::string first(kLogBlockSize - 2 * kLogHeaderSize, 'a');
  WrittenLog log = WriteLog({first, "bbbb"});
  EXPECT_EQ(log.bytes[kLogBlockSize - kLogHeaderSize + kLogTypeOffset],
            static_cast<char>(LogRecordType::kFirstType));
  EXPECT_EQ(log.bytes[kLogBlockSize + kLogTypeOffset], static_cast<char>(LogRecordType::kLastType));
  ExpectRoundTrip({first, "bbbb"});
}

TEST(WalTest, RandomSizes) {
  Random rnd(301);
  std::vector<std::string> records;
  for (int i = 0; i < 3000; i++) {
    size_t size;
    switch (rnd.Uniform(4)) {
      case 0:
        size = rnd.Uniform(16);
        break;
      case 1:
        size = rnd.Uniform(1000);
        break;
      case 2:
        size = rnd.Uniform(kLogBlockSize + 100);
        break;
      default:
        size = rnd.OneIn(10) ? rnd.Uniform(100000) : rnd.Uniform(200);
        break;
    }
    records.push_back(RandomBytes(&rnd, size));
  }
  ExpectRoundTrip(records);
}

TEST(WalTest, OneAppendPerRecord) {
  std::string bytes;
  auto sink = std::make_unique<StringSink>(&bytes);
  StringSink* s = sink.get();
  LogWriter writer(std::move(sink));
  Random rnd(5);
  ASSERT_OK(writer.AddRecord(RandomBytes(&rnd, 100000)));  // four fragments
  EXPECT_EQ(s->appends, 1);
  ASSERT_OK(writer.AddRecord(""));
  EXPECT_EQ(s->appends, 2);
  ASSERT_OK(writer.Sync());
  EXPECT_EQ(s->syncs, 1);
  EXPECT_EQ(writer.file(), s);
  ASSERT_OK(writer.Close());
  EXPECT_EQ(s->closes, 1);
  EXPECT_FALSE(writer.AddRecord("late").ok());
}

TEST(WalTest, SteadyStateMakesNoAllocations) {
  Random rnd(11);
  std::vector<std::string> records;
  records.push_back(RandomBytes(&rnd, 100000));  // the largest first: it sizes the buffers
  for (int i = 0; i < 500; i++) {
    records.push_back(RandomBytes(&rnd, rnd.OneIn(20) ? rnd.Uniform(100000) : rnd.Uniform(500)));
  }

  LogWriter writer(std::make_unique<DiscardingFile>());  // appending to a string would allocate
  ASSERT_OK(writer.AddRecord(records[0]));
  bool all_ok = true;
  const uint64_t before_writes = g_allocations.load();
  for (size_t i = 1; i < records.size(); i++) all_ok &= writer.AddRecord(records[i]).ok();
  const uint64_t write_allocations = g_allocations.load() - before_writes;
  EXPECT_TRUE(all_ok);
  EXPECT_EQ(write_allocations, 0u);

  WrittenLog log = WriteLog(records);
  LogReader reader(std::make_unique<StringSource>(log.bytes), nullptr);
  std::string scratch;
  std::string_view record;
  ASSERT_TRUE(reader.ReadRecord(&record, &scratch));
  size_t count = 1;
  const uint64_t before_reads = g_allocations.load();
  while (reader.ReadRecord(&record, &scratch)) count++;
  const uint64_t read_allocations = g_allocations.load() - before_reads;
  EXPECT_EQ(count, records.size());
  EXPECT_EQ(read_allocations, 0u);
}

TEST(WalTest, AppendingToAnExistingLog) {
  // Resume mid-block, and with fewer than a header's bytes left in the block.
  for (size_t first_size : {size_t{50}, kLogBlockSize - kLogHeaderSize - 3}) {
    SCOPED_TRACE("first record size " + std::to_string(first_size));
    std::string bytes;
    {
      LogWriter writer(std::make_unique<StringSink>(&bytes));
      ASSERT_OK(writer.AddRecord(std::string(first_size, 'a')));
      ASSERT_OK(writer.Close());
    }
    LogWriter writer(std::make_unique<StringSink>(&bytes), bytes.size());
    ASSERT_OK(writer.AddRecord(std::string(40000, 'b')));
    ASSERT_OK(writer.AddRecord("c"));
    EXPECT_EQ(writer.Size(), bytes.size());
    ReadResult read = ReadAll(bytes);
    EXPECT_TRUE(read.reports.empty()) << Describe(read.reports);
    ASSERT_EQ(read.records.size(), 3u);
    EXPECT_EQ(read.records[0], std::string(first_size, 'a'));
    EXPECT_EQ(read.records[1], std::string(40000, 'b'));
    EXPECT_EQ(read.records[2], "c");
  }
}

// Cuts a log at every offset inside its last record: everything before survives, and the cut
// is one torn-tail report covering exactly the bytes from the damaged record to the end.
void CheckTornTailAtEveryOffset(const std::vector<std::string>& records) {
  WrittenLog log = WriteLog(records);
  const uint64_t start = log.starts.back();
  const uint64_t end = log.ends.back();
  for (uint64_t cut = start + 1; cut < end; cut++) {
    ReadResult read = ReadAll(std::string_view(log.bytes).substr(0, cut));
    ASSERT_EQ(read.records.size(), records.size() - 1) << "cut at " << cut;
    for (size_t i = 0; i + 1 < records.size(); i++) ASSERT_EQ(read.records[i], records[i]);
    ASSERT_EQ(read.reports.size(), 1u) << "cut at " << cut << ": " << Describe(read.reports);
    const LogCorruption& c = read.reports[0];
    ASSERT_EQ(c.kind, Kind::kTruncatedTail) << "cut at " << cut << ": " << Describe(read.reports);
    EXPECT_GE(c.offset, start) << "cut at " << cut;
    EXPECT_LE(c.offset, FirstFragmentOffset(start)) << "cut at " << cut;
    EXPECT_EQ(c.offset + c.bytes_dropped, cut) << "cut at " << cut;
    EXPECT_EQ(read.final_end, start) << "cut at " << cut;
  }
  // Uncut, nothing is reported.
  ReadResult read = ReadAll(log.bytes);
  EXPECT_TRUE(read.reports.empty()) << Describe(read.reports);
  EXPECT_EQ(read.records.size(), records.size());
}

TEST(WalTest, TornTailAtEveryOffset) {
  Random rnd(99);
  {
    SCOPED_TRACE("small records in one block");
    CheckTornTailAtEveryOffset({"first", RandomBytes(&rnd, 300), RandomBytes(&rnd, 200)});
  }
  {
    SCOPED_TRACE("last record spans two blocks");
    CheckTornTailAtEveryOffset({RandomBytes(&rnd, 100), RandomBytes(&rnd, 33000)});
  }
  {
    SCOPED_TRACE("last record starts with block padding");
    // 107 + 7 + 32651 = 32765: three bytes of padding precede the last record.
    CheckTornTailAtEveryOffset(
        {RandomBytes(&rnd, 100), RandomBytes(&rnd, 32651), RandomBytes(&rnd, 500)});
  }
  {
    SCOPED_TRACE("empty last record");
    CheckTornTailAtEveryOffset({"a", ""});
  }
}

// Flips a byte at every offset of a multi-block log (full, first, last and empty fragments,
// and block padding). Whatever the flip hits, the reader reports it, returns only records that
// were written at the offset it claims, and keeps everything the damage cannot reach.
TEST(WalTest, FlippedByteAtEveryOffset) {
  Random rnd(1234);
  // Layout: r0 [0, 107); r1 first fragment to the end of block 0, last fragment ends at 40121;
  // r2 empty; r3 ends 3 bytes before the end of block 1; r4 after 3 bytes of padding; r5.
  const std::vector<std::string> records = {
      RandomBytes(&rnd, 100),   RandomBytes(&rnd, 40000), "",
      RandomBytes(&rnd, 25398), RandomBytes(&rnd, 20),    RandomBytes(&rnd, 5)};
  WrittenLog log = WriteLog(records);
  ASSERT_EQ(log.ends[3], 2 * kLogBlockSize - 3);
  ASSERT_EQ(log.bytes.size(), 2 * kLogBlockSize + 2 * kLogHeaderSize + 25);

  std::map<uint64_t, size_t> index_at;  // first fragment offset -> record index
  for (size_t i = 0; i < records.size(); i++) index_at[FirstFragmentOffset(log.starts[i])] = i;
  // The last fragment (in the last block, nothing after it): any change there is
  // indistinguishable from a write cut short or a torn last sector, so a torn-tail report is
  // the right answer for it.
  const uint64_t last_fragment = log.starts.back();

  std::string bytes = log.bytes;
  for (uint64_t pos = 0; pos < bytes.size(); pos++) {
    const char mask = static_cast<char>(1u << (pos % 8));
    bytes[pos] ^= mask;
    ReadResult read = ReadAll(bytes);
    bytes[pos] ^= mask;

    SCOPED_TRACE("flip at " + std::to_string(pos) + ": " + Describe(read.reports));
    ASSERT_FALSE(read.reports.empty());
    bool covered = false;
    for (const LogCorruption& c : read.reports) {
      if (c.kind == Kind::kTruncatedTail) {
        ASSERT_GE(pos, last_fragment);
      } else {
        ASSERT_TRUE(c.kind == Kind::kChecksumMismatch || c.kind == Kind::kBadLength ||
                    c.kind == Kind::kBadType || c.kind == Kind::kFragmentOrder);
      }
      if (c.offset <= pos && pos < c.offset + c.bytes_dropped) covered = true;
    }
    ASSERT_TRUE(covered);

    std::set<size_t> returned;
    size_t previous = 0;
    for (size_t j = 0; j < read.records.size(); j++) {
      auto it = index_at.find(read.offsets[j]);
      ASSERT_NE(it, index_at.end()) << "record returned from offset " << read.offsets[j];
      const size_t i = it->second;
      ASSERT_EQ(read.records[j], records[i]) << "record " << i;
      ASSERT_EQ(read.ends[j], log.ends[i]) << "record " << i;
      ASSERT_TRUE(j == 0 || i > previous);
      previous = i;
      returned.insert(i);
    }
    const uint64_t next_block = (pos / kLogBlockSize + 1) * kLogBlockSize;
    for (size_t i = 0; i < records.size(); i++) {
      if (log.ends[i] <= pos || FirstFragmentOffset(log.starts[i]) >= next_block) {
        ASSERT_TRUE(returned.count(i)) << "record " << i << " is out of the damage's reach";
      }
    }
  }
}

TEST(WalTest, ZeroedTail) {
  WrittenLog log = WriteLog({"one", std::string(50000, 't'), "three"});
  const uint64_t end = log.bytes.size();
  for (size_t zeros : {size_t{1}, size_t{6}, size_t{7}, size_t{100}, size_t{70000}}) {
    SCOPED_TRACE("zeros appended: " + std::to_string(zeros));
    ReadResult read = ReadAll(log.bytes + std::string(zeros, '\0'));
    ASSERT_EQ(read.records.size(), 3u);
    ASSERT_EQ(read.reports.size(), 1u) << Describe(read.reports);
    EXPECT_EQ(read.reports[0].kind, Kind::kTruncatedTail);
    EXPECT_EQ(read.reports[0].offset, end);
    EXPECT_EQ(read.reports[0].bytes_dropped, zeros);
  }
  // The last record's bytes were never written (the file was extended first): zeros in place.
  std::string zeroed = log.bytes;
  std::fill(zeroed.begin() + static_cast<ptrdiff_t>(log.starts[2]), zeroed.end(), '\0');
  ReadResult read = ReadAll(zeroed);
  ASSERT_EQ(read.records.size(), 2u);
  ASSERT_EQ(read.reports.size(), 1u) << Describe(read.reports);
  EXPECT_EQ(read.reports[0].kind, Kind::kTruncatedTail);
  EXPECT_EQ(read.reports[0].offset, log.starts[2]);
  EXPECT_EQ(read.final_end, log.starts[2]);
}

TEST(WalTest, ZeroedRegionInsideTheLogIsNotATail) {
  // Block 0 holds a record then zeros; block 1 is all zeros; block 2 holds a record.
  std::string bytes = Frag(LogRecordType::kFullType, "before");
  bytes.resize(2 * kLogBlockSize, '\0');
  bytes += Frag(LogRecordType::kFullType, "after");
  ReadResult read = ReadAll(bytes);
  ASSERT_EQ(read.records, (std::vector<std::string>{"before", "after"}));
  ASSERT_EQ(read.reports.size(), 1u) << Describe(read.reports);
  EXPECT_EQ(read.reports[0].kind, Kind::kBadType);
  EXPECT_EQ(read.reports[0].offset, kLogHeaderSize + 6);
  EXPECT_EQ(read.reports[0].bytes_dropped, 2 * kLogBlockSize - kLogHeaderSize - 6);

  // A zero header with data after it in the same block.
  bytes = Frag(LogRecordType::kFullType, "a") + std::string(kLogHeaderSize, '\0') +
          Frag(LogRecordType::kFullType, "lost");
  bytes.resize(kLogBlockSize, '\0');
  bytes += Frag(LogRecordType::kFullType, "b");
  read = ReadAll(bytes);
  ASSERT_EQ(read.records, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(read.reports.size(), 1u) << Describe(read.reports);
  EXPECT_EQ(read.reports[0].kind, Kind::kBadType);
}

TEST(WalTest, FragmentOrder) {
  const std::string middle = Frag(LogRecordType::kMiddleType, "m");
  const std::string last = Frag(LogRecordType::kLastType, "l");
  const std::string ok = Frag(LogRecordType::kFullType, "ok");
  {
    SCOPED_TRACE("middle without first");
    ReadResult read = ReadAll(middle + ok);
    EXPECT_EQ(read.records, std::vector<std::string>{"ok"});
    ASSERT_EQ(read.reports.size(), 1u);
    EXPECT_EQ(read.reports[0].kind, Kind::kFragmentOrder);
    EXPECT_EQ(read.reports[0].offset, 0u);
    EXPECT_EQ(read.reports[0].bytes_dropped, middle.size());
  }
  {
    SCOPED_TRACE("middle then last without first: one report");
    ReadResult read = ReadAll(middle + last + ok);
    EXPECT_EQ(read.records, std::vector<std::string>{"ok"});
    ASSERT_EQ(read.reports.size(), 1u) << Describe(read.reports);
    EXPECT_EQ(read.reports[0].kind, Kind::kFragmentOrder);
    EXPECT_EQ(read.reports[0].bytes_dropped, middle.size() + last.size());
  }
  {
    SCOPED_TRACE("last without first");
    ReadResult read = ReadAll(last);
    EXPECT_TRUE(read.records.empty());
    ASSERT_EQ(read.reports.size(), 1u);
    EXPECT_EQ(read.reports[0].kind, Kind::kFragmentOrder);
  }
  {
    SCOPED_TRACE("first, then a new first");
    const std::string first_a = Frag(LogRecordType::kFirstType, "a");
    ReadResult read = ReadAll(first_a + Frag(LogRecordType::kFirstType, "b") + middle + last);
    EXPECT_EQ(read.records, std::vector<std::string>{"bml"});
    EXPECT_EQ(read.offsets, std::vector<uint64_t>{first_a.size()});
    ASSERT_EQ(read.reports.size(), 1u);
    EXPECT_EQ(read.reports[0].kind, Kind::kFragmentOrder);
    EXPECT_EQ(read.reports[0].offset, 0u);
    EXPECT_EQ(read.reports[0].bytes_dropped, first_a.size());
  }
  {
    SCOPED_TRACE("first, middle, then a full");
    const std::string first_a = Frag(LogRecordType::kFirstType, "a");
    ReadResult read = ReadAll(first_a + middle + ok);
    EXPECT_EQ(read.records, std::vector<std::string>{"ok"});
    ASSERT_EQ(read.reports.size(), 1u);
    EXPECT_EQ(read.reports[0].kind, Kind::kFragmentOrder);
    EXPECT_EQ(read.reports[0].bytes_dropped, first_a.size() + middle.size());
  }
  {
    SCOPED_TRACE("first at the end of the file");
    ReadResult read = ReadAll(ok + Frag(LogRecordType::kFirstType, "a") + middle);
    EXPECT_EQ(read.records, std::vector<std::string>{"ok"});
    ASSERT_EQ(read.reports.size(), 1u);
    EXPECT_EQ(read.reports[0].kind, Kind::kTruncatedTail);
    EXPECT_EQ(read.reports[0].offset, ok.size());
  }
}

TEST(WalTest, UnknownTypeWithValidChecksumSkipsOnlyThatFragment) {
  const std::string future = RawFragment(9, "from a newer version");
  ReadResult read = ReadAll(Frag(LogRecordType::kFullType, "a") + future +
                            Frag(LogRecordType::kFullType, "b") + RawFragment(0, "zero type"));
  EXPECT_EQ(read.records, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(read.reports.size(), 2u) << Describe(read.reports);
  EXPECT_EQ(read.reports[0].kind, Kind::kBadType);
  EXPECT_EQ(read.reports[0].offset, kLogHeaderSize + 1);
  EXPECT_EQ(read.reports[0].bytes_dropped, future.size());
  EXPECT_EQ(read.reports[1].kind, Kind::kBadType);
}

TEST(WalTest, BadLength) {
  {
    SCOPED_TRACE("length past the block end, not at the end of the file");
    std::string bytes = Frag(LogRecordType::kFullType, "a");
    std::string bad = Frag(LogRecordType::kFullType, "b");
    EncodeFixed16(bad.data() + 4, 60000);
    bytes += bad;
    bytes.resize(kLogBlockSize, 'x');
    bytes += Frag(LogRecordType::kFullType, "c");
    ReadResult read = ReadAll(bytes);
    EXPECT_EQ(read.records, (std::vector<std::string>{"a", "c"}));
    ASSERT_EQ(read.reports.size(), 1u) << Describe(read.reports);
    EXPECT_EQ(read.reports[0].kind, Kind::kBadLength);
    EXPECT_EQ(read.reports[0].offset, kLogHeaderSize + 1);
    EXPECT_EQ(read.reports[0].bytes_dropped, kLogBlockSize - kLogHeaderSize - 1);
  }
  {
    SCOPED_TRACE("length past the block end, at the end of the file: a torn last sector");
    std::string bad = Frag(LogRecordType::kFullType, "b");
    EncodeFixed16(bad.data() + 4, 40000);
    ReadResult read = ReadAll(bad);
    ASSERT_EQ(read.reports.size(), 1u);
    EXPECT_EQ(read.reports[0].kind, Kind::kTruncatedTail);
  }
  {
    SCOPED_TRACE("length past the end of the file, with an intact fragment after it");
    std::string bad = Frag(LogRecordType::kFullType, "b");
    EncodeFixed16(bad.data() + 4, 100);
    ReadResult read = ReadAll(bad + Frag(LogRecordType::kFullType, "intact"));
    EXPECT_TRUE(read.records.empty());
    ASSERT_EQ(read.reports.size(), 1u);
    EXPECT_EQ(read.reports[0].kind, Kind::kBadLength);
  }
  {
    SCOPED_TRACE("length past the end of the file, nothing after it: a torn write");
    std::string torn = Frag(LogRecordType::kFullType, std::string(100, 'p')).substr(0, 50);
    ReadResult read = ReadAll(torn);
    ASSERT_EQ(read.reports.size(), 1u);
    EXPECT_EQ(read.reports[0].kind, Kind::kTruncatedTail);
    EXPECT_EQ(read.reports[0].bytes_dropped, 50u);
  }
}

TEST(WalTest, NonZeroPaddingIsReported) {
  std::string bytes = Frag(LogRecordType::kFullType, std::string(kLogBlockSize - 10, 'a'));
  ASSERT_EQ(bytes.size(), kLogBlockSize - 3);
  bytes += std::string("\0\x01\0", 3);  // padding should be zeros
  bytes += Frag(LogRecordType::kFullType, "b");
  ReadResult read = ReadAll(bytes);
  ASSERT_EQ(read.records.size(), 2u);
  ASSERT_EQ(read.reports.size(), 1u) << Describe(read.reports);
  EXPECT_EQ(read.reports[0].kind, Kind::kBadType);
  EXPECT_EQ(read.reports[0].offset, kLogBlockSize - 3);
  EXPECT_EQ(read.reports[0].bytes_dropped, 3u);
}

TEST(WalTest, ChecksumMismatchDropsTheRestOfTheBlock) {
  WrittenLog log = WriteLog({"a", "b", std::string(kLogBlockSize, 'c'), "d"});
  std::string bytes = log.bytes;
  bytes[log.starts[1] + kLogHeaderSize] ^= 1;  // the payload of "b"
  ReadResult read = ReadAll(bytes);
  // "b" is damaged; the first fragment of the big record shares its block and is dropped with
  // it; the big record's last fragment is then an orphan, folded into the same report.
  EXPECT_EQ(read.records, (std::vector<std::string>{"a", "d"}));
  ASSERT_EQ(read.reports.size(), 1u) << Describe(read.reports);
  EXPECT_EQ(read.reports[0].kind, Kind::kChecksumMismatch);
  EXPECT_EQ(read.reports[0].offset, log.starts[1]);
  EXPECT_EQ(read.reports[0].bytes_dropped, log.ends[2] - log.starts[1]);
}

// Power loss may keep the start of the last write and garbage in the rest of its sector:
// a torn write, not damage, as long as nothing intact follows it.
TEST(WalTest, GarbageInTheLastSectorIsATornTail) {
  WrittenLog log = WriteLog({"one", std::string(700, 't'), std::string(300, 'u')});
  Random rnd(5);
  for (uint64_t garbage_from : {log.starts[2] + 3, log.starts[2] + 100, log.starts[1] + 500}) {
    SCOPED_TRACE("garbage from " + std::to_string(garbage_from));
    std::string bytes = log.bytes;
    for (uint64_t i = garbage_from; i < bytes.size(); i++) {
      bytes[i] = static_cast<char>(rnd.Uniform(256));
    }
    ReadResult read = ReadAll(bytes);
    ASSERT_EQ(read.reports.size(), 1u) << Describe(read.reports);
    EXPECT_EQ(read.reports[0].kind, Kind::kTruncatedTail) << Describe(read.reports);
    const size_t intact = garbage_from < log.ends[1] ? 1 : 2;
    EXPECT_EQ(read.records.size(), intact);
  }
  // The same garbage with an intact record after it is damage.
  std::string bytes = log.bytes;
  bytes[log.starts[1] + kLogHeaderSize + 10] ^= 0x55;
  ReadResult read = ReadAll(bytes);
  ASSERT_FALSE(read.reports.empty());
  EXPECT_EQ(read.reports[0].kind, Kind::kChecksumMismatch) << Describe(read.reports);
}

TEST(WalTest, ReadErrorIsReported) {
  WrittenLog log = WriteLog({"a", std::string(40000, 'b'), "c"});
  ReadResult read = ReadAll(log.bytes, /*fail_read_number=*/2);
  EXPECT_EQ(read.records, std::vector<std::string>{"a"});
  ASSERT_EQ(read.reports.size(), 1u) << Describe(read.reports);
  EXPECT_EQ(read.reports[0].kind, Kind::kIOError);
  // The half-read record is dropped with it.
  EXPECT_EQ(read.reports[0].offset, log.starts[1]);
  EXPECT_EQ(read.reports[0].bytes_dropped, kLogBlockSize - log.starts[1]);
}

TEST(WalTest, ReporterMayBeNull) {
  LogReader reader(std::make_unique<StringSource>("garbage, not a log"), nullptr);
  std::string scratch;
  std::string_view record;
  EXPECT_FALSE(reader.ReadRecord(&record, &scratch));
}

TEST(WalTest, WriterAppendErrorIsSticky) {
  std::string bytes;
  auto sink = std::make_unique<StringSink>(&bytes);
  StringSink* s = sink.get();
  s->fail_append_number = 3;
  LogWriter writer(std::move(sink));
  ASSERT_OK(writer.AddRecord("one"));
  ASSERT_OK(writer.AddRecord("two"));
  const uint64_t size_before = writer.Size();
  Status first = writer.AddRecord(std::string(1000, 'x'));
  ASSERT_TRUE(first.IsIOError()) << first.ToString();
  EXPECT_EQ(writer.Size(), size_before);

  Status again = writer.AddRecord("four");
  EXPECT_TRUE(again.IsIOError());
  EXPECT_EQ(again.ToString(), first.ToString());
  EXPECT_EQ(s->appends, 3) << "the writer must not append after a failure";
  EXPECT_EQ(writer.Sync().ToString(), first.ToString());
  EXPECT_EQ(s->syncs, 0);
  EXPECT_EQ(writer.Close().ToString(), first.ToString());
  EXPECT_EQ(s->closes, 1) << "Close still releases the file";

  // What did reach the file reads back as two records and a torn tail.
  ReadResult read = ReadAll(bytes);
  EXPECT_EQ(read.records, (std::vector<std::string>{"one", "two"}));
  ASSERT_EQ(read.reports.size(), 1u);
  EXPECT_EQ(read.reports[0].kind, Kind::kTruncatedTail);
}

// A full disk that refuses a record whole (NoSpace, the file's size unchanged) leaves the log
// as it was: the writer reports it, stays usable, and the next record follows the last one
// written. A NoSpace that wrote part of the record is sticky like any other failure.
TEST(WalTest, RecordRefusedWholeForAFullDiskLeavesTheWriterUsable) {
  std::string bytes;
  auto sink = std::make_unique<StringSink>(&bytes);
  StringSink* s = sink.get();
  LogWriter writer(std::move(sink));
  ASSERT_OK(writer.AddRecord("one"));
  s->refuse_appends_no_space = true;
  const uint64_t size_before = writer.Size();
  Status refused = writer.AddRecord(std::string(40000, 'x'));  // would cross blocks
  EXPECT_TRUE(refused.IsNoSpace()) << refused.ToString();
  EXPECT_FALSE(writer.failed());
  EXPECT_EQ(writer.Size(), size_before);
  EXPECT_TRUE(writer.AddRecord("still full").IsNoSpace());
  s->refuse_appends_no_space = false;
  ASSERT_OK(writer.AddRecord(std::string(40000, 'y')));
  ASSERT_OK(writer.Sync());
  ReadResult read = ReadAll(bytes);
  EXPECT_EQ(read.records, (std::vector<std::string>{"one", std::string(40000, 'y')}));
  EXPECT_TRUE(read.reports.empty());

  // A full disk that took half of the record: the tail is torn, so the error sticks.
  std::string torn_bytes;
  auto torn_sink = std::make_unique<StringSink>(&torn_bytes);
  torn_sink->fail_append_number = 2;
  torn_sink->fail_with_no_space = true;
  LogWriter torn(std::move(torn_sink));
  ASSERT_OK(torn.AddRecord("one"));
  EXPECT_TRUE(torn.AddRecord("two").IsNoSpace());
  EXPECT_TRUE(torn.failed());

  // A file that does not promise to count what failed Appends wrote: any failure sticks.
  std::string other_bytes;
  auto other_sink = std::make_unique<StringSink>(&other_bytes);
  other_sink->counts_failed_appends = false;
  StringSink* other = other_sink.get();
  LogWriter unsure(std::move(other_sink));
  ASSERT_OK(unsure.AddRecord("one"));
  other->refuse_appends_no_space = true;
  EXPECT_TRUE(unsure.AddRecord("two").IsNoSpace());
  EXPECT_TRUE(unsure.failed());
}

TEST(WalTest, WriterSyncErrorIsSticky) {
  std::string bytes;
  auto sink = std::make_unique<StringSink>(&bytes);
  sink->fail_sync = true;
  LogWriter writer(std::move(sink));
  ASSERT_OK(writer.AddRecord("one"));
  Status s = writer.Sync();
  ASSERT_TRUE(s.IsIOError());
  EXPECT_EQ(writer.AddRecord("two").ToString(), s.ToString());
  EXPECT_EQ(bytes.size(), kLogHeaderSize + 3);
}

// Arbitrary damage (flips, zeroed or random ranges, truncation) and arbitrary bytes: the
// reader never crashes, and every record it returns is the one written at that offset.
TEST(WalTest, RandomDamageNeverYieldsWrongRecords) {
  Random rnd(2024);
  std::vector<std::string> records;
  for (int i = 0; i < 60; i++) {
    records.push_back(RandomBytes(&rnd, rnd.OneIn(8) ? rnd.Uniform(40000) : rnd.Uniform(300)));
  }
  WrittenLog log = WriteLog(records);
  std::map<uint64_t, size_t> index_at;
  for (size_t i = 0; i < records.size(); i++) index_at[FirstFragmentOffset(log.starts[i])] = i;

  for (int iter = 0; iter < 300; iter++) {
    std::string bytes = log.bytes;
    const int damages = 1 + static_cast<int>(rnd.Uniform(4));
    for (int d = 0; d < damages; d++) {
      const size_t pos = rnd.Uniform(bytes.size());
      const size_t len = std::min<size_t>(bytes.size() - pos, 1 + rnd.Uniform(64));
      switch (rnd.Uniform(4)) {
        case 0:
          bytes[pos] ^= static_cast<char>(1 + rnd.Uniform(255));
          break;
        case 1:
          std::fill_n(bytes.begin() + static_cast<ptrdiff_t>(pos), len, '\0');
          break;
        case 2:
          for (size_t k = 0; k < len; k++) bytes[pos + k] = static_cast<char>(rnd.Uniform(256));
          break;
        default:
          bytes.resize(pos);
          break;
      }
      if (bytes.empty()) break;
    }
    ReadResult read = ReadAll(bytes);
    if (bytes != log.bytes.substr(0, bytes.size()) || bytes.size() < log.bytes.size()) {
      // Something changed or was cut; unless the cut fell exactly between records, it shows.
      const bool clean_cut = bytes == log.bytes.substr(0, bytes.size()) &&
                             (bytes.empty() || std::find(log.ends.begin(), log.ends.end(),
                                                         bytes.size()) != log.ends.end());
      if (!clean_cut) {
        EXPECT_FALSE(read.reports.empty()) << "iteration " << iter;
      }
    }
    for (size_t j = 0; j < read.records.size(); j++) {
      auto it = index_at.find(read.offsets[j]);
      ASSERT_NE(it, index_at.end()) << "iteration " << iter;
      ASSERT_EQ(read.records[j], records[it->second]) << "iteration " << iter;
    }
  }

  for (int iter = 0; iter < 200; iter++) {
    const std::string garbage = RandomBytes(&rnd, rnd.Uniform(3 * kLogBlockSize));
    ReadResult read = ReadAll(garbage);
    EXPECT_TRUE(read.records.empty());
    if (!garbage.empty()) {
      EXPECT_FALSE(read.reports.empty());
    }
  }
}

// A log preallocated with zeros (FileSystem::NewLogFile) whose writer was killed while
// copying the last record: whatever part of it was copied, followed by zeros to the
// preallocated end, is a torn tail, like a file cut short -- never damage.
TEST(WalTest, RecordCutShortBeforeAPreallocatedZeroTailIsATornTail) {
  Random rnd(5);
  for (const std::vector<std::string>& records :
       {std::vector<std::string>{"first", RandomBytes(&rnd, 300), RandomBytes(&rnd, 200)},
        std::vector<std::string>{RandomBytes(&rnd, 100), RandomBytes(&rnd, 33000)}}) {
    WrittenLog log = WriteLog(records);
    const uint64_t start = log.starts.back();
    const uint64_t end = log.ends.back();
    const size_t preallocated = 3 * kLogBlockSize;  // zeros reach past the next block
    for (uint64_t cut = start + 1; cut < end; cut += 1 + cut % 97) {
      // Copied in order up to cut ...
      std::string in_order = log.bytes.substr(0, cut);
      in_order.resize(preallocated, '\0');
      // ... or only its later bytes (memcpy may store the tail first).
      std::string out_of_order = log.bytes;
      std::fill(out_of_order.begin() + static_cast<ptrdiff_t>(start),
                out_of_order.begin() + static_cast<ptrdiff_t>(cut), '\0');
      out_of_order.resize(preallocated, '\0');
      for (const std::string* bytes : {&in_order, &out_of_order}) {
        ReadResult read = ReadAll(*bytes);
        ASSERT_EQ(read.records.size(), records.size() - 1) << "cut at " << cut;
        ASSERT_EQ(read.reports.size(), 1u) << "cut at " << cut << ": " << Describe(read.reports);
        EXPECT_EQ(read.reports[0].kind, Kind::kTruncatedTail)
            << "cut at " << cut << ": " << Describe(read.reports);
        EXPECT_EQ(read.final_end, start) << "cut at " << cut;
      }
    }
  }
  // Damage followed by zeros and then data is no tail: the data was written after it.
  std::string bytes = Frag(LogRecordType::kFullType, "before");
  bytes[kLogHeaderSize + 1] ^= 1;
  bytes.resize(2 * kLogBlockSize, '\0');
  bytes += Frag(LogRecordType::kFullType, "after");
  ReadResult read = ReadAll(bytes);
  ASSERT_EQ(read.records, (std::vector<std::string>{"after"}));
  ASSERT_EQ(read.reports.size(), 1u) << Describe(read.reports);
  EXPECT_EQ(read.reports[0].kind, Kind::kChecksumMismatch);
  EXPECT_EQ(read.reports[0].offset, 0u);
  EXPECT_EQ(read.reports[0].bytes_dropped, 2 * kLogBlockSize);
}

// The POSIX log file (appended through a mapping): what was appended is in the file before
// Close, across chunk boundaries, with only zeros after it (the allocated, never written rest
// of the chunk: the sync leaves it so); Close trims the zeros.
TEST(WalTest, MappedLogFileHoldsEveryAppendBeforeClose) {
  std::shared_ptr<FileSystem> fs = FileSystem::Default();
  TempDir dir;
  const std::string path = dir.Child("000001.log");
  Random rnd(11);
  std::vector<std::string> records;
  for (int i = 0; i < 700; i++) records.push_back(RandomBytes(&rnd, rnd.Uniform(8000)));
  std::unique_ptr<WritableFile> file;
  ASSERT_OK(fs->NewLogFile(path, &file));
  LogWriter writer(std::move(file));
  for (const auto& r : records) ASSERT_OK(writer.AddRecord(r));
  ASSERT_GT(writer.Size(), 2u << 20) << "the records must cross chunk boundaries";
  ASSERT_OK(writer.Sync());

  auto read_all = [&](std::vector<LogCorruption>* reports) {
    std::unique_ptr<SequentialFile> in;
    EXPECT_OK(fs->NewSequentialFile(path, &in));
    CollectingReporter reporter;
    LogReader reader(std::move(in), &reporter);
    std::vector<std::string> out;
    std::string scratch;
    std::string_view record;
    while (reader.ReadRecord(&record, &scratch)) out.emplace_back(record);
    *reports = reporter.reports;
    return out;
  };
  uint64_t size = 0;
  ASSERT_OK(fs->GetFileSize(path, &size));
  EXPECT_GT(size, writer.Size()) << "preallocated";
  std::vector<LogCorruption> reports;
  EXPECT_EQ(read_all(&reports), records);
  ASSERT_EQ(reports.size(), 1u) << Describe(reports);
  EXPECT_EQ(reports[0].kind, Kind::kTruncatedTail) << "the zeros are a tail";
  EXPECT_EQ(reports[0].offset, writer.Size());

  // After a sync the file appends with pwrite into the same preallocated chunks (a synced
  // write through the mapping costs a page fault per append): the same file, the same tail.
  const uint64_t before = writer.Size();
  for (int i = 0; i < 300; i++) {
    records.push_back(RandomBytes(&rnd, rnd.Uniform(8000)));
    ASSERT_OK(writer.AddRecord(records.back()));
    if (i % 50 == 0) ASSERT_OK(writer.Sync());
  }
  ASSERT_GT(writer.Size(), before + (1u << 20)) << "the synced appends must cross a chunk";
  EXPECT_EQ(read_all(&reports), records);
  ASSERT_EQ(reports.size(), 1u) << Describe(reports);
  EXPECT_EQ(reports[0].offset, writer.Size());

  ASSERT_OK(writer.Close());
  ASSERT_OK(fs->GetFileSize(path, &size));
  EXPECT_EQ(size, writer.Size());
  EXPECT_EQ(read_all(&reports), records);
  EXPECT_TRUE(reports.empty()) << Describe(reports);
}

// An unsynced log that filled its first chunk has the chunk after the current one faulted in
// ahead of its records, on a thread of its own: its pages are then in the page cache, dirty
// zeros. The first sync drops them instead of writing them (the range stays allocated and
// reads as zeros), and the log goes on, with pwrite, into that range.
TEST(WalTest, AnUnsyncedLogsChunkPreparedAheadIsDroppedByItsFirstSync) {
  std::shared_ptr<FileSystem> fs = FileSystem::Default();
  TempDir dir;
  const std::string path = dir.Child("000001.log");
  constexpr size_t kChunk = 1 << 20;
  std::unique_ptr<WritableFile> file;
  ASSERT_OK(fs->NewLogFile(path, &file));
  LogWriter writer(std::move(file));
  std::vector<std::string> records;
  Random rnd(12);
  while (writer.Size() < kChunk + 1000) {  // into the second chunk: the third is prepared
    records.push_back(RandomBytes(&rnd, 500));
    ASSERT_OK(writer.AddRecord(records.back()));
  }
  // Pages of the third chunk in the page cache, seen through a mapping of our own.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  auto resident_pages = [&] {
    void* m = ::mmap(nullptr, kChunk, PROT_READ, MAP_SHARED, fd, 2 * kChunk);
    if (m == MAP_FAILED) return size_t{0};
    const size_t page = PageSize();
    std::vector<unsigned char> vec(kChunk / page);
    size_t n = 0;
    if (::mincore(m, kChunk, vec.data()) == 0) {
      for (unsigned char v : vec) n += v & 1;
    }
    ::munmap(m, kChunk);
    return n;
  };
  size_t before = 0;
  for (int wait = 0; wait < 500 && (before = resident_pages()) == 0; wait++) ::usleep(10000);
  if (before == 0) {
    ::close(fd);
    GTEST_SKIP() << "the chunk was not prepared ahead (no MADV_POPULATE_WRITE here?)";
  }
  ASSERT_OK(writer.Sync());
  EXPECT_EQ(resident_pages(), 0u) << "dropped, not written";
  ::close(fd);

  // The range is still the log's: synced appends fill it and the next chunks.
  while (writer.Size() < 3 * kChunk + 1000) {
    records.push_back(RandomBytes(&rnd, 500));
    ASSERT_OK(writer.AddRecord(records.back()));
  }
  ASSERT_OK(writer.Sync());
  ASSERT_OK(writer.Close());
  std::string bytes;
  ASSERT_OK(ReadFileToString(fs.get(), path, &bytes));
  ReadResult read = ReadAll(bytes);
  EXPECT_EQ(read.records, records);
  EXPECT_TRUE(read.reports.empty()) << Describe(read.reports);
}

// A log's preallocated chunk is allocated without dirtying its pages (fallocate): a record
// dirties only the pages it is copied into, so a log deleted before write-back costs the
// device nothing. (From the third chunk of an unsynced log on, the next chunk is faulted in
// ahead, dirty zeros, by another thread: see the test above; this one stays in the first.) Dirtied
// pages are the kernel's count for this thread; where it keeps none, or the file system counts no
// dirtied pages at all, there is nothing to see.
TEST(WalTest, PosixLogChunkDirtiesOnlyThePagesRecordsFill) {
  std::shared_ptr<FileSystem> fs = FileSystem::Default();
  TempDir dir;
  auto dirtied = [] { return ReadProcessIo("/proc/thread-self/io").dirtied; };
  {
    // The control: a plain write of 1 MiB counts its pages here, and the file system can
    // allocate without writing.
    std::unique_ptr<WritableFile> file;
    ASSERT_OK(fs->NewWritableFile(dir.Child("control"), &file));
    const uint64_t before = dirtied();
    ASSERT_OK(file->Append(std::string(1 << 20, 'x')));
    if (dirtied() - before < (1u << 20)) GTEST_SKIP() << "no count of dirtied pages here";
    ASSERT_OK(file->Close());
    const int fd = ::open(dir.Child("control").c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    const bool can_allocate = ::fallocate(fd, 0, 1 << 20, 1 << 20) == 0;
    ::close(fd);
    if (!can_allocate) GTEST_SKIP() << "no fallocate here";
  }
  const std::string path = dir.Child("000001.log");
  std::unique_ptr<WritableFile> file;
  ASSERT_OK(fs->NewLogFile(path, &file));
  LogWriter writer(std::move(file));
  const uint64_t before = dirtied();
  ASSERT_OK(writer.AddRecord(std::string(100, 'r')));
  const uint64_t after = dirtied();
  uint64_t size = 0;
  ASSERT_OK(fs->GetFileSize(path, &size));
  EXPECT_GE(size, 1u << 20) << "the chunk is allocated";
  EXPECT_LE(after - before, 64u << 10) << "the chunk's zeros were written, not allocated";

  // Synced, the log writes the rest of the chunk as zeros at the next append (so that a later
  // fdatasync does not change the file's extent map), and the next chunk the same way.
  ASSERT_OK(writer.Sync());
  const uint64_t before_append = dirtied();
  ASSERT_OK(writer.AddRecord(std::string(100, 's')));
  EXPECT_GE(dirtied() - before_append, (1u << 20) - (8u << 10)) << "the rest of the chunk";
  const uint64_t before_next = dirtied();
  while (writer.Size() <= (1u << 20)) ASSERT_OK(writer.AddRecord(std::string(1000, 's')));
  EXPECT_GE(dirtied() - before_next, 1u << 20) << "the second chunk's zeros";

  // Each synced append then dirties only the pages its record reaches. Zeros written as one
  // 1 MiB write would sit in one large page-cache folio on kernels that form them, and every
  // record copied into it would dirty (and count, and write-protect for the sync) all of it.
  const uint64_t page = uint64_t{PageSize()};
  for (int i = 0; i < 20; i++) {
    const uint64_t before_record = dirtied();
    ASSERT_OK(writer.AddRecord(std::string(1000, 't')));
    EXPECT_LE(dirtied() - before_record, 4 * page) << "record " << i;
    ASSERT_OK(writer.Sync());
  }
  ASSERT_OK(writer.Close());
}

TEST(WalTest, PosixFileRoundTripAndTornTail) {
  std::shared_ptr<FileSystem> fs = FileSystem::Default();
  TempDir dir;
  const std::string path = dir.Child("000001.log");
  Random rnd(7);
  std::vector<std::string> records;
  for (int i = 0; i < 200; i++) records.push_back(RandomBytes(&rnd, rnd.Uniform(5000)));
  records.push_back(RandomBytes(&rnd, 70000));

  std::vector<uint64_t> ends;
  {
    std::unique_ptr<WritableFile> file;
    ASSERT_OK(fs->NewWritableFile(path, &file));
    LogWriter writer(std::move(file));
    for (const auto& r : records) {
      ASSERT_OK(writer.AddRecord(r));
      ends.push_back(writer.Size());
    }
    ASSERT_OK(writer.Sync());
    EXPECT_EQ(writer.file()->Size(), writer.Size());
    ASSERT_OK(writer.Close());
  }

  auto read_all = [&](std::vector<std::string>* out, std::vector<LogCorruption>* reports,
                      uint64_t* end) {
    std::unique_ptr<SequentialFile> file;
    ASSERT_OK(fs->NewSequentialFile(path, &file));
    CollectingReporter reporter;
    LogReader reader(std::move(file), &reporter);
    std::string scratch;
    std::string_view record;
    while (reader.ReadRecord(&record, &scratch)) out->emplace_back(record);
    *reports = reporter.reports;
    *end = reader.LastRecordEnd();
  };

  std::vector<std::string> read;
  std::vector<LogCorruption> reports;
  uint64_t end = 0;
  read_all(&read, &reports, &end);
  EXPECT_TRUE(reports.empty()) << Describe(reports);
  EXPECT_EQ(read, records);
  EXPECT_EQ(end, ends.back());

  // A crash cut the last record short.
  const uint64_t cut = ends[ends.size() - 2] + 40000;
  ASSERT_OK(fs->Truncate(path, cut));
  read.clear();
  read_all(&read, &reports, &end);
  EXPECT_EQ(read, std::vector<std::string>(records.begin(), records.end() - 1));
  ASSERT_EQ(reports.size(), 1u) << Describe(reports);
  EXPECT_EQ(reports[0].kind, Kind::kTruncatedTail);
  EXPECT_EQ(reports[0].offset + reports[0].bytes_dropped, cut);
  EXPECT_EQ(end, ends[ends.size() - 2]);
}

}  // namespace
}  // namespace strata::test
