#include "tools/dump/file_check.h"

#include <memory>

#include "db/write_batch_internal.h"
#include "tools/dump/dump_util.h"
#include "wal/log_reader.h"

namespace strata::dump {

Status DecodeWalRecord(std::string_view record, WriteBatch* batch) {
  // The log checksums only the framing; the batch inside is checked like recovery does.
  Status s = WriteBatchInternal::SetContents(batch, record);
  if (s.ok()) s = WriteBatchInternal::Validate(*batch);
  return s;
}

Status CheckLog(const std::string& path, FileSystem* fs, const LogRecordCheck& on_record,
                FileCheck* check) {
  std::unique_ptr<SequentialFile> file;
  Status s = fs->NewSequentialFile(path, &file);
  if (!s.ok()) return s;
  DamageCollector collector;
  LogReader reader(std::move(file), &collector);
  auto take_damage = [&] {
    for (const LogCorruption& c : collector.Take()) {
      FileProblem p;
      p.offset = c.offset;
      p.reason = std::string(LogCorruptionKindName(c.kind)) + ", " +
                 std::to_string(c.bytes_dropped) + " bytes skipped: " + c.reason;
      p.torn_tail = c.kind == LogCorruption::Kind::kTruncatedTail;
      if (c.kind == LogCorruption::Kind::kIOError) check->io_error = true;
      check->problems.push_back(std::move(p));
    }
  };
  std::string scratch;
  std::string_view record;
  while (reader.ReadRecord(&record, &scratch)) {
    take_damage();
    const uint64_t offset = reader.LastRecordOffset();
    std::string problem = on_record(record, offset);
    if (problem.empty()) {
      check->records++;
    } else {
      check->problems.push_back({offset, std::move(problem), false});
    }
  }
  take_damage();
  return Status::OK();
}

Status CheckWal(const std::string& path, FileSystem* fs, FileCheck* check) {
  return CheckLog(
      path, fs,
      [](std::string_view record, uint64_t offset) -> std::string {
        WriteBatch batch;
        Status s = DecodeWalRecord(record, &batch);
        if (s.ok()) return {};
        return "record at offset " + std::to_string(offset) +
               " is not a valid write batch: " + s.ToString();
      },
      check);
}

}  // namespace strata::dump
