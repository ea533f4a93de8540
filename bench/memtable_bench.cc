// Memtable micro benchmarks: single-threaded insert, point lookup (of keys present, and of
// absent ones with and without a key filter) and scan, 16-byte keys and 100-byte values
// (db_bench's defaults). The last argument of the random-order ones is the
// arena's block source: 0 = 4 KiB heap blocks, 1 = 2 MiB huge-page blocks (what a DB with a
// write buffer of 16 MiB or more uses).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "keys/internal_key.h"
#include "memtable/memtable.h"
#include "strata/comparator.h"
#include "strata/options.h"
#include "util/coding.h"
#include "util/random.h"

namespace strata {
namespace {

constexpr size_t kKeySize = 16;
constexpr size_t kValueSize = 100;
// Insert benchmarks draw from this many distinct keys, more than a memtable holds.
constexpr size_t kInsertKeys = 1 << 20;

// Bytewise order, but not the built-in object: the memtable compares through the virtual call.
// Measures what the memcmp fast path saves.
class OpaqueBytewise final : public Comparator {
 public:
  int Compare(std::string_view a, std::string_view b) const override { return a.compare(b); }
  const char* Name() const override { return "bench.OpaqueBytewise"; }
};

Arena::Blocks BlocksArg(int64_t arg) {
  return arg != 0 ? Arena::Blocks::kHugePages : Arena::Blocks::kHeap;
}

const Comparator* UserComparator(bool opaque) {
  static const OpaqueBytewise kOpaque;
  return opaque ? static_cast<const Comparator*>(&kOpaque) : BytewiseComparator();
}

std::vector<std::string> RandomKeys(size_t n, uint64_t seed) {
  Random rnd(seed);
  std::vector<std::string> keys(n, std::string(kKeySize, '\0'));
  for (auto& k : keys) {
    EncodeFixed64(k.data(), rnd.Next());
    EncodeFixed64(k.data() + 8, rnd.Next());
  }
  return keys;
}

std::vector<std::string> SequentialKeys(size_t n) {
  std::vector<std::string> keys(n, std::string(kKeySize, '\0'));
  for (size_t i = 0; i < n; i++) {
    // Big-endian, so byte order is numeric order.
    for (int b = 0; b < 8; b++) keys[i][8 + b] = static_cast<char>(i >> (56 - 8 * b));
  }
  return keys;
}

// The key filter a DB gives a memtable of write_buffer_bytes, at the default ratio.
size_t DefaultFilterBytes(size_t write_buffer_bytes) {
  return static_cast<size_t>(Options().memtable_bloom_size_ratio *
                             static_cast<double>(write_buffer_bytes));
}

// Inserts into a memtable until it holds flush_mib MiB, then starts a fresh one (untimed), as
// a DB does at its write_buffer_size; each memtable gets keys[0], keys[1], ...
// With filter, the memtable keeps the key filter a DB gives it by default. An iteration adds
// `group` entries: one Add for a group of one, else a MemTable::BatchAdder, as a DB does.
void RunInserts(benchmark::State& state, const std::vector<std::string>& keys, size_t flush_mib,
                bool opaque, Arena::Blocks blocks, bool filter = false, size_t group = 1) {
  InternalKeyComparator icmp(UserComparator(opaque));
  const std::string value(kValueSize, 'v');
  const size_t flush_bytes = flush_mib << 20;
  const size_t bloom_bytes = filter ? DefaultFilterBytes(flush_bytes) : 0;
  auto mem = std::make_unique<MemTable>(icmp, blocks, bloom_bytes);
  size_t i = 0;
  SequenceNumber seq = 1;
  for (auto _ : state) {
    if (mem->ApproximateMemoryUsage() >= flush_bytes) {
      state.PauseTiming();
      mem = std::make_unique<MemTable>(icmp, blocks, bloom_bytes);
      i = 0;
      state.ResumeTiming();
    }
    if (group == 1) {
      mem->Add(seq++, ValueType::kValue, keys[i], value);
      if (++i == keys.size()) i = 0;
      continue;
    }
    MemTable::BatchAdder adder(mem.get());
    for (size_t g = 0; g < group; g++) {
      adder.Add(seq++, ValueType::kValue, keys[i], value);
      if (++i == keys.size()) i = 0;
    }
    adder.Finish();
  }
  const int64_t entries = state.iterations() * static_cast<int64_t>(group);
  state.SetItemsProcessed(entries);
  state.SetBytesProcessed(entries * static_cast<int64_t>(kKeySize + kValueSize));
}

// range(0): MiB per memtable (64 = Options::write_buffer_size; 4 stays mostly in cache);
// range(1): 1 = compare through the virtual call instead of the memcmp fast path;
// range(2): block source; range(3): 1 = with a key filter.
void BM_MemTableInsertRandom(benchmark::State& state) {
  static const std::vector<std::string> keys = RandomKeys(kInsertKeys, 301);
  RunInserts(state, keys, state.range(0), state.range(1) != 0, BlocksArg(state.range(2)),
             state.range(3) != 0);
}
BENCHMARK(BM_MemTableInsertRandom)
    ->Args({64, 0, 0, 0})
    ->Args({64, 0, 0, 1})
    ->Args({64, 0, 1, 0})
    ->Args({64, 1, 0, 0})
    ->Args({4, 0, 0, 0})
    ->Args({4, 1, 0, 0});

// range(0): entries per write group (1 = one Add each, as a lone writer's group; more =
// MemTable::BatchAdder, as a group of that many writers); range(1): MiB per memtable.
// Random keys, the key filter on, as a DB inserts a synced write group.
void BM_MemTableInsertGroup(benchmark::State& state) {
  static const std::vector<std::string> keys = RandomKeys(kInsertKeys, 307);
  RunInserts(state, keys, state.range(1), false, Arena::Blocks::kHugePages, /*filter=*/true,
             static_cast<size_t>(state.range(0)));
}
BENCHMARK(BM_MemTableInsertGroup)
    ->Args({1, 64})
    ->Args({4, 64})
    ->Args({16, 64})
    ->Args({45, 64})
    ->Args({1, 16})
    ->Args({45, 16});

// range(0): MiB per memtable; range(1): 1 = with a key filter.
void BM_MemTableInsertSequential(benchmark::State& state) {
  static const std::vector<std::string> keys = SequentialKeys(kInsertKeys);
  RunInserts(state, keys, state.range(0), false, Arena::Blocks::kHeap, state.range(1) != 0);
}
BENCHMARK(BM_MemTableInsertSequential)->Args({64, 0})->Args({64, 1})->Args({4, 0});

// The timed loop of the Get benchmarks: looks up probes in turn, each with its LookupKey
// built and its value copied, as DB::Get does. Returns how many were found.
size_t TimeGets(benchmark::State& state, const MemTable& mem,
                const std::vector<std::string>& probes) {
  std::string result;
  size_t i = 0, found = 0;
  for (auto _ : state) {
    LookupKey lookup(probes[i], kMaxSequenceNumber);
    Status s;
    found += mem.Get(lookup, &result, &s);
    if (++i == probes.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  return found;
}

// range(0): entries in the memtable (100k entries are ~15 MiB of arena, 1M ~150 MiB);
// range(1): 1 = compare through the virtual call; range(2): block source.
// Looks up existing keys in random order; each lookup builds its LookupKey and copies the value,
// as DB::Get does.
void BM_MemTableGet(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  InternalKeyComparator icmp(UserComparator(state.range(1) != 0));
  MemTable mem(icmp, BlocksArg(state.range(2)));
  std::vector<std::string> keys = RandomKeys(n, 17);
  const std::string value(kValueSize, 'v');
  for (size_t i = 0; i < n; i++) mem.Add(i + 1, ValueType::kValue, keys[i], value);
  // Probe in an order unrelated to insertion or key order.
  Random rnd(5);
  for (size_t i = n - 1; i > 0; i--) std::swap(keys[i], keys[rnd.Uniform(i + 1)]);

  if (TimeGets(state, mem, keys) != static_cast<size_t>(state.iterations())) {
    state.SkipWithError("a key went missing");
  }
}
// range(0): entries; range(1): 1 = with the key filter a DB gives a memtable of that many
// entries by default. Looks up keys the memtable does not hold, as a Get of a key in a table
// does on its way down.
void BM_MemTableGetAbsent(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  InternalKeyComparator icmp(BytewiseComparator());
  const std::vector<std::string> keys = RandomKeys(n, 17);
  const std::vector<std::string> absent = RandomKeys(n, 19);
  const std::string value(kValueSize, 'v');
  // Sized as the DB sizes it: a fraction of the write buffer this many entries fill.
  const size_t arena_bytes = n * (kKeySize + kValueSize + 48);
  MemTable mem(icmp, Arena::Blocks::kHeap,
               state.range(1) != 0 ? DefaultFilterBytes(arena_bytes) : 0);
  for (size_t i = 0; i < n; i++) mem.Add(i + 1, ValueType::kValue, keys[i], value);
  if (TimeGets(state, mem, absent) != 0) state.SkipWithError("an absent key was found");
}
BENCHMARK(BM_MemTableGetAbsent)
    ->Args({100000, 0})
    ->Args({100000, 1})
    ->Args({400000, 0})
    ->Args({400000, 1});

// range(0): entries, inserted in random key order (as fillrandom leaves them); range(1):
// block source. One iteration scans the whole memtable in key order, reading every key and
// value, as a DB iterator does. Forward, each step follows a link to a node placed by
// insertion order; backward (SeekToLast, then Prev), each step follows a node's backward
// link, likewise to a node placed by insertion order.
void RunScan(benchmark::State& state, bool forward) {
  const size_t n = static_cast<size_t>(state.range(0));
  InternalKeyComparator icmp(BytewiseComparator());
  MemTable mem(icmp, BlocksArg(state.range(1)));
  const std::vector<std::string> keys = RandomKeys(n, 23);
  const std::string value(kValueSize, 'v');
  for (size_t i = 0; i < n; i++) mem.Add(i + 1, ValueType::kValue, keys[i], value);
  size_t bytes = 0;
  for (auto _ : state) {
    std::unique_ptr<Iterator> it = mem.NewIterator();
    forward ? it->SeekToFirst() : it->SeekToLast();
    for (; it->Valid(); forward ? it->Next() : it->Prev()) {
      bytes += it->key().size() + it->value().size();
    }
  }
  benchmark::DoNotOptimize(bytes);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n));
}
void BM_MemTableScan(benchmark::State& state) { RunScan(state, /*forward=*/true); }
void BM_MemTableScanReverse(benchmark::State& state) { RunScan(state, /*forward=*/false); }
BENCHMARK(BM_MemTableScanReverse)
    ->Args({100000, 1})
    ->Args({1000000, 1})
    ->Unit(benchmark::kMillisecond);

BENCHMARK(BM_MemTableScan)
    ->Args({10000, 0})
    ->Args({100000, 0})
    ->Args({1000000, 0})
    ->Args({1000000, 1})
    ->Unit(benchmark::kMillisecond);

// range(0): entries, inserted in random key order (0: the row that times the reading of
// other memory alone); range(1): bytes of other memory read after each seek (0 = none; 256
// KiB evicts the list's lower levels from the cache as a db_bench seek's table work does).
// Seeks an iterator to random keys present, as db_bench's seekrandom does in the memtable.
void BM_MemTableSeek(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const size_t pollute = static_cast<size_t>(state.range(1));
  InternalKeyComparator icmp(BytewiseComparator());
  MemTable mem(icmp, Arena::Blocks::kHugePages);
  std::vector<std::string> keys = RandomKeys(std::max<size_t>(n, 1), 29);
  const std::string value(kValueSize, 'v');
  for (size_t i = 0; i < n; i++) mem.Add(i + 1, ValueType::kValue, keys[i], value);
  Random rnd(7);
  for (size_t i = keys.size() - 1; i > 0; i--) std::swap(keys[i], keys[rnd.Uniform(i + 1)]);
  // Far more than the cache holds, walked a window at a time.
  std::vector<uint64_t> other(pollute == 0 ? 1 : (64u << 20) / sizeof(uint64_t), 1);
  size_t window = 0;
  uint64_t sum = 0;
  size_t i = 0, found = 0;
  std::unique_ptr<Iterator> it = mem.NewIterator();
  for (auto _ : state) {
    LookupKey lookup(keys[i], kMaxSequenceNumber);
    it->Seek(lookup.internal_key());
    found += it->Valid();
    if (++i == keys.size()) i = 0;
    // Timed (pausing the clock costs more than a seek): compare with the row of 0 entries.
    const size_t words = pollute / sizeof(uint64_t);
    if (window + words > other.size()) window = 0;
    for (size_t w = window; w < window + words; w += 8) sum += other[w];
    window += words;
  }
  benchmark::DoNotOptimize(sum);
  if (n != 0 && found != static_cast<size_t>(state.iterations())) {
    state.SkipWithError("a key went missing");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MemTableSeek)
    ->Args({0, 64 << 10})
    ->Args({120000, 0})
    ->Args({120000, 64 << 10})
    ->Args({450000, 0})
    ->Args({450000, 64 << 10});

BENCHMARK(BM_MemTableGet)
    ->Args({10000, 0, 0})
    ->Args({100000, 0, 0})
    ->Args({1000000, 0, 0})
    ->Args({1000000, 0, 1})
    ->Args({10000, 1, 0})
    ->Args({100000, 1, 0})
    ->Args({1000000, 1, 0})
    ->Unit(benchmark::kNanosecond);

}  // namespace
}  // namespace strata
