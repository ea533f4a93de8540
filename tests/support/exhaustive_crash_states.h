// Exhaustive crash states of a small workload, in the manner of the ALICE and CrashMonkey
// studies: a machine death at every changing file operation of a few writes (some synced)
// and flushes, once with the operation it dies in lost and once with it reaching the disk;
// for each, every combination of the candidate fates (support/crash_states.h) of the files
// that could lose something: synced part only, everything, a torn half with a garbage
// sector, everything with a zeroed last sector, entry lost. Each state is opened on a copy
// of the directory in the default recovery mode and must hold a prefix of the acknowledged
// writes at least as long as the durable ones (the in-flight write may be there too).
// Failures are reported with gtest assertions naming the crash point and every file's fate.
#pragma once

#include <cstdint>
#include <string>

namespace strata::test {

struct ExhaustiveCrashResult {
  uint64_t crash_points = 0;
  uint64_t states = 0;    // combinations visited
  uint64_t distinct = 0;  // ... of which distinct directories (each opened and checked)
  uint64_t violations = 0;
};

// writes: batches of about 3 KB over 23 keys, every 5th synced, a Flush every 11th.
// max_states_per_point bounds the combinations tried at one crash point.
ExhaustiveCrashResult RunExhaustiveCrashStates(const std::string& dir, int writes,
                                               uint64_t max_states_per_point);
void PrintExhaustiveCrashResult(const ExhaustiveCrashResult& result, double seconds);

}  // namespace strata::test
