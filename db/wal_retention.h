// WalRetention: decides which obsolete logs (below the MANIFEST's log number: their data is
// in tables) are deleted now and which are kept for change feeds, by Options::wal_ttl_seconds,
// Options::wal_size_limit_mb and the log slots; invalidates slots that hold more than
// Options::max_slot_lag_mb.
//
// Retained logs stay in place in the database directory: recovery replays only logs at or
// above the MANIFEST's log number, so it never replays them again (docs/FORMATS.md,
// "Database directory"). Logs are always deleted oldest first, so the history kept is one
// unbroken run of logs and a feed never finds a hole in it.
//
// Thread safety: Choose and Report may be called from any thread (an internal mutex
// serializes them). They read files and must not be called with the DB's mutex held.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "strata/file_system.h"
#include "strata/options.h"
#include "util/logger.h"
#include "util/mutex.h"

namespace strata {

class WalRetention {
 public:
  WalRetention(const Options& options, FileSystem* fs, std::string dbname, Logger* log);

  // obsolete: the logs the database no longer needs, ascending; logs: every log on disk,
  // ascending (the live ones too: slots may hold them, and count them in their lag). Returns
  // the obsolete logs to delete now: a prefix of obsolete.
  std::vector<uint64_t> Choose(const std::vector<uint64_t>& obsolete,
                               const std::vector<uint64_t>& logs);

  // Whether Choose may keep an obsolete log now: retention by age or size is on, or a log slot
  // exists (or the slots cannot be listed).
  bool MayRetain();
  // Whether retention by age or size is on (Options::wal_ttl_seconds, wal_size_limit_mb).
  bool RetainsByAgeOrSize() const {
    return options_.wal_ttl_seconds > 0 || options_.wal_size_limit_mb > 0;
  }

  // The strata.wal-retention text: each log with its size, first sequence and state, then
  // each slot with its position, the log it holds from and its lag in bytes.
  std::string Report(const std::vector<uint64_t>& logs, uint64_t live_from);

  // Tests: pretend this many more seconds have passed (for the TTL).
  void TEST_AdvanceClock(uint64_t seconds);

 private:
  struct LogInfo {
    uint64_t number = 0;
    uint64_t size = 0;
    bool has_first = false;
    uint64_t first = 0;
  };
  // Sizes and first sequences of logs (first sequences of obsolete logs are cached: such a
  // log never changes).
  std::vector<LogInfo> Describe(const std::vector<uint64_t>& logs) REQUIRES(mu_);
  // Index in infos of the oldest log a consumer at sequence needs.
  static size_t HeldFrom(const std::vector<LogInfo>& infos, uint64_t sequence);
  uint64_t NowSeconds() REQUIRES(mu_);

  const Options options_;
  FileSystem* const fs_;
  const std::string dbname_;
  Logger* const log_;
  Mutex mu_;
  std::map<uint64_t, uint64_t> obsolete_since_ GUARDED_BY(mu_);  // log -> seconds
  std::map<uint64_t, uint64_t> first_sequence_ GUARDED_BY(mu_);  // log -> first sequence
  uint64_t clock_offset_ GUARDED_BY(mu_) = 0;
};

}  // namespace strata
