// Block cache micro benchmarks: Lookup + Release of entries that are all cached (the hit path
// of a table read), with 1 and 2 threads sharing one cache, and with one shard (every thread
// on one mutex) or the automatic shard count; Lookup of absent keys; and the miss path's
// churn of block memory, where one thread frees the blocks another allocated.
#include <benchmark/benchmark.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "sstable/block_buffer.h"
#include "strata/cache.h"
#include "util/coding.h"
#include "util/random.h"

namespace strata {
namespace {

constexpr size_t kKeys = 1 << 14;
constexpr size_t kCharge = 4 << 10;  // a data block
constexpr size_t kCapacity = 2 * kKeys * kCharge;

// 16-byte keys, like a cache id followed by a block offset.
std::vector<std::string> MakeKeys() {
  std::vector<std::string> keys(kKeys, std::string(16, '\0'));
  for (size_t i = 0; i < kKeys; i++) {
    EncodeFixed64(keys[i].data(), 1);
    EncodeFixed64(keys[i].data() + 8, i * kCharge);
  }
  return keys;
}

const std::vector<std::string>& Keys() {
  static const std::vector<std::string> keys = MakeKeys();
  return keys;
}

// A filled cache per shard setting (-1: automatic), built once and shared by the threads of
// every run.
Cache* FilledCache(int shard_bits) {
  static const auto make = [](int bits) {
    std::shared_ptr<Cache> cache = NewLRUCache(kCapacity, bits);
    for (const std::string& key : Keys()) {
      cache->Release(cache->Insert(key, nullptr, kCharge, nullptr));
    }
    return cache;
  };
  static const std::shared_ptr<Cache> single = make(0);
  static const std::shared_ptr<Cache> automatic = make(-1);
  return shard_bits == 0 ? single.get() : automatic.get();
}

// range(0): shard bits, 0 or -1 (automatic: 64 shards at this capacity).
void BM_LookupHit(benchmark::State& state) {
  Cache* cache = FilledCache(static_cast<int>(state.range(0)));
  const std::vector<std::string>& keys = Keys();
  // Each thread walks the keys in its own random order.
  std::vector<uint32_t> order(kKeys);
  Random rnd(state.thread_index() + 1);
  for (auto& i : order) i = static_cast<uint32_t>(rnd.Uniform(kKeys));
  size_t i = 0;
  for (auto _ : state) {
    Cache::Handle* h = cache->Lookup(keys[order[i]]);
    if (h == nullptr) {
      state.SkipWithError("miss");
      break;
    }
    cache->Release(h);
    if (++i == kKeys) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LookupHit)
    ->ArgName("shard_bits")
    ->Arg(0)
    ->Arg(-1)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();

// Lookup of keys the filled cache does not hold (most table reads of a large database miss).
void BM_LookupMiss(benchmark::State& state) {
  Cache* cache = FilledCache(-1);
  std::vector<std::string> absent = Keys();
  for (std::string& key : absent) EncodeFixed64(key.data(), 2);  // another cache id
  Random rnd(state.thread_index() + 1);
  std::vector<uint32_t> order(kKeys);
  for (auto& i : order) i = static_cast<uint32_t>(rnd.Uniform(kKeys));
  size_t i = 0;
  for (auto _ : state) {
    if (cache->Lookup(absent[order[i]]) != nullptr) {
      state.SkipWithError("hit");
      break;
    }
    if (++i == kKeys) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LookupMiss)->Threads(1)->Threads(2)->UseRealTime();

// Insert + Release over a cache that holds a quarter of the keys, so most inserts evict.
void BM_InsertEvict(benchmark::State& state) {
  std::shared_ptr<Cache> cache = NewLRUCache(kKeys / 4 * kCharge, 0);
  const std::vector<std::string>& keys = Keys();
  size_t i = 0;
  for (auto _ : state) {
    cache->Release(cache->Insert(keys[i], nullptr, kCharge, nullptr));
    if (++i == kKeys) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_InsertEvict);

// What a miss does with block memory: allocate a decompressed block (a little over 4 KiB),
// fill it, insert it, evict an older one. The threads share one cache, so a block is often
// freed by the thread that did not allocate it. range(0): 0 for plain heap buffers (what the
// table reader used before), 1 for BlockBuffer.
template <class Buffer>
struct ChurnBlock {
  Buffer bytes;
  static void Delete(std::string_view /*key*/, void* value) {
    delete static_cast<ChurnBlock*>(value);
  }
};

std::unique_ptr<char[]> NewHeapBytes(size_t n) { return std::make_unique_for_overwrite<char[]>(n); }

void BM_MissChurn(benchmark::State& state) {
  static const std::shared_ptr<Cache> heap_cache = NewLRUCache(kKeys / 4 * kCharge, -1);
  static const std::shared_ptr<Cache> pooled_cache = NewLRUCache(kKeys / 4 * kCharge, -1);
  const bool pooled = state.range(0) == 1;
  Cache* cache = pooled ? pooled_cache.get() : heap_cache.get();
  const std::vector<std::string>& keys = Keys();
  Random rnd(state.thread_index() + 1);
  for (auto _ : state) {
    const size_t size = kCharge + rnd.Uniform(128);  // blocks end past their target size
    Cache::Handle* h;
    if (pooled) {
      auto* block = new ChurnBlock<BlockBuffer>{BlockBuffer::Allocate(size)};
      std::memset(block->bytes.data(), 1, size);
      h = cache->Insert(keys[rnd.Uniform(kKeys)], block, kCharge, &ChurnBlock<BlockBuffer>::Delete);
    } else {
      auto* block = new ChurnBlock<std::unique_ptr<char[]>>{NewHeapBytes(size)};
      std::memset(block->bytes.get(), 1, size);
      h = cache->Insert(keys[rnd.Uniform(kKeys)], block, kCharge,
                        &ChurnBlock<std::unique_ptr<char[]>>::Delete);
    }
    cache->Release(h);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MissChurn)->ArgName("pooled")->Arg(0)->Arg(1)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
}  // namespace strata
