// The strata_dump library: one function per file kind (and one for a whole database) that
// reads files through the engine's own readers and prints what they hold, as text or JSON.
// The strata_dump command only parses its arguments and calls these (RunStrataDump), so tests
// drive the very same code.
//
// Every function returns the process exit status: kDumpSound (0) when everything read was
// sound, kDumpDamaged (1) when damage was found (reported in place in the output and
// summarised on err, naming the file and offset), kDumpError (2) for usage or I/O errors.
// Damaged input never stops a dump early where the reader can resume past it.
//
// Thread safety: the functions share no state; each call uses only its arguments.
#pragma once

#include <ostream>
#include <string>

#include "strata/file_system.h"

namespace strata::dump {

constexpr int kDumpSound = 0;
constexpr int kDumpDamaged = 1;
constexpr int kDumpError = 2;

struct DumpOptions {
  // Where files are read from; null: FileSystem::Default().
  FileSystem* fs = nullptr;
  bool json = false;  // one JSON document instead of text
  bool hex = false;   // keys and values as hex instead of escaped text
  // Tables: every entry, every block with its size and compression, a checksum check of
  // every block. Databases: verify reads every file whole.
  bool scan = false;
  bool blocks = false;
  bool verify = false;
  // Databases only: where to write an SVG picture of the tree ("" for none).
  std::string svg_path;
};

// Every record of a write-ahead log with its offset, sequence and operations; damage in
// place (offset, bytes skipped, reason), then the dump goes on.
int DumpWal(const std::string& path, const DumpOptions& options, std::ostream& out,
            std::ostream& err);

// A table's footer, properties and index summary; per options its entries, blocks, and a
// checksum check of every block.
int DumpTable(const std::string& path, const DumpOptions& options, std::ostream& out,
              std::ostream& err);

// Every version edit of a MANIFEST in order, then the files per level they add up to.
int DumpManifest(const std::string& path, const DumpOptions& options, std::ostream& out,
                 std::ostream& err);

// An OPTIONS file's text, then whether it parses (damage if not) and what it records.
int DumpOptionsFile(const std::string& path, const DumpOptions& options, std::ostream& out,
                    std::ostream& err);

// A whole database directory, read from its files without opening the database, so it
// works while another process holds the LOCK: CURRENT, the live MANIFEST and the version it
// yields, the tables per level with sizes and key ranges, live and obsolete logs and other
// files, totals. options.verify reads every file whole (every log record, every table block,
// the MANIFEST's records); options.svg_path gets a picture of the tree.
int DumpDb(const std::string& dir, const DumpOptions& options, std::ostream& out,
           std::ostream& err);

// The command line: argv[0] is the program name. Usage in the --help text.
int RunStrataDump(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace strata::dump
