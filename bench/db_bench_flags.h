// db_bench's command line: gflags with the names and defaults db_bench users know.
#pragma once

#include "bench/db_bench_runner.h"
#include "strata/status.h"

namespace strata::bench {

// Parses the command line with gflags (which removes the flags it knows from argv and exits
// on an unknown flag, as every db_bench does), then fills *config from the flag values and
// validates it.
Status ParseFlags(int* argc, char*** argv, Config* config);

// *config from the current flag values (after ParseFlags, or gflags::SetCommandLineOption),
// validated.
Status ConfigFromFlags(Config* config);

}  // namespace strata::bench
