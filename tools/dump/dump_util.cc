#include "tools/dump/dump_util.h"

#include <utility>

#include "keys/internal_key.h"
#include "util/escape.h"

namespace strata::dump {

std::string HexBytes(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string r;
  r.reserve(bytes.size() * 2);
  for (char ch : bytes) {
    auto c = static_cast<unsigned char>(ch);
    r.push_back(kDigits[c >> 4]);
    r.push_back(kDigits[c & 0xf]);
  }
  return r;
}

std::string ShowBytes(std::string_view bytes, const DumpOptions& options) {
  return options.hex ? HexBytes(bytes) : EscapeBytes(bytes);
}

std::string ShowInternalKey(std::string_view ikey, const DumpOptions& options) {
  return options.hex ? HexBytes(ikey) : InternalKeyDebugString(ikey);
}

const char* OperationName(ValueType t) {
  switch (t) {
    case ValueType::kValue:
      return "put";
    case ValueType::kDeletion:
      return "delete";
    case ValueType::kMerge:
      return "merge";
    case ValueType::kRangeDeletion:
      return "deleterange";
  }
  return "unknown";
}

const char* ValueFieldName(ValueType t) {
  switch (t) {
    case ValueType::kMerge:
      return "operand";
    case ValueType::kRangeDeletion:
      return "end";
    default:
      return "value";
  }
}

const InternalKeyComparator& BytewiseOrder() {
  static const InternalKeyComparator order(BytewiseComparator());
  return order;
}

FileSystem* FileSystemOf(const DumpOptions& options) {
  if (options.fs != nullptr) return options.fs;
  static const std::shared_ptr<FileSystem> fs = FileSystem::Default();
  return fs.get();
}

void PrintLogDamage(const std::string& path, const LogCorruption& damage, JsonWriter* json,
                    std::ostream& out) {
  if (json != nullptr) {
    json->BeginObject();
    json->Field("event", "damage");
    json->Field("offset", damage.offset);
    json->Field("bytes_dropped", damage.bytes_dropped);
    json->Field("kind", LogCorruptionKindName(damage.kind));
    json->Field("reason", damage.reason);
    json->EndObject();
    return;
  }
  out << "@" << damage.offset << " DAMAGE " << LogCorruptionKindName(damage.kind) << ": "
      << damage.bytes_dropped << " bytes skipped in " << path << ": " << damage.reason << "\n";
}

void DamageTally::Add(const LogCorruption& damage) {
  if (regions == 0) first_offset = damage.offset;
  regions++;
  bytes_dropped += damage.bytes_dropped;
  if (damage.kind == LogCorruption::Kind::kIOError) io_error = true;
}

int DamageTally::Finish(const std::string& path, std::ostream& err) const {
  if (regions == 0) return kDumpSound;
  err << "strata_dump: " << path << ": " << regions << " damaged region"
      << (regions == 1 ? "" : "s") << " (" << bytes_dropped << " bytes skipped), first at offset "
      << first_offset << (io_error ? "; reading stopped at an I/O error" : "") << "\n";
  return io_error ? kDumpError : kDumpDamaged;
}

LogDump::LogDump(std::string path, const char* kind, const DumpOptions& options, std::ostream& out)
    : path_(std::move(path)), kind_(kind), options_(options), out_(out) {}

bool LogDump::Open(std::ostream& err) {
  std::unique_ptr<SequentialFile> file;
  uint64_t file_size = 0;
  Status s = FileSystemOf(options_)->GetFileSize(path_, &file_size);
  if (s.ok()) s = FileSystemOf(options_)->NewSequentialFile(path_, &file);
  if (!s.ok()) {
    err << "strata_dump: " << path_ << ": " << s.ToString() << "\n";
    return false;
  }
  if (options_.json) {
    json_ = std::make_unique<JsonWriter>(&out_);
    json_->BeginObject();
    json_->Field("file", path_);
    json_->Field("kind", kind_);
    json_->Field("file_size", file_size);
    json_->Key("events");
    json_->BeginArray();
  } else {
    out_ << kind_ << " " << path_ << " (" << file_size << " bytes)\n";
  }
  reader_ = std::make_unique<LogReader>(std::move(file), &collector_);
  return true;
}

void LogDump::PrintDamage() {
  for (const LogCorruption& damage : collector_.Take()) {
    tally_.Add(damage);
    PrintLogDamage(path_, damage, json_.get(), out_);
  }
}

bool LogDump::Next(std::string_view* record, uint64_t* offset) {
  const bool more = reader_->ReadRecord(record, &scratch_);
  PrintDamage();
  if (more) *offset = reader_->LastRecordOffset();
  return more;
}

void LogDump::BadPayload(uint64_t offset, uint64_t size, std::string reason) {
  collector_.Corruption({offset, size, LogCorruption::Kind::kBadPayload, std::move(reason)});
  PrintDamage();
}

void LogDump::EndEvents() {
  if (json_ == nullptr) return;
  json_->EndArray();
  json_->Field("damaged_regions", tally_.regions);
  json_->Field("bytes_dropped", tally_.bytes_dropped);
}

}  // namespace strata::dump
