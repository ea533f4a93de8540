// strata_dump db: a whole database directory as ReadDbState sees it, as text or JSON, and
// on request as an SVG picture (db_svg.h).
#include <map>
#include <string>
#include <vector>

#include "keys/internal_key.h"
#include "tools/dump/db_slots.h"
#include "tools/dump/db_state.h"
#include "tools/dump/db_svg.h"
#include "tools/dump/dump.h"
#include "tools/dump/dump_util.h"
#include "version/filename.h"

namespace strata::dump {

namespace {

struct Totals {
  uint64_t files = 0, bytes = 0;
  uint64_t tables = 0, table_bytes = 0;
  uint64_t wals = 0, wal_bytes = 0;
  uint64_t obsolete = 0, obsolete_bytes = 0;
  // --verify
  uint64_t checked_tables = 0, blocks = 0, damaged_blocks = 0, entries = 0;
  uint64_t checked_wals = 0, wal_records = 0;
  uint64_t checked_manifests = 0, manifest_records = 0;
};

Totals Count(const DbState& state) {
  Totals t;
  for (const DbFile& f : state.files) {
    t.files++;
    t.bytes += f.size;
    if (f.kind == DbFileKind::kTable && f.live) {
      t.tables++;
      t.table_bytes += f.size;
    }
    if (f.kind == DbFileKind::kWal && f.live) {
      t.wals++;
      t.wal_bytes += f.size;
    }
    if (IsObsolete(f)) {
      t.obsolete++;
      t.obsolete_bytes += f.size;
    }
    if (!f.checked) continue;
    switch (f.kind) {
      case DbFileKind::kTable:
        t.checked_tables++;
        t.blocks += f.check.blocks;
        t.damaged_blocks += f.check.damaged_blocks;
        t.entries += f.check.records;
        break;
      case DbFileKind::kWal:
        t.checked_wals++;
        t.wal_records += f.check.records;
        break;
      case DbFileKind::kManifest:
        t.checked_manifests++;
        t.manifest_records += f.check.records;
        break;
      default:
        break;
    }
  }
  return t;
}

// The smallest and largest user key of a level.
std::pair<std::string, std::string> KeyRange(const FileList& files) {
  std::string lo, hi;
  for (size_t i = 0; i < files.size(); i++) {
    std::string_view a = ExtractUserKey(files[i]->smallest);
    std::string_view b = ExtractUserKey(files[i]->largest);
    if (i == 0 || a < lo) lo = a;
    if (i == 0 || b > hi) hi = b;
  }
  return {lo, hi};
}

// "FILE @OFFSET", "FILE", or dir for the directory itself.
std::string Where(const std::string& dir, const DbProblem& p) {
  std::string where = p.file.empty() ? dir : dir + "/" + p.file;
  if (p.offset != kUnknownOffset) where += " @" + std::to_string(p.offset);
  return where;
}

class DbPrinter {
 public:
  DbPrinter(const DbState& state, const DumpOptions& options, std::ostream& out)
      : state_(state), options_(options), out_(out), totals_(Count(state)) {
    for (const DbFile& f : state.files) by_name_[f.name] = &f;
  }

  void Text();
  void Json();

 private:
  // Each log's first sequence and the log slots (db_slots.h).
  LogHistoryView History() const {
    std::vector<std::pair<uint64_t, uint64_t>> logs;
    for (const DbFile& f : state_.files) {
      if (f.kind == DbFileKind::kWal) logs.emplace_back(f.number, f.size);
    }
    return ReadLogHistory(FileSystemOf(options_), state_.dir, logs);
  }
  const DbFile* FileOf(const std::string& name) const {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : it->second;
  }
  std::string CheckText(const DbFile* f) const;
  void CheckJson(JsonWriter* json, const DbFile* f) const;
  void ProblemsJson(JsonWriter* json, const char* key, const std::vector<DbProblem>& list) const;

  const DbState& state_;
  const DumpOptions& options_;
  std::ostream& out_;
  const Totals totals_;
  std::map<std::string, const DbFile*> by_name_;
};

std::string DbPrinter::CheckText(const DbFile* f) const {
  if (f == nullptr || !f->checked) return "";
  std::string r = " [";
  if (f->kind == DbFileKind::kTable) {
    r += std::to_string(f->check.blocks) + " blocks, " + std::to_string(f->check.records) +
         " entries";
    if (f->check.range_tombstones > 0) {
      r += ", " + std::to_string(f->check.range_tombstones) + " range tombstone fragments";
    }
  } else {
    r += std::to_string(f->check.records) + " records";
  }
  const size_t problems = f->check.problems.size();
  r += problems == 0 ? ", sound]" : ", " + std::to_string(problems) + " problems]";
  return r;
}

void DbPrinter::CheckJson(JsonWriter* json, const DbFile* f) const {
  if (f == nullptr || !f->checked) return;
  json->Key("verify");
  json->BeginObject();
  if (f->kind == DbFileKind::kTable) {
    json->Field("blocks", f->check.blocks);
    json->Field("damaged_blocks", f->check.damaged_blocks);
    json->Field("entries", f->check.records);
    json->Field("range_tombstones", f->check.range_tombstones);
  } else {
    json->Field("records", f->check.records);
  }
  json->Field("problems", static_cast<uint64_t>(f->check.problems.size()));
  json->EndObject();
}

void DbPrinter::Text() {
  const ManifestReplay& v = state_.version;
  out_ << "db " << state_.dir << "\n";
  if (!state_.manifest.empty()) {
    out_ << (state_.manifest_from_current ? "CURRENT -> " : "MANIFEST (CURRENT unusable): ")
         << state_.manifest << " (" << state_.manifest_size << " bytes, " << state_.manifest_edits
         << " edits)\n";
    out_ << " ";
    if (v.comparator) out_ << " comparator " << *v.comparator << ",";
    if (v.merge_operator) out_ << " merge operator " << *v.merge_operator << ",";
    if (v.log_number) out_ << " log number " << *v.log_number << ",";
    if (v.next_file_number) out_ << " next file number " << *v.next_file_number << ",";
    if (v.last_sequence) out_ << " last sequence " << *v.last_sequence;
    out_ << "\n";
  }
  bool any = false;
  for (const auto& [level, by_number] : v.levels()) {
    if (by_number.empty()) continue;
    any = true;
    const auto files = v.Ordered(level, BytewiseOrder());
    const auto [lo, hi] = KeyRange(files);
    out_ << "level " << level << ": " << files.size()
         << (files.size() == 1 ? " file, " : " files, ") << v.LevelBytes(level) << " bytes, keys '"
         << ShowBytes(lo, options_) << "' .. '" << ShowBytes(hi, options_) << "'\n";
    for (const auto& f : files) {
      const std::string name = TableFileName("", f->number).substr(1);
      out_ << "  " << name << " " << f->file_size << " bytes, keys "
           << ShowInternalKey(f->smallest, options_) << " .. "
           << ShowInternalKey(f->largest, options_) << ", seq " << f->smallest_seqno << ".."
           << f->largest_seqno << CheckText(FileOf(name)) << "\n";
    }
  }
  if (!any) out_ << "no live tables\n";

  std::string logs;
  const LogHistoryView history = History();
  for (const DbFile& f : state_.files) {
    if (f.kind != DbFileKind::kWal) continue;
    if (logs.empty()) out_ << "logs:\n";
    logs = f.name;
    std::string first = ", no records";
    for (const auto& log : history.logs) {
      if (log.number == f.number && log.has_first) {
        first = ", from sequence " + std::to_string(log.first);
      }
    }
    out_ << "  " << f.name << " " << f.size << " bytes" << first << ", "
         << (f.live ? "live" : "obsolete") << CheckText(&f) << "\n";
  }
  if (!history.slots_error.empty()) out_ << "slots: unreadable: " << history.slots_error << "\n";
  for (const SlotView& slot : history.slots) {
    out_ << "slot " << slot.name << " at sequence " << slot.sequence;
    if (slot.invalidated) {
      out_ << ", INVALIDATED: " << slot.invalidation << "\n";
    } else {
      out_ << ", holds logs from " << LogFileName("", slot.held_from_log).substr(1) << ", lag "
           << slot.lag_bytes << " bytes\n";
    }
  }
  std::string obsolete, other;
  for (const DbFile& f : state_.files) {
    std::string line = "  " + f.name + " " + std::to_string(f.size) + " bytes";
    if (IsObsolete(f) && f.kind != DbFileKind::kWal) {
      obsolete += line + " (" + DbFileKindName(f.kind) + ")" + CheckText(&f) + "\n";
    } else if (!f.live && !IsObsolete(f)) {
      other += line + "\n";
    }
  }
  if (logs.empty()) out_ << "logs: none\n";
  if (!obsolete.empty()) out_ << "obsolete files:\n" << obsolete;
  if (!other.empty()) out_ << "other files:\n" << other;

  out_ << "totals: " << totals_.files << " files, " << totals_.bytes
       << " bytes; live: " << totals_.tables << (totals_.tables == 1 ? " table (" : " tables (")
       << totals_.table_bytes << " bytes), " << totals_.wals
       << (totals_.wals == 1 ? " log (" : " logs (") << totals_.wal_bytes
       << " bytes); obsolete: " << totals_.obsolete << " files (" << totals_.obsolete_bytes
       << " bytes)\n";
  for (const DbProblem& n : state_.notes) {
    out_ << "note: " << Where(state_.dir, n) << ": " << n.reason << "\n";
  }
  for (const DbProblem& p : state_.problems) {
    out_ << "DAMAGE in " << Where(state_.dir, p) << ": " << p.reason << "\n";
  }
  if (state_.verified) {
    out_ << "verify: " << totals_.checked_tables << " tables (" << totals_.blocks << " blocks, "
         << totals_.entries << " entries), " << totals_.checked_wals
         << (totals_.checked_wals == 1 ? " log (" : " logs (") << totals_.wal_records
         << " records), " << totals_.checked_manifests << " MANIFEST"
         << (totals_.checked_manifests == 1 ? "" : "s") << " (" << totals_.manifest_records
         << " edits)\n";
  }
  out_ << "summary: " << state_.problems.size() << " problems found\n";
}

void DbPrinter::ProblemsJson(JsonWriter* json, const char* key,
                             const std::vector<DbProblem>& list) const {
  json->Key(key);
  json->BeginArray();
  for (const DbProblem& p : list) {
    json->BeginObject();
    json->Field("file", p.file);
    if (p.offset != kUnknownOffset) json->Field("offset", p.offset);
    json->Field("reason", p.reason);
    json->EndObject();
  }
  json->EndArray();
}

void DbPrinter::Json() {
  const ManifestReplay& v = state_.version;
  JsonWriter json(&out_);
  json.BeginObject();
  json.Field("kind", "db");
  json.Field("dir", state_.dir);
  if (!state_.manifest.empty()) {
    if (state_.manifest_from_current) json.Field("current", state_.manifest);
    json.Key("manifest");
    json.BeginObject();
    json.Field("name", state_.manifest);
    json.Field("size", state_.manifest_size);
    json.Field("edits", state_.manifest_edits);
    json.Field("from_current", state_.manifest_from_current);
    CheckJson(&json, FileOf(state_.manifest));
    json.EndObject();
  }
  if (v.comparator) json.Field("comparator", *v.comparator);
  if (v.merge_operator) json.Field("merge_operator", *v.merge_operator);
  if (v.log_number) json.Field("log_number", *v.log_number);
  if (v.next_file_number) json.Field("next_file_number", *v.next_file_number);
  if (v.last_sequence) json.Field("last_sequence", *v.last_sequence);

  json.Key("levels");
  json.BeginArray();
  for (const auto& [level, by_number] : v.levels()) {
    if (by_number.empty()) continue;
    const auto files = v.Ordered(level, BytewiseOrder());
    const auto [lo, hi] = KeyRange(files);
    json.BeginObject();
    json.Field("level", static_cast<uint64_t>(level));
    json.Field("num_files", static_cast<uint64_t>(files.size()));
    json.Field("bytes", v.LevelBytes(level));
    json.Field("smallest_key", ShowBytes(lo, options_));
    json.Field("largest_key", ShowBytes(hi, options_));
    json.Key("files");
    json.BeginArray();
    for (const auto& f : files) {
      const std::string name = TableFileName("", f->number).substr(1);
      json.BeginObject();
      json.Field("number", f->number);
      json.Field("name", name);
      json.Field("size", f->file_size);
      json.Field("smallest", ShowInternalKey(f->smallest, options_));
      json.Field("largest", ShowInternalKey(f->largest, options_));
      json.Field("smallest_key", ShowBytes(ExtractUserKey(f->smallest), options_));
      json.Field("largest_key", ShowBytes(ExtractUserKey(f->largest), options_));
      json.Field("smallest_seqno", f->smallest_seqno);
      json.Field("largest_seqno", f->largest_seqno);
      CheckJson(&json, FileOf(name));
      json.EndObject();
    }
    json.EndArray();
    json.EndObject();
  }
  json.EndArray();

  json.Key("wals");
  json.BeginArray();
  for (const DbFile& f : state_.files) {
    if (f.kind != DbFileKind::kWal) continue;
    json.BeginObject();
    json.Field("name", f.name);
    json.Field("number", f.number);
    json.Field("size", f.size);
    json.Field("live", f.live);
    CheckJson(&json, &f);
    json.EndObject();
  }
  json.EndArray();

  json.Key("obsolete");
  json.BeginArray();
  for (const DbFile& f : state_.files) {
    if (!IsObsolete(f)) continue;
    json.BeginObject();
    json.Field("name", f.name);
    json.Field("kind", DbFileKindName(f.kind));
    json.Field("size", f.size);
    CheckJson(&json, &f);
    json.EndObject();
  }
  json.EndArray();

  json.Key("files");
  json.BeginArray();
  for (const DbFile& f : state_.files) {
    json.BeginObject();
    json.Field("name", f.name);
    json.Field("kind", DbFileKindName(f.kind));
    json.Field("size", f.size);
    json.Field("state", f.live ? "live" : IsObsolete(f) ? "obsolete" : "other");
    json.EndObject();
  }
  json.EndArray();

  const LogHistoryView history = History();
  json.Key("slots");
  json.BeginArray();
  for (const SlotView& slot : history.slots) {
    json.BeginObject();
    json.Field("name", slot.name);
    json.Field("sequence", slot.sequence);
    json.Field("invalidated", slot.invalidated);
    if (slot.invalidated) json.Field("invalidation", slot.invalidation);
    if (!slot.invalidated) json.Field("held_from_log", slot.held_from_log);
    json.Field("lag_bytes", slot.lag_bytes);
    json.EndObject();
  }
  json.EndArray();

  json.Key("totals");
  json.BeginObject();
  json.Field("files", totals_.files);
  json.Field("bytes", totals_.bytes);
  json.Field("live_tables", totals_.tables);
  json.Field("live_table_bytes", totals_.table_bytes);
  json.Field("live_wals", totals_.wals);
  json.Field("live_wal_bytes", totals_.wal_bytes);
  json.Field("obsolete_files", totals_.obsolete);
  json.Field("obsolete_bytes", totals_.obsolete_bytes);
  json.EndObject();

  if (state_.verified) {
    json.Key("verify");
    json.BeginObject();
    json.Field("tables", totals_.checked_tables);
    json.Field("blocks", totals_.blocks);
    json.Field("damaged_blocks", totals_.damaged_blocks);
    json.Field("entries", totals_.entries);
    json.Field("wals", totals_.checked_wals);
    json.Field("wal_records", totals_.wal_records);
    json.Field("manifests", totals_.checked_manifests);
    json.Field("manifest_edits", totals_.manifest_records);
    json.EndObject();
  }
  json.Field("passes", static_cast<uint64_t>(state_.passes));
  ProblemsJson(&json, "notes", state_.notes);
  ProblemsJson(&json, "damage", state_.problems);
  json.EndObject();
}

}  // namespace

int DumpDb(const std::string& dir, const DumpOptions& options, std::ostream& out,
           std::ostream& err) {
  DbState state;
  Status s = ReadDbState(dir, options, &state);
  if (!s.ok()) {
    err << "strata_dump: " << dir << ": " << s.ToString() << "\n";
    return kDumpError;
  }
  DbPrinter printer(state, options, out);
  if (options.json) {
    printer.Json();
  } else {
    printer.Text();
  }
  int status = kDumpSound;
  if (!options.svg_path.empty()) {
    s = WriteStringToFile(FileSystemOf(options), RenderDbSvg(state), options.svg_path, false);
    if (!s.ok()) {
      err << "strata_dump: " << options.svg_path << ": " << s.ToString() << "\n";
      status = kDumpError;
    }
  }
  if (state.problems.empty()) return status;
  const DbProblem& first = state.problems.front();
  err << "strata_dump: " << dir << ": " << state.problems.size() << " problem"
      << (state.problems.size() == 1 ? "" : "s") << " found, first in " << Where(dir, first) << ": "
      << first.reason << "\n";
  return state.io_error ? kDumpError : kDumpDamaged;
}

}  // namespace strata::dump
