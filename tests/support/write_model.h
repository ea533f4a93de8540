// WriteModel: the batches a test wrote, in order, each acknowledged (Write returned OK) or
// not, and the two checks a recovered database must pass against them:
// - after I/O errors without power loss, every acknowledged batch is there and each failed
//   one is wholly there or wholly absent;
// - after power loss, the state is the first k acknowledged batches for some k at least the
//   number made durable (by a sync write, SyncWAL or Flush that returned OK).
// Thread safety: none; one test thread drives it.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "strata/db.h"
#include "strata/merge_operator.h"
#include "strata/write_batch.h"

namespace strata::test {

// A whole database as key -> value.
using KVMap = std::map<std::string, std::string>;

// MultiGet of keys answers what the model holds: the value, or NotFound.
void ExpectMultiGetMatches(DB* db, const ReadOptions& options, const std::vector<std::string>& keys,
                           const KVMap& model);

// The merge operator of databases that ModelBatch merges go to: string append with ','.
std::shared_ptr<const MergeOperator> ModelMergeOperator();

// A batch as the model sees it: puts, deletions (no value), range deletions and merges (by
// ModelMergeOperator) in order.
struct ModelBatch {
  std::vector<std::pair<std::string, std::optional<std::string>>> ops;
  // Op index -> end (exclusive): that op (no value) deletes [its key, end).
  std::map<size_t, std::string> range_ends;
  // Indexes of ops (with a value: the operand) that are merges.
  std::set<size_t> merges;

  void Put(std::string key, std::string value) { ops.emplace_back(std::move(key), value); }
  void Delete(std::string key) { ops.emplace_back(std::move(key), std::nullopt); }
  void DeleteRange(std::string begin, std::string end) {
    range_ends.emplace(ops.size(), std::move(end));
    ops.emplace_back(std::move(begin), std::nullopt);
  }
  void Merge(std::string key, std::string operand) {
    merges.insert(ops.size());
    ops.emplace_back(std::move(key), std::move(operand));
  }
  WriteBatch ToWriteBatch() const;
  void ApplyTo(KVMap* state) const;
};

class WriteModel {
 public:
  // base: what the database held (verified) before these writes.
  explicit WriteModel(KVMap base = {}) : base_(std::move(base)) {}

  void Record(ModelBatch batch, bool acknowledged);
  // Every acknowledged batch so far is durable.
  void MarkDurable() { durable_ = acknowledged_; }
  size_t acknowledged() const { return acknowledged_; }
  size_t durable() const { return durable_; }
  size_t unacknowledged() const { return batches_.size() - acknowledged_; }

  // state = base + every acknowledged batch + any subset of the others, in write order.
  ::testing::AssertionResult HoldsEveryAcknowledgedWrite(const KVMap& state) const;
  // When the machine dies inside a write, that write's log record may reach the disk though
  // the write failed (torn and reordered power loss keeps unsynced bytes). With this on,
  // IsDurablePrefix also accepts every acknowledged batch followed by the last batch, if
  // that one failed.
  void set_in_flight_may_survive(bool may) { in_flight_may_survive_ = may; }
  // state = base + the first k acknowledged batches, for some k >= durable(); sets *k.
  ::testing::AssertionResult IsDurablePrefix(const KVMap& state, size_t* k) const;

 private:
  KVMap base_;
  std::vector<std::pair<ModelBatch, bool>> batches_;  // (batch, acknowledged)
  size_t acknowledged_ = 0;
  size_t durable_ = 0;
  bool in_flight_may_survive_ = false;
};

// Reads the whole database with an iterator into *out; the iterator's error if it fails.
Status ScanAll(DB* db, KVMap* out);
// The first key where two states differ, for messages.
std::string FirstDifference(const KVMap& expected, const KVMap& actual);

}  // namespace strata::test
