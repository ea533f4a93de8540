// TableOptions: what a table builder and reader need to know, independent of any database.
// Plain values; the pointed-to objects must outlive every builder and table using them.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "strata/comparator.h"
#include "strata/options.h"
#include "util/chunked_writer.h"

namespace strata {

class BlockAdmission;
class Cache;
class Statistics;

struct TableOptions {
  // Order of the keys stored (for a database: its InternalKeyComparator). Also shortens
  // index keys. Its Name() is recorded in the table's properties.
  const Comparator* comparator = nullptr;
  // The part of a stored key that the bloom filter is built over and probed with (for a
  // database: the user key of an internal key). Null: the whole key. When it and
  // user_comparator are both set, the stored keys must order first by this part (in
  // user_comparator's order), and the index may hold it instead of whole keys (versions 3 and 4).
  // REQUIRES of a reader of a version-3 or -4 table: both set, as the writer's were.
  std::string_view (*filter_key)(std::string_view key) = nullptr;

  CompressionType compression = CompressionType::kLZ4;
  size_t block_size = 4 << 10;
  int block_restart_interval = 16;
  // Of the index block: a search binary-searches the restart points and scans the rest, and
  // the entries between share their key prefixes.
  int index_block_restart_interval = 16;
  int bloom_bits_per_key = 10;  // 0: no filter
  // The builder passes the file whole aligned chunks of this size (util/chunked_writer.h):
  // ChunkedWriter::kPreadChunk for a file that will be read with pread, kMappedChunk for one
  // that may be mapped. The default is the one that is safe either way (a file built for
  // ingestion may be mapped); a database sets it per table (TableCache::OptionsForNewTable).
  size_t write_chunk = ChunkedWriter::kMappedChunk;

  // Recorded by name in the properties block when set (the user's order of an internal-key
  // table), so that an ingested table can be checked against the database's.
  const Comparator* user_comparator = nullptr;

  // Uncompressed data blocks are cached here when non-null (reads only).
  Cache* block_cache = nullptr;
  // With a block cache: when non-null, a data block read on a miss evicts others only if this
  // admits it (and otherwise enters the cache only if it has room); null, every block read
  // enters the cache (sstable/block_admission.h).
  BlockAdmission* block_admission = nullptr;
  // Block cache hits and misses and bloom filter probes are counted here when non-null.
  Statistics* statistics = nullptr;
  // When non-null, each open table adds what it holds in memory for its life (index, filter)
  // here at Open and takes it off when it closes.
  std::atomic<uint64_t>* reader_memory = nullptr;
};

// The options of a database's tables (and of TableWriter's, which must match them): keys
// are internal keys in icmp's order, the filter is over their user keys, the rest comes
// from options (whose comparator must be set: the user's order, recorded by name).
TableOptions DatabaseTableOptions(const Options& options, const Comparator* icmp);

}  // namespace strata
