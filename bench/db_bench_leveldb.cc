// db_bench's LevelDB back end (built when CMake finds libleveldb). LevelDB has no LZ4: with
// compression on it uses Snappy, its own fast compressor; it has one background thread
// whatever --max_background_jobs says. Both are stated in the header.
#include <cstdio>
#include <string>

#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/options.h>
#include <leveldb/write_batch.h>

#include "bench/db_bench_engine.h"

namespace strata::bench {

namespace {

leveldb::Slice ToSlice(std::string_view s) { return leveldb::Slice(s.data(), s.size()); }
std::string_view ToView(const leveldb::Slice& s) { return std::string_view(s.data(), s.size()); }

Status FromLevelDB(const leveldb::Status& s) {
  if (s.ok()) return Status::OK();
  if (s.IsNotFound()) return Status::NotFound("leveldb", s.ToString());
  if (s.IsCorruption()) return Status::Corruption("leveldb", s.ToString());
  if (s.IsInvalidArgument()) return Status::InvalidArgument("leveldb", s.ToString());
  return Status::IOError("leveldb", s.ToString());
}

class LevelDBBatch final : public EngineBatch {
 public:
  void Put(std::string_view key, std::string_view value) override {
    batch_.Put(ToSlice(key), ToSlice(value));
  }
  void Delete(std::string_view key) override { batch_.Delete(ToSlice(key)); }
  void Clear() override { batch_.Clear(); }
  leveldb::WriteBatch* rep() { return &batch_; }

 private:
  leveldb::WriteBatch batch_;
};

class LevelDBIterator final : public EngineIterator {
 public:
  explicit LevelDBIterator(leveldb::Iterator* it) : it_(it) {}
  bool Valid() const override { return it_->Valid(); }
  void SeekToFirst() override { it_->SeekToFirst(); }
  void SeekToLast() override { it_->SeekToLast(); }
  void Seek(std::string_view target) override { it_->Seek(ToSlice(target)); }
  void Next() override { it_->Next(); }
  void Prev() override { it_->Prev(); }
  std::string_view key() const override { return ToView(it_->key()); }
  std::string_view value() const override { return ToView(it_->value()); }
  Status status() const override { return FromLevelDB(it_->status()); }

 private:
  std::unique_ptr<leveldb::Iterator> it_;
};

class LevelDBEngine final : public Engine {
 public:
  // Owns the cache and filter policy the options point to; they must outlive the DB.
  LevelDBEngine(std::unique_ptr<leveldb::DB> db, std::unique_ptr<leveldb::Cache> cache,
                std::unique_ptr<const leveldb::FilterPolicy> filter)
      : cache_(std::move(cache)), filter_(std::move(filter)), db_(std::move(db)) {
    synced_.sync = true;
  }

  Status Put(std::string_view key, std::string_view value, bool sync) override {
    return FromLevelDB(db_->Put(sync ? synced_ : unsynced_, ToSlice(key), ToSlice(value)));
  }
  Status Delete(std::string_view key, bool sync) override {
    return FromLevelDB(db_->Delete(sync ? synced_ : unsynced_, ToSlice(key)));
  }
  Status DeleteRange(std::string_view, std::string_view, bool) override {
    return Status::NotSupported("LevelDB has no range deletion");
  }
  Status Merge(std::string_view, std::string_view, bool) override {
    return Status::NotSupported("LevelDB has no merge operator");
  }
  Status Flush() override { return Status::OK(); }  // LevelDB has no flush call
  std::unique_ptr<EngineBatch> NewBatch() override { return std::make_unique<LevelDBBatch>(); }
  Status Write(EngineBatch* batch, bool sync) override {
    return FromLevelDB(
        db_->Write(sync ? synced_ : unsynced_, static_cast<LevelDBBatch*>(batch)->rep()));
  }
  Status Get(std::string_view key, std::string* value) override {
    return FromLevelDB(db_->Get(read_, ToSlice(key), value));
  }
  std::unique_ptr<EngineIterator> NewIterator() override {
    return std::make_unique<LevelDBIterator>(db_->NewIterator(read_));
  }
  Status CompactAll() override {
    db_->CompactRange(nullptr, nullptr);
    return Status::OK();
  }
  Status WaitForCompaction() override { return Status::OK(); }  // LevelDB cannot tell
  std::string Stats() override {
    std::string text;
    if (!db_->GetProperty("leveldb.stats", &text)) text = "(leveldb.stats not available)\n";
    return text;
  }
  std::string LevelStats() override {
    std::string text = "level  files\n";
    for (int level = 0; level < 7; level++) {
      std::string n;
      if (!db_->GetProperty("leveldb.num-files-at-level" + std::to_string(level), &n)) break;
      char line[64];
      std::snprintf(line, sizeof line, "%5d  %5s\n", level, n.c_str());
      text += line;
    }
    return text;
  }

 private:
  std::unique_ptr<leveldb::Cache> cache_;
  std::unique_ptr<const leveldb::FilterPolicy> filter_;
  std::unique_ptr<leveldb::DB> db_;  // declared last: destroyed first
  leveldb::WriteOptions unsynced_;
  leveldb::WriteOptions synced_;
  leveldb::ReadOptions read_;
};

class LevelDBFactory final : public EngineFactory {
 public:
  std::string_view name() const override { return "leveldb"; }
  std::string version() const override {
    return "LevelDB " + std::to_string(leveldb::kMajorVersion) + "." +
           std::to_string(leveldb::kMinorVersion);
  }
  std::string compression(const EngineOptions& options) const override {
    return options.compression ? "snappy" : "none";
  }
  bool SupportsRangeDeletion() const override { return false; }
  bool SupportsMerge() const override { return false; }
  std::vector<std::string> Notes(const EngineOptions& options) const override {
    std::vector<std::string> notes;
    if (options.compression) notes.push_back("LevelDB has no LZ4: it compresses with Snappy");
    notes.push_back(
        "LevelDB has no range deletion: deleterangerandom is skipped, --range_tombstones ignored");
    if (!options.merge_operator.empty()) {
      notes.push_back(
          "LevelDB has no merge operator: mergerandom is skipped, --merge_operator ignored");
    }
    if (options.max_background_jobs != 1) {
      notes.push_back("LevelDB has one background thread (--max_background_jobs ignored)");
    }
    return notes;
  }

  Status Open(const EngineOptions& eo, const std::string& path,
              std::unique_ptr<Engine>* engine) const override {
    leveldb::Options options;
    options.create_if_missing = true;
    options.write_buffer_size = eo.write_buffer_size;
    options.block_size = eo.block_size;
    options.max_open_files = eo.open_files;
    options.compression = eo.compression ? leveldb::kSnappyCompression : leveldb::kNoCompression;
    std::unique_ptr<leveldb::Cache> cache(leveldb::NewLRUCache(eo.cache_size));
    options.block_cache = cache.get();
    std::unique_ptr<const leveldb::FilterPolicy> filter;
    if (eo.bloom_bits > 0) filter.reset(leveldb::NewBloomFilterPolicy(eo.bloom_bits));
    options.filter_policy = filter.get();
    leveldb::DB* db = nullptr;
    leveldb::Status s = leveldb::DB::Open(options, path, &db);
    if (!s.ok()) return FromLevelDB(s);
    *engine = std::make_unique<LevelDBEngine>(std::unique_ptr<leveldb::DB>(db), std::move(cache),
                                              std::move(filter));
    return Status::OK();
  }

  Status Destroy(const std::string& path) const override {
    return FromLevelDB(leveldb::DestroyDB(path, leveldb::Options()));
  }
};

}  // namespace

const EngineFactory* LevelDBEngineFactory() {
  static const LevelDBFactory factory;
  return &factory;
}

}  // namespace strata::bench
