// strata_dump's command line: parses the arguments and calls the dump for the file's kind.
#include <string>
#include <string_view>
#include <vector>

#include "tools/dump/dump.h"
#include "tools/dump/dump_util.h"
#include "tools/dump/file_kind.h"

namespace strata::dump {

namespace {

constexpr char kUsage[] =
    "usage: strata_dump [wal|sst|manifest|options|db] [options] PATH\n"
    "\n"
    "Prints what a Strata file or database holds, read with the engine's own readers and\n"
    "never opened for writing. Without a sub-command the kind comes from PATH: a directory\n"
    "is a database; else the file name (NNNNNN.log, NNNNNN.sst, MANIFEST-NNNNNN,\n"
    "OPTIONS-NNNNNN); else the\n"
    "contents (a table's footer magic; a log's records decoded as batches or edits).\n"
    "\n"
    "  wal FILE        every record: offset, sequence, operation count, each operation\n"
    "  sst FILE        footer, properties and index summary of a table\n"
    "  manifest FILE   every version edit in order, then the files per level\n"
    "  options FILE    an OPTIONS file (the options of one open) and whether it parses\n"
    "  db DIR          the whole database: CURRENT, the MANIFEST's version, tables per level,\n"
    "                  live and obsolete logs and files, totals (works while it is open)\n"
    "\n"
    "options:\n"
    "  --json          one JSON document instead of text\n"
    "  --hex           keys and values as hex instead of escaped text\n"
    "  --scan          (sst) every entry: user key, sequence, type, value\n"
    "  --blocks        (sst) every block: offset, size, compression, ratio\n"
    "  --verify        (sst) read every block and check its checksum;\n"
    "                  (db) read every file whole: logs, tables, MANIFESTs\n"
    "  --svg FILE      (db) draw the tree as an SVG picture into FILE\n"
    "  --help          this text; 'strata_dump SUB-COMMAND --help' for one sub-command\n"
    "\n"
    "Damage is reported in place with its offset and the dump goes on past it.\n"
    "exit status: 0 all sound, 1 damage found, 2 usage or I/O error\n";

constexpr char kWalUsage[] =
    "usage: strata_dump wal [--json] [--hex] FILE\n"
    "\n"
    "Every record of a write-ahead log: its offset, size, sequence and operations (puts with\n"
    "their values, deletes). Damage (checksum mismatch, torn tail, a record that is not a\n"
    "valid write batch) is reported in place with its offset and bytes skipped; the dump\n"
    "resumes at the next intact record.\n"
    "exit status: 0 all sound, 1 damage found, 2 usage or I/O error\n";

constexpr char kSstUsage[] =
    "usage: strata_dump sst [--scan] [--blocks] [--verify] [--json] [--hex] FILE\n"
    "\n"
    "A table's footer, properties and index summary.\n"
    "  --scan     every entry: user key, sequence, put/delete, value\n"
    "  --blocks   every block: offset, stored and raw size, compression, ratio\n"
    "  --verify   read every block, check its checksum and the order of its keys\n"
    "exit status: 0 all sound, 1 damage found, 2 usage or I/O error\n";

constexpr char kManifestUsage[] =
    "usage: strata_dump manifest [--json] [--hex] FILE\n"
    "\n"
    "Every version edit of a MANIFEST in order (offset, counters, files added and removed),\n"
    "then the files per level they add up to. Edits recovery would reject are damage.\n"
    "exit status: 0 all sound, 1 damage found, 2 usage or I/O error\n";

constexpr char kOptionsUsage[] =
    "usage: strata_dump options [--json] FILE\n"
    "\n"
    "An OPTIONS file (the options of one open of a database, written at each open) as\n"
    "written, then its format version, the version that wrote it and the comparator. A file\n"
    "that does not parse is damage (LoadLatestOptions would refuse it).\n"
    "exit status: 0 sound, 1 damage found, 2 usage or I/O error\n";

constexpr char kDbUsage[] =
    "usage: strata_dump db [--verify] [--svg FILE] [--json] [--hex] DIR\n"
    "\n"
    "A whole database, read from its files without opening it (so it works while another\n"
    "process has it open): CURRENT and the MANIFEST it names, the version that MANIFEST\n"
    "yields (log number, next file number, last sequence), the live tables per level with\n"
    "sizes and key ranges, the write-ahead logs (live: numbered at or above the version's\n"
    "log number; older ones are obsolete), obsolete tables and MANIFESTs, other files, and\n"
    "totals. Tables the MANIFEST names that are missing or of another size are damage.\n"
    "  --verify     read every file whole: every log record's checksum and batch, every\n"
    "               table block's checksum and entry, the MANIFEST's edits; table key\n"
    "               ranges against the MANIFEST. A torn tail at the end of a live log (what\n"
    "               recovery drops) and damage in obsolete files are notes, not damage.\n"
    "  --svg FILE   draw the tree: one row per level, each table a box over its key range,\n"
    "               its height by its bytes; level-0 tables one per line\n"
    "If the database changes while it is read, the read is repeated until it holds still.\n"
    "exit status: 0 all sound, 1 damage found, 2 usage or I/O error\n";

const char* UsageOf(FileKind kind) {
  switch (kind) {
    case FileKind::kWal:
      return kWalUsage;
    case FileKind::kTable:
      return kSstUsage;
    case FileKind::kManifest:
      return kManifestUsage;
    case FileKind::kOptions:
      return kOptionsUsage;
    case FileKind::kDb:
      return kDbUsage;
    case FileKind::kUnknown:
      break;
  }
  return kUsage;
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
  bool help = false;
  for (int i = 1; i < argc; i++) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      help = true;
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
    } else if (arg == "--svg") {
      if (i + 1 >= argc) return UsageError(err, "--svg needs a FILE");
      options.svg_path = argv[++i];
    } else if (arg.starts_with("--svg=")) {
      options.svg_path = arg.substr(6);
    } else if (arg.size() > 1 && arg[0] == '-') {
      return UsageError(err, "unknown option '" + std::string(arg) + "'");
    } else {
      words.emplace_back(arg);
    }
  }
  if (help) {
    out << UsageOf(words.empty() ? FileKind::kUnknown : FileKindOfCommand(words[0]));
    return kDumpSound;
  }

  FileKind kind = FileKind::kUnknown;
  std::string path;
  if (words.size() == 2) {
    kind = FileKindOfCommand(words[0]);
    if (kind == FileKind::kUnknown) {
      return UsageError(err, "unknown sub-command '" + words[0] + "'");
    }
    path = words[1];
  } else if (words.size() == 1) {
    path = words[0];
    if (FileKindOfCommand(path) != FileKind::kUnknown) {
      return UsageError(err, path == "db" ? "no DIR given" : "no FILE given");
    }
    std::string why;
    kind = DetectFileKind(path, FileSystemOf(options), &why);
    if (kind == FileKind::kUnknown) {
      return UsageError(err, "cannot tell the kind of '" + path + "': " + why +
                                 "; give a sub-command (wal, sst, manifest, options, db)");
    }
  } else {
    return UsageError(err, words.empty() ? "no FILE given" : "too many arguments");
  }

  const char* command = FileKindCommand(kind);
  if (kind != FileKind::kTable && (options.scan || options.blocks)) {
    return UsageError(
        err, std::string("--scan and --blocks apply to tables (sst) only, not ") + command);
  }
  if (kind != FileKind::kTable && kind != FileKind::kDb && options.verify) {
    return UsageError(err, std::string("--verify applies to sst and db only, not ") + command);
  }
  if (kind != FileKind::kDb && !options.svg_path.empty()) {
    return UsageError(err, std::string("--svg applies to db only, not ") + command);
  }
  switch (kind) {
    case FileKind::kWal:
      return DumpWal(path, options, out, err);
    case FileKind::kTable:
      return DumpTable(path, options, out, err);
    case FileKind::kManifest:
      return DumpManifest(path, options, out, err);
    case FileKind::kOptions:
      return DumpOptionsFile(path, options, out, err);
    case FileKind::kDb:
      return DumpDb(path, options, out, err);
    case FileKind::kUnknown:
      break;
  }
  return kDumpError;
}

}  // namespace strata::dump
