// Options for opening a database, and for each read and write.
//
// Plain structs: defaults are at the declarations, and Options::Validate() rejects
// inconsistent combinations before Open touches any file. Thread safety: values; copy freely.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "strata/status.h"

namespace strata {

class Cache;
class Comparator;
class EventListener;
class FileSystem;
class Logger;
class MergeOperator;
class Snapshot;
class Statistics;

enum class CompressionType : unsigned char {
  kNone = 0,  // stored on disk: never renumber
  kLZ4 = 1,
};

// How Open treats damage found while replaying write-ahead logs. Every mode reports what it
// dropped in the LOG; see docs/DURABILITY.md for the exact contract of each.
enum class WalRecoveryMode : unsigned char {
  // Default. An incomplete record at the end of a log (a write cut short by a crash) is
  // dropped silently; so is everything after a hole at the start of a log that no later
  // sync marker contradicts (a switch leaves the old log unsynced in this mode, and power
  // loss may then keep pages of the newer log only). Any other damage fails Open with
  // Corruption.
  kTolerateCorruptedTailRecords = 0,
  // Any damage, even a torn tail, fails Open with Corruption. A switch syncs the old log.
  kAbsoluteConsistency = 1,
  // Recover the longest undamaged prefix of the log history: stop at the first damage and
  // ignore everything after it, in that log and in later logs.
  kPointInTimeRecovery = 2,
  // Skip damaged records and keep every intact one (may break batch ordering guarantees
  // across the damage; for salvaging data). A switch syncs the old log.
  kSkipAnyCorruptedRecords = 3,
};

struct Options {
  // Order of user keys. Must outlive the database. Null means BytewiseComparator().
  const Comparator* comparator = nullptr;
  // Combines the operands of DB::Merge (include/strata/merge_operator.h). Null: Merge is
  // refused with InvalidArgument. Its name is recorded in the database, which then refuses
  // to open with another operator or none.
  std::shared_ptr<const MergeOperator> merge_operator;
  // Where files live. Null means FileSystem::Default() (POSIX).
  std::shared_ptr<FileSystem> file_system;

  bool create_if_missing = false;
  bool error_if_exists = false;
  // Open opens every table of the database (checking its footer, index, filter and
  // properties) and fails with Corruption on the first damaged one, instead of leaving the
  // damage to the first read that meets it. Costs Open time in proportion to the tables.
  bool paranoid_checks = false;
  WalRecoveryMode wal_recovery_mode = WalRecoveryMode::kTolerateCorruptedTailRecords;

  // Bytes of memory a memtable fills (its entries, their index and its key filter) before it
  // is frozen and flushed to a table.
  size_t write_buffer_size = 64 << 20;
  // Memtables (active plus immutable) held at once before writers wait for a flush.
  int max_write_buffer_number = 2;
  // On: a memtable of at least 16 MiB takes its memory in 2 MiB blocks advised to the kernel
  // as transparent huge pages (Linux, when /sys/kernel/mm/transparent_hugepage/enabled is
  // "always" or "madvise"). Inserts, point reads and scans of a large memtable touch its
  // entries in random address order; with 4 KiB pages nearly each of those steps also misses
  // the TLB, so reads of memtable-resident data ran about 10% faster with huge pages. Off by
  // default: every memtable's blocks are fresh pages, and the kernel zeroes a 2 MiB page at its
  // first touch on the writer's thread; on a virtual machine whose free huge pages the host
  // has reclaimed, that zeroing took up to two thirds of a 1 M-key fill (fills ran at half
  // speed, varying threefold from run to run), while heap blocks are reused from one
  // memtable to the next. The price of off: long fills whose memtables reuse freed huge pages
  // ran faster with them (100 M random keys, one round: 591 k/s against 410 k/s). Each
  // memtable with huge pages also holds at least 2 MiB from its creation, and with THP defrag
  // "madvise" a first touch may wait for memory compaction.
  bool memtable_huge_pages = false;
  // On: the bloom filters and indexes of open tables (those of 128 KiB or more) sit in 2 MiB
  // huge pages wherever they wholly fill one (Linux 6.1 or later; util/huge_page_region.h).
  // Every Get probes them at random addresses, and with 100 M keys (about 100 MB of them) in
  // 4 KiB pages nearly each probe also missed the TLB: readrandom ran 5 to 10% faster on a
  // reopened 100 M-key database. Off by default for its memory: while compactions open and
  // close tables, the pages a closed table freed inside a huge page stay resident until the
  // whole huge page is free (splitting it would leave them to the kernel's memory pressure
  // instead); a 100 M-key fill peaked 13 to 20 MiB higher. Process-wide and sticky: once any
  // database in the process opens with it, new tables of every database are placed so.
  bool table_memory_huge_pages = false;
  // Each memtable keeps a bloom filter of its user keys this fraction of write_buffer_size
  // in size (1 MiB for 64 MiB; at most 64 MiB), so a Get of a key the memtable does not hold
  // skips the memtable's search: a dozen or more cache misses in a memtable of a few hundred
  // thousand entries, one with the filter. The filter is part of the write buffer: a memtable
  // holds this fraction less data before it is flushed (hence at most 0.25). 0 turns it
  // off. Used only with the built-in bytewise comparator. RocksDB's
  // memtable_prefix_bloom_size_ratio with memtable_whole_key_filtering, which it leaves off
  // by default.
  double memtable_bloom_size_ratio = 1.0 / 64;

  // Table options.
  CompressionType compression = CompressionType::kLZ4;
  size_t block_size = 4 << 10;
  int block_restart_interval = 16;
  // Index entries between restart points share key prefixes: with short keys, 16 makes the
  // index (held in memory while its table is open) far smaller than 1 does, and finds a
  // block no slower, as the smaller index misses the CPU caches less.
  int index_block_restart_interval = 16;
  int bloom_bits_per_key = 10;
  // Cache of uncompressed blocks; may be shared between databases. Null means a cache of
  // block_cache_capacity bytes private to this database.
  std::shared_ptr<Cache> block_cache;
  size_t block_cache_capacity = 32 << 20;
  // Whether every data block a read misses enters the block cache (LevelDB's and RocksDB's
  // policy). false: while the cache has room, every one does; once it is full, a block
  // pushes others out only if it was missed before, within about twice as many recent misses
  // as the cache holds blocks, and is otherwise used by its read and dropped. Reads spread
  // over far more data than the cache then pay no insert and eviction for blocks they read
  // once (100 M keys, a 32 MiB cache: 0.3% of lookups hit), and blocks read again keep their
  // place. Blocks of iterators' long scans never evict others, whatever this says (see
  // ReadOptions::fill_cache).
  bool block_cache_admit_on_first_miss = false;
  // Table files held open at once (their readers live in a cache of this many entries).
  int max_open_files = 1000;

  // Level shape: how many levels, when level 0 is compacted, slows or stops writes, and the
  // target size of each deeper level.
  int num_levels = 7;
  int level0_file_num_compaction_trigger = 4;
  int level0_slowdown_writes_trigger = 20;
  int level0_stop_writes_trigger = 36;
  uint64_t max_bytes_for_level_base = 256ull << 20;
  double max_bytes_for_level_multiplier = 10;
  uint64_t target_file_size_base = 64ull << 20;
  // Level targets follow the data: each level above the deepest non-empty one aims at a
  // multiplier'th of the level below it, counting from the deepest level's actual size
  // (never below max_bytes_for_level_base). Fixed targets leave a tree whose deepest level is
  // young with a third or more of its data, and the stale versions in it, in the levels
  // above (at 100 M random keys: 1.8 of 4.9 GB). Level 0 compacts into a base level that
  // may be deeper than level 1, and the levels above it aim at nothing: once the deepest
  // level holds max_bytes_for_level_base, a level is used only while the one below it aims
  // at sqrt(multiplier) times the base or more, so no two levels aim at about the same size
  // (RocksDB's base level, with another threshold). Never past a level that holds files.
  // Unlike RocksDB's option of this name, the tree grows from level 1 downwards (but an
  // ingestion into an empty database starts it at the last level, and files ingested into
  // a non-empty one go below its deepest level only while those that go that deep hold at
  // least that level's bytes times the multiplier per level down; level 0 alone counts as
  // level 1).
  bool level_compaction_dynamic_level_bytes = true;
  // A compaction ends an output early (at half its target size or more) where the next key
  // crosses a boundary of a file in the level below the output's, so that the output's later
  // merge into that level takes no partly overlapped file at its edges, and it ends an output
  // before a key that would step over a whole file of that level. Outputs come out smaller
  // than target_file_size_base; compaction writes less (at 30 M random keys, a fifth less
  // into level 2). False: outputs end only at the target size, or before overlapping more
  // than 10 target files' worth below. RocksDB's option of this name.
  bool level_compaction_dynamic_file_size = true;
  // Which file of a level over its target goes down next (level 0 always goes whole).
  enum class CompactionPri : unsigned char {
    // The file that overlaps the fewest bytes of the next level per byte of its own, so each
    // merge rewrites the least below (RocksDB's default of this name).
    kMinOverlappingRatio,
    // The file after the previous compaction's end, wrapping around (LevelDB's rule).
    kRoundRobin,
  };
  CompactionPri compaction_pri = CompactionPri::kMinOverlappingRatio;
  int max_background_jobs = 2;
  // Seek compaction: a point read that searches past a table file charges that file: any
  // level-0 file, and below level 0 a file without a filter that read a block in vain, or one
  // that held merge operands of the key (LevelDB charges every file searched; a filter's
  // probe, and the block read of its false positive, cost far less than the compaction they
  // would set off). Iterator seeks charge too, and scans about once per MiB read, where two
  // files hold the key. Once a file has been looked past about once per 16 KiB of its size,
  // it is compacted into the next level when no level is over its target (LevelDB's rule).
  // After a burst of writes leaves level-0 files overlapping, this is what flattens the tree
  // for a read-mostly workload that writes too little to trigger compaction by size.
  bool seek_compaction = true;

  // Resuming after a full disk. A flush or compaction that fails because the device is full
  // (Status::IsNoSpace) stops writes, then the database retries by itself: it waits
  // bg_error_resume_retry_interval_micros, doubled after each failed attempt (up to 64
  // times the interval), and gives up after max_bg_error_resume_count consecutive failures
  // (0: never resume by itself; DB::Resume still works). See DB::Resume.
  int max_bg_error_resume_count = 1000;
  uint64_t bg_error_resume_retry_interval_micros = 100000;
  // Observability.
  // Where the engine logs events. Null: the file LOG in the database directory, whose
  // earlier versions are kept as LOG.old.NNNNNN (see keep_log_file_num).
  std::shared_ptr<Logger> info_log;
  // LOG files of earlier opens kept besides the current LOG (the oldest are deleted first).
  int keep_log_file_num = 10;
  // Counters and latency histograms (include/strata/statistics.h). Null: none kept, at no
  // cost. May be shared between databases.
  std::shared_ptr<Statistics> statistics;
  // Told about flushes, compactions, stalls and background errors
  // (include/strata/listener.h, which states the threading contract).
  std::vector<std::shared_ptr<EventListener>> listeners;
  // Keeping the log history for change feeds (include/strata/change_feed.h). A log whose
  // memtable is in a table is normally deleted at once; these keep it in place (recovery
  // never replays it: it is below the MANIFEST's log number). Zero turns each off.
  // Keep an obsolete log at least this long after it became obsolete (the clock restarts
  // when the database is reopened).
  uint64_t wal_ttl_seconds = 0;
  // Delete the oldest obsolete logs while all of them together exceed this. With a TTL as
  // well, a log goes when either says so.
  uint64_t wal_size_limit_mb = 0;
  // Log slots keep every log their consumer still needs, whatever the two limits above say,
  // until the logs a slot holds exceed this: then the slot is invalidated (its next read
  // fails with NotFound naming why) and holds nothing more. 0: no limit.
  uint64_t max_slot_lag_mb = 1024;

  // InvalidArgument naming the first bad field, or OK.
  Status Validate() const;
};

struct ReadOptions {
  // Read as of this snapshot (from DB::GetSnapshot); null means the latest state.
  const Snapshot* snapshot = nullptr;
  // Verify checksums of everything read from table files.
  bool verify_checksums = true;
  // Offer blocks read for this operation to the block cache, which takes them subject to
  // Options::block_cache_admit_on_first_miss (by default, once full, only blocks missed
  // before). An iterator that has read, in a
  // row, blocks of one table for more than an eighth of the cache's capacity (a long scan)
  // adds its further blocks only while the cache has room for them, and otherwise keeps each
  // to itself until it moves on: a scan reads a block once, and evicting other reads' blocks
  // for it would gain nothing. (So a range over an eighth of the cache, scanned again and
  // again while the cache is full, keeps only its first eighth cached.) False: this read keeps
  // nothing, and a forward scan through a mapped table also lets go of the pages behind it,
  // so they leave the process's resident set (compactions read so).
  bool fill_cache = true;
  // Iterators only, for tables read with pread (not mapped): how many bytes to read at once
  // when a scan needs a block that is not cached. 0 (the default) reads ahead only once a scan
  // has stepped through two blocks in a row, 16 KiB at first and doubling up to 256 KiB. Each
  // table an iterator has open may hold a buffer of that size.
  size_t readahead_size = 0;
  // Iterators only: keys below lower (inclusive) or at/after upper (exclusive) are never
  // returned, and a scan stops at a bound without reading past it. The bytes must outlive
  // the iterator.
  std::optional<std::string_view> iterate_lower_bound;
  std::optional<std::string_view> iterate_upper_bound;
};

struct WriteOptions {
  // When true, the write is acknowledged only after the log is fsynced: it survives power
  // loss. When false, it survives a process crash but a machine crash may lose it.
  bool sync = false;
};

// How DB::IngestExternalFiles takes the files.
struct IngestOptions {
  // true: hard-link each file into the database (copied if on another file system) and
  // remove the original once the ingestion is durable. false: copy, keeping the original.
  bool move_files = false;
};

}  // namespace strata
