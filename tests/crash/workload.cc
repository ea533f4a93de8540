#include "crash/workload.h"

#include <algorithm>
#include <charconv>
#include <memory>

#include "strata/merge_operator.h"
#include "util/random.h"

namespace strata::crash {
namespace {

// splitmix64: decorrelates nearby seeds, so that batch b and b + 1 share nothing.
uint64_t Mix(uint64_t a, uint64_t b) {
  uint64_t z = a * 0x9E3779B97F4A7C15ull + b + 0x632BE59BD9B4E019ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

constexpr uint32_t kHotKeys = 64;

// The newest operand wins: a merge means what a put means, whatever lies under it.
class NewestOperandOperator final : public MergeOperator {
 public:
  const char* Name() const override { return "crash.NewestOperand"; }
  bool FullMerge(std::string_view, const std::string_view*,
                 std::span<const std::string_view> operands, std::string* out) const override {
    out->assign(operands.back());
    return true;
  }
  bool PartialMerge(std::string_view, std::span<const std::string_view> operands,
                    std::string* out) const override {
    out->assign(operands.back());
    return true;
  }
};

char FillerChar(uint64_t batch, size_t op) {
  return static_cast<char>('a' + (batch * 31 + op) % 26);
}

bool ParseNumber(std::string_view* in, char end, uint64_t* out) {
  auto [ptr, ec] = std::from_chars(in->data(), in->data() + in->size(), *out);
  if (ec != std::errc() || ptr == in->data() || ptr == in->data() + in->size() || *ptr != end) {
    return false;
  }
  in->remove_prefix(static_cast<size_t>(ptr - in->data()) + 1);
  return true;
}

}  // namespace

Profile ProfileFor(uint64_t seed, int cycle) {
  Random rnd(Mix(seed, 0x70000000ull + static_cast<uint64_t>(cycle)));
  Profile p;
  static constexpr int kSync[] = {0, 0, 1, 2, 10, 100};  // unsynced, sync-heavy, mixed
  static constexpr int kBatch[] = {1, 5, 20, 50};
  p.sync_one_in = kSync[rnd.Uniform(std::size(kSync))];
  p.max_batch_ops = kBatch[rnd.Uniform(std::size(kBatch))];
  p.delete_percent = 10 + static_cast<int>(rnd.Uniform(31));
  p.large_value_one_in = rnd.OneIn(3) ? 0 : 20 + static_cast<int>(rnd.Uniform(200));
  p.manual_compaction_one_in = rnd.OneIn(4) ? 300 : 0;
  p.range_delete_one_in = rnd.OneIn(2) ? 0 : 10 + static_cast<int>(rnd.Uniform(40));
  p.merge_one_in = rnd.OneIn(3) ? 0 : 1 + static_cast<int>(rnd.Uniform(4));
  p.write_buffer_size = (64 + 32 * rnd.Uniform(3)) << 10;
  p.level0_trigger = 2 + static_cast<int>(rnd.Uniform(3));
  p.block_size = rnd.OneIn(2) ? 1024 : 4096;
  p.compression = rnd.OneIn(4) ? CompressionType::kNone : CompressionType::kLZ4;
  return p;
}

std::string Describe(const Profile& p) {
  return "sync_one_in=" + std::to_string(p.sync_one_in) +
         " max_batch_ops=" + std::to_string(p.max_batch_ops) +
         " delete_percent=" + std::to_string(p.delete_percent) +
         " large_value_one_in=" + std::to_string(p.large_value_one_in) +
         " manual_compaction_one_in=" + std::to_string(p.manual_compaction_one_in) +
         " range_delete_one_in=" + std::to_string(p.range_delete_one_in) +
         " merge_one_in=" + std::to_string(p.merge_one_in) +
         " write_buffer_size=" + std::to_string(p.write_buffer_size) +
         " level0_trigger=" + std::to_string(p.level0_trigger) +
         " block_size=" + std::to_string(p.block_size) +
         " lz4=" + std::to_string(p.compression == CompressionType::kLZ4);
}

Options OptionsFor(const Profile& p) {
  Options o;
  o.create_if_missing = true;  // a child may die before its Open created anything
  static const auto newest = std::make_shared<NewestOperandOperator>();
  o.merge_operator = newest;
  o.write_buffer_size = p.write_buffer_size;
  o.max_write_buffer_number = 2;
  o.level0_file_num_compaction_trigger = p.level0_trigger;
  o.level0_slowdown_writes_trigger = 8;
  o.level0_stop_writes_trigger = 12;
  o.max_bytes_for_level_base = 256 << 10;
  o.max_bytes_for_level_multiplier = 4;
  o.target_file_size_base = 64 << 10;
  o.block_size = p.block_size;
  o.compression = p.compression;
  o.block_cache_capacity = 1 << 20;
  return o;
}

std::string KeyName(uint32_t index) {
  std::string digits = std::to_string(index);
  return "k" + std::string(digits.size() < 6 ? 6 - digits.size() : 0, '0') + digits;
}

Batch MakeBatch(uint64_t seed, const Profile& p, uint32_t key_count, uint64_t batch_id) {
  Random rnd(Mix(seed, batch_id));
  Batch batch(1 + rnd.Uniform(static_cast<uint64_t>(p.max_batch_ops)));
  for (size_t i = 0; i < batch.size(); i++) {
    Op& op = batch[i];
    uint32_t index = static_cast<uint32_t>(rnd.OneIn(3) ? rnd.Uniform(std::min(kHotKeys, key_count))
                                                        : rnd.Uniform(key_count));
    op.key = KeyName(index);
    if (p.range_delete_one_in != 0 && rnd.OneIn(p.range_delete_one_in)) {
      op.range_keys =
          std::min<uint32_t>(1 + static_cast<uint32_t>(rnd.Uniform(16)), key_count - index);
      op.range_end = KeyName(index + op.range_keys);
      continue;
    }
    if (static_cast<int>(rnd.Uniform(100)) < p.delete_percent) continue;
    size_t filler = p.large_value_one_in != 0 && rnd.OneIn(p.large_value_one_in)
                        ? 1024 + rnd.Uniform(3073)
                        : rnd.Uniform(100);
    op.value = MakeValue(batch_id, i, op.key, filler);
    op.merge = p.merge_one_in != 0 && rnd.OneIn(p.merge_one_in);
  }
  return batch;
}

uint32_t KeyIndex(std::string_view key) {
  uint32_t index = 0;
  std::from_chars(key.data() + 1, key.data() + key.size(), index);
  return index;
}

std::string MakeValue(uint64_t batch, size_t op, std::string_view key, size_t filler) {
  std::string v = "b" + std::to_string(batch) + "." + std::to_string(op) + "." +
                  std::to_string(filler) + ":" + std::string(key) + ":";
  v.append(filler, FillerChar(batch, op));
  return v;
}

bool ParseValue(std::string_view value, ValueInfo* info) {
  if (value.empty() || value[0] != 'b') return false;
  value.remove_prefix(1);
  uint64_t batch, op, filler;
  if (!ParseNumber(&value, '.', &batch) || !ParseNumber(&value, '.', &op) ||
      !ParseNumber(&value, ':', &filler)) {
    return false;
  }
  size_t colon = value.find(':');
  if (colon == std::string_view::npos || value.size() - colon - 1 != filler) return false;
  const char c = FillerChar(batch, op);
  for (char f : value.substr(colon + 1)) {
    if (f != c) return false;
  }
  info->batch = batch;
  info->key = value.substr(0, colon);
  return true;
}

}  // namespace strata::crash
