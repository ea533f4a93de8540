// Helpers shared by the fuzz targets: a check that aborts (so libFuzzer records the input as
// a crash) and a read of every byte a view points at (so ASan sees a view that escapes its
// buffer even when the code under test never touches those bytes itself).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

#define FUZZ_CHECK(cond)                                                            \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                 \
    }                                                                               \
  } while (0)

namespace strata::fuzz {

inline volatile unsigned touch_sink;

// Reads every byte of s (the volatile store keeps the compiler from dropping the reads).
inline void Touch(std::string_view s) {
  unsigned sum = 0;
  for (char c : s) sum += static_cast<unsigned char>(c);
  touch_sink = sum;
}

}  // namespace strata::fuzz
