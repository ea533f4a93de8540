// db_bench's RocksDB back end (built when CMake finds librocksdb). Block cache, bloom filter,
// block size, write buffer, open files, background jobs and LZ4 map one to one; everything
// else keeps RocksDB's defaults.
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/merge_operator.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/version.h>
#include <rocksdb/write_batch.h>

#include "bench/db_bench_engine.h"

namespace strata::bench {

namespace {

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }
std::string_view ToView(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

Status FromRocksDB(const rocksdb::Status& s) {
  if (s.ok()) return Status::OK();
  if (s.IsNotFound()) return Status::NotFound("rocksdb", s.ToString());
  if (s.IsCorruption()) return Status::Corruption("rocksdb", s.ToString());
  if (s.IsInvalidArgument()) return Status::InvalidArgument("rocksdb", s.ToString());
  if (s.IsBusy()) return Status::Busy("rocksdb", s.ToString());
  return Status::IOError("rocksdb", s.ToString());
}

class RocksDBBatch final : public EngineBatch {
 public:
  void Put(std::string_view key, std::string_view value) override {
    batch_.Put(ToSlice(key), ToSlice(value)).PermitUncheckedError();
  }
  void Delete(std::string_view key) override { batch_.Delete(ToSlice(key)).PermitUncheckedError(); }
  void Clear() override { batch_.Clear(); }
  rocksdb::WriteBatch* rep() { return &batch_; }

 private:
  rocksdb::WriteBatch batch_;
};

class RocksDBIterator final : public EngineIterator {
 public:
  explicit RocksDBIterator(rocksdb::Iterator* it) : it_(it) {}
  bool Valid() const override { return it_->Valid(); }
  void SeekToFirst() override { it_->SeekToFirst(); }
  void SeekToLast() override { it_->SeekToLast(); }
  void Seek(std::string_view target) override { it_->Seek(ToSlice(target)); }
  void Next() override { it_->Next(); }
  void Prev() override { it_->Prev(); }
  std::string_view key() const override { return ToView(it_->key()); }
  std::string_view value() const override { return ToView(it_->value()); }
  Status status() const override { return FromRocksDB(it_->status()); }

 private:
  std::unique_ptr<rocksdb::Iterator> it_;
};

class RocksDBEngine final : public Engine {
 public:
  explicit RocksDBEngine(std::unique_ptr<rocksdb::DB> db) : db_(std::move(db)) {
    synced_.sync = true;
  }
  ~RocksDBEngine() override { db_->Close().PermitUncheckedError(); }

  Status Put(std::string_view key, std::string_view value, bool sync) override {
    return FromRocksDB(db_->Put(sync ? synced_ : unsynced_, ToSlice(key), ToSlice(value)));
  }
  Status Delete(std::string_view key, bool sync) override {
    return FromRocksDB(db_->Delete(sync ? synced_ : unsynced_, ToSlice(key)));
  }
  Status DeleteRange(std::string_view begin, std::string_view end, bool sync) override {
    return FromRocksDB(db_->DeleteRange(sync ? synced_ : unsynced_, db_->DefaultColumnFamily(),
                                        ToSlice(begin), ToSlice(end)));
  }
  Status Merge(std::string_view key, std::string_view operand, bool sync) override {
    return FromRocksDB(db_->Merge(sync ? synced_ : unsynced_, ToSlice(key), ToSlice(operand)));
  }
  Status Flush() override { return FromRocksDB(db_->Flush(rocksdb::FlushOptions())); }
  std::unique_ptr<EngineBatch> NewBatch() override { return std::make_unique<RocksDBBatch>(); }
  Status Write(EngineBatch* batch, bool sync) override {
    return FromRocksDB(
        db_->Write(sync ? synced_ : unsynced_, static_cast<RocksDBBatch*>(batch)->rep()));
  }
  Status Get(std::string_view key, std::string* value) override {
    return FromRocksDB(db_->Get(read_, ToSlice(key), value));
  }
  std::unique_ptr<EngineIterator> NewIterator() override {
    return std::make_unique<RocksDBIterator>(db_->NewIterator(read_));
  }
  Status CompactAll() override {
    return FromRocksDB(db_->CompactRange(rocksdb::CompactRangeOptions(), nullptr, nullptr));
  }
  // Polls RocksDB's own counters (DB::WaitForCompact is newer than the library Debian has);
  // a background error ends the wait, since the pending work will not run.
  Status WaitForCompaction() override {
    const char* busy[] = {"rocksdb.mem-table-flush-pending", "rocksdb.compaction-pending",
                          "rocksdb.num-running-flushes", "rocksdb.num-running-compactions"};
    for (bool any = true; any;) {
      uint64_t errors = 0;
      if (db_->GetIntProperty("rocksdb.background-errors", &errors) && errors > 0) {
        return Status::IOError("RocksDB reports a background error");
      }
      any = false;
      for (const char* name : busy) {
        uint64_t n = 0;
        any = any || (db_->GetIntProperty(name, &n) && n > 0);
      }
      if (any) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return Status::OK();
  }
  std::string Stats() override {
    std::string text;
    if (!db_->GetProperty("rocksdb.stats", &text)) text = "(rocksdb.stats not available)\n";
    return text;
  }
  std::string LevelStats() override {
    std::string text = "level  files\n";
    for (int level = 0; level < db_->NumberLevels(); level++) {
      std::string n;
      if (!db_->GetProperty("rocksdb.num-files-at-level" + std::to_string(level), &n)) break;
      char line[64];
      std::snprintf(line, sizeof line, "%5d  %5s\n", level, n.c_str());
      text += line;
    }
    return text;
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::WriteOptions unsynced_;
  rocksdb::WriteOptions synced_;
  rocksdb::ReadOptions read_;
};

// RocksDB's own built-in operators, by the names its db_bench takes (public API: the
// object registry knows "uint64add" and "stringappend", the latter with ',' as delimiter).
Status ToRocksDB(const EngineOptions& eo, rocksdb::Options* out) {
  rocksdb::Options& options = *out;
  options.create_if_missing = true;
  options.write_buffer_size = eo.write_buffer_size;
  options.max_open_files = eo.open_files;
  options.max_background_jobs = eo.max_background_jobs;
  options.max_bytes_for_level_base = eo.max_bytes_for_level_base;
  options.target_file_size_base = eo.target_file_size_base;
  options.compression = eo.compression ? rocksdb::kLZ4Compression : rocksdb::kNoCompression;
  rocksdb::BlockBasedTableOptions table;
  table.block_size = eo.block_size;
  table.block_cache = rocksdb::NewLRUCache(eo.cache_size);
  if (eo.bloom_bits > 0) {
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(eo.bloom_bits));
  }
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  if (!eo.merge_operator.empty()) {
    Status s = FromRocksDB(rocksdb::MergeOperator::CreateFromString(
        rocksdb::ConfigOptions(), eo.merge_operator, &options.merge_operator));
    if (s.ok() && options.merge_operator == nullptr) {
      s = Status::InvalidArgument("unknown merge operator", eo.merge_operator);
    }
    return s;
  }
  return Status::OK();
}

class RocksDBFactory final : public EngineFactory {
 public:
  std::string_view name() const override { return "rocksdb"; }
  std::string version() const override { return "RocksDB " + rocksdb::GetRocksVersionAsString(); }
  std::string compression(const EngineOptions& options) const override {
    return options.compression ? "lz4" : "none";
  }
  std::vector<std::string> Notes(const EngineOptions&) const override {
    std::vector<std::string> notes;
#ifdef STRATA_ROCKSDB_HAS_ASSERTS
    // Detected by CMake: the library calls __assert_fail, so it was built without NDEBUG.
    notes.push_back("this librocksdb is built with assertions enabled: slower than it could be");
#endif
    return notes;
  }

  Status Open(const EngineOptions& eo, const std::string& path,
              std::unique_ptr<Engine>* engine) const override {
    rocksdb::Options options;
    Status converted = ToRocksDB(eo, &options);
    if (!converted.ok()) return converted;
    rocksdb::DB* db = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(options, path, &db);
    if (!s.ok()) return FromRocksDB(s);
    *engine = std::make_unique<RocksDBEngine>(std::unique_ptr<rocksdb::DB>(db));
    return Status::OK();
  }

  Status Destroy(const std::string& path) const override {
    return FromRocksDB(rocksdb::DestroyDB(path, rocksdb::Options()));
  }
};

}  // namespace

const EngineFactory* RocksDBEngineFactory() {
  static const RocksDBFactory factory;
  return &factory;
}

}  // namespace strata::bench
