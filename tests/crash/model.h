// The driver's expected state, and the check of a reopened database against it.
//
// After a kill, every acknowledged batch must be in the database and the one batch that may
// have been in flight must be wholly present or wholly absent. Check compares each key the
// in-flight batch touches against both candidate states, adopts the one found, then reads
// every key of the key space with Get and scans the whole database with an iterator, both
// compared with the model. Differences are sorted into:
//   lost  — an acknowledged batch whose effect is missing (a key holds an older value, or a
//           key it deleted is back with an older value, or a key it wrote is absent);
//   torn  — the in-flight batch is partly applied;
//   wrong — anything else (values from batches never written, malformed values, scans that
//           disagree with Get, iterator errors, keys out of order).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "crash/workload.h"
#include "strata/db.h"

namespace strata::crash {

struct CheckResult {
  bool in_flight_applied = false;
  std::set<uint64_t> lost_batches;
  uint64_t torn = 0;
  uint64_t wrong = 0;
  std::vector<std::string> messages;  // the first few problems, for the report

  bool ok() const { return lost_batches.empty() && torn == 0 && wrong == 0; }
};

class Model {
 public:
  explicit Model(uint32_t key_count) : key_count_(key_count) {}

  void Apply(uint64_t batch_id, const Batch& batch);
  // Checks db after a kill: the model holds every acknowledged batch; in_flight may or may
  // not have been applied. Adopts in_flight when it was.
  CheckResult Check(DB* db, uint64_t in_flight_id, const Batch& in_flight);

  size_t live_keys() const { return live_.size(); }

 private:
  struct Entry {
    uint64_t batch = 0;                // the last batch that wrote or deleted the key
    std::optional<std::string> value;  // nullopt: deleted
  };
  const Entry* Find(const std::string& key) const;
  // Sorts a difference between actual and the model at key into lost or wrong.
  void Judge(const std::string& key, const std::optional<std::string>& actual,
             CheckResult* r) const;
  // Get for every key of the key space but those in judged.
  void CheckPointReads(DB* db, const std::set<std::string>& judged, CheckResult* r) const;
  void CheckScan(DB* db, CheckResult* r) const;
  void Note(CheckResult* r, std::string message) const;

  uint32_t key_count_;
  std::map<std::string, Entry> entries_;     // every key ever written, deleted ones included
  std::map<std::string, std::string> live_;  // the expected database
};

}  // namespace strata::crash
