// What the kernel holds behind an address of this process, and whether it collapses huge
// pages on request, for tests of memory that must go back to the system or be backed by huge
// pages.
#pragma once

#include <sys/mman.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "util/huge_page_region.h"
#include "util/page_size.h"

namespace strata::test {

// True if this kernel collapses a span into a huge page on request (MADV_COLLAPSE, Linux 6.1,
// with transparent huge pages not turned off).
inline bool KernelCollapsesHugePages() {
  HugePageRegion probe(kHugePageSize * 2);
  char* p = probe.Allocate(kHugePageSize);
  const bool collapsed = p != nullptr && probe.huge_spans() == 1;
  if (p != nullptr) probe.Free(p, kHugePageSize);
  return collapsed;
}

// True if the page holding p is in memory: mapped (mincore fails with ENOMEM on a range that
// is not) and resident.
inline bool PageResident(const void* p) {
  const auto page = static_cast<uintptr_t>(PageSize());
  void* start = reinterpret_cast<void*>(reinterpret_cast<uintptr_t>(p) & ~(page - 1));
  unsigned char vec = 0;
  if (::mincore(start, page, &vec) != 0) return errno != ENOMEM;
  return (vec & 1) != 0;
}

// The AnonHugePages (KiB) of the mapping that holds p, from /proc/self/smaps; -1 if no
// mapping holds it or the file is missing.
inline int64_t AnonHugePagesKiBAt(const void* p) {
  std::ifstream smaps("/proc/self/smaps");
  const auto addr = reinterpret_cast<uintptr_t>(p);
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    unsigned long long start = 0, end = 0;
    // A mapping's first line starts "start-end perms ..."; its fields are "Name:   N kB".
    if (std::sscanf(line.c_str(), "%llx-%llx ", &start, &end) == 2 &&
        line.find(':') > line.find(' ')) {
      inside = addr >= start && addr < end;
      continue;
    }
    if (inside && line.rfind("AnonHugePages:", 0) == 0) {
      std::istringstream fields(line.substr(std::strlen("AnonHugePages:")));
      int64_t kib = -1;
      fields >> kib;
      return kib;
    }
  }
  return -1;
}

}  // namespace strata::test
