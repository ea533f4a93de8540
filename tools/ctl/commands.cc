#include "tools/ctl/commands.h"

#include <memory>
#include <string_view>

#include "strata/table_writer.h"
#include "tools/ctl/bytes.h"
#include "tools/ctl/ctl.h"
#include "util/checksum.h"

namespace strata::ctl {

namespace {

int Fail(std::ostream& err, const std::string& what, const Status& s) {
  err << "strata_ctl: " << what << ": " << s.ToString() << "\n";
  return ExitStatusOf(s);
}

// "tables per level: L0 1, L1 4": what a flush or a compaction left.
std::string LevelShape(DB* db) {
  std::string shape;
  int last = -1;
  std::vector<std::string> counts;
  for (int level = 0;; level++) {
    std::string value;
    if (!db->GetProperty("strata.num-files-at-level" + std::to_string(level), &value)) break;
    counts.push_back(value);
    if (value != "0") last = level;
  }
  if (last < 0) return "no tables";
  shape = "tables per level:";
  for (int level = 0; level <= last; level++) {
    shape += (level == 0 ? " L" : ", L") + std::to_string(level) + " " + counts[level];
  }
  return shape;
}

// A value as get and scan show it: with --merge_operator add (and not --hex) an 8-byte value
// as its number, never quoted; any other value escaped (or hex), quoted if quote.
std::string ShowValue(std::string_view value, const Command& cmd, bool quote) {
  if (cmd.counters && !cmd.hex) {
    if (std::optional<uint64_t> n = CounterValue(value)) return std::to_string(*n);
  }
  const std::string shown = ShowBytes(value, cmd.hex);
  return quote ? "'" + shown + "'" : shown;
}

// An iterator bounded to the command's [from, to). The bounds must outlive it.
std::unique_ptr<Iterator> RangeIterator(DB* db, const Command& cmd, ReadOptions read) {
  if (cmd.from) read.iterate_lower_bound = *cmd.from;
  if (cmd.to) read.iterate_upper_bound = *cmd.to;
  return db->NewIterator(read);
}

int Get(DB* db, const Command& cmd, std::ostream& out, std::ostream& err) {
  std::string value;
  Status s = db->Get(ReadOptions(), cmd.args[0], &value);
  if (!s.ok()) return Fail(err, "get '" + ShowBytes(cmd.args[0], cmd.hex) + "'", s);
  out << ShowValue(value, cmd, false) << "\n";
  return kCtlOk;
}

int Scan(DB* db, const Command& cmd, std::ostream& out, std::ostream& err) {
  std::unique_ptr<Iterator> it = RangeIterator(db, cmd, ReadOptions());
  uint64_t n = 0;
  if (cmd.reverse) {
    it->SeekToLast();
  } else {
    it->SeekToFirst();
  }
  for (; it->Valid() && (!cmd.limit || n < *cmd.limit); cmd.reverse ? it->Prev() : it->Next()) {
    out << "'" << ShowBytes(it->key(), cmd.hex) << "' => " << ShowValue(it->value(), cmd, true)
        << "\n";
    n++;
  }
  if (!it->status().ok())
    return Fail(err, "scan stopped after " + std::to_string(n) + " keys", it->status());
  return kCtlOk;
}

int Count(DB* db, const Command& cmd, std::ostream& out, std::ostream& err) {
  ReadOptions read;
  read.fill_cache = false;
  std::unique_ptr<Iterator> it = RangeIterator(db, cmd, read);
  uint64_t n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) n++;
  if (!it->status().ok()) {
    return Fail(err, "count stopped after " + std::to_string(n) + " keys", it->status());
  }
  out << n << "\n";
  return kCtlOk;
}

int Compact(DB* db, const Command& cmd, std::ostream& out, std::ostream& err) {
  std::string_view from, to;
  if (cmd.from) from = *cmd.from;
  if (cmd.to) to = *cmd.to;
  Status s = db->CompactRange(cmd.from ? &from : nullptr, cmd.to ? &to : nullptr);
  if (!s.ok()) return Fail(err, "compact", s);
  out << "compacted; " << LevelShape(db) << "\n";
  return kCtlOk;
}

// One key and its value, for comparing scans in either order: a sum of these over the
// entries does not depend on the order, and changes when any value does.
uint64_t EntryDigest(std::string_view key, std::string_view value) {
  return Hash64(key) ^ (Hash64(value) * 0x9e3779b97f4a7c15ull);
}

// Reads everything back with every checksum checked: a forward scan reads every entry of
// every table and memtable (hidden versions too, to skip them); each key is read again by
// Get, which goes through the filters and indexes; a reverse scan (its own code path, merge
// operands included) must agree on the keys and values.
int Verify(DB* db, std::ostream& out, std::ostream& err) {
  ReadOptions read;
  read.verify_checksums = true;
  read.fill_cache = false;
  const Snapshot* snapshot = db->GetSnapshot();
  read.snapshot = snapshot;
  int status = kCtlOk;
  uint64_t keys = 0, reverse_keys = 0, digest = 0, reverse_digest = 0;
  {
    std::unique_ptr<Iterator> it = db->NewIterator(read);
    std::string value;
    for (it->SeekToFirst(); it->Valid() && status == kCtlOk; it->Next()) {
      keys++;
      digest += EntryDigest(it->key(), it->value());
      Status s = db->Get(read, it->key(), &value);
      if (!s.ok()) {
        status = Fail(err, "verify: get '" + ShowBytes(it->key(), false) + "'", s);
      } else if (value != it->value()) {
        err << "strata_ctl: verify: get '" << ShowBytes(it->key(), false)
            << "' returns another value than the scan\n";
        status = kCtlNegative;
      }
    }
    if (status == kCtlOk && !it->status().ok()) {
      status =
          Fail(err, "verify: scan stopped after " + std::to_string(keys) + " keys", it->status());
    }
    if (status == kCtlOk) {
      for (it->SeekToLast(); it->Valid(); it->Prev()) {
        reverse_keys++;
        reverse_digest += EntryDigest(it->key(), it->value());
      }
      if (!it->status().ok()) {
        status = Fail(err, "verify: reverse scan", it->status());
      } else if (reverse_keys != keys) {
        err << "strata_ctl: verify: the reverse scan sees " << reverse_keys
            << " keys, the forward scan " << keys << "\n";
        status = kCtlNegative;
      } else if (reverse_digest != digest) {
        err << "strata_ctl: verify: the reverse scan returns other keys or values than the "
               "forward scan\n";
        status = kCtlNegative;
      }
    }
  }
  db->ReleaseSnapshot(snapshot);
  if (status != kCtlOk) return status;
  std::string entries;
  db->GetProperty("strata.num-entries-in-tables", &entries);
  out << "verify: " << keys << " keys read by scan and by get, both directions; " << LevelShape(db)
      << " (" << entries << " entries); all checksums sound\n";
  return kCtlOk;
}

}  // namespace

int WriteTable(const Options& options, const std::string& path, std::istream& in, std::ostream& out,
               std::ostream& err) {
  TableWriter writer(options);
  Status s = writer.Open(path);
  if (!s.ok()) return Fail(err, "write_table " + path, s);
  std::string line, key, value, error;
  uint64_t line_number = 0;
  while (std::getline(in, line)) {
    line_number++;
    const size_t tab = line.find('\t');
    const std::string where = path + ": line " + std::to_string(line_number);
    if (tab == std::string::npos) {
      err << "strata_ctl: write_table " << where << ": no TAB between key and value\n";
      return kCtlError;
    }
    if (!ParseBytesArg(std::string_view(line).substr(0, tab), &key, &error) ||
        !ParseBytesArg(std::string_view(line).substr(tab + 1), &value, &error)) {
      err << "strata_ctl: write_table " << where << ": " << error << "\n";
      return kCtlError;
    }
    s = writer.Put(key, value);
    if (!s.ok()) {
      err << "strata_ctl: write_table " << where << ": " << s.ToString() << "\n";
      return kCtlError;
    }
  }
  s = writer.Finish();
  if (!s.ok()) return Fail(err, "write_table " + path, s);
  out << "wrote " << path << ": " << writer.NumEntries() << " entries, " << writer.FileSize()
      << " bytes\n";
  return kCtlOk;
}

std::shared_ptr<const MergeOperator> MergeOperatorNamed(std::string_view name) {
  if (name == "add") return NewUInt64AddOperator();
  if (name == "append") return NewStringAppendOperator(',');
  return nullptr;
}

std::string MergeOperatorHint(const Status& s) {
  const std::string_view m = s.message();
  if (!s.IsInvalidArgument() || m.find("merge operator") == std::string_view::npos) return "";
  for (const char* name : {"add", "append"}) {
    const std::string written = std::string("written with ") + MergeOperatorNamed(name)->Name();
    if (m.find(written + ":") != std::string_view::npos) {
      return std::string("strata_ctl: the database was written with the ") + name +
             " operator: give --merge_operator " + name + "\n";
    }
  }
  if (m.find("written with") != std::string_view::npos) {
    return "strata_ctl: the database's merge operator is neither of strata_ctl's (add is " +
           std::string(NewUInt64AddOperator()->Name()) + ", append is " +
           NewStringAppendOperator(',')->Name() + "): only the program that wrote it can open it\n";
  }
  return "strata_ctl: give --merge_operator add or append\n";
}

int ExitStatusOf(const Status& s) {
  if (s.ok()) return kCtlOk;
  if (s.IsNotFound() || s.IsCorruption()) return kCtlNegative;
  return kCtlError;
}

int RunCommand(DB* db, const Command& cmd, std::ostream& out, std::ostream& err) {
  WriteOptions write;
  write.sync = true;  // the process exits right after: make the write durable first
  const std::string& name = cmd.name;
  if (name == "get") return Get(db, cmd, out, err);
  if (name == "put") {
    Status s = db->Put(write, cmd.args[0], cmd.args[1]);
    return s.ok() ? kCtlOk : Fail(err, "put", s);
  }
  if (name == "delete") {
    Status s = db->Delete(write, cmd.args[0]);
    return s.ok() ? kCtlOk : Fail(err, "delete", s);
  }
  if (name == "merge") {
    Status s = db->Merge(write, cmd.args[0], cmd.args[1]);
    return s.ok() ? kCtlOk : Fail(err, "merge", s);
  }
  if (name == "deleterange") {
    Status s = db->DeleteRange(write, cmd.args[0], cmd.args[1]);
    return s.ok() ? kCtlOk : Fail(err, "deleterange", s);
  }
  if (name == "scan") return Scan(db, cmd, out, err);
  if (name == "count") return Count(db, cmd, out, err);
  if (name == "compact") return Compact(db, cmd, out, err);
  if (name == "flush") {
    Status s = db->Flush();
    if (!s.ok()) return Fail(err, "flush", s);
    out << "flushed; " << LevelShape(db) << "\n";
    return kCtlOk;
  }
  if (name == "stats" || name == "property") {
    const std::string property = name == "stats" ? "strata.stats" : cmd.args[0];
    std::string value;
    if (!db->GetProperty(property, &value)) {
      err << "strata_ctl: unknown property '" << property << "'\n";
      return kCtlError;
    }
    out << value;
    if (value.empty() || value.back() != '\n') out << "\n";
    return kCtlOk;
  }
  if (name == "verify") return Verify(db, out, err);
  if (name == "checkpoint") {
    uint64_t seq = 0;
    Status s = db->CreateCheckpoint(cmd.args[0], &seq);
    if (!s.ok()) return Fail(err, "checkpoint to " + cmd.args[0], s);
    out << "checkpoint " << cmd.args[0] << " at sequence " << seq << "\n";
    return kCtlOk;
  }
  if (name == "ingest") {
    IngestOptions ingest;
    ingest.move_files = cmd.move;
    Status s = db->IngestExternalFiles(cmd.args, ingest);
    if (!s.ok()) return Fail(err, "ingest", s);
    out << "ingested " << cmd.args.size() << " file" << (cmd.args.size() == 1 ? "" : "s") << "; "
        << LevelShape(db) << "\n";
    return kCtlOk;
  }
  err << "strata_ctl: unknown command '" << name << "'\n";
  return kCtlError;
}

}  // namespace strata::ctl
