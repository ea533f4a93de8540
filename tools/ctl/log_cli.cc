// The command line of tail, apply and slot (see tools/ctl/log_commands.h): parsing and help.
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/ctl/commands.h"
#include "tools/ctl/ctl.h"
#include "tools/ctl/log_commands.h"
#include "tools/ctl/log_commands_impl.h"

namespace strata::ctl {

namespace {

constexpr char kTailHelp[] =
    "usage: strata_ctl --db DIR tail [--from SEQ] [--follow] [--slot NAME]\n"
    "                  [--format text|json|binary] [--hex]\n\n"
    "Prints the change feed of DIR: every committed record (a commit group of write batches)\n"
    "in commit order, starting with the one holding sequence SEQ (default 1, or the slot's\n"
    "position). Reads the log files directly, without the database's lock: DIR may be closed\n"
    "or open in another process. With --follow it waits for new records instead of ending.\n"
    "With --slot it reads through that slot (created at SEQ if missing; an invalidated slot\n"
    "fails). --format binary writes the framing that 'strata_ctl apply' reads (see\n"
    "docs/FORMATS.md); with a slot, apply advances it as it applies. An ingestion shows as a\n"
    "record with count 0 at the sequence it took: its keys are in tables, not in the log.\n"
    "exit status: 0 done, 1 history gone (NotFound) or damage, 2 other errors\n";
constexpr char kApplyHelp[] =
    "usage: strata_ctl --db DIR [--merge_operator add|append] apply [--from SEQ]\n\n"
    "Reads a binary change feed stream ('tail --format binary') on standard input and applies\n"
    "each record to DIR (created if missing), storing the source's sequence in the same\n"
    "batch, so that a follower killed at any moment resumes with no gap and no duplicate:\n"
    "records it already holds are skipped, a record past the next one it needs is refused.\n"
    "Prints where it resumed. When the stream names a slot, apply advances it (after syncing\n"
    "DIR) as it applies. A stream holding merges needs --merge_operator: the source's.\n"
    "--from SEQ: DIR already holds the source up to SEQ - 1 (a checkpoint of the source made at\n"
    "sequence SEQ - 1), so the first record to apply holds SEQ; for a DIR that has applied\n"
    "records, SEQ must be the next one it needs.\n"
    "An ingestion on the source stops it (exit status 2): the ingested keys are not in the\n"
    "stream. Start again from a checkpoint of the source at sequence S ('strata_ctl --db SRC\n"
    "checkpoint DIR2' prints S; the process holding SRC calls DB::CreateCheckpoint), then\n"
    "'tail --follow --slot NAME --format binary | strata_ctl --db DIR2 apply --from S+1'.\n"
    "exit status: 0 end of stream, 1 gap or damaged stream, 2 other errors\n";
constexpr char kSlotHelp[] =
    "usage: strata_ctl --db DIR slot create NAME SEQ | advance NAME SEQ | drop NAME | list\n\n"
    "Log slots keep the logs their consumer still needs (from sequence SEQ on), across\n"
    "restarts, until the consumer advances or drops the slot, or the slot falls more than\n"
    "max_slot_lag_mb behind and is invalidated. Works whether or not DIR is open elsewhere.\n"
    "exit status: 0 done, 1 no such slot or invalidated, 2 other errors\n";

int Usage(std::ostream& err, const std::string& message) {
  err << "strata_ctl: " << message << "\nrun 'strata_ctl COMMAND --help' for usage\n";
  return kCtlError;
}

bool ParseSequence(std::string_view text, uint64_t* value) {
  if (text.empty() || text.size() > 20) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  *value = std::strtoull(std::string(text).c_str(), nullptr, 10);
  return true;
}

// The first word that is not an option or the value of one.
std::string CommandWord(int argc, const char* const* argv) {
  for (int i = 1; i < argc; i++) {
    std::string_view arg = argv[i];
    if (arg == "--db" || arg == "--merge_operator" || arg == "--from" || arg == "--to" ||
        arg == "--limit" || arg == "--slot" || arg == "--format") {
      i++;
      continue;
    }
    if (arg == "--") return i + 1 < argc ? argv[i + 1] : "";
    if (!arg.empty() && arg[0] == '-') continue;
    return std::string(arg);
  }
  return "";
}

}  // namespace

bool IsLogCommand(int argc, const char* const* argv) {
  const std::string word = CommandWord(argc, argv);
  return word == "tail" || word == "apply" || word == "slot";
}

int RunLogCommand(int argc, const char* const* argv, std::istream& in, std::ostream& out,
                  std::ostream& err) {
  LogArgs a;
  bool help = false;
  std::vector<std::string> words;
  for (int i = 1; i < argc; i++) {
    std::string_view arg = argv[i];
    auto value = [&](std::string_view name, std::string* v) -> bool {
      if (arg == name) {
        if (i + 1 >= argc) return false;
        *v = argv[++i];
        return true;
      }
      if (arg.starts_with(name) && arg.size() > name.size() && arg[name.size()] == '=') {
        *v = std::string(arg.substr(name.size() + 1));
        return true;
      }
      return false;
    };
    std::string v;
    if (arg == "--help" || arg == "-h") {
      help = true;
    } else if (arg == "--follow") {
      a.follow = true;
    } else if (arg == "--hex") {
      a.hex = true;
    } else if (value("--db", &v)) {
      a.dir = v;
    } else if (value("--slot", &v)) {
      a.slot = v;
    } else if (value("--merge_operator", &v)) {
      // Accepted by every command (tail and slot open no database, so need none).
      if (MergeOperatorNamed(v) == nullptr) {
        return Usage(err, "--merge_operator is add or append, not '" + v + "'");
      }
      a.merge_operator = v;
    } else if (value("--format", &v)) {
      if (v != "text" && v != "json" && v != "binary") {
        return Usage(err, "--format is text, json or binary, not '" + v + "'");
      }
      a.format = v;
    } else if (value("--from", &v)) {
      uint64_t seq;
      if (!ParseSequence(v, &seq))
        return Usage(err, "--from needs a sequence number, not '" + v + "'");
      a.from = seq;
    } else if (!arg.empty() && arg[0] == '-') {
      return Usage(err, "unknown option '" + std::string(arg) + "'");
    } else {
      words.emplace_back(arg);
    }
  }
  const std::string command = words.empty() ? "" : words[0];
  if (help) {
    out << (command == "tail" ? kTailHelp : command == "apply" ? kApplyHelp : kSlotHelp);
    return kCtlOk;
  }
  if (a.dir.empty()) return Usage(err, "no database given (--db DIR)");
  if (command == "tail" || command == "apply") {
    if (words.size() != 1) return Usage(err, command + " takes no arguments");
    if (command == "apply" && (a.follow || !a.slot.empty() || a.format != "text")) {
      return Usage(err, "apply takes no options but --db, --merge_operator and --from");
    }
    return command == "tail" ? RunTail(a, out, err) : RunApply(a, in, out, err);
  }
  // slot
  if (words.size() < 2) return Usage(err, "slot needs create, advance, drop or list");
  a.slot_action = words[1];
  const size_t want = a.slot_action == "list" ? 2 : a.slot_action == "drop" ? 3 : 4;
  if (a.slot_action != "create" && a.slot_action != "advance" && a.slot_action != "drop" &&
      a.slot_action != "list") {
    return Usage(err, "unknown slot action '" + a.slot_action + "'");
  }
  if (words.size() != want) {
    return Usage(err, "slot " + a.slot_action + " takes " + std::to_string(want - 2) + " argument" +
                          (want == 3 ? "" : "s"));
  }
  if (want >= 3) a.slot = words[2];
  if (want == 4) {
    uint64_t seq;
    if (!ParseSequence(words[3], &seq))
      return Usage(err, "not a sequence number: '" + words[3] + "'");
    a.from = seq;
  }
  return RunSlot(a, out, err);
}

}  // namespace strata::ctl
