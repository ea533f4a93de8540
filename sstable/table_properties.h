// TableProperties: facts about a table, stored in its properties block and shown by tools.
#pragma once

#include <cstdint>
#include <string>

namespace strata {

struct TableProperties {
  uint64_t num_entries = 0;
  uint64_t raw_key_size = 0;    // sum of key sizes as added
  uint64_t raw_value_size = 0;  // sum of value sizes as added
  uint64_t data_size = 0;       // bytes of data blocks on disk, trailers included
  uint64_t index_size = 0;
  uint64_t filter_size = 0;
  uint64_t num_data_blocks = 0;
  std::string smallest_key;  // first and last key added (empty for an empty table)
  std::string largest_key;
  // Sequence range of the entries, as told by the writer (TableBuilder::SetSequenceRange);
  // both 0 if not told.
  uint64_t smallest_seqno = 0;
  uint64_t largest_seqno = 0;
  uint32_t compression = 0;  // CompressionType the builder was asked for
  std::string comparator_name;
  std::string user_comparator_name;  // empty for tables from before it was recorded
  uint64_t creation_time = 0;  // seconds since the Unix epoch

  // One "name: value" line per property, for tools and logs.
  std::string ToString() const;
};

}  // namespace strata
