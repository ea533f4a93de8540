// strata_ctl: administers a Strata database (get, put, delete, scan, count, compact, flush,
// stats, property, verify). All of the work is in the ctl library (tools/ctl/ctl.h); see
// `strata_ctl --help`.
#include <iostream>

#include "tools/ctl/ctl.h"

int main(int argc, char** argv) {
  return strata::ctl::RunStrataCtl(argc, argv, std::cout, std::cerr);
}
