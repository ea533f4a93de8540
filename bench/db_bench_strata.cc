// db_bench's Strata back end: the public API only, exactly as an application would use it.
#include <cstdio>
#include <string>

#include "bench/db_bench_engine.h"
#include "strata/db.h"
#include "strata/file_system.h"
#include "strata/merge_operator.h"
#include "strata/statistics.h"

namespace strata::bench {

namespace {

// Strata's version, from CMake's project() (passed by bench/CMakeLists.txt).
#ifndef STRATA_VERSION_STRING
#define STRATA_VERSION_STRING "unknown"
#endif

class StrataBatch final : public EngineBatch {
 public:
  void Put(std::string_view key, std::string_view value) override { batch_.Put(key, value); }
  void Delete(std::string_view key) override { batch_.Delete(key); }
  void Clear() override { batch_.Clear(); }
  WriteBatch* rep() { return &batch_; }

 private:
  WriteBatch batch_;
};

class StrataIterator final : public EngineIterator {
 public:
  explicit StrataIterator(std::unique_ptr<Iterator> it) : it_(std::move(it)) {}
  bool Valid() const override { return it_->Valid(); }
  void SeekToFirst() override { it_->SeekToFirst(); }
  void SeekToLast() override { it_->SeekToLast(); }
  void Seek(std::string_view target) override { it_->Seek(target); }
  void Next() override { it_->Next(); }
  void Prev() override { it_->Prev(); }
  std::string_view key() const override { return it_->key(); }
  std::string_view value() const override { return it_->value(); }
  Status status() const override { return it_->status(); }

 private:
  std::unique_ptr<Iterator> it_;
};

class StrataEngine final : public Engine {
 public:
  StrataEngine(std::unique_ptr<DB> db, std::shared_ptr<Statistics> statistics)
      : db_(std::move(db)), statistics_(std::move(statistics)) {
    synced_.sync = true;
  }

  Status Put(std::string_view key, std::string_view value, bool sync) override {
    return db_->Put(sync ? synced_ : unsynced_, key, value);
  }
  Status Delete(std::string_view key, bool sync) override {
    return db_->Delete(sync ? synced_ : unsynced_, key);
  }
  Status DeleteRange(std::string_view begin, std::string_view end, bool sync) override {
    return db_->DeleteRange(sync ? synced_ : unsynced_, begin, end);
  }
  Status Merge(std::string_view key, std::string_view operand, bool sync) override {
    return db_->Merge(sync ? synced_ : unsynced_, key, operand);
  }
  Status Flush() override { return db_->Flush(); }
  std::unique_ptr<EngineBatch> NewBatch() override { return std::make_unique<StrataBatch>(); }
  Status Write(EngineBatch* batch, bool sync) override {
    return db_->Write(sync ? synced_ : unsynced_, static_cast<StrataBatch*>(batch)->rep());
  }
  Status Get(std::string_view key, std::string* value) override {
    return db_->Get(read_, key, value);
  }
  std::unique_ptr<EngineIterator> NewIterator() override {
    return std::make_unique<StrataIterator>(db_->NewIterator(read_));
  }
  Status CompactAll() override { return db_->CompactRange(nullptr, nullptr); }
  Status WaitForCompaction() override { return db_->WaitForCompact(); }

  std::string Stats() override {
    std::string text;
    if (!db_->GetProperty("strata.stats", &text)) text = "(strata.stats not available)\n";
    if (statistics_) text += "** Statistics **\n" + statistics_->ToString();
    return text;
  }

  std::string MemoryText() override {
    uint64_t mem = 0, readers = 0, cache = 0;
    db_->GetIntProperty("strata.approximate-memory-usage", &mem);
    db_->GetIntProperty("strata.estimate-table-readers-mem", &readers);
    db_->GetIntProperty("strata.block-cache-usage", &cache);
    char text[128];
    std::snprintf(text, sizeof text,
                  "memtables %.0f MiB, table readers %.0f MiB, block cache %.0f MiB",
                  static_cast<double>(mem) / (1 << 20), static_cast<double>(readers) / (1 << 20),
                  static_cast<double>(cache) / (1 << 20));
    return text;
  }

  std::string LevelStats() override {
    std::string text;
    if (db_->GetProperty("strata.levels", &text)) return text;
    text = "level  files\n";
    for (int level = 0;; level++) {
      std::string n;
      if (!db_->GetProperty("strata.num-files-at-level" + std::to_string(level), &n)) break;
      char line[64];
      std::snprintf(line, sizeof line, "%5d  %5s\n", level, n.c_str());
      text += line;
    }
    return text;
  }

 private:
  std::unique_ptr<DB> db_;
  std::shared_ptr<Statistics> statistics_;  // with --statistics
  WriteOptions unsynced_;
  WriteOptions synced_;
  ReadOptions read_;
};

class StrataFactory final : public EngineFactory {
 public:
  std::string_view name() const override { return "strata"; }
  std::string version() const override { return std::string("Strata ") + STRATA_VERSION_STRING; }
  std::string compression(const EngineOptions& options) const override {
    return options.compression ? "lz4" : "none";
  }
  std::vector<std::string> Notes(const EngineOptions&) const override {
    std::vector<std::string> notes;
#ifndef NDEBUG
    notes.push_back("db_bench and Strata are built with assertions enabled: slower than Release");
#endif
    return notes;
  }

  Status Open(const EngineOptions& eo, const std::string& path,
              std::unique_ptr<Engine>* engine) const override {
    Options options;
    options.create_if_missing = true;
    options.write_buffer_size = eo.write_buffer_size;
    options.block_size = eo.block_size;
    options.block_cache_capacity = eo.cache_size;
    options.bloom_bits_per_key = eo.bloom_bits > 0 ? eo.bloom_bits : 0;
    options.max_open_files = eo.open_files;
    options.compression = eo.compression ? CompressionType::kLZ4 : CompressionType::kNone;
    options.max_background_jobs = eo.max_background_jobs;
    options.seek_compaction = eo.seek_compaction;
    options.memtable_huge_pages = eo.memtable_huge_pages;
    options.table_memory_huge_pages = eo.table_huge_pages;
    options.block_cache_admit_on_first_miss = eo.block_cache_admit_on_first_miss;
    options.memtable_bloom_size_ratio = eo.memtable_bloom_size_ratio;
    options.level_compaction_dynamic_level_bytes = eo.dynamic_level_bytes;
    options.level_compaction_dynamic_file_size = eo.dynamic_file_size;
    options.max_bytes_for_level_base = eo.max_bytes_for_level_base;
    options.target_file_size_base = eo.target_file_size_base;
    options.file_system = FileSystem::NewPosix(eo.mmap_read ? eo.mmap_read_bytes : 0);
    if (eo.statistics) options.statistics = CreateStatistics();
    if (eo.merge_operator == "uint64add") {
      options.merge_operator = NewUInt64AddOperator();
    } else if (eo.merge_operator == "stringappend") {
      options.merge_operator = NewStringAppendOperator(',');
    } else if (!eo.merge_operator.empty()) {
      return Status::InvalidArgument("unknown merge operator", eo.merge_operator);
    }
    std::unique_ptr<DB> db;
    Status s = DB::Open(options, path, &db);
    if (s.ok()) *engine = std::make_unique<StrataEngine>(std::move(db), options.statistics);
    return s;
  }

  Status Destroy(const std::string& path) const override { return DestroyDB(path, Options()); }
};

}  // namespace

const EngineFactory* StrataEngineFactory() {
  static const StrataFactory factory;
  return &factory;
}

}  // namespace strata::bench
