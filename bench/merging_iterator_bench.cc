// Merging iterator micro benchmark: a forward scan over the union of several children, as a
// DB iterator runs one over memtables and levels. The children are small memtables (their
// nodes stay in cache), so the time is mostly the merge's own: the heap's compares and the
// reads of each child's key.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "keys/internal_key.h"
#include "memtable/memtable.h"
#include "sstable/merging_iterator.h"
#include "strata/comparator.h"
#include "util/coding.h"
#include "util/random.h"

namespace strata {
namespace {

constexpr size_t kEntries = 100000;  // over all children together

// range(0): children. Keys are 16 random bytes dealt to the children at random, values 100
// bytes, as in db_bench.
void BM_MergingScan(benchmark::State& state) {
  const size_t children = static_cast<size_t>(state.range(0));
  static const InternalKeyComparator icmp(BytewiseComparator());
  std::vector<std::unique_ptr<MemTable>> mems;
  for (size_t i = 0; i < children; i++) mems.push_back(std::make_unique<MemTable>(icmp));
  Random rnd(301);
  const std::string value(100, 'v');
  std::string key(16, '\0');
  for (size_t i = 0; i < kEntries; i++) {
    EncodeFixed64(key.data(), rnd.Next());
    EncodeFixed64(key.data() + 8, rnd.Next());
    mems[rnd.Uniform(static_cast<uint32_t>(children))]->Add(i + 1, ValueType::kValue, key, value);
  }
  size_t bytes = 0;
  for (auto _ : state) {
    std::vector<std::unique_ptr<Iterator>> iters;
    for (const auto& m : mems) iters.push_back(m->NewIterator());
    std::unique_ptr<Iterator> it = NewMergingIterator(&icmp, std::move(iters));
    for (it->SeekToFirst(); it->Valid(); it->Next()) bytes += it->key().size() + it->value().size();
  }
  benchmark::DoNotOptimize(bytes);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(kEntries));
}
BENCHMARK(BM_MergingScan)->Arg(2)->Arg(4)->Arg(8)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace strata
