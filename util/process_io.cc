#include "util/process_io.h"

#include <fstream>
#include <string>

namespace strata {

ProcessIo ReadProcessIo(const char* path) {
  std::ifstream io(path);
  std::string field;
  uint64_t value = 0, cancelled = 0;
  ProcessIo r;
  while (io >> field >> value) {
    if (field == "wchar:") r.passed_to_write = value;
    if (field == "write_bytes:") r.dirtied = value;
    if (field == "cancelled_write_bytes:") cancelled = value;
  }
  r.to_device = r.dirtied > cancelled ? r.dirtied - cancelled : 0;
  return r;
}

}  // namespace strata
