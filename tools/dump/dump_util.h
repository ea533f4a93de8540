// Helpers shared by the dumps: printing bytes, and collecting the damage a LogReader reports.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "keys/internal_key.h"
#include "tools/dump/dump.h"
#include "tools/dump/json_writer.h"
#include "wal/log_reader.h"

namespace strata::dump {

// Lower-case hex, two digits per byte.
std::string HexBytes(std::string_view bytes);
// A user key or value: hex with options.hex, else escaped printable text.
std::string ShowBytes(std::string_view bytes, const DumpOptions& options);
// An internal key: hex with options.hex, else "'user key' @ sequence : type".
std::string ShowInternalKey(std::string_view ikey, const DumpOptions& options);

// The word the dumps (and strata_ctl) use for an entry or operation of type t: "put",
// "delete", "merge", "deleterange".
const char* OperationName(ValueType t);
// The name of what an entry or operation of type t carries besides its key: "value",
// "operand" (a merge), "end" (a range deletion); for a deletion nothing ("value").
const char* ValueFieldName(ValueType t);

// The file system the options name, or the default one.
FileSystem* FileSystemOf(const DumpOptions& options);
// The order the dumps list a level's tables in: internal keys over bytewise user keys (the
// dumps know no other comparator).
const InternalKeyComparator& BytewiseOrder();

// Keeps LogReader reports until the dump prints them, so that each appears in place: before
// the record that follows it.
class DamageCollector : public LogReader::Reporter {
 public:
  void Corruption(const LogCorruption& corruption) override { pending_.push_back(corruption); }
  // Returns and forgets the reports not taken yet.
  std::vector<LogCorruption> Take() { return std::exchange(pending_, {}); }

 private:
  std::vector<LogCorruption> pending_;
};

// Prints one piece of log damage in place, as a text line or a JSON event object.
void PrintLogDamage(const std::string& path, const LogCorruption& damage, JsonWriter* json,
                    std::ostream& out);

// Tallies damage for the exit status and the closing summary on err.
struct DamageTally {
  uint64_t regions = 0;
  uint64_t bytes_dropped = 0;
  uint64_t first_offset = 0;
  bool io_error = false;

  void Add(const LogCorruption& damage);
  // 0, 1 or 2 (see dump.h); writes a one-line summary naming the file to err unless sound.
  int Finish(const std::string& path, std::ostream& err) const;
};

// Walks a file in the log format (a WAL or a MANIFEST) for a dump: opens it, starts the
// output (a text header, or a JSON object with an "events" array), and prints the damage
// the reader reports in place, before the record that follows it.
class LogDump {
 public:
  // kind names the file kind in the output ("wal", "manifest").
  LogDump(std::string path, const char* kind, const DumpOptions& options, std::ostream& out);
  LogDump(const LogDump&) = delete;
  LogDump& operator=(const LogDump&) = delete;

  // False (with a message on err) if the file cannot be opened; the dump then returns
  // kDumpError.
  bool Open(std::ostream& err);
  // The next intact record and its file offset; false at the end. Damage met on the way,
  // and at the end, is printed first.
  bool Next(std::string_view* record, uint64_t* offset);
  // An intact record whose contents are invalid: counted and printed as damage at once.
  void BadPayload(uint64_t offset, uint64_t size, std::string reason);

  // The JSON writer, or null for text output.
  JsonWriter* json() { return json_.get(); }
  const DamageTally& tally() const { return tally_; }
  // JSON only: closes the events array and writes the damage totals; the caller adds its
  // own fields and closes the object.
  void EndEvents();
  // 0, 1 or 2 (see dump.h).
  int Finish(std::ostream& err) const { return tally_.Finish(path_, err); }

 private:
  void PrintDamage();

  const std::string path_;
  const char* const kind_;
  const DumpOptions& options_;
  std::ostream& out_;
  std::unique_ptr<JsonWriter> json_;
  DamageCollector collector_;
  DamageTally tally_;
  std::unique_ptr<LogReader> reader_;
  std::string scratch_;
};

}  // namespace strata::dump
