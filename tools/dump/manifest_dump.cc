// strata_dump manifest: every version edit of a MANIFEST in order, then the files per level
// that replaying them gives, with the same consistency checks as recovery's replay.
#include <string>
#include <string_view>
#include <vector>

#include "tools/dump/dump.h"
#include "tools/dump/dump_util.h"
#include "version/filename.h"
#include "version/manifest_replay.h"
#include "version/version_edit.h"
#include "wal/log_reader.h"

namespace strata::dump {

namespace {

void PrintFileJson(int level, const FileMetaData& f, const DumpOptions& options, JsonWriter* json) {
  json->BeginObject();
  json->Field("level", static_cast<uint64_t>(level));
  json->Field("number", f.number);
  json->Field("size", f.file_size);
  json->Field("smallest", ShowInternalKey(f.smallest, options));
  json->Field("largest", ShowInternalKey(f.largest, options));
  json->Field("smallest_seqno", f.smallest_seqno);
  json->Field("largest_seqno", f.largest_seqno);
  json->EndObject();
}

void PrintEdit(uint64_t offset, uint64_t index, const VersionEdit& edit, const DumpOptions& options,
               JsonWriter* json, std::ostream& out) {
  if (json == nullptr) {
    out << "@" << offset << " edit " << index << ":\n";
    std::string text = edit.DebugString();
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      out << "  " << std::string_view(text).substr(start, end - start) << "\n";
      start = end + 1;
    }
    return;
  }
  json->BeginObject();
  json->Field("event", "edit");
  json->Field("offset", offset);
  if (edit.comparator()) json->Field("comparator", *edit.comparator());
  if (edit.merge_operator()) json->Field("merge_operator", *edit.merge_operator());
  if (edit.log_number()) json->Field("log_number", *edit.log_number());
  if (edit.next_file_number()) json->Field("next_file_number", *edit.next_file_number());
  if (edit.last_sequence()) json->Field("last_sequence", *edit.last_sequence());
  json->Key("deleted_files");
  json->BeginArray();
  for (const auto& [level, number] : edit.deleted_files()) {
    json->BeginObject();
    json->Field("level", static_cast<uint64_t>(level));
    json->Field("number", number);
    json->EndObject();
  }
  json->EndArray();
  json->Key("new_files");
  json->BeginArray();
  for (const auto& [level, f] : edit.new_files()) PrintFileJson(level, f, options, json);
  json->EndArray();
  json->EndObject();
}

void PrintFinal(const ManifestReplay& replay, const DumpOptions& options, JsonWriter* json,
                std::ostream& out) {
  if (json != nullptr) {
    if (replay.comparator) json->Field("comparator", *replay.comparator);
    if (replay.merge_operator) json->Field("merge_operator", *replay.merge_operator);
    if (replay.log_number) json->Field("log_number", *replay.log_number);
    if (replay.next_file_number) json->Field("next_file_number", *replay.next_file_number);
    if (replay.last_sequence) json->Field("last_sequence", *replay.last_sequence);
    json->Key("levels");
    json->BeginArray();
    for (const auto& [level, files] : replay.levels()) {
      if (files.empty()) continue;
      json->BeginObject();
      json->Field("level", static_cast<uint64_t>(level));
      json->Field("num_files", static_cast<uint64_t>(files.size()));
      json->Field("bytes", replay.LevelBytes(level));
      json->Key("files");
      json->BeginArray();
      for (const auto& f : replay.Ordered(level, BytewiseOrder()))
        PrintFileJson(level, *f, options, json);
      json->EndArray();
      json->EndObject();
    }
    json->EndArray();
    return;
  }
  out << "result:\n";
  if (replay.comparator) out << "  comparator: " << *replay.comparator << "\n";
  if (replay.merge_operator) out << "  merge operator: " << *replay.merge_operator << "\n";
  if (replay.log_number) out << "  log number: " << *replay.log_number << "\n";
  if (replay.next_file_number) out << "  next file number: " << *replay.next_file_number << "\n";
  if (replay.last_sequence) out << "  last sequence: " << *replay.last_sequence << "\n";
  bool any = false;
  for (const auto& [level, files] : replay.levels()) {
    if (files.empty()) continue;
    any = true;
    out << "  level " << level << ": " << files.size() << " file" << (files.size() == 1 ? "" : "s")
        << ", " << replay.LevelBytes(level) << " bytes\n";
    for (const auto& f : replay.Ordered(level, BytewiseOrder())) {
      out << "    " << TableFileName("", f->number).substr(1) << " " << f->file_size
          << " bytes, keys " << ShowInternalKey(f->smallest, options) << " .. "
          << ShowInternalKey(f->largest, options) << ", seq " << f->smallest_seqno << ".."
          << f->largest_seqno << "\n";
    }
  }
  if (!any) out << "  no table files\n";
}

}  // namespace

int DumpManifest(const std::string& path, const DumpOptions& options, std::ostream& out,
                 std::ostream& err) {
  LogDump dump(path, "manifest", options, out);
  if (!dump.Open(err)) return kDumpError;
  std::string_view record;
  uint64_t offset = 0;
  uint64_t edits = 0;
  ManifestReplay replay;
  while (dump.Next(&record, &offset)) {
    VersionEdit edit;
    Status s = edit.DecodeFrom(record);
    if (!s.ok()) {
      dump.BadPayload(offset, record.size(),
                      "record at offset " + std::to_string(offset) +
                          " is not a valid version edit: " + s.ToString());
      continue;
    }
    PrintEdit(offset, edits++, edit, options, dump.json(), out);
    Status problems = replay.Apply(edit);
    if (!problems.ok()) {
      dump.BadPayload(offset, 0,
                      "edit at offset " + std::to_string(offset) + ": " + problems.ToString());
    }
  }

  if (JsonWriter* json = dump.json()) {
    dump.EndEvents();
    json->Field("edits", edits);
    PrintFinal(replay, options, json, out);
    json->EndObject();
  } else {
    PrintFinal(replay, options, nullptr, out);
    out << "summary: " << edits << " edits, " << dump.tally().regions << " damaged regions ("
        << dump.tally().bytes_dropped << " bytes skipped)\n";
  }
  return dump.Finish(err);
}

}  // namespace strata::dump
