// The strata_ctl library: administers a database through the public API (DB::Open and the
// DB methods): get, put, delete, scan, count, compact, flush, stats, property, verify,
// checkpoint, ingest; the log commands tail, apply and slot (log_commands.h); and
// write_table, which builds a table file without a database. The
// strata_ctl command only calls RunStrataCtl, so tests drive the very same code.
//
// Exit status, mirroring strata_dump's: kCtlOk (0) on success; kCtlNegative (1) when the
// answer is no — get of a missing key (NotFound) — or the data is damaged (Corruption,
// including what verify finds); kCtlError (2) for usage errors and when the database cannot
// be used: in use by another process (Busy), missing, I/O errors. Messages go to err and
// name the database directory.
//
// Thread safety: RunStrataCtl shares no state; each call uses only its arguments.
#pragma once

#include <istream>
#include <ostream>

namespace strata::ctl {

constexpr int kCtlOk = 0;
constexpr int kCtlNegative = 1;
constexpr int kCtlError = 2;

// The command line: argv[0] is the program name. Usage in the --help text.
// Standard input (write_table reads it) is std::cin.
int RunStrataCtl(int argc, const char* const* argv, std::ostream& out, std::ostream& err);
// The same, with `in` as standard input (read by apply).
int RunStrataCtlWithInput(int argc, const char* const* argv, std::istream& in, std::ostream& out,
                          std::ostream& err);

}  // namespace strata::ctl
