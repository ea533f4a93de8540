// Fuzz target: LogReader (the WAL and MANIFEST reader) over arbitrary bytes.
//
// Input: one flags byte, then the log file.
//   bit 0: repair every fragment checksum first, so that mutations reach the fragment-order,
//          length and padding rules instead of stopping at a checksum mismatch;
//   bit 1: make the file's read number (flags >> 2) & 3 fail with an I/O error.
//
// Every recovery mode is a policy over the reader's reports (db/db_impl_open.cc), so the reader is
// checked for the facts those policies rely on:
// - the records are the same with and without a reporter;
// - records and reports come in file order and never overlap;
// - a record held in one fragment is exactly the bytes at its offset;
// - a torn tail (the only damage the default mode tolerates) reaches the end of the file and
//   nothing is returned after it;
// - without an I/O error, every byte of the file is in a record, in a report, or in the zero
//   padding at a block's end: nothing is skipped silently (kAbsoluteConsistency depends on it).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "util/checksum.h"
#include "util/coding.h"
#include "wal/log_format.h"
#include "wal/log_reader.h"

namespace strata::fuzz {
namespace {

// A SequentialFile over a string, optionally failing one read.
class StringSequentialFile final : public SequentialFile {
 public:
  StringSequentialFile(std::string_view contents, int fail_read)
      : contents_(contents), fail_read_(fail_read) {}
  Status Read(size_t n, std::string_view* result, char* scratch) override {
    if (reads_++ == fail_read_) return Status::IOError("injected read failure");
    size_t len = std::min(n, contents_.size() - pos_);
    std::memcpy(scratch, contents_.data() + pos_, len);
    *result = std::string_view(scratch, len);
    pos_ += len;
    return Status::OK();
  }
  Status Skip(uint64_t n) override {
    pos_ += std::min<uint64_t>(n, contents_.size() - pos_);
    return Status::OK();
  }
  // Bytes handed to the reader so far: the end of the file as the reader can know it.
  size_t delivered() const { return pos_; }

 private:
  std::string_view contents_;
  int fail_read_;  // -1: none
  int reads_ = 0;
  size_t pos_ = 0;
};

class CollectingReporter final : public LogReader::Reporter {
 public:
  void Corruption(const LogCorruption& c) override { reports.push_back(c); }
  std::vector<LogCorruption> reports;
};

// Recomputes the checksum of every fragment whose header and payload fit in its block.
void RepairChecksums(std::string* log) {
  for (size_t block = 0; block < log->size(); block += kLogBlockSize) {
    const size_t block_end = std::min(log->size(), block + kLogBlockSize);
    size_t p = block;
    while (p + kLogHeaderSize <= block_end) {
      char* h = log->data() + p;
      const size_t length = DecodeFixed16(h + 4);
      if (p + kLogHeaderSize + length > block_end) break;
      EncodeFixed32(h, Checksum(std::string_view(h + kLogTypeOffset, 1 + length)));
      p += kLogHeaderSize + length;
    }
  }
}

struct Record {
  std::string data;
  uint64_t offset;
  uint64_t end;
};

std::vector<Record> ReadAll(std::string_view log, int fail_read, CollectingReporter* reporter) {
  auto owned = std::make_unique<StringSequentialFile>(log, fail_read);
  StringSequentialFile* file = owned.get();
  LogReader reader(std::move(owned), reporter);
  std::vector<Record> records;
  std::string scratch;
  std::string_view record;
  size_t reports_seen = 0;
  uint64_t order_end = 0;  // end of the last record or report: everything later starts here
  bool torn = false;
  std::vector<bool> covered(log.size(), false);
  auto cover = [&](uint64_t from, uint64_t to) {
    for (uint64_t i = from; i < to; i++) covered[i] = true;
  };
  // Checks the reports delivered since the last call.
  auto check_reports = [&]() {
    if (reporter == nullptr) return;
    for (; reports_seen < reporter->reports.size(); reports_seen++) {
      const LogCorruption& c = reporter->reports[reports_seen];
      Touch(c.reason);
      FUZZ_CHECK(!torn);
      FUZZ_CHECK(c.offset >= order_end);
      FUZZ_CHECK(c.offset + c.bytes_dropped <= file->delivered());
      FUZZ_CHECK(c.kind != LogCorruption::Kind::kBadPayload);
      if (c.kind == LogCorruption::Kind::kIOError) FUZZ_CHECK(fail_read >= 0);
      if (c.kind == LogCorruption::Kind::kTruncatedTail) {
        FUZZ_CHECK(c.offset + c.bytes_dropped == file->delivered());
        torn = true;
      }
      order_end = c.offset + c.bytes_dropped;
      cover(c.offset, order_end);
    }
  };
  while (reader.ReadRecord(&record, &scratch)) {
    check_reports();
    FUZZ_CHECK(!torn);
    const uint64_t offset = reader.LastRecordOffset(), end = reader.LastRecordEnd();
    FUZZ_CHECK(offset >= order_end);
    FUZZ_CHECK(end <= file->delivered());
    FUZZ_CHECK(end - offset >= record.size() + kLogHeaderSize);
    if (end - offset == record.size() + kLogHeaderSize) {
      FUZZ_CHECK(log.substr(offset + kLogHeaderSize, record.size()) == record);
    }
    FUZZ_CHECK(records.size() <= log.size() / kLogHeaderSize);
    records.push_back({std::string(record), offset, end});
    order_end = end;
    cover(offset, end);
  }
  check_reports();
  // The end is sticky.
  FUZZ_CHECK(!reader.ReadRecord(&record, &scratch));
  if (reporter != nullptr) FUZZ_CHECK(reports_seen == reporter->reports.size());

  if (reporter != nullptr && fail_read < 0) {
    FUZZ_CHECK(file->delivered() == log.size());
    for (size_t i = 0; i < log.size(); i++) {
      if (covered[i]) continue;
      // Only the writer's zero padding, shorter than a header, at the end of a full block.
      FUZZ_CHECK(log[i] == 0);
      FUZZ_CHECK(i % kLogBlockSize >= kLogBlockSize - (kLogHeaderSize - 1));
    }
  }
  return records;
}

}  // namespace
}  // namespace strata::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata::fuzz;
  if (size == 0) return 0;
  const uint8_t flags = data[0];
  std::string log(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (flags & 1) RepairChecksums(&log);
  const int fail_read = (flags & 2) ? (flags >> 2) & 3 : -1;

  CollectingReporter reporter;
  std::vector<Record> with = ReadAll(log, fail_read, &reporter);
  std::vector<Record> without = ReadAll(log, fail_read, nullptr);
  FUZZ_CHECK(with.size() == without.size());
  for (size_t i = 0; i < with.size(); i++) {
    FUZZ_CHECK(with[i].data == without[i].data);
    FUZZ_CHECK(with[i].offset == without[i].offset);
    FUZZ_CHECK(with[i].end == without[i].end);
  }
  return 0;
}
