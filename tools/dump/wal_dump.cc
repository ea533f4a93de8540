// strata_dump wal: the records of a write-ahead log, each decoded as a write batch.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "db/write_batch_internal.h"
#include "tools/dump/dump.h"
#include "tools/dump/dump_util.h"
#include "tools/dump/file_check.h"
#include "wal/log_reader.h"

namespace strata::dump {

namespace {

struct Operation {
  ValueType type = ValueType::kValue;
  std::string key;
  std::string value;
};

class OperationCollector : public WriteBatch::Handler {
 public:
  explicit OperationCollector(std::vector<Operation>* ops) : ops_(ops) {}
  void Put(std::string_view key, std::string_view value) override {
    ops_->push_back({ValueType::kValue, std::string(key), std::string(value)});
  }
  void Delete(std::string_view key) override {
    ops_->push_back({ValueType::kDeletion, std::string(key), {}});
  }
  void Merge(std::string_view key, std::string_view operand) override {
    ops_->push_back({ValueType::kMerge, std::string(key), std::string(operand)});
  }
  void DeleteRange(std::string_view begin, std::string_view end) override {
    ops_->push_back({ValueType::kRangeDeletion, std::string(begin), std::string(end)});
  }

 private:
  std::vector<Operation>* ops_;
};

void PrintRecord(uint64_t offset, size_t bytes, SequenceNumber sequence,
                 const std::vector<Operation>& ops, const DumpOptions& options, JsonWriter* json,
                 std::ostream& out) {
  if (json != nullptr) {
    json->BeginObject();
    json->Field("event", "record");
    json->Field("offset", offset);
    json->Field("bytes", static_cast<uint64_t>(bytes));
    json->Field("sequence", sequence);
    json->Field("count", static_cast<uint64_t>(ops.size()));
    if (ops.empty()) json->Field("marker", sequence == 0 ? "sync" : "sequence");
    json->Key("operations");
    json->BeginArray();
    for (size_t i = 0; i < ops.size(); i++) {
      json->BeginObject();
      json->Field("sequence", sequence + i);
      json->Field("type", OperationName(ops[i].type));
      json->Field(ops[i].type == ValueType::kRangeDeletion ? "begin" : "key",
                  ShowBytes(ops[i].key, options));
      if (ops[i].type != ValueType::kDeletion) {
        json->Field(ValueFieldName(ops[i].type), ShowBytes(ops[i].value, options));
      }
      json->EndObject();
    }
    json->EndArray();
    json->EndObject();
    return;
  }
  out << "@" << offset << " record: " << bytes << " bytes, sequence " << sequence << ", "
      << ops.size() << " operation" << (ops.size() == 1 ? "" : "s");
  // Empty batches are markers (docs/FORMATS.md).
  if (ops.empty()) {
    out << (sequence == 0 ? " (sync marker: the older logs were synced)"
                          : " (sequence marker: an ingestion took this sequence)");
  }
  out << "\n";
  for (size_t i = 0; i < ops.size(); i++) {
    const Operation& op = ops[i];
    out << "  " << sequence + i << " " << OperationName(op.type) << " '"
        << ShowBytes(op.key, options) << "'";
    switch (op.type) {
      case ValueType::kValue:
        out << " => '" << ShowBytes(op.value, options) << "'";
        break;
      case ValueType::kMerge:
        out << " <= '" << ShowBytes(op.value, options) << "'";
        break;
      case ValueType::kRangeDeletion:
        out << " .. '" << ShowBytes(op.value, options) << "' (end exclusive)";
        break;
      case ValueType::kDeletion:
        break;
    }
    out << "\n";
  }
}

}  // namespace

int DumpWal(const std::string& path, const DumpOptions& options, std::ostream& out,
            std::ostream& err) {
  LogDump dump(path, "wal", options, out);
  if (!dump.Open(err)) return kDumpError;
  std::string_view record;
  uint64_t offset = 0;
  uint64_t records = 0, operations = 0;
  std::vector<Operation> ops;
  while (dump.Next(&record, &offset)) {
    WriteBatch batch;
    Status s = DecodeWalRecord(record, &batch);
    ops.clear();
    if (s.ok()) {
      OperationCollector collect(&ops);
      s = batch.Iterate(&collect);
    }
    if (!s.ok()) {
      dump.BadPayload(offset, record.size(),
                      "record at offset " + std::to_string(offset) +
                          " is not a valid write batch: " + s.ToString());
      continue;
    }
    records++;
    operations += ops.size();
    PrintRecord(offset, record.size(), WriteBatchInternal::Sequence(batch), ops, options,
                dump.json(), out);
  }

  if (JsonWriter* json = dump.json()) {
    dump.EndEvents();
    json->Field("records", records);
    json->Field("operations", operations);
    json->EndObject();
  } else {
    out << "summary: " << records << " records, " << operations << " operations, "
        << dump.tally().regions << " damaged regions (" << dump.tally().bytes_dropped
        << " bytes skipped)\n";
  }
  return dump.Finish(err);
}

}  // namespace strata::dump
