// strata_ctl's command line: parses the arguments, opens the database, runs one command.
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "strata/db.h"
#include "strata/file_system.h"
#include "strata/options_file.h"
#include "tools/ctl/bytes.h"
#include "tools/ctl/commands.h"
#include "tools/ctl/ctl.h"
#include "tools/ctl/log_commands.h"

namespace strata::ctl {

namespace {

constexpr char kUsage[] =
    "usage: strata_ctl --db DIR [--create_if_missing | --read_only] [--hex]\n"
    "                  [--merge_operator add|append] COMMAND [ARGS]\n"
    "       strata_ctl write_table FILE < KEY<TAB>VALUE lines\n"
    "\n"
    "Opens the database in DIR (it must not be open elsewhere) with the options it was last\n"
    "opened with (its OPTIONS file), and runs one command:\n"
    "  get KEY              print KEY's value\n"
    "  put KEY VALUE        set KEY to VALUE (synced before exit)\n"
    "  merge KEY VALUE      hand VALUE to the merge operator for KEY (needs --merge_operator)\n"
    "  delete KEY           remove KEY (synced before exit)\n"
    "  deleterange FROM TO  remove every key in [FROM, TO) (synced before exit)\n"
    "  scan [--from K] [--to K] [--limit N] [--reverse]\n"
    "                       print 'key' => 'value' lines of [K, K), in order or reversed\n"
    "  count [--from K] [--to K]\n"
    "                       print the number of keys in [K, K)\n"
    "  compact [--from K] [--to K]\n"
    "                       compact the tables holding keys in [K, K] down the levels\n"
    "  flush                write the memtable to a table\n"
    "  stats                print the strata.stats property\n"
    "  property NAME        print a property (strata.sstables, strata.num-files-at-level0, ...)\n"
    "  verify               read every key (scan both ways, and get) with every checksum checked\n"
    "  tail [--from SEQ] [--follow] [--slot NAME] [--format text|json|binary]\n"
    "                       print the change feed (reads the logs; DIR may be open elsewhere)\n"
    "  apply                apply a binary feed from standard input, exactly once\n"
    "  slot create|advance|drop|list [NAME] [SEQ]\n"
    "                       manage log slots (the logs a consumer still needs)\n"
    "  checkpoint DIR2      make DIR2 an openable copy of the database (tables hard-linked)\n"
    "  ingest [--move] FILE...\n"
    "                       add table files made by write_table to the database, atomically\n"
    "  write_table FILE     (no --db) build a table file from sorted KEY<TAB>VALUE lines on stdin\n"
    "\n"
    "options:\n"
    "  --db DIR             the database directory (required)\n"
    "  --create_if_missing  create the database if DIR holds none\n"
    "  --read_only          open without writing anything or taking the LOCK, so it works\n"
    "                       while another process has DIR open (read commands only)\n"
    "  --hex                print keys and values as hex instead of escaped text\n"
    "  --merge_operator add|append\n"
    "                       the merge operator to open the database with (required by merge):\n"
    "                       the one it was written with, since a database that recorded one\n"
    "                       opens with no other. Without it, the one its OPTIONS file names.\n"
    "                       add: 64-bit counters (values and operands 8 bytes little-endian);\n"
    "                       the VALUE of put and merge is a decimal number (negative\n"
    "                       subtracts), and get and scan print 8-byte values as numbers.\n"
    "                       append: merge appends VALUE to the value after a ','\n"
    "  --help               this text; 'strata_ctl COMMAND --help' for one command\n"
    "\n"
    "Keys and values are taken as text, or as hex when they start with 0x (0x00ff is the\n"
    "two bytes 00 ff). Output escapes bytes like strata_dump: printable ASCII as is, a\n"
    "backslash doubled, any other byte as \\xNN. Use -- before a key that starts with '-'\n"
    "(a negative number needs none).\n"
    "To look at a database without opening it (even while it is open elsewhere), use\n"
    "'strata_dump db DIR'.\n"
    "\n"
    "exit status: 0 success; 1 key not found (get) or damage found (Corruption, verify);\n"
    "2 usage error, or the database cannot be used (in use by another process, missing,\n"
    "I/O error)\n";

struct CommandSpec {
  const char* name;
  int args;                 // positional arguments (the least number, if more_args)
  bool range;               // --from, --to
  bool scan;                // --limit, --reverse
  const char* help;         // the command's --help text
  bool reads_only = false;  // runs under --read_only
  bool paths = false;       // the arguments are file names, not keys
  bool more_args = false;   // takes args or more
  bool no_db = false;       // needs no --db
};

constexpr CommandSpec kCommands[] = {
    {"get", 1, false, false,
     "usage: strata_ctl --db DIR get KEY\n\n"
     "Prints KEY's value on one line (escaped, or hex with --hex). With --merge_operator add,\n"
     "an 8-byte value is printed as the number it holds (a counter).\n"
     "exit status: 0 found, 1 not found (NotFound on stderr) or damage, 2 other errors\n",
     true},
    {"put", 2, false, false,
     "usage: strata_ctl --db DIR put KEY VALUE\n\n"
     "Sets KEY to VALUE; the write is synced to the log before the command exits. With\n"
     "--merge_operator add, VALUE is a counter: a decimal number (stored as 8 bytes\n"
     "little-endian), or any bytes in hex after 0x.\n"
     "exit status: 0 written, 1 damage, 2 other errors\n"},
    {"merge", 2, false, false,
     "usage: strata_ctl --db DIR --merge_operator add|append merge KEY VALUE\n\n"
     "Writes VALUE as a merge operand for KEY; reads combine it with KEY's value through the\n"
     "merge operator, which --merge_operator names (required: the one the database was\n"
     "written with, or any for a database that has none yet, which then records it).\n"
     "  add     KEY's value is a 64-bit counter: VALUE is a decimal number added to it (a\n"
     "          missing key counts as 0; a negative number subtracts; sums wrap modulo\n"
     "          2^64), or its 8 bytes little-endian as 0x and 16 hex digits. Get and scan\n"
     "          print the counter as a number:\n"
     "            strata_ctl --db DIR --merge_operator add merge visits 5\n"
     "            strata_ctl --db DIR --merge_operator add get visits     -> 5\n"
     "  append  VALUE (text, or hex after 0x) is appended to KEY's value after a ','.\n"
     "Synced before the command exits.\n"
     "exit status: 0 written, 1 damage, 2 other errors (no --merge_operator included)\n"},
    {"delete", 1, false, false,
     "usage: strata_ctl --db DIR delete KEY\n\n"
     "Removes KEY (deleting a missing key is not an error); synced before the command exits.\n"
     "exit status: 0 done, 1 damage, 2 other errors\n"},
    {"deleterange", 2, false, false,
     "usage: strata_ctl --db DIR deleterange FROM TO\n\n"
     "Removes every key in [FROM, TO) (FROM inclusive, TO exclusive) with one range deletion;\n"
     "synced before the command exits. FROM must sort before TO.\n"
     "exit status: 0 done, 1 damage, 2 other errors (an empty range included)\n"},
    {"scan", 0, true, true,
     "usage: strata_ctl --db DIR scan [--from K] [--to K] [--limit N] [--reverse]\n\n"
     "Prints one 'key' => 'value' line per key in [--from, --to) (--from inclusive, --to\n"
     "exclusive; either may be left out), in key order or, with --reverse, from the last\n"
     "key down; at most N lines with --limit. With --merge_operator add, an 8-byte value\n"
     "is printed as the number it holds, unquoted: 'visits' => 5.\n"
     "exit status: 0 done, 1 damage met while reading, 2 other errors\n",
     true},
    {"count", 0, true, false,
     "usage: strata_ctl --db DIR count [--from K] [--to K]\n\n"
     "Prints the number of live keys in [--from, --to).\n"
     "exit status: 0 done, 1 damage met while reading, 2 other errors\n",
     true},
    {"compact", 0, true, false,
     "usage: strata_ctl --db DIR compact [--from K] [--to K]\n\n"
     "Flushes, then compacts every table holding keys in [--from, --to] (both inclusive;\n"
     "the whole database without them) down to the deepest level holding any of them,\n"
     "dropping overwritten versions and deletions. Prints the tables per level after.\n"
     "exit status: 0 done, 1 damage, 2 other errors\n"},
    {"flush", 0, false, false,
     "usage: strata_ctl --db DIR flush\n\n"
     "Writes the memtable (what the logs replayed at open) to a table; prints the tables per\n"
     "level after.\n"
     "exit status: 0 done, 1 damage, 2 other errors\n"},
    {"stats", 0, false, false,
     "usage: strata_ctl --db DIR stats\n\n"
     "Prints the strata.stats property: write path, memtables, flushes, compactions and\n"
     "recovery counters of this open (so mostly what recovery did).\n"
     "exit status: 0 done, 2 errors\n",
     true},
    {"property", 1, false, false,
     "usage: strata_ctl --db DIR property NAME\n\n"
     "Prints a property: strata.stats, strata.sstables, strata.num-files-at-level<N>,\n"
     "strata.num-entries-in-tables, strata.approximate-memory-usage,\n"
     "strata.num-entries-active-mem-table, strata.num-immutable-mem-table,\n"
     "strata.last-sequence.\n"
     "exit status: 0 done, 2 unknown property or other errors\n",
     true},
    {"verify", 0, false, false,
     "usage: strata_ctl --db DIR verify\n\n"
     "Opens the database (replaying its logs) and reads every key with checksums verified:\n"
     "a forward scan, which reads every entry of every table, a Get of each key that must\n"
     "return the scan's value, and a reverse scan that must see as many keys. For a check of\n"
     "every file without opening the database, use 'strata_dump db DIR --verify'.\n"
     "exit status: 0 sound, 1 damage found, 2 other errors\n",
     true},
    {"checkpoint", 1, false, false,
     "usage: strata_ctl --db DIR checkpoint DIR2\n\n"
     "Creates DIR2 (which must not exist) holding an openable copy of the database as of\n"
     "one sequence number: tables hard-linked (copied across file systems), the logs copied\n"
     "up to the last acknowledged write, all synced, CURRENT written last. Prints the\n"
     "sequence number. Writers elsewhere in this process are not held up.\n"
     "exit status: 0 done, 1 damage, 2 other errors (DIR2 exists, I/O errors)\n",
     false, true},
    {"ingest", 1, false, false,
     "usage: strata_ctl --db DIR ingest [--move] FILE...\n\n"
     "Adds the table files (made by 'strata_ctl write_table') to the database, all or none:\n"
     "each is checked whole first, they must not overlap each other, and they get a sequence\n"
     "number above every write so far. Copied into the database, or with --move hard-linked\n"
     "and the originals removed.\n"
     "exit status: 0 done, 1 damage in a file, 2 other errors (bad files, I/O errors)\n",
     false, true, true},
    {"write_table", 1, false, false,
     "usage: strata_ctl write_table FILE < LINES\n\n"
     "Builds the table file FILE from lines KEY<TAB>VALUE on standard input, keys in\n"
     "increasing byte order without repeats (text, or hex after 0x, as on the command\n"
     "line). Default options: LZ4, 4 KiB blocks, a bloom filter. Prints the entry count.\n"
     "exit status: 0 done, 2 malformed or unordered input, I/O errors\n",
     false, true, false, true},
};

const CommandSpec* FindCommand(std::string_view name) {
  for (const CommandSpec& c : kCommands) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

// "-5": a negative number (a counter's VALUE), taken as an argument, not an option.
bool IsNegativeNumber(std::string_view arg) {
  return arg.size() > 1 && arg[0] == '-' &&
         arg.find_first_not_of("0123456789", 1) == std::string_view::npos;
}

int UsageError(std::ostream& err, const std::string& message) {
  err << "strata_ctl: " << message << "\n"
      << "run 'strata_ctl --help' for usage\n";
  return kCtlError;
}

// The message for a database Open refused.
int OpenFailed(const std::string& dir, const Status& s, std::ostream& err) {
  if (s.IsBusy()) {
    err << "strata_ctl: the database " << dir
        << " is in use by another process (or another open of it in this one): its LOCK is "
           "held. Close it first, or read it without opening it with 'strata_dump db "
        << dir << "'. (" << s.ToString() << ")\n";
    return kCtlError;
  }
  err << "strata_ctl: cannot open the database " << dir << ": " << s.ToString() << "\n";
  if (s.IsInvalidArgument() && s.message().find("create_if_missing") != std::string::npos) {
    err << "strata_ctl: pass --create_if_missing to create it\n";
  }
  err << MergeOperatorHint(s);
  return ExitStatusOf(s);
}

}  // namespace

int RunStrataCtl(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  return RunStrataCtlWithInput(argc, argv, std::cin, out, err);
}

int RunStrataCtlWithInput(int argc, const char* const* argv, std::istream& in, std::ostream& out,
                          std::ostream& err) {
  // tail, apply and slot do not open the database they name (log_commands.h).
  if (IsLogCommand(argc, argv)) return RunLogCommand(argc, argv, in, out, err);
  std::string dir;
  bool create_if_missing = false, read_only = false, help = false, no_more_options = false;
  Command cmd;
  std::optional<std::string> from, to, limit, merge_operator;
  std::vector<std::string> words;
  auto value_of = [&](int* i, std::string_view arg, std::string_view name,
                      std::optional<std::string>* value) -> bool {
    // "--name VALUE" or "--name=VALUE"
    if (arg == name) {
      if (*i + 1 >= argc) return false;
      *value = argv[++*i];
      return true;
    }
    *value = std::string(arg.substr(name.size() + 1));
    return true;
  };
  for (int i = 1; i < argc; i++) {
    std::string_view arg = argv[i];
    auto is = [&](std::string_view name) {
      return arg == name ||
             (arg.starts_with(name) && arg.size() > name.size() && arg[name.size()] == '=');
    };
    if (no_more_options || arg.empty() || arg[0] != '-' || arg == "-" || IsNegativeNumber(arg)) {
      words.emplace_back(arg);
    } else if (arg == "--") {
      no_more_options = true;
    } else if (arg == "--help" || arg == "-h") {
      help = true;
    } else if (arg == "--create_if_missing") {
      create_if_missing = true;
    } else if (arg == "--read_only") {
      read_only = true;
    } else if (arg == "--move") {
      cmd.move = true;
    } else if (arg == "--hex") {
      cmd.hex = true;
    } else if (arg == "--reverse") {
      cmd.reverse = true;
    } else if (is("--db") || is("--from") || is("--to") || is("--limit") ||
               is("--merge_operator")) {
      const std::string_view name = arg.substr(0, arg.find('='));
      std::optional<std::string> value;
      if (!value_of(&i, arg, name, &value)) {
        return UsageError(err, std::string(name) + " needs a value");
      }
      if (name == "--db") dir = *value;
      if (name == "--from") from = value;
      if (name == "--to") to = value;
      if (name == "--limit") limit = value;
      if (name == "--merge_operator") merge_operator = value;
    } else {
      return UsageError(err, "unknown option '" + std::string(arg) + "'");
    }
  }

  const CommandSpec* spec = words.empty() ? nullptr : FindCommand(words[0]);
  if (help) {
    out << (spec != nullptr ? spec->help : kUsage);
    return kCtlOk;
  }
  if (words.empty()) return UsageError(err, "no command given");
  if (spec == nullptr) return UsageError(err, "unknown command '" + words[0] + "'");
  cmd.name = spec->name;
  const int given = static_cast<int>(words.size()) - 1;
  if (spec->more_args ? given < spec->args : given != spec->args) {
    return UsageError(err, cmd.name + " takes " + std::to_string(spec->args) + " argument" +
                               (spec->args == 1 ? "" : "s") + ", not " +
                               std::to_string(words.size() - 1));
  }
  if (!spec->range && (from || to))
    return UsageError(err,
                      "--from and --to apply to scan, "
                      "count and compact only");
  if (!spec->scan && (limit || cmd.reverse)) {
    return UsageError(err, "--limit and --reverse apply to scan only");
  }
  if (cmd.move && cmd.name != "ingest") return UsageError(err, "--move applies to ingest only");
  if (read_only && !spec->reads_only) {
    return UsageError(err, cmd.name + " writes: it cannot run with --read_only");
  }
  if (read_only && create_if_missing) {
    return UsageError(err, "--read_only and --create_if_missing exclude each other");
  }
  if (merge_operator && MergeOperatorNamed(*merge_operator) == nullptr) {
    return UsageError(err, "--merge_operator is add or append, not '" + *merge_operator + "'");
  }
  if (cmd.name == "merge" && !merge_operator) {
    return UsageError(err,
                      "merge needs --merge_operator add or append: the operator that combines "
                      "the operands (the one the database was written with)");
  }
  cmd.counters = merge_operator == "add";
  std::string error;
  for (size_t i = 1; i < words.size(); i++) {
    std::string bytes;
    // A counter's VALUE is a number (put's may also be any bytes in hex).
    const bool counter =
        cmd.counters && i == 2 &&
        (cmd.name == "merge" || (cmd.name == "put" && !words[i].starts_with("0x")));
    // The property name is a name, not data.
    if (cmd.name == "property" || spec->paths) {
      bytes = words[i];
    } else if (counter ? !ParseCounterArg(words[i], &bytes, &error)
                       : !ParseBytesArg(words[i], &bytes, &error)) {
      if (counter && cmd.name == "put") {
        error = "'" + words[i] + "': with --merge_operator add, VALUE is a decimal number (a " +
                "counter), or any bytes in hex after 0x";
      }
      return UsageError(err, cmd.name + ": " + error);
    }
    cmd.args.push_back(std::move(bytes));
  }
  for (auto [bound, target] : {std::pair{&from, &cmd.from}, std::pair{&to, &cmd.to}}) {
    if (!*bound) continue;
    std::string bytes;
    if (!ParseBytesArg(**bound, &bytes, &error)) return UsageError(err, error);
    *target = std::move(bytes);
  }
  if (limit) {
    char* end = nullptr;
    const unsigned long long n = std::strtoull(limit->c_str(), &end, 10);
    if (limit->empty() || *end != '\0' || (*limit)[0] == '-') {
      return UsageError(err, "--limit needs a number, not '" + *limit + "'");
    }
    cmd.limit = n;
  }
  Options options;
  if (spec->no_db) {
    if (!dir.empty()) return UsageError(err, cmd.name + " takes no --db");
    if (merge_operator) return UsageError(err, cmd.name + " takes no --merge_operator");
    return WriteTable(options, cmd.args[0], in, out, err);
  }
  if (dir.empty()) return UsageError(err, "no database given (--db DIR)");

  // The options the database was last opened with (its OPTIONS file), so the tool sees the
  // same shape (levels, triggers, buffers) as the program that writes it.
  Status loaded = LoadLatestOptions(dir, &options);
  if (!loaded.ok() && !loaded.IsNotFound() && FileSystem::Default()->FileExists(dir)) {
    err << "strata_ctl: note: default options used: " << loaded.ToString() << "\n";
    options = Options();
  }
  options.create_if_missing = create_if_missing;
  options.error_if_exists = false;
  if (merge_operator) options.merge_operator = MergeOperatorNamed(*merge_operator);
  std::unique_ptr<DB> db;
  Status s = read_only ? DB::OpenForReadOnly(options, dir, &db) : DB::Open(options, dir, &db);
  if (!s.ok()) return OpenFailed(dir, s, err);
  return RunCommand(db.get(), cmd, out, err);
}

}  // namespace strata::ctl
