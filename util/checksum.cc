#include "util/checksum.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace strata {

uint32_t Checksum(std::string_view data) {
  return static_cast<uint32_t>(XXH3_64bits(data.data(), data.size()));
}

uint64_t Hash64(std::string_view data) { return XXH3_64bits(data.data(), data.size()); }

}  // namespace strata
