// Construction, the read path and properties of DBImpl. Opening and recovery live in
// db_open.cc, the write path in db_impl_write.cc.
#include "db/db_impl.h"

#include <cinttypes>
#include <cstdio>

#include "memtable/memtable.h"
#include "wal/log_writer.h"

namespace strata {
namespace {

Options Sanitize(const Options& in) {
  Options out = in;
  if (out.comparator == nullptr) out.comparator = BytewiseComparator();
  if (out.file_system == nullptr) out.file_system = FileSystem::Default();
  return out;
}

}  // namespace

DBImpl::DBImpl(const Options& options, const std::string& dbname)
    : options_(Sanitize(options)),
      dbname_(dbname),
      fs_(options_.file_system.get()),
      icmp_(options_.comparator),
      info_log_(std::make_unique<Logger>()),
      mem_(std::make_unique<MemTable>(icmp_)) {}

DBImpl::~DBImpl() {
  if (log_) log_->Close().PermitUncheckedError();
  if (db_lock_) info_log_->Log("closed");
}

Status DBImpl::Get(const ReadOptions& options, std::string_view key, std::string* value) {
  (void)options;  // snapshots and table reads arrive with later capabilities
  LookupKey lookup(key, last_sequence_.load(std::memory_order_acquire));
  Status s;
  if (mem_->Get(lookup, value, &s)) return s;
  return Status::NotFound(std::string_view());
}

bool DBImpl::GetProperty(std::string_view name, std::string* value) {
  value->clear();
  auto number = [value](uint64_t n) {
    *value = std::to_string(n);
    return true;
  };
  if (name == "strata.approximate-memory-usage") return number(mem_->ApproximateMemoryUsage());
  if (name == "strata.num-entries-active-mem-table") return number(mem_->num_entries());
  if (name == "strata.last-sequence") {
    return number(last_sequence_.load(std::memory_order_acquire));
  }
  if (name == "strata.stats") {
    uint64_t batches = stats_.batches.load(std::memory_order_relaxed);
    uint64_t groups = stats_.groups.load(std::memory_order_relaxed);
    char buf[1024];
    std::snprintf(buf, sizeof buf,
                  "** Write path **\n"
                  "batches written: %" PRIu64
                  "\n"
                  "write groups (log records): %" PRIu64
                  " (%.2f batches per group)\n"
                  "log syncs: %" PRIu64
                  "\n"
                  "user bytes: %" PRIu64
                  "\n"
                  "log bytes: %" PRIu64
                  "\n"
                  "current log: %06" PRIu64
                  "\n"
                  "** Memtable **\n"
                  "entries: %" PRIu64 " (deletes %" PRIu64
                  ")\n"
                  "memory: %zu bytes\n"
                  "** Recovery **\n"
                  "records replayed: %" PRIu64
                  "\n"
                  "bytes dropped: %" PRIu64 "\n",
                  batches, groups, groups ? static_cast<double>(batches) / groups : 0.0,
                  stats_.syncs.load(std::memory_order_relaxed),
                  stats_.user_bytes.load(std::memory_order_relaxed),
                  stats_.wal_bytes.load(std::memory_order_relaxed), log_number_,
                  mem_->num_entries(), mem_->num_deletes(), mem_->ApproximateMemoryUsage(),
                  stats_.recovered_records.load(std::memory_order_relaxed),
                  stats_.recovery_dropped_bytes.load(std::memory_order_relaxed));
    *value = buf;
    return true;
  }
  return false;
}

}  // namespace strata
