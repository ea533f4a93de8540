#include "bench/db_bench_flags.h"

#include <gflags/gflags.h>

#include <string>

namespace {

// The defaults not fixed by tradition are Strata's own option defaults, and every engine
// gets the same values (see docs/BENCHMARKS.md for how each engine maps them).
DEFINE_string(engine, "strata", "strata, leveldb or rocksdb (the last two if built in)");
DEFINE_string(benchmarks, "fillseq,fillrandom,overwrite,readrandom,readseq",
              "Comma-separated benchmarks, run in order on one database: fillseq, fillrandom, "
              "overwrite, fillsync, fill100K, readrandom, readmissing, readhot, readseq, "
              "readreverse, seekrandom, readwhilewriting, deleteseq, deleterandom, "
              "deleterangerandom, mergerandom (needs --merge_operator), compact, "
              "waitforcompaction, flush, stats, levelstats");
DEFINE_int64(num, 1000000, "Number of keys (and of writes per thread)");
DEFINE_int64(reads, -1, "Reads per thread (-1: --num)");
DEFINE_int32(threads, 1,
             "Threads running each benchmark (readwhilewriting: readers, plus one writer)");
DEFINE_int32(key_size, 16, "Bytes per key");
DEFINE_int32(value_size, 100, "Bytes per value");
DEFINE_double(compression_ratio, 0.5, "Values compress to this fraction of their size");
DEFINE_string(compression, "lz4", "lz4 or none (LevelDB has no LZ4 and uses Snappy)");
DEFINE_int64(write_buffer_size, 64 << 20, "Bytes a memtable collects before it is flushed");
DEFINE_int64(block_size, 4 << 10, "Bytes per table block (before compression)");
DEFINE_int64(cache_size, 32 << 20, "Bytes of block cache");
DEFINE_int32(bloom_bits, 10, "Bloom filter bits per key (0: no filter)");
DEFINE_int32(open_files, 1000, "Table files held open at once");
DEFINE_bool(sync, false, "Sync every write (fillsync always does)");
DEFINE_bool(use_existing_db, false, "Keep the database at --db; skip the fill benchmarks");
DEFINE_string(db, "", "Database directory (default: a fresh temporary directory, removed after)");
DEFINE_bool(histogram, false, "Print latency count, mean and percentiles per benchmark");
DEFINE_bool(statistics, false, "Strata: keep engine statistics; the stats benchmark prints them");
DEFINE_uint64(seed, 301, "Seed for the random keys and values");
DEFINE_int32(duration, 0, "If > 0, run each benchmark for this many seconds instead of a count");
DEFINE_int32(stats_interval_seconds, 0,
             "If > 0, print progress on stderr this often: ops, rates, the process's anonymous "
             "resident memory and, for Strata, the memtables, table readers and block cache");
DEFINE_int32(max_background_jobs, 2, "Background flush and compaction threads");
DEFINE_bool(seek_compaction, true,
            "Strata: compact files that reads keep searching in vain (Options::seek_compaction; "
            "LevelDB always does, RocksDB never)");
DEFINE_bool(block_cache_admit_on_first_miss, false,
            "Strata: every data block a read misses enters the block cache, as in LevelDB and "
            "RocksDB (Options::block_cache_admit_on_first_miss; default: once the cache is full, "
            "only blocks missed before within a window of recent misses)");
DEFINE_bool(memtable_huge_pages, false,
            "Strata: memtable memory in 2 MiB blocks advised as transparent huge pages "
            "(Options::memtable_huge_pages; RocksDB's memtable_huge_page_size, off by default)");
DEFINE_bool(table_huge_pages, false,
            "Strata: tables' filters and indexes in 2 MiB huge pages where they wholly fill one "
            "(Options::table_memory_huge_pages)");
DEFINE_double(memtable_bloom_size_ratio, 1.0 / 64,
              "Strata: a bloom filter of each memtable's keys, this fraction of the write "
              "buffer in size; 0 for none (Options::memtable_bloom_size_ratio; RocksDB's flag "
              "of this name, 0 by default)");
DEFINE_bool(level_compaction_dynamic_level_bytes, true,
            "Strata: level targets follow the deepest level's size "
            "(Options::level_compaction_dynamic_level_bytes; RocksDB's option of that name)");
DEFINE_bool(level_compaction_dynamic_file_size, true,
            "Strata: compaction outputs end at boundaries of the files below them "
            "(Options::level_compaction_dynamic_file_size; RocksDB's option of that name)");
DEFINE_uint64(max_bytes_for_level_base, 256ull << 20,
              "Strata and RocksDB: target bytes of level 1 (Options::max_bytes_for_level_base)");
DEFINE_uint64(target_file_size_base, 64ull << 20,
              "Strata and RocksDB: target bytes of a compaction output file "
              "(Options::target_file_size_base)");
DEFINE_bool(
    mmap_read, true,
    "Strata: read table files through mmap while those open total at most --mmap_read_bytes "
    "(false: pread into the block cache alone, as RocksDB's default; RocksDB's flag of this "
    "name)");
DEFINE_uint64(mmap_read_bytes, 1ull << 30,
              "Strata, with --mmap_read: a table file is mapped when opened only while the table "
              "files open, mapped or not, total at most this (FileSystem::NewPosix); others use "
              "pread. Each mapped page a read touched counts in the resident set");
DEFINE_int32(batch_size, 1, "Writes per batch in the fill, overwrite and delete benchmarks");
DEFINE_int32(seek_nexts, 0, "Entries read with Next() after each seek in seekrandom");
DEFINE_int64(range_width, 10,
             "Keys per range deletion in deleterangerandom and --range_tombstones");
DEFINE_int64(range_tombstones, 0,
             "If > 0, after each fill benchmark write this many range deletions of "
             "--range_width random keys, then flush (so reads meet them in a table)");
DEFINE_uint64(benchmark_write_rate_limit, 0,
              "readwhilewriting: the writer's bytes per second (0: as fast as it can)");
DEFINE_string(merge_operator, "",
              "uint64add or stringappend: the engine's built-in merge operator of that kind "
              "(RocksDB's names), used by mergerandom. uint64add: 8-byte little-endian "
              "counters; each merge adds 1 (an 8-byte operand, whatever --value_size), and "
              "values other writes put must be 8 bytes too (--value_size=8). stringappend: "
              "operands of --value_size bytes, appended after a ','");
DEFINE_string(json, "", "Also write every result to this file as JSON");
DEFINE_int32(perf_level, 0,
             "1: count per thread where Strata's reads went (tables probed, filter checks, "
             "block cache hits, blocks read) and print the totals after each benchmark");

}  // namespace

namespace strata::bench {

Status ConfigFromFlags(Config* config) {
  Config c;
  c.engine = FLAGS_engine;
  c.benchmarks.clear();
  const std::string& list = FLAGS_benchmarks;
  for (size_t start = 0; start <= list.size();) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    if (comma > start) c.benchmarks.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  c.num = FLAGS_num;
  c.reads = FLAGS_reads;
  c.threads = FLAGS_threads;
  c.key_size = FLAGS_key_size;
  c.value_size = FLAGS_value_size;
  c.compression_ratio = FLAGS_compression_ratio;
  if (FLAGS_compression == "lz4") {
    c.engine_options.compression = true;
  } else if (FLAGS_compression == "none") {
    c.engine_options.compression = false;
  } else {
    return Status::InvalidArgument("--compression must be lz4 or none", FLAGS_compression);
  }
  if (FLAGS_write_buffer_size < 0 || FLAGS_block_size < 0 || FLAGS_cache_size < 0) {
    return Status::InvalidArgument("sizes must not be negative");
  }
  c.engine_options.write_buffer_size = static_cast<size_t>(FLAGS_write_buffer_size);
  c.engine_options.block_size = static_cast<size_t>(FLAGS_block_size);
  c.engine_options.cache_size = static_cast<size_t>(FLAGS_cache_size);
  c.engine_options.bloom_bits = FLAGS_bloom_bits;
  c.engine_options.open_files = FLAGS_open_files;
  c.engine_options.max_background_jobs = FLAGS_max_background_jobs;
  c.engine_options.statistics = FLAGS_statistics;
  c.engine_options.seek_compaction = FLAGS_seek_compaction;
  c.engine_options.memtable_huge_pages = FLAGS_memtable_huge_pages;
  c.engine_options.table_huge_pages = FLAGS_table_huge_pages;
  c.engine_options.block_cache_admit_on_first_miss = FLAGS_block_cache_admit_on_first_miss;
  c.engine_options.memtable_bloom_size_ratio = FLAGS_memtable_bloom_size_ratio;
  c.engine_options.dynamic_level_bytes = FLAGS_level_compaction_dynamic_level_bytes;
  c.engine_options.dynamic_file_size = FLAGS_level_compaction_dynamic_file_size;
  c.engine_options.mmap_read = FLAGS_mmap_read;
  c.engine_options.mmap_read_bytes = FLAGS_mmap_read_bytes;
  c.engine_options.max_bytes_for_level_base = FLAGS_max_bytes_for_level_base;
  c.engine_options.target_file_size_base = FLAGS_target_file_size_base;
  c.engine_options.merge_operator = FLAGS_merge_operator;
  c.sync = FLAGS_sync;
  c.use_existing_db = FLAGS_use_existing_db;
  c.db = FLAGS_db;
  c.histogram = FLAGS_histogram;
  c.seed = FLAGS_seed;
  c.duration = FLAGS_duration;
  c.stats_interval_seconds = FLAGS_stats_interval_seconds;
  c.batch_size = FLAGS_batch_size;
  c.seek_nexts = FLAGS_seek_nexts;
  c.range_width = FLAGS_range_width;
  c.range_tombstones = FLAGS_range_tombstones;
  c.benchmark_write_rate_limit = FLAGS_benchmark_write_rate_limit;
  c.json = FLAGS_json;
  c.perf_level = FLAGS_perf_level;
  Status s = c.Validate();
  if (s.ok()) *config = std::move(c);
  return s;
}

Status ParseFlags(int* argc, char*** argv, Config* config) {
  gflags::SetUsageMessage(
      "db_bench: the classic LSM workloads on Strata, LevelDB or RocksDB.\n"
      "  db_bench --benchmarks=fillseq,readrandom --num=1000000 [--engine=rocksdb]");
  gflags::ParseCommandLineFlags(argc, argv, true);
  return ConfigFromFlags(config);
}

}  // namespace strata::bench
