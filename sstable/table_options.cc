#include "sstable/table_options.h"

#include "keys/internal_key.h"

namespace strata {

namespace {
std::string_view UserKeyOf(std::string_view internal_key) { return ExtractUserKey(internal_key); }
}  // namespace

TableOptions DatabaseTableOptions(const Options& options, const Comparator* icmp) {
  TableOptions t;
  t.comparator = icmp;
  t.filter_key = &UserKeyOf;
  t.user_comparator = options.comparator;
  t.compression = options.compression;
  t.block_size = options.block_size;
  t.block_restart_interval = options.block_restart_interval;
  t.index_block_restart_interval = options.index_block_restart_interval;
  t.bloom_bits_per_key = options.bloom_bits_per_key;
  t.block_cache = options.block_cache.get();
  return t;
}

}  // namespace strata
