#include "strata/options.h"

namespace strata {

Status Options::Validate() const {
  if (write_buffer_size < (64 << 10)) {
    return Status::InvalidArgument("write_buffer_size must be at least 64 KiB");
  }
  if (!(memtable_bloom_size_ratio >= 0 && memtable_bloom_size_ratio <= 0.25)) {
    return Status::InvalidArgument("memtable_bloom_size_ratio must be in [0, 0.25]");
  }
  if (max_write_buffer_number < 2) {
    return Status::InvalidArgument("max_write_buffer_number must be at least 2");
  }
  if (block_size < 256 || block_size > (256u << 20)) {
    return Status::InvalidArgument("block_size must be in [256 B, 256 MiB]");
  }
  if (block_restart_interval < 1) {
    return Status::InvalidArgument("block_restart_interval must be at least 1");
  }
  if (index_block_restart_interval < 1) {
    return Status::InvalidArgument("index_block_restart_interval must be at least 1");
  }
  if (bloom_bits_per_key < 0) return Status::InvalidArgument("bloom_bits_per_key is negative");
  if (max_open_files < 10) return Status::InvalidArgument("max_open_files must be at least 10");
  if (num_levels < 2 || num_levels > 20) {
    return Status::InvalidArgument("num_levels must be in [2, 20]");
  }
  if (level0_file_num_compaction_trigger < 1 ||
      level0_slowdown_writes_trigger < level0_file_num_compaction_trigger ||
      level0_stop_writes_trigger < level0_slowdown_writes_trigger) {
    return Status::InvalidArgument(
        "level0 triggers must satisfy 1 <= compaction <= slowdown <= stop");
  }
  if (max_bytes_for_level_multiplier <= 1) {
    return Status::InvalidArgument("max_bytes_for_level_multiplier must exceed 1");
  }
  if (target_file_size_base == 0) return Status::InvalidArgument("target_file_size_base is 0");
  if (max_background_jobs < 1) {
    return Status::InvalidArgument("max_background_jobs must be at least 1");
  }
  if (max_bg_error_resume_count < 0) {
    return Status::InvalidArgument("max_bg_error_resume_count is negative");
  }
  if (max_bg_error_resume_count > 0 && bg_error_resume_retry_interval_micros == 0) {
    return Status::InvalidArgument("bg_error_resume_retry_interval_micros is 0");
  }
  if (static_cast<unsigned>(wal_recovery_mode) >
      static_cast<unsigned>(WalRecoveryMode::kSkipAnyCorruptedRecords)) {
    return Status::InvalidArgument("unknown wal_recovery_mode");
  }
  if (keep_log_file_num < 0) return Status::InvalidArgument("keep_log_file_num is negative");
  if (compression != CompressionType::kNone && compression != CompressionType::kLZ4) {
    // The value is written into every table: an unknown one would make them unreadable.
    return Status::InvalidArgument("unknown compression type");
  }
  if (wal_ttl_seconds > (1ull << 40) || wal_size_limit_mb > (1ull << 40) ||
      max_slot_lag_mb > (1ull << 40)) {
    return Status::InvalidArgument(
        "wal_ttl_seconds, wal_size_limit_mb and max_slot_lag_mb must be below 2^40");
  }
  return Status::OK();
}

}  // namespace strata
