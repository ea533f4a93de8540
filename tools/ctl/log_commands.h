// strata_ctl's commands on the log as a stream: tail (print a change feed), apply (apply a
// binary feed stream to another database, exactly once) and slot (create, advance, drop,
// list log slots). Unlike the other commands they do not open the source database: tail and
// slot work on the files directly (the database may be closed, or open in another process),
// and apply opens only the database it applies to.
//
// Thread safety: each call uses only its arguments.
#pragma once

#include <istream>
#include <ostream>

namespace strata::ctl {

// The key apply keeps its position in, in the database it applies to: the last applied
// sequence number of the source, as decimal text, written in the same batch as the data.
inline constexpr char kAppliedSequenceKey[] =
    "\xff\xff"
    "strata.applied-sequence";

// True if argv names one of these commands (so the caller hands the line to RunLogCommand).
bool IsLogCommand(int argc, const char* const* argv);
// Parses and runs the command line; in is apply's input. Exit status as in ctl.h.
int RunLogCommand(int argc, const char* const* argv, std::istream& in, std::ostream& out,
                  std::ostream& err);

}  // namespace strata::ctl
