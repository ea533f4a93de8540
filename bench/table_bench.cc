// Sorted table micro benchmarks: block seek, table point lookups (block cache or not), bloom
// probes, block compression and reads, scans and builds, a block's pread from the page cache.
// 16-byte user keys as internal keys (+8 bytes) and 100-byte values, as a database writes
// them (db_bench's defaults).
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "keys/internal_key.h"
#include "sstable/block.h"
#include "sstable/block_builder.h"
#include "sstable/bloom.h"
#include "sstable/format.h"
#include "sstable/table.h"
#include "sstable/table_builder.h"
#include "strata/cache.h"
#include "strata/comparator.h"
#include "strata/file_system.h"
#include "util/chunked_writer.h"
#include "util/coding.h"
#include "util/discarding_file.h"
#include "util/random.h"

namespace strata {
namespace {

constexpr size_t kValueSize = 100;

std::string UserKey(uint64_t i) {
  std::string k(16, '\0');
  // Big-endian numbers, so byte order is numeric order.
  for (int b = 0; b < 8; b++) k[8 + b] = static_cast<char>(i >> (56 - 8 * b));
  return k;
}

// Half random, half repeated bytes: LZ4 roughly halves it, like db_bench's values.
std::string Value(Random* rnd) {
  std::string v(kValueSize, '\0');
  for (size_t i = 0; i < kValueSize / 2; i++) v[i] = static_cast<char>('a' + rnd->Uniform(26));
  std::fill(v.begin() + kValueSize / 2, v.end(), 'x');
  return v;
}

std::string_view FilterKey(std::string_view internal_key) { return ExtractUserKey(internal_key); }

const InternalKeyComparator* Icmp() {
  static const InternalKeyComparator kIcmp(BytewiseComparator());
  return &kIcmp;
}

// A table of n entries (keys 0, 2, 4, ... so odd numbers are absent) in a file on disk,
// written once per process, size and index layout: a database's (user keys, restart interval
// 16: format version 3) or, with old_index, the layout before it (internal keys, restart
// interval 1: version 2).
class BenchTable {
 public:
  BenchTable(uint64_t n, bool old_index) : n_(n), old_index_(old_index) {
    char dir[] = "/tmp/strata_table_bench_XXXXXX";
    if (mkdtemp(dir) == nullptr) std::abort();
    dir_ = dir;
    path_ = dir_ + "/000001.sst";
    auto fs = FileSystem::Default();
    std::unique_ptr<WritableFile> file;
    if (!fs->NewWritableFile(path_, &file).ok()) std::abort();
    TableBuilder builder(Options(nullptr, old_index), file.get());
    Random rnd(1);
    std::string ikey;
    for (uint64_t i = 0; i < n; i++) {
      ikey.clear();
      AppendInternalKey(&ikey, UserKey(2 * i), i + 1, ValueType::kValue);
      builder.Add(ikey, Value(&rnd));
    }
    if (!builder.Finish().ok() || !file->Close().ok()) std::abort();
    size_ = builder.FileSize();
  }
  ~BenchTable() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  static TableOptions Options(Cache* cache, bool old_index = false) {
    TableOptions options;
    options.comparator = Icmp();
    options.filter_key = &FilterKey;
    options.block_cache = cache;
    if (old_index) {
      options.index_block_restart_interval = 1;
    } else {
      options.user_comparator = BytewiseComparator();
    }
    return options;
  }

  std::unique_ptr<Table> Open(Cache* cache) const {
    std::unique_ptr<RandomAccessFile> file;
    std::unique_ptr<Table> table;
    if (!FileSystem::Default()->NewRandomAccessFile(path_, &file).ok() ||
        !Table::Open(Options(cache, old_index_), path_, std::move(file), size_, &table).ok()) {
      std::abort();
    }
    return table;
  }

  uint64_t n() const { return n_; }

 private:
  uint64_t n_;
  bool old_index_;
  std::string dir_;
  std::string path_;
  uint64_t size_ = 0;
};

// Built on first use; destroyed (and the file removed) at exit.
const BenchTable& TableOf(uint64_t n, bool old_index = false) {
  static std::unique_ptr<BenchTable> tables[2][2];  // [large][old_index]
  std::unique_ptr<BenchTable>& t = tables[n > 100000][old_index];
  if (t == nullptr) t = std::make_unique<BenchTable>(n, old_index);
  return *t;
}

bool SaveValue(void* arg, std::string_view key, std::string_view value) {
  (void)key;
  static_cast<std::string*>(arg)->assign(value);
  return false;  // the one entry is enough
}

// range(0): entries; range(1): 1 = block cache holding the whole table (pre-warmed), 0 = no
// block cache (every Get reads and checksums a block; the OS page cache holds the file);
// range(2): 1 = look up absent keys (the filter answers); range(3): 1 = the index layout before
// format version 3 (internal keys, restart interval 1), for before/after in one run.
void BM_TableGet(benchmark::State& state) {
  const BenchTable& bt = TableOf(state.range(0), state.range(3) != 0);
  const bool cached = state.range(1) != 0;
  const bool absent = state.range(2) != 0;
  std::shared_ptr<Cache> cache = cached ? NewLRUCache(512 << 20) : nullptr;
  std::unique_ptr<Table> table = bt.Open(cache.get());
  if (cached) {
    auto it = table->NewIterator(ReadOptions());
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
    }
  }
  std::vector<uint64_t> order(bt.n());
  for (uint64_t i = 0; i < bt.n(); i++) order[i] = 2 * i + (absent ? 1 : 0);
  Random rnd(7);
  for (size_t i = order.size() - 1; i > 0; i--) std::swap(order[i], order[rnd.Uniform(i + 1)]);

  std::string value;
  size_t i = 0, found = 0;
  for (auto _ : state) {
    LookupKey lookup(UserKey(order[i]), kMaxSequenceNumber);
    value.clear();
    if (!table->Get(ReadOptions(), lookup.internal_key(), lookup.user_key(), &SaveValue, &value)
             .ok()) {
      state.SkipWithError("Get failed");
      break;
    }
    found += value.size() == kValueSize;
    if (++i == order.size()) i = 0;
  }
  if (!absent && found != static_cast<size_t>(state.iterations())) {
    state.SkipWithError("a key went missing");
  }
  state.SetItemsProcessed(state.iterations());
  if (cached) state.counters["cached_MiB"] = static_cast<double>(cache->usage()) / (1 << 20);
}
BENCHMARK(BM_TableGet)
    ->ArgNames({"entries", "cached", "absent", "old_index"})
    ->Args({100000, 1, 0, 0})
    ->Args({100000, 0, 0, 0})
    ->Args({100000, 1, 1, 0})
    ->Args({1000000, 1, 0, 0})
    ->Args({1000000, 0, 0, 0})
    ->Args({1000000, 1, 0, 1})
    ->Args({1000000, 0, 0, 1});

// A scan of the whole table (100k entries), cached or not (range(0)), forward or backward
// (range(1)). Uncached, the file is read with pread (the OS page cache holds it); range(2): 0
// reads ahead as a scan does by default, 1 reads block by block (a one-byte window is widened
// to just the block: one system call per block, as before read-ahead), for before/after in
// one run.
void BM_TableScan(benchmark::State& state) {
  const BenchTable& bt = TableOf(100000);
  const bool cached = state.range(0) != 0;
  const bool reverse = state.range(1) != 0;
  ReadOptions ro;
  if (state.range(2) != 0) ro.readahead_size = 1;
  std::shared_ptr<Cache> cache = cached ? NewLRUCache(512 << 20) : nullptr;
  std::unique_ptr<Table> table = bt.Open(cache.get());
  uint64_t entries = 0;
  for (auto _ : state) {
    auto it = table->NewIterator(ro);
    if (reverse) {
      for (it->SeekToLast(); it->Valid(); it->Prev()) entries++;
    } else {
      for (it->SeekToFirst(); it->Valid(); it->Next()) entries++;
    }
  }
  state.SetItemsProcessed(entries);
}
BENCHMARK(BM_TableScan)
    ->ArgNames({"cached", "reverse", "block_by_block"})
    ->Args({1, 0, 0})
    ->Args({0, 0, 0})
    ->Args({0, 0, 1})
    ->Args({0, 1, 0})
    ->Args({0, 1, 1})
    ->Unit(benchmark::kMillisecond);

// Builds a 100k-entry table in memory (no I/O).
void BM_TableBuild(benchmark::State& state) {
  const auto compression = static_cast<CompressionType>(state.range(0));
  std::vector<std::string> keys, values;
  Random rnd(3);
  for (uint64_t i = 0; i < 100000; i++) {
    keys.emplace_back();
    AppendInternalKey(&keys.back(), UserKey(i), i + 1, ValueType::kValue);
    values.push_back(Value(&rnd));
  }
  for (auto _ : state) {
    DiscardingFile file;
    TableOptions options = BenchTable::Options(nullptr);
    options.compression = compression;
    TableBuilder builder(options, &file);
    for (size_t i = 0; i < keys.size(); i++) builder.Add(keys[i], values[i]);
    if (!builder.Finish().ok()) state.SkipWithError("build failed");
  }
  state.SetItemsProcessed(state.iterations() * keys.size());
  state.SetBytesProcessed(state.iterations() * keys.size() * (24 + kValueSize));
}
BENCHMARK(BM_TableBuild)->ArgName("lz4")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// A 4 KiB data block as the table builder makes it: 24-byte internal keys, 100-byte values.
std::string DataBlock(int restart_interval, std::vector<std::string>* keys) {
  BlockBuilder builder(restart_interval);
  Random rnd(11);
  for (uint64_t i = 0; builder.CurrentSizeEstimate() < 4096; i++) {
    std::string ikey;
    AppendInternalKey(&ikey, UserKey(i * 7), 100, ValueType::kValue);
    builder.Add(ikey, Value(&rnd));
    if (keys != nullptr) keys->push_back(ikey);
  }
  return builder.Finish();
}

// range(0): restart interval. Seeks to existing keys in random order.
void BM_BlockSeek(benchmark::State& state) {
  std::vector<std::string> keys;
  std::string bytes = DataBlock(static_cast<int>(state.range(0)), &keys);
  Block block(BlockContents{bytes, BlockBuffer()});
  BlockIter it(Icmp(), &block);
  Random rnd(5);
  for (size_t i = keys.size() - 1; i > 0; i--) std::swap(keys[i], keys[rnd.Uniform(i + 1)]);
  size_t i = 0, found = 0;
  for (auto _ : state) {
    it.Seek(keys[i]);
    found += it.Valid();
    if (++i == keys.size()) i = 0;
  }
  if (found != static_cast<size_t>(state.iterations())) state.SkipWithError("a key went missing");
  state.SetItemsProcessed(state.iterations());
  state.counters["entries"] = static_cast<double>(keys.size());
}
BENCHMARK(BM_BlockSeek)->ArgName("restart_interval")->Arg(1)->Arg(16);

// Seeks in index blocks as at 100 M keys: 48 tables' index blocks (32 Ki entries each, user
// keys, restart interval 16, about 20 MB together, beyond the processor's L2), a random table
// and key each time; range(0) = 1 with RestartHints, as tables open them, 0 without.
void BM_IndexSeek(benchmark::State& state) {
  constexpr int kTables = 48;
  constexpr uint64_t kEntries = 32768;
  static const std::vector<std::string> bytes = [] {
    std::vector<std::string> all;
    for (int t = 0; t < kTables; t++) {
      BlockBuilder builder(16);
      for (uint64_t i = 0; i < kEntries; i++) {
        std::string handle;
        BlockHandle{(i + 1) * 2048, 2000}.EncodeTo(&handle);
        builder.Add(UserKey((t * kEntries + i) * 64), handle);
      }
      all.push_back(builder.Finish());
    }
    return all;
  }();
  const bool hints = state.range(0) != 0;
  std::vector<std::unique_ptr<Block>> blocks;
  std::vector<BlockIter> iters(kTables);
  for (int t = 0; t < kTables; t++) {
    blocks.push_back(std::make_unique<Block>(BlockContents{bytes[t], BlockBuffer()}));
    if (hints) blocks.back()->AddRestartHints();
    iters[t].Init(BytewiseComparator(), blocks.back().get());
  }
  std::vector<std::pair<BlockIter*, std::string>> probes;
  Random rnd(17);
  for (int i = 0; i < 65536; i++) {
    const uint64_t k = rnd.Uniform(kTables * kEntries * 64);
    probes.emplace_back(&iters[k / (kEntries * 64)], UserKey(k));
  }
  size_t i = 0, found = 0;
  for (auto _ : state) {
    probes[i].first->Seek(probes[i].second);
    found += probes[i].first->Valid();
    i = (i + 1) & 65535;
  }
  benchmark::DoNotOptimize(found);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IndexSeek)->ArgName("hints")->Arg(0)->Arg(1);

// range(0): 1 scans a 4 KiB data block backwards (SeekToLast, Prev...), 0 forwards.
void BM_BlockScan(benchmark::State& state) {
  std::string bytes = DataBlock(16, nullptr);
  Block block(BlockContents{bytes, BlockBuffer()});
  BlockIter it(Icmp(), &block);
  const bool reverse = state.range(0) != 0;
  uint64_t entries = 0;
  for (auto _ : state) {
    if (reverse) {
      for (it.SeekToLast(); it.Valid(); it.Prev()) entries++;
    } else {
      for (it.SeekToFirst(); it.Valid(); it.Next()) entries++;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(entries));
}
BENCHMARK(BM_BlockScan)->ArgName("reverse")->Arg(0)->Arg(1);

// range(0): 1 = probe keys in the filter, 0 = absent keys. 1M keys at 10 bits per key (1.2
// MiB of filter, beyond L2).
void BM_BloomProbe(benchmark::State& state) {
  constexpr uint64_t kKeys = 1000000;
  static const std::unique_ptr<BloomFilter> filter = [] {
    BloomFilterBuilder builder(10);
    for (uint64_t i = 0; i < kKeys; i++) builder.AddKey(UserKey(2 * i));
    std::string bytes;
    builder.Finish(&bytes);
    return BloomFilter::Parse(bytes);
  }();
  const bool present = state.range(0) != 0;
  std::vector<std::string> probes;
  Random rnd(9);
  for (int i = 0; i < 4096; i++) probes.push_back(UserKey(2 * rnd.Uniform(kKeys) + !present));
  size_t i = 0, matched = 0;
  for (auto _ : state) {
    matched += filter->KeyMayMatch(probes[i]);
    i = (i + 1) & 4095;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["match_rate"] =
      benchmark::Counter(static_cast<double>(matched) / state.iterations());
}
BENCHMARK(BM_BloomProbe)->ArgName("present")->Arg(1)->Arg(0);

// A Get's probes of three levels' filters, each far larger than the processor's caches (as at
// 100 M keys), one after another (prefetch = 0) or with each filter's line requested before
// the one above is probed (prefetch = 1, as Version::Get does).
void BM_BloomProbeThreeLevels(benchmark::State& state) {
  constexpr uint64_t kKeys = 8000000;  // 10 MB of filter per level
  static const std::vector<std::unique_ptr<BloomFilter>> filters = [] {
    std::vector<std::unique_ptr<BloomFilter>> v;
    for (int level = 0; level < 3; level++) {
      BloomFilterBuilder builder(10);
      for (uint64_t i = 0; i < kKeys; i++) builder.AddKey(UserKey(3 * i + level));
      std::string bytes;
      builder.Finish(&bytes);
      v.push_back(BloomFilter::Parse(bytes));
    }
    return v;
  }();
  const bool prefetch = state.range(0) != 0;
  // Enough keys that the lines they probe do not stay cached between rounds.
  constexpr size_t kProbes = size_t{1} << 20;
  std::vector<uint64_t> hashes;
  Random rnd(9);
  for (size_t i = 0; i < kProbes; i++) hashes.push_back(Hash64(UserKey(rnd.Uniform(3 * kKeys))));
  size_t i = 0, matched = 0;
  for (auto _ : state) {
    const uint64_t h = hashes[i];
    i = (i + 1) & (kProbes - 1);
    if (prefetch) filters[0]->Prefetch(h);
    for (size_t level = 0; level < 3; level++) {
      if (prefetch && level + 1 < 3) filters[level + 1]->Prefetch(h);
      if (filters[level]->HashMayMatch(h)) {
        matched++;
        break;
      }
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["match_rate"] =
      benchmark::Counter(static_cast<double>(matched) / state.iterations());
}
BENCHMARK(BM_BloomProbeThreeLevels)->ArgName("prefetch")->Arg(0)->Arg(1);

void BM_BlockCompressLZ4(benchmark::State& state) {
  std::string raw = DataBlock(16, nullptr);
  std::string out;
  for (auto _ : state) {
    if (!CompressBlock(CompressionType::kLZ4, raw, &out)) state.SkipWithError("not compressed");
  }
  state.SetBytesProcessed(state.iterations() * raw.size());
  state.counters["ratio"] = static_cast<double>(out.size()) / raw.size();
}
BENCHMARK(BM_BlockCompressLZ4);

// ReadBlock from memory: checksum, then decompress (lz4 = 1) or not (0).
void BM_BlockRead(benchmark::State& state) {
  class MemoryFile final : public RandomAccessFile {
   public:
    explicit MemoryFile(std::string bytes) : bytes_(std::move(bytes)) {}
    Status Read(uint64_t offset, size_t n, std::string_view* result, char*) const override {
      *result = std::string_view(bytes_).substr(offset, n);
      return Status::OK();
    }
    size_t size() const { return bytes_.size(); }

   private:
    std::string bytes_;
  };
  const bool lz4 = state.range(0) != 0;
  std::string raw = DataBlock(16, nullptr);
  std::string stored;
  if (!lz4 || !CompressBlock(CompressionType::kLZ4, raw, &stored)) stored = raw;
  BlockHandle handle{0, stored.size()};
  AppendBlockTrailer(&stored, lz4 ? CompressionType::kLZ4 : CompressionType::kNone);
  MemoryFile file(stored + std::string(Footer::kEncodedLength, '\0'));
  for (auto _ : state) {
    BlockContents contents;
    if (!ReadBlock(file, "bench", stored.size(), handle, true, &contents).ok()) {
      state.SkipWithError("read failed");
    }
    benchmark::DoNotOptimize(contents.data.data());
  }
  state.SetBytesProcessed(state.iterations() * raw.size());
}
BENCHMARK(BM_BlockRead)->ArgName("lz4")->Arg(0)->Arg(1);

// The file for one value of `chunked`, written once per process (the benchmark function runs
// several times while the library settles on an iteration count) and removed at exit.
class PreadBlockFile {
 public:
  static constexpr size_t kBlock = 2200;
  static constexpr uint64_t kBytes = uint64_t{1} << 30;

  static const PreadBlockFile& Get(bool chunked) {
    if (chunked) {
      static const PreadBlockFile written_in_chunks(true);
      return written_in_chunks;
    }
    static const PreadBlockFile written_a_block_a_call(false);
    return written_a_block_a_call;
  }
  ~PreadBlockFile() {
    file_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  const RandomAccessFile& file() const { return *file_; }

 private:
  explicit PreadBlockFile(bool chunked) {
    const char* tmp = std::getenv("TMPDIR");
    dir_ = std::string(tmp != nullptr ? tmp : "/tmp") + "/strata_pread_bench_XXXXXX";
    if (mkdtemp(dir_.data()) == nullptr) std::abort();
    const std::string path = dir_ + "/000001.sst";
    auto fs = FileSystem::NewPosix(0);  // never mapped: every read is a pread
    std::unique_ptr<WritableFile> out;
    if (!fs->NewWritableFile(path, &out).ok()) std::abort();
    Random rnd(5);
    std::string block(kBlock, '\0');
    for (char& c : block) c = static_cast<char>(rnd.Uniform(256));
    ChunkedWriter writer(out.get(), ChunkedWriter::kPreadChunk);
    for (uint64_t written = 0; written < kBytes; written += kBlock) {
      Status s = chunked ? writer.Append(block) : out->Append(block);
      if (!s.ok()) std::abort();
    }
    if (!writer.Flush().ok() || !out->Close().ok()) std::abort();
    if (!fs->NewRandomAccessFile(path, &file_).ok()) std::abort();
  }

  std::string dir_;
  std::unique_ptr<RandomAccessFile> file_;
};

// pread of a 2200-byte block (a compressed 4 KiB block) at random offsets in a 1 GiB file the
// page cache holds, the file written as the table builder wrote it before (chunked = 0: one
// write call per 2200-byte block) or as it writes a table to be read with pread now (1: whole
// aligned 1 MiB chunks, ChunkedWriter). The data is the same; only how the page cache holds it
// differs (Linux 6.16 on caches large aligned writes in large folios). Files under $TMPDIR (or
// /tmp), which must be on a disk-backed file system for the figure to mean anything.
void BM_PreadBlock(benchmark::State& state) {
  const PreadBlockFile& f = PreadBlockFile::Get(state.range(0) != 0);
  std::string scratch(PreadBlockFile::kBlock, '\0');
  Random rnd(7);
  for (auto _ : state) {
    const uint64_t offset = rnd.Uniform(PreadBlockFile::kBytes - PreadBlockFile::kBlock);
    std::string_view result;
    if (!f.file().Read(offset, PreadBlockFile::kBlock, &result, scratch.data()).ok()) {
      state.SkipWithError("read");
    }
    benchmark::DoNotOptimize(result.data());
  }
}
BENCHMARK(BM_PreadBlock)->ArgName("chunked")->Arg(0)->Arg(1);

}  // namespace
}  // namespace strata
