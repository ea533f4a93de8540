// The crash driver's workload, shared by the writing child and the verifying driver.
//
// Everything is a pure function of (seed, cycle, batch id), so the driver regenerates each
// batch the child acknowledged from its id alone; the pipe carries only ids.
//
// Batches put and delete keys of a bounded key space (overwrites and deletes of live keys
// happen constantly; a hot subset makes some keys change many times within one memtable).
// A value names the batch that wrote it, its key and its length, so that a reader can tell
// which batch it sees and that nothing was cut or misplaced:
//     "b<batch>.<op>.<length>:<key>:" followed by filler up to <length> bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/options.h"

namespace strata::crash {

// How one cycle's child writes: drawn from (seed, cycle) so that cycles vary between
// sync-heavy and unsynced, small and large batches, and so on.
struct Profile {
  int sync_one_in = 0;         // a batch is written with sync=true with probability 1/n; 0: never
  int max_batch_ops = 1;       // ops per batch uniform in [1, max_batch_ops] (at most 50)
  int delete_percent = 20;     // share of ops that are deletes
  int large_value_one_in = 0;  // an op writes a 1-4 KiB value with probability 1/n; 0: never
  int manual_compaction_one_in = 0;  // the writer runs CompactRange after a batch; 0: never
  int range_delete_one_in = 0;       // an op is a DeleteRange of 1-16 keys with probability 1/n
  // A put is written as a merge with probability 1/n (0: never). The workload's operator
  // keeps the newest operand, so a merge reads like a put, and the checker needs no change,
  // while operands cross the log, memtables, flushes and compactions (combined there).
  int merge_one_in = 0;
  // Engine options: tiny buffers and level sizes, so flushes and compactions run constantly.
  size_t write_buffer_size = 64 << 10;
  int level0_trigger = 2;
  size_t block_size = 4 << 10;
  CompressionType compression = CompressionType::kLZ4;
};

Profile ProfileFor(uint64_t seed, int cycle);
// A one-line description for logs.
std::string Describe(const Profile& p);

// The options a database of this workload is opened with (by the child and the driver),
// the merge operator (newest operand wins) among them.
Options OptionsFor(const Profile& p);

struct Op {
  std::string key;
  std::optional<std::string> value;  // nullopt: a delete
  // Set: a range deletion of [key, *range_end) (value is nullopt).
  std::optional<std::string> range_end = std::nullopt;
  uint32_t range_keys = 0;  // the keys of the key space in the range (from key's index)
  bool merge = false;       // value is a merge operand (see Profile::merge_one_in)
};
using Batch = std::vector<Op>;

// The key space is keys [0, key_count).
std::string KeyName(uint32_t index);
// The index of a KeyName.
uint32_t KeyIndex(std::string_view key);
Batch MakeBatch(uint64_t seed, const Profile& p, uint32_t key_count, uint64_t batch_id);

// The value op `op` of batch `batch` puts for key, with `filler` bytes after the header.
std::string MakeValue(uint64_t batch, size_t op, std::string_view key, size_t filler);

// A value's parts; false if value is not of the form above (any cut, any change of length,
// key or filler).
struct ValueInfo {
  uint64_t batch = 0;
  std::string_view key;
};
bool ParseValue(std::string_view value, ValueInfo* info);

}  // namespace strata::crash
