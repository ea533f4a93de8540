#include "util/checksum.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace strata {

uint32_t Checksum(std::string_view data) {
  return static_cast<uint32_t>(XXH3_64bits(data.data(), data.size()));
}

uint32_t Checksum(std::string_view a, std::string_view b) {
  // Small inputs (a record header byte plus a payload) dominate; a streaming state on the
  // stack avoids concatenating into a heap buffer.
  XXH3_state_t state;
  XXH3_64bits_reset(&state);
  XXH3_64bits_update(&state, a.data(), a.size());
  XXH3_64bits_update(&state, b.data(), b.size());
  return static_cast<uint32_t>(XXH3_64bits_digest(&state));
}

uint64_t Hash64(std::string_view data) { return XXH3_64bits(data.data(), data.size()); }

}  // namespace strata
