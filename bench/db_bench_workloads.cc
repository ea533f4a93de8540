// The workloads: what one thread of each benchmark does. Every engine runs exactly this
// code; only the Engine calls differ underneath.
//
// Operation counts per thread: fills, overwrite, deletes and merges do --num operations; fillsync
// and fill100K do --num / 1000 (as db_bench always has); reads do --reads (default --num).
// With --duration, every benchmark runs for that long instead. Random keys are uniform over
// [0, --num).
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <string>
#include <thread>

#include "bench/db_bench_runner.h"
#include "bench/db_bench_thread.h"
#include "util/coding.h"

namespace strata::bench {

Status DbBench::FillSeq(ThreadContext* t) {
  return DoWrite(t, Order::kSequential, config_.sync, config_.value_size, config_.num);
}

Status DbBench::FillRandom(ThreadContext* t) {
  return DoWrite(t, Order::kRandom, config_.sync, config_.value_size, config_.num);
}

Status DbBench::FillSync(ThreadContext* t) {
  return DoWrite(t, Order::kRandom, true, config_.value_size,
                 std::max<int64_t>(1, config_.num / 1000));
}

Status DbBench::Fill100K(ThreadContext* t) {
  return DoWrite(t, Order::kRandom, config_.sync, kFill100KValueSize,
                 std::max<int64_t>(1, config_.num / 1000));
}

Status DbBench::DoWrite(ThreadContext* t, Order order, bool sync, int value_size, int64_t ops) {
  ValueGenerator values(*shared_->values, t->rng.Next());
  const uint64_t num = static_cast<uint64_t>(config_.num);
  const int64_t entry_bytes = config_.key_size + value_size;
  auto next_key = [&](int64_t i) {
    return order == Order::kSequential ? static_cast<uint64_t>(i) % num : t->rng.Uniform(num);
  };
  if (config_.batch_size == 1) {
    while (t->More(ops)) {
      const std::string_view key = t->keys.Key(next_key(t->ops));
      const std::string_view value = values.Next(static_cast<size_t>(value_size));
      const uint64_t started = t->OpStart();
      Status s = engine_->Put(key, value, sync);
      if (!s.ok()) return s;
      t->OpDone(started);
      t->bytes += entry_bytes;
      t->bytes_written += entry_bytes;
    }
    return Status::OK();
  }
  std::unique_ptr<EngineBatch> batch = engine_->NewBatch();
  while (t->More(ops)) {
    const int64_t n = t->deadline_nanos != 0 ? config_.batch_size
                                             : std::min<int64_t>(config_.batch_size, ops - t->ops);
    batch->Clear();
    for (int64_t j = 0; j < n; j++) {
      batch->Put(t->keys.Key(next_key(t->ops + j)), values.Next(static_cast<size_t>(value_size)));
    }
    const uint64_t started = t->OpStart();
    Status s = engine_->Write(batch.get(), sync);
    if (!s.ok()) return s;
    t->OpDone(started, n);
    t->bytes += entry_bytes * n;
    t->bytes_written += entry_bytes * n;
  }
  return Status::OK();
}

Status DbBench::DeleteSeq(ThreadContext* t) { return DoDelete(t, Order::kSequential); }
Status DbBench::DeleteRandom(ThreadContext* t) { return DoDelete(t, Order::kRandom); }

Status DbBench::DoDelete(ThreadContext* t, Order order) {
  const uint64_t num = static_cast<uint64_t>(config_.num);
  const int64_t ops = config_.num;
  auto next_key = [&](int64_t i) {
    return order == Order::kSequential ? static_cast<uint64_t>(i) % num : t->rng.Uniform(num);
  };
  std::unique_ptr<EngineBatch> batch;
  if (config_.batch_size > 1) batch = engine_->NewBatch();
  while (t->More(ops)) {
    const int64_t n = t->deadline_nanos != 0 ? config_.batch_size
                                             : std::min<int64_t>(config_.batch_size, ops - t->ops);
    Status s;
    uint64_t started;
    if (batch == nullptr) {
      const std::string_view key = t->keys.Key(next_key(t->ops));
      started = t->OpStart();
      s = engine_->Delete(key, config_.sync);
    } else {
      batch->Clear();
      for (int64_t j = 0; j < n; j++) batch->Delete(t->keys.Key(next_key(t->ops + j)));
      started = t->OpStart();
      s = engine_->Write(batch.get(), config_.sync);
    }
    if (!s.ok()) return s;
    t->OpDone(started, n);
    t->bytes += config_.key_size * n;
    t->bytes_written += config_.key_size * n;
  }
  return Status::OK();
}

// Each operation deletes --range_width keys from a random start: [k, k + range_width).
Status DbBench::DeleteRangeRandom(ThreadContext* t) {
  const uint64_t num = static_cast<uint64_t>(config_.num);
  const int64_t ops = config_.num;
  std::string begin;
  while (t->More(ops)) {
    const uint64_t k = t->rng.Uniform(num);
    begin.assign(t->keys.Key(k));
    const std::string_view end = t->keys.Key(k + static_cast<uint64_t>(config_.range_width));
    const uint64_t started = t->OpStart();
    Status s = engine_->DeleteRange(begin, end, config_.sync);
    if (!s.ok()) return s;
    t->OpDone(started);
    t->bytes += 2 * config_.key_size;
    t->bytes_written += 2 * config_.key_size;
  }
  return Status::OK();
}

// Merges into random keys (RocksDB's mergerandom). A stringappend operand is --value_size
// bytes of the usual values. A uint64add operand is the counter 1, 8 bytes whatever
// --value_size: Strata's operator fails on any other size, where RocksDB's reads it as 0 (its
// users pass --value_size=8); adding 1 also makes the counts checkable.
Status DbBench::MergeRandom(ThreadContext* t) {
  const uint64_t num = static_cast<uint64_t>(config_.num);
  const int64_t ops = config_.num;
  const bool counter = config_.engine_options.merge_operator == "uint64add";
  const size_t operand_size = counter ? sizeof(uint64_t) : static_cast<size_t>(config_.value_size);
  ValueGenerator values(*shared_->values, t->rng.Next());
  std::string one;
  PutFixed64(&one, 1);
  const int64_t entry_bytes = config_.key_size + static_cast<int64_t>(operand_size);
  while (t->More(ops)) {
    const std::string_view key = t->keys.Key(t->rng.Uniform(num));
    const std::string_view operand = counter ? std::string_view(one) : values.Next(operand_size);
    const uint64_t started = t->OpStart();
    Status s = engine_->Merge(key, operand, config_.sync);
    if (!s.ok()) return s;
    t->OpDone(started);
    t->bytes += entry_bytes;
    t->bytes_written += entry_bytes;
  }
  return Status::OK();
}

Status DbBench::AddRangeTombstones() {
  // Fixed seed: the same tombstones in every engine's and every run's database.
  Random rng(config_.seed * 7919 + 17);
  KeyFormatter keys(config_.key_size);
  const uint64_t num = static_cast<uint64_t>(config_.num);
  std::string begin;
  for (int64_t i = 0; i < config_.range_tombstones; i++) {
    const uint64_t k = rng.Uniform(num);
    begin.assign(keys.Key(k));
    Status s = engine_->DeleteRange(begin, keys.Key(k + static_cast<uint64_t>(config_.range_width)),
                                    false);
    if (!s.ok()) return s;
  }
  Status s = engine_->Flush();
  if (s.ok()) {
    std::fprintf(out_,
                 "%-20s : %" PRId64 " range deletions of %" PRId64 " keys written and flushed\n",
                 "range_tombstones", config_.range_tombstones, config_.range_width);
  }
  return s;
}

Status DbBench::ReadRandom(ThreadContext* t) {
  return DoRead(t, static_cast<uint64_t>(config_.num), false);
}

Status DbBench::ReadMissing(ThreadContext* t) {
  return DoRead(t, static_cast<uint64_t>(config_.num), true);
}

// The hot 1% of the key space.
Status DbBench::ReadHot(ThreadContext* t) {
  return DoRead(t, static_cast<uint64_t>((config_.num + 99) / 100), false);
}

Status DbBench::DoRead(ThreadContext* t, uint64_t key_range, bool missing) {
  const int64_t reads = config_.reads < 0 ? config_.num : config_.reads;
  std::string value;
  t->counts_found = true;
  while (t->More(reads)) {
    const uint64_t k = t->rng.Uniform(key_range);
    const std::string_view key = missing ? t->keys.MissingKey(k) : t->keys.Key(k);
    const uint64_t started = t->OpStart();
    Status s = engine_->Get(key, &value);
    if (s.ok()) {
      t->found++;
      t->bytes += static_cast<int64_t>(key.size() + value.size());
    } else if (!s.IsNotFound()) {
      return s;
    }
    t->OpDone(started);
  }
  return Status::OK();
}

Status DbBench::ReadSeq(ThreadContext* t) { return DoScan(t, false); }
Status DbBench::ReadReverse(ThreadContext* t) { return DoScan(t, true); }

// Reads --reads entries in key order (or reverse), or stops at the end of the database; with
// --duration it starts over at the end until the time is up.
Status DbBench::DoScan(ThreadContext* t, bool reverse) {
  const int64_t reads = config_.reads < 0 ? config_.num : config_.reads;
  std::unique_ptr<EngineIterator> it = engine_->NewIterator();
  reverse ? it->SeekToLast() : it->SeekToFirst();
  while (t->More(reads)) {
    if (!it->Valid()) {
      if (!it->status().ok()) return it->status();
      if (t->deadline_nanos == 0 || t->ops == 0) break;
      reverse ? it->SeekToLast() : it->SeekToFirst();
      continue;
    }
    const uint64_t started = t->OpStart();
    t->bytes += static_cast<int64_t>(it->key().size() + it->value().size());
    reverse ? it->Prev() : it->Next();
    t->OpDone(started);
  }
  return it->status();
}

// Seeks one iterator per thread (as RocksDB's db_bench does) to random keys, reads the entry
// found and --seek_nexts more.
Status DbBench::SeekRandom(ThreadContext* t) {
  const int64_t reads = config_.reads < 0 ? config_.num : config_.reads;
  const uint64_t num = static_cast<uint64_t>(config_.num);
  std::unique_ptr<EngineIterator> it = engine_->NewIterator();
  t->counts_found = true;
  while (t->More(reads)) {
    const std::string_view key = t->keys.Key(t->rng.Uniform(num));
    const uint64_t started = t->OpStart();
    it->Seek(key);
    if (it->Valid()) {
      if (it->key() == key) t->found++;
      t->bytes += static_cast<int64_t>(it->key().size() + it->value().size());
      for (int j = 0; j < config_.seek_nexts; j++) {
        it->Next();
        if (!it->Valid()) break;
        t->bytes += static_cast<int64_t>(it->key().size() + it->value().size());
      }
    }
    if (!it->status().ok()) return it->status();
    t->OpDone(started);
  }
  return Status::OK();
}

// --threads readers read random keys while one more thread overwrites random keys, as fast
// as it can or at --benchmark_write_rate_limit bytes/s; the result counts the readers only,
// the writer reports its rate. Unlimited, a faster engine's writer also takes more of the
// CPU from the readers.
Status DbBench::ReadWhileWriting(ThreadContext* t) {
  if (t->tid < config_.threads) return DoRead(t, static_cast<uint64_t>(config_.num), false);
  ValueGenerator values(*shared_->values, t->rng.Next());
  const uint64_t num = static_cast<uint64_t>(config_.num);
  const uint64_t entry_bytes = static_cast<uint64_t>(config_.key_size + config_.value_size);
  const uint64_t rate = config_.benchmark_write_rate_limit;
  int64_t writes = 0;
  while (shared_->readers_running.load(std::memory_order_relaxed) > 0) {
    if (rate > 0) {
      // Ahead of the rate: sleep (at most 10 ms at a time, to notice the readers' end).
      const uint64_t due =
          t->start_nanos + static_cast<uint64_t>(writes) * entry_bytes * 1000000000 / rate;
      const uint64_t now = NowNanos();
      if (now < due) {
        std::this_thread::sleep_for(
            std::chrono::nanoseconds(std::min<uint64_t>(due - now, 10000000)));
        continue;
      }
    }
    const std::string_view key = t->keys.Key(t->rng.Uniform(num));
    Status s =
        engine_->Put(key, values.Next(static_cast<size_t>(config_.value_size)), config_.sync);
    if (!s.ok()) return s;
    writes++;
  }
  const double seconds = static_cast<double>(NowNanos() - t->start_nanos) / 1e9;
  char text[96];
  std::snprintf(text, sizeof text, "(writer: %lld puts, %.0f puts/s)",
                static_cast<long long>(writes), seconds > 0 ? writes / seconds : 0.0);
  t->message = text;
  t->bytes_written = writes * (config_.key_size + config_.value_size);
  return Status::OK();
}

}  // namespace strata::bench
