#include "crash/model.h"

#include <memory>
#include <utility>

namespace strata::crash {
namespace {

using MaybeValue = std::optional<std::string>;

std::string Show(const MaybeValue& v) {
  if (!v) return "(absent)";
  ValueInfo info;
  if (!ParseValue(*v, &info)) return "(malformed, " + std::to_string(v->size()) + " bytes)";
  return "(batch " + std::to_string(info.batch) + ")";
}

// OK with *value, or NotFound with nullopt; any other status is returned.
Status Read(DB* db, const std::string& key, MaybeValue* value) {
  std::string v;
  Status s = db->Get(ReadOptions(), key, &v);
  if (s.ok()) {
    *value = std::move(v);
  } else if (s.IsNotFound()) {
    value->reset();
    s = Status::OK();
  }
  return s;
}

}  // namespace

void Model::Apply(uint64_t batch_id, const Batch& batch) {
  for (const Op& op : batch) {
    if (op.range_end) {
      const uint32_t first = KeyIndex(op.key);
      for (uint32_t i = first; i < first + op.range_keys; i++) {
        entries_[KeyName(i)] = Entry{batch_id, std::nullopt};
        live_.erase(KeyName(i));
      }
      continue;
    }
    entries_[op.key] = Entry{batch_id, op.value};
    if (op.value) {
      live_[op.key] = *op.value;
    } else {
      live_.erase(op.key);
    }
  }
}

const Model::Entry* Model::Find(const std::string& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

void Model::Note(CheckResult* r, std::string message) const {
  if (r->messages.size() < 12) r->messages.push_back(std::move(message));
}

CheckResult Model::Check(DB* db, uint64_t in_flight_id, const Batch& in_flight) {
  CheckResult r;
  // The in-flight batch's keys as they would be without it (before) and with it (after).
  std::map<std::string, std::pair<MaybeValue, MaybeValue>> candidates;
  auto candidate = [&](const std::string& key, const MaybeValue& after) {
    auto [it, fresh] = candidates.try_emplace(key);
    if (fresh) {
      auto live = live_.find(key);
      if (live != live_.end()) it->second.first = live->second;
    }
    it->second.second = after;
  };
  for (const Op& op : in_flight) {
    if (op.range_end) {
      const uint32_t first = KeyIndex(op.key);
      for (uint32_t i = first; i < first + op.range_keys; i++) candidate(KeyName(i), std::nullopt);
    } else {
      candidate(op.key, op.value);
    }
  }
  // Each key shows the state before the batch, after it, both (the batch did not change it)
  // or neither. Keys showing neither are judged against the acknowledged state like any
  // other key (a lost acknowledged batch shows here first when it shares keys with the
  // in-flight one); the batch is torn only if some keys show it applied and others not.
  int applied = 0, unapplied = 0;
  std::set<std::string> judged;
  std::string detail;
  for (const auto& [key, states] : candidates) {
    MaybeValue actual;
    Status s = Read(db, key, &actual);
    if (!s.ok()) {
      r.wrong++;
      Note(&r, "Get(" + key + "): " + s.ToString());
      return r;
    }
    const bool before = actual == states.first, after = actual == states.second;
    applied += after && !before;
    unapplied += before && !after;
    if (!before && !after) {
      Judge(key, actual, &r);
      judged.insert(key);
    }
    detail += " " + key + "=" + Show(actual);
  }
  if (applied > 0 && unapplied > 0) {
    r.torn++;
    Note(&r, "in-flight batch " + std::to_string(in_flight_id) + " is partly applied:" + detail);
    return r;
  }
  r.in_flight_applied = applied > 0;
  if (r.in_flight_applied) Apply(in_flight_id, in_flight);

  CheckPointReads(db, judged, &r);
  if (r.ok()) CheckScan(db, &r);
  return r;
}

void Model::Judge(const std::string& key, const std::optional<std::string>& actual,
                  CheckResult* r) const {
  const Entry* e = Find(key);
  const MaybeValue expected = e ? e->value : std::nullopt;
  if (actual == expected) return;
  const std::string what = key + " is " + Show(actual) + ", expected " + Show(expected);
  ValueInfo info;
  if (e == nullptr) {
    r->wrong++;
    Note(r, what + ": the key was never written");
  } else if (!actual) {
    r->lost_batches.insert(e->batch);
    Note(r, what + ": batch " + std::to_string(e->batch) + " lost");
  } else if (!ParseValue(*actual, &info) || info.key != key) {
    r->wrong++;
    Note(r, what + ": not a value this key was given");
  } else if (info.batch < e->batch) {
    r->lost_batches.insert(e->batch);
    Note(r, what + ": batch " + std::to_string(e->batch) + " lost");
  } else {
    r->wrong++;
    Note(r, what + ": a value that was never acknowledged");
  }
}

void Model::CheckPointReads(DB* db, const std::set<std::string>& judged, CheckResult* r) const {
  for (uint32_t i = 0; i < key_count_; i++) {
    const std::string key = KeyName(i);
    if (judged.count(key)) continue;
    MaybeValue actual;
    Status s = Read(db, key, &actual);
    if (!s.ok()) {
      r->wrong++;
      Note(r, "Get(" + key + "): " + s.ToString());
      continue;
    }
    Judge(key, actual, r);
  }
}

void Model::CheckScan(DB* db, CheckResult* r) const {
  std::unique_ptr<Iterator> it = db->NewIterator(ReadOptions());
  std::vector<std::pair<std::string, std::string>> forward;
  auto expected = live_.begin();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string key(it->key());
    if (!forward.empty() && key <= forward.back().first) {
      r->wrong++;
      Note(r, "scan: key " + key + " after " + forward.back().first);
      return;
    }
    if (expected == live_.end() || expected->first != key || expected->second != it->value()) {
      r->wrong++;
      Note(r, "scan yields " + key + " " + Show(std::string(it->value())) + ", Get agreed with " +
                  (expected == live_.end() ? std::string("the end")
                                           : expected->first + " " + Show(expected->second)));
      return;
    }
    forward.emplace_back(std::move(key), std::string(it->value()));
    ++expected;
  }
  if (!it->status().ok() || expected != live_.end()) {
    r->wrong++;
    Note(r, "scan ends early at " + (expected == live_.end() ? "the end" : expected->first) + ": " +
                it->status().ToString());
    return;
  }
  // Backwards over the same state: the same entries in reverse.
  size_t n = forward.size();
  for (it->SeekToLast(); it->Valid(); it->Prev()) {
    if (n == 0 || forward[n - 1].first != it->key() || forward[n - 1].second != it->value()) {
      r->wrong++;
      Note(r, "reverse scan disagrees at " + std::string(it->key()));
      return;
    }
    n--;
  }
  if (n != 0 || !it->status().ok()) {
    r->wrong++;
    Note(r, "reverse scan ends early: " + it->status().ToString());
  }
}

}  // namespace strata::crash
