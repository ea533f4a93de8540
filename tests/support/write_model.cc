#include "support/write_model.h"

#include "util/escape.h"

namespace strata::test {

void ExpectMultiGetMatches(DB* db, const ReadOptions& options, const std::vector<std::string>& keys,
                           const KVMap& model) {
  std::vector<std::string_view> views(keys.begin(), keys.end());
  std::vector<std::string> values;
  std::vector<Status> statuses;
  db->MultiGet(options, views, &values, &statuses);
  for (size_t i = 0; i < keys.size(); i++) {
    auto it = model.find(keys[i]);
    if (it == model.end()) {
      ASSERT_TRUE(statuses[i].IsNotFound()) << keys[i] << " " << statuses[i].ToString();
    } else {
      ASSERT_TRUE(statuses[i].ok()) << keys[i] << " " << statuses[i].ToString();
      ASSERT_EQ(values[i], it->second) << keys[i];
    }
  }
}

std::shared_ptr<const MergeOperator> ModelMergeOperator() {
  static const std::shared_ptr<const MergeOperator> op = NewStringAppendOperator(',');
  return op;
}

WriteBatch ModelBatch::ToWriteBatch() const {
  WriteBatch batch;
  for (size_t i = 0; i < ops.size(); i++) {
    const auto& [key, value] = ops[i];
    if (auto range = range_ends.find(i); range != range_ends.end()) {
      batch.DeleteRange(key, range->second);
    } else if (merges.count(i)) {
      batch.Merge(key, *value);
    } else if (value) {
      batch.Put(key, *value);
    } else {
      batch.Delete(key);
    }
  }
  return batch;
}

void ModelBatch::ApplyTo(KVMap* state) const {
  for (size_t i = 0; i < ops.size(); i++) {
    const auto& [key, value] = ops[i];
    if (auto range = range_ends.find(i); range != range_ends.end()) {
      state->erase(state->lower_bound(key), state->lower_bound(range->second));
    } else if (merges.count(i)) {
      auto [it, inserted] = state->try_emplace(key, *value);
      if (!inserted) it->second += "," + *value;
    } else if (value) {
      (*state)[key] = *value;
    } else {
      state->erase(key);
    }
  }
}

void WriteModel::Record(ModelBatch batch, bool acknowledged) {
  batches_.emplace_back(std::move(batch), acknowledged);
  if (acknowledged) acknowledged_++;
}

::testing::AssertionResult WriteModel::HoldsEveryAcknowledgedWrite(const KVMap& state) const {
  std::vector<size_t> unacked;
  for (size_t i = 0; i < batches_.size(); i++) {
    if (!batches_[i].second) unacked.push_back(i);
  }
  // Failed writes are few (writes stop after an error): try every subset of them.
  if (unacked.size() > 12) {
    return ::testing::AssertionFailure() << unacked.size() << " failed writes: too many to check";
  }
  KVMap all_acked;
  for (uint64_t mask = 0; mask < (uint64_t{1} << unacked.size()); mask++) {
    KVMap expected = base_;
    size_t next_unacked = 0;
    for (size_t i = 0; i < batches_.size(); i++) {
      bool apply = batches_[i].second;
      if (!apply) apply = (mask >> next_unacked++) & 1;
      if (apply) batches_[i].first.ApplyTo(&expected);
    }
    if (expected == state) return ::testing::AssertionSuccess();
    if (mask == 0) all_acked = std::move(expected);
  }
  return ::testing::AssertionFailure()
         << "the database is not every acknowledged write plus whole failed ones (" << acknowledged_
         << " acknowledged, " << unacked.size()
         << " failed); against the acknowledged ones only: " << FirstDifference(all_acked, state);
}

::testing::AssertionResult WriteModel::IsDurablePrefix(const KVMap& state, size_t* k) const {
  KVMap expected = base_;
  size_t applied = 0;
  KVMap at_durable;
  for (size_t i = 0;; i++) {
    if (applied >= durable_) {
      if (applied == durable_) at_durable = expected;
      if (expected == state) {
        *k = applied;
        return ::testing::AssertionSuccess();
      }
    }
    // The next acknowledged batch.
    while (i < batches_.size() && !batches_[i].second) i++;
    if (i == batches_.size()) break;
    batches_[i].first.ApplyTo(&expected);
    applied++;
  }
  if (in_flight_may_survive_ && !batches_.empty() && !batches_.back().second) {
    batches_.back().first.ApplyTo(&expected);
    if (expected == state) {
      *k = applied;
      return ::testing::AssertionSuccess();
    }
  }
  return ::testing::AssertionFailure()
         << "the database is no prefix of the acknowledged writes of length at least " << durable_
         << " (of " << acknowledged_
         << "); against the durable prefix: " << FirstDifference(at_durable, state);
}

Status ScanAll(DB* db, KVMap* out) {
  out->clear();
  std::unique_ptr<Iterator> it = db->NewIterator(ReadOptions());
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    out->emplace(std::string(it->key()), std::string(it->value()));
  }
  return it->status();
}

std::string FirstDifference(const KVMap& expected, const KVMap& actual) {
  auto e = expected.begin();
  auto a = actual.begin();
  while (e != expected.end() || a != actual.end()) {
    if (a == actual.end() || (e != expected.end() && e->first < a->first)) {
      return "key '" + EscapeBytes(e->first) + "' missing (expected '" +
             EscapeBytes(e->second).substr(0, 40) + "')";
    }
    if (e == expected.end() || a->first < e->first) {
      return "key '" + EscapeBytes(a->first) + "' present but not expected (value '" +
             EscapeBytes(a->second).substr(0, 40) + "')";
    }
    if (e->second != a->second) {
      return "key '" + EscapeBytes(e->first) + "' is '" + EscapeBytes(a->second).substr(0, 40) +
             "', expected '" + EscapeBytes(e->second).substr(0, 40) + "'";
    }
    ++e;
    ++a;
  }
  return "no difference";
}

}  // namespace strata::test
