// The options a database was last opened with. Each DB::Open writes the options in force to
// an OPTIONS-NNNNNN file in the database directory (docs/FORMATS.md has the format; the two
// newest are kept), so that a tool, or a later program, can open the database the way it
// was written.
//
// Thread safety: may be called from any thread, while the database is open or not (the
// OPTIONS file is never changed in place: a new one is renamed into place).
#pragma once

#include <string>

#include "strata/options.h"
#include "strata/status.h"

namespace strata {

// Reads the newest OPTIONS file of the database in dbpath (through options->file_system, or
// the default file system if null) into *options. Only the fields recorded in the file
// change; objects the file cannot hold (file_system, block_cache, comparator, statistics,
// listeners, info_log) keep the values the caller put in *options.
//
// The comparator is checked, not loaded: if the file records a comparator other than
// options->comparator's (null: BytewiseComparator()), InvalidArgument names both and
// *options is unchanged. A recorded merge operator is checked the same way against
// options->merge_operator if set; if not, a built-in one (NewBuiltinMergeOperator) is loaded
// by name, and any other is left unset (DB::Open then names it). NotFound if the database has no
// OPTIONS file (it was last opened by a version before OPTIONS files); Corruption if the file
// cannot be parsed; NotSupported for a newer major format version.
Status LoadLatestOptions(const std::string& dbpath, Options* options);

}  // namespace strata
