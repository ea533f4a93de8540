// TableOptions: what a table builder and reader need to know, independent of any database.
// Plain values; the pointed-to objects must outlive every builder and table using them.
#pragma once

#include <cstddef>
#include <string_view>

#include "strata/comparator.h"
#include "strata/options.h"

namespace strata {

class Cache;
class Statistics;

struct TableOptions {
  // Order of the keys stored (for a database: its InternalKeyComparator). Also shortens
  // index keys. Its Name() is recorded in the table's properties.
  const Comparator* comparator = nullptr;
  // The part of a stored key that the bloom filter is built over and probed with (for a
  // database: the user key of an internal key). Null: the whole key.
  std::string_view (*filter_key)(std::string_view key) = nullptr;

  CompressionType compression = CompressionType::kLZ4;
  size_t block_size = 4 << 10;
  int block_restart_interval = 16;
  int bloom_bits_per_key = 10;  // 0: no filter

  // Uncompressed data blocks are cached here when non-null (reads only).
  Cache* block_cache = nullptr;
  // Block cache hits and misses and bloom filter probes are counted here when non-null.
  Statistics* statistics = nullptr;
};

}  // namespace strata
