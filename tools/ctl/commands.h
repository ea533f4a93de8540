// strata_ctl's commands, each run against an open database. The command line (cli.cc) parses
// the arguments into a Command, opens the database and calls RunCommand.
//
// Thread safety: RunCommand uses only its arguments; the DB is safe to share.
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "strata/db.h"
#include "strata/merge_operator.h"

namespace strata::ctl {

struct Command {
  std::string name;               // "get", "put", ...
  std::vector<std::string> args;  // decoded keys and values; the property name
  // scan, count, compact: the range [from, to) (compact: [from, to], as CompactRange takes).
  std::optional<std::string> from;
  std::optional<std::string> to;
  std::optional<uint64_t> limit;  // scan
  bool reverse = false;           // scan
  bool hex = false;               // output keys and values as hex
  // --merge_operator add: values (of put, merge) are typed as numbers, and get and scan show
  // 8-byte values as numbers (unless hex).
  bool counters = false;
  bool move = false;  // ingest: link and remove the originals
};

// Runs cmd against db, writing results to out and problems to err. Returns the exit status
// (ctl.h).
int RunCommand(DB* db, const Command& cmd, std::ostream& out, std::ostream& err);

// write_table: builds the table file path from KEY<TAB>VALUE lines read from in (keys and
// values as ParseBytesArg takes them), with options' table settings.
int WriteTable(const Options& options, const std::string& path, std::istream& in, std::ostream& out,
               std::ostream& err);

// 0 for OK; kCtlNegative for NotFound and Corruption; kCtlError otherwise.
int ExitStatusOf(const Status& s);

// The operator a --merge_operator name stands for: "add" is NewUInt64AddOperator(), "append"
// NewStringAppendOperator(','); null for any other name.
std::shared_ptr<const MergeOperator> MergeOperatorNamed(std::string_view name);

// When s is the engine refusing a merge operator (a database written with one, opened with
// another or none; a merge given to a database without one): a line for err saying which
// --merge_operator to give. Empty otherwise.
std::string MergeOperatorHint(const Status& s);

}  // namespace strata::ctl
