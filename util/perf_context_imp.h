// Counting into the calling thread's PerfContext, only when its PerfLevel asks for it. The
// check is one thread-local load, so the read path may count freely.
#pragma once

#include "strata/perf_context.h"

namespace strata::perf {

extern thread_local constinit PerfLevel level;
extern thread_local constinit PerfContext context;

inline bool Counting() { return level >= PerfLevel::kEnableCount; }

}  // namespace strata::perf

#define STRATA_PERF_ADD(field, n)                                         \
  do {                                                                    \
    if (::strata::perf::Counting()) ::strata::perf::context.field += (n); \
  } while (0)
#define STRATA_PERF_COUNT(field) STRATA_PERF_ADD(field, 1)
