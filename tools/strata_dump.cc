// strata_dump: prints the contents of a Strata WAL, table or MANIFEST. All of the work is in
// the dump library (tools/dump/dump.h); see `strata_dump --help`.
#include <iostream>

#include "tools/dump/dump.h"

int main(int argc, char** argv) {
  return strata::dump::RunStrataDump(argc, argv, std::cout, std::cerr);
}
