// strata_dump's command line: parses the arguments and calls the dump for the file's kind.
#include <string>
#include <string_view>
#include <vector>

#include "db/filename.h"
#include "tools/dump/dump.h"

namespace strata::dump {

namespace {

constexpr char kUsage[] =
    "usage: strata_dump [wal|sst|manifest] [options] FILE\n"
    "\n"
    "Prints what a Strata file holds, read with the engine's own readers. Without a\n"
    "sub-command the kind comes from the file name (NNNNNN.log, NNNNNN.sst, MANIFEST-NNNNNN).\n"
    "\n"
    "  wal FILE        every record: offset, sequence, operation count, each operation\n"
    "  sst FILE        footer, properties and index summary of a table\n"
    "  manifest FILE   every version edit in order, then the files per level\n"
    "\n"
    "options:\n"
    "  --json          one JSON document instead of text\n"
    "  --hex           keys and values as hex instead of escaped text\n"
    "  --scan          (sst) every entry: user key, sequence, type, value\n"
    "  --blocks        (sst) every block: offset, size, compression, ratio\n"
    "  --verify        (sst) read every block and check its checksum\n"
    "  --help          this text\n"
    "\n"
    "Damage is reported in place with its offset and the dump goes on past it.\n"
    "exit status: 0 all sound, 1 damage found, 2 usage or I/O error\n";

enum class Kind { kUnknown, kWal, kTable, kManifest };

Kind KindOfCommand(std::string_view word) {
  if (word == "wal") return Kind::kWal;
  if (word == "sst") return Kind::kTable;
  if (word == "manifest") return Kind::kManifest;
  return Kind::kUnknown;
}

Kind KindOfFileName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  std::string_view base = path;
  if (slash != std::string::npos) base.remove_prefix(slash + 1);
  uint64_t number;
  FileType type;
  if (!ParseFileName(base, &number, &type)) return Kind::kUnknown;
  switch (type) {
    case FileType::kLog:
      return Kind::kWal;
    case FileType::kTable:
      return Kind::kTable;
    case FileType::kManifest:
      return Kind::kManifest;
    default:
      return Kind::kUnknown;
  }
}

int UsageError(std::ostream& err, const std::string& message) {
  err << "strata_dump: " << message << "\n"
      << "run 'strata_dump --help' for usage\n";
  return kDumpError;
}

}  // namespace

int RunStrataDump(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  DumpOptions options;
  std::vector<std::string> words;
  for (int i = 1; i < argc; i++) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      out << kUsage;
      return kDumpSound;
    } else if (arg == "--json") {
      options.json = true;
    } else if (arg == "--hex") {
      options.hex = true;
    } else if (arg == "--scan") {
      options.scan = true;
    } else if (arg == "--blocks") {
      options.blocks = true;
    } else if (arg == "--verify") {
      options.verify = true;
    } else if (arg.size() > 1 && arg[0] == '-') {
      return UsageError(err, "unknown option '" + std::string(arg) + "'");
    } else {
      words.emplace_back(arg);
    }
  }

  Kind kind = Kind::kUnknown;
  std::string path;
  if (words.size() == 2) {
    kind = KindOfCommand(words[0]);
    if (kind == Kind::kUnknown) return UsageError(err, "unknown sub-command '" + words[0] + "'");
    path = words[1];
  } else if (words.size() == 1) {
    path = words[0];
    kind = KindOfFileName(path);
    if (kind == Kind::kUnknown) {
      if (KindOfCommand(path) != Kind::kUnknown) return UsageError(err, "no FILE given");
      return UsageError(err, "cannot tell the kind of '" + path +
                                 "' from its name; give a sub-command (wal, sst, manifest)");
    }
  } else {
    return UsageError(err, words.empty() ? "no FILE given" : "too many arguments");
  }

  if (kind != Kind::kTable && (options.scan || options.blocks || options.verify)) {
    return UsageError(err, "--scan, --blocks and --verify apply to tables (sst) only");
  }
  switch (kind) {
    case Kind::kWal:
      return DumpWal(path, options, out, err);
    case Kind::kTable:
      return DumpTable(path, options, out, err);
    case Kind::kManifest:
      return DumpManifest(path, options, out, err);
    case Kind::kUnknown:
      break;
  }
  return kDumpError;
}

}  // namespace strata::dump
