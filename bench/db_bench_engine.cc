#include "bench/db_bench_engine.h"

namespace strata::bench {

namespace {

std::vector<const EngineFactory*> Factories() {
  std::vector<const EngineFactory*> all = {StrataEngineFactory()};
#ifdef STRATA_HAVE_LEVELDB
  all.push_back(LevelDBEngineFactory());
#endif
#ifdef STRATA_HAVE_ROCKSDB
  all.push_back(RocksDBEngineFactory());
#endif
  return all;
}

}  // namespace

const EngineFactory* FindEngine(std::string_view name) {
  for (const EngineFactory* f : Factories()) {
    if (f->name() == name) return f;
  }
  return nullptr;
}

std::vector<std::string> BuiltEngines() {
  std::vector<std::string> names;
  for (const EngineFactory* f : Factories()) names.emplace_back(f->name());
  return names;
}

}  // namespace strata::bench
