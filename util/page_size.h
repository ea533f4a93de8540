// PageSize: the size of a virtual memory page, asked of the system once per process.
//
// Thread safety: any thread may call it.
#pragma once

#include <unistd.h>

#include <cstddef>

namespace strata {

inline size_t PageSize() {
  static const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  return page;
}

}  // namespace strata
