// strata_dump options: an OPTIONS file as written, then what parsing it says (the same
// parser LoadLatestOptions uses, so a file this calls sound loads).
#include <string>

#include "db/options_file.h"
#include "tools/dump/dump.h"
#include "tools/dump/dump_util.h"
#include "tools/dump/json_writer.h"

namespace strata::dump {

int DumpOptionsFile(const std::string& path, const DumpOptions& options, std::ostream& out,
                    std::ostream& err) {
  std::string text;
  Status s = ReadFileToString(FileSystemOf(options), path, &text);
  if (!s.ok()) {
    err << "strata_dump: " << path << ": " << s.ToString() << "\n";
    return kDumpError;
  }
  Options parsed_options;
  ParsedOptionsFile parsed;
  s = ParseOptions(text, &parsed_options, &parsed);
  if (options.json) {
    JsonWriter json(&out);
    json.BeginObject();
    json.Field("kind", "options");
    json.Field("file", path);
    json.Field("sound", s.ok());
    if (!s.ok()) json.Field("problem", s.ToString());
    json.Field("format_version", static_cast<uint64_t>(parsed.format_version));
    json.Field("strata_version", parsed.strata_version);
    json.Field("comparator", parsed.comparator);
    json.Field("unknown_fields", static_cast<uint64_t>(parsed.unknown_fields));
    json.Field("text", text);
    json.EndObject();
    out << "\n";
  } else {
    out << "options " << path << "\n" << text;
    if (!text.empty() && text.back() != '\n') out << "\n";
    if (s.ok()) {
      out << "summary: format version " << parsed.format_version << ", written by strata "
          << parsed.strata_version << ", comparator " << parsed.comparator << ", "
          << parsed.unknown_fields << " fields unknown to this version\n";
    }
  }
  if (!s.ok()) {
    if (!options.json) out << "DAMAGE in " << path << ": " << s.ToString() << "\n";
    err << "strata_dump: " << path << ": " << s.ToString() << "\n";
    return kDumpDamaged;
  }
  return kDumpSound;
}

}  // namespace strata::dump
