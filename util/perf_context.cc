#include "strata/perf_context.h"

#include "util/perf_context_imp.h"

namespace strata {

namespace perf {
thread_local constinit PerfLevel level = PerfLevel::kDisable;
thread_local constinit PerfContext context;
}  // namespace perf

PerfContext* GetPerfContext() { return &perf::context; }
void SetPerfLevel(PerfLevel level) { perf::level = level; }
PerfLevel GetPerfLevel() { return perf::level; }

namespace {

// Every counter, once: ToString and operator+= both walk this list.
struct Counter {
  const char* name;
  uint64_t PerfContext::*field;
};
constexpr Counter kCounters[] = {
    {"get_count", &PerfContext::get_count},
    {"get_from_memtable", &PerfContext::get_from_memtable},
    {"tables_probed", &PerfContext::tables_probed},
    {"filter_checks", &PerfContext::filter_checks},
    {"filter_negatives", &PerfContext::filter_negatives},
    {"block_cache_hits", &PerfContext::block_cache_hits},
    {"block_reads", &PerfContext::block_reads},
    {"block_read_bytes", &PerfContext::block_read_bytes},
    {"iterator_seeks", &PerfContext::iterator_seeks},
    {"internal_entries_skipped", &PerfContext::internal_entries_skipped},
    {"memtable_filter_negatives", &PerfContext::memtable_filter_negatives},
    {"scan_blocks_not_cached", &PerfContext::scan_blocks_not_cached},
    {"blocks_not_admitted", &PerfContext::blocks_not_admitted},
};

}  // namespace

PerfContext& PerfContext::operator+=(const PerfContext& other) {
  for (const Counter& c : kCounters) this->*c.field += other.*c.field;
  return *this;
}

std::string PerfContext::ToString() const {
  std::string out;
  for (const Counter& c : kCounters) {
    if (this->*c.field == 0) continue;
    if (!out.empty()) out += ", ";
    out += c.name;
    out += " = ";
    out += std::to_string(this->*c.field);
  }
  return out;
}

}  // namespace strata
