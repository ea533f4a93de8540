// The storage engines db_bench can drive: one small interface with a back end each for
// Strata, LevelDB and RocksDB, so that every engine runs the very same workload code.
//
// Thread safety: an Engine may be used from any number of threads at once (each engine's DB
// allows it); an EngineBatch or an EngineIterator belongs to one thread at a time.
// Lifetime: batches and iterators must be destroyed before the Engine that made them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "strata/status.h"

namespace strata::bench {

// The options db_bench sets, in engine-neutral terms. Each back end maps them onto its own
// options as equally as the engine allows; docs/BENCHMARKS.md lists the mapping.
struct EngineOptions {
  size_t write_buffer_size = 64 << 20;
  size_t block_size = 4 << 10;
  size_t cache_size = 32 << 20;  // block cache bytes
  int bloom_bits = 10;           // bits per key; <= 0: no filter
  int open_files = 1000;
  bool compression = true;  // LZ4 (LevelDB has none and uses Snappy instead)
  int max_background_jobs = 2;
  // Strata only: keep Options::statistics, printed by the stats benchmark (--statistics),
  // e.g. to measure what keeping them costs.
  bool statistics = false;
  // Strata only: Options::seek_compaction.
  bool seek_compaction = true;
  // Strata only: Options::memtable_huge_pages.
  bool memtable_huge_pages = false;
  // Strata only: Options::table_memory_huge_pages.
  bool table_huge_pages = false;
  // Strata only: Options::block_cache_admit_on_first_miss.
  bool block_cache_admit_on_first_miss = false;
  // Strata only: Options::memtable_bloom_size_ratio.
  double memtable_bloom_size_ratio = 1.0 / 64;
  // Strata only: Options::level_compaction_dynamic_level_bytes.
  bool dynamic_level_bytes = true;
  // Strata only: Options::level_compaction_dynamic_file_size.
  bool dynamic_file_size = true;
  // Strata and RocksDB (LevelDB fixes both): the target bytes of level 1 and of one
  // compaction output file. Scaling them down with write_buffer_size gives a small run the
  // level structure of a large one.
  uint64_t max_bytes_for_level_base = 256ull << 20;
  uint64_t target_file_size_base = 64ull << 20;
  // Strata only: read tables through mmap, a table mapped only while the open tables, mapped
  // or not, total at most mmap_read_bytes (the bound of FileSystem::Default() by default), or
  // with pread alone: FileSystem::NewPosix of mmap_read_bytes or of 0.
  bool mmap_read = true;
  uint64_t mmap_read_bytes = 1ull << 30;
  // The merge operator, by RocksDB's db_bench name: "uint64add" (8-byte little-endian
  // counters), "stringappend" (appends after a ','), or "" for none. Each engine uses its
  // own built-in operator of that kind.
  std::string merge_operator;
};

// A group of updates applied atomically by Engine::Write.
class EngineBatch {
 public:
  virtual ~EngineBatch() = default;
  virtual void Put(std::string_view key, std::string_view value) = 0;
  virtual void Delete(std::string_view key) = 0;
  virtual void Clear() = 0;
};

// A cursor over the whole database as of its creation.
class EngineIterator {
 public:
  virtual ~EngineIterator() = default;
  virtual bool Valid() const = 0;
  virtual void SeekToFirst() = 0;
  virtual void SeekToLast() = 0;
  virtual void Seek(std::string_view target) = 0;
  // REQUIRES: Valid().
  virtual void Next() = 0;
  virtual void Prev() = 0;
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  virtual Status status() const = 0;
};

// An open database of one engine. Errors of the other engines come back as IOError (or
// Corruption) with the engine's own message.
class Engine {
 public:
  virtual ~Engine() = default;
  virtual Status Put(std::string_view key, std::string_view value, bool sync) = 0;
  virtual Status Delete(std::string_view key, bool sync) = 0;
  // Deletes the keys in [begin, end); NotSupported by engines without range deletion
  // (EngineFactory::SupportsRangeDeletion).
  virtual Status DeleteRange(std::string_view begin, std::string_view end, bool sync) = 0;
  // Hands operand to the merge operator (EngineOptions::merge_operator) for key; NotSupported
  // by engines without merge (EngineFactory::SupportsMerge).
  virtual Status Merge(std::string_view key, std::string_view operand, bool sync) = 0;
  // Writes the memtable out to a table and waits (OK and nothing done where the engine has
  // no such call).
  virtual Status Flush() = 0;
  virtual std::unique_ptr<EngineBatch> NewBatch() = 0;
  virtual Status Write(EngineBatch* batch, bool sync) = 0;
  // OK with *value, NotFound, or an error.
  virtual Status Get(std::string_view key, std::string* value) = 0;
  virtual std::unique_ptr<EngineIterator> NewIterator() = 0;
  // Compacts the whole key range and waits (the `compact` benchmark).
  virtual Status CompactAll() = 0;
  // Waits until no flush or compaction is running or due (the `waitforcompaction`
  // benchmark); OK at once where the engine cannot tell.
  virtual Status WaitForCompaction() = 0;
  // The engine's statistics text ("<engine>.stats").
  virtual std::string Stats() = 0;
  // Table files per level, one "level files" line each (levels holding none are left out
  // after the first).
  virtual std::string LevelStats() = 0;
  // Where the engine says its memory is, for progress lines ("memtables 64 MiB, ..."); empty
  // where it cannot tell. Callable while other threads use the engine.
  virtual std::string MemoryText() { return {}; }
};

// One engine's entry point: what it is, how db_bench's options map onto it, and how to open
// and destroy one of its databases.
class EngineFactory {
 public:
  virtual ~EngineFactory() = default;
  // "strata", "leveldb", "rocksdb": the --engine value.
  virtual std::string_view name() const = 0;
  // For the header: "Strata 0.1.0", "LevelDB 1.23", "RocksDB 7.8.3".
  virtual std::string version() const = 0;
  // The compression the engine actually uses for these options, e.g. "lz4", "snappy".
  virtual std::string compression(const EngineOptions& options) const = 0;
  // Lines for the header where the engine cannot do exactly what the options ask, or where
  // its build differs from a plain release build (printed as "NOTE: ...").
  virtual std::vector<std::string> Notes(const EngineOptions& options) const = 0;
  // False if Engine::DeleteRange is NotSupported: deleterangerandom is skipped and
  // --range_tombstones ignored.
  virtual bool SupportsRangeDeletion() const { return true; }
  // False if Engine::Merge is NotSupported: mergerandom is skipped.
  virtual bool SupportsMerge() const { return true; }
  // Opens the database at path, creating it if missing.
  virtual Status Open(const EngineOptions& options, const std::string& path,
                      std::unique_ptr<Engine>* engine) const = 0;
  // Deletes the database at path (fine if there is none).
  virtual Status Destroy(const std::string& path) const = 0;
};

// The factory for an --engine value, or null if the name is unknown or that engine was not
// built in (CMake did not find its library).
const EngineFactory* FindEngine(std::string_view name);
// Names of the engines built into this binary, Strata first.
std::vector<std::string> BuiltEngines();

// The back ends (the LevelDB and RocksDB ones exist only when their libraries were found).
const EngineFactory* StrataEngineFactory();
#ifdef STRATA_HAVE_LEVELDB
const EngineFactory* LevelDBEngineFactory();
#endif
#ifdef STRATA_HAVE_ROCKSDB
const EngineFactory* RocksDBEngineFactory();
#endif

}  // namespace strata::bench
