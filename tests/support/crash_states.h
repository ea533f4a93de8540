// Crash states: what power loss may leave of files whose last changes were not synced, beyond
// the simple model of "every unsynced byte is gone" (in the manner of the ALICE and
// CrashMonkey studies of file systems):
// - an unsynced append survives as any prefix, and its last sector may be torn: the end of
//   the surviving bytes replaced by zeros (a block allocated but never written) or garbage
//   (stale contents of the device);
// - files persist their unsynced appends independently, so a later write to one file may
//   survive while an earlier write to another is lost (reordering);
// - a file whose creation was never made durable keeps or loses its directory entry
//   independently of every other file.
// Synced bytes are never changed. A FileFate says what one file keeps; ApplyFileFate makes
// it so on a file system. RandomFate draws one; ForEachCrashState enumerates a small set of
// fates per file and every combination of them (the exhaustive mode, for small workloads).
//
// Thread safety: plain functions over values; the file system calls follow its rules.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "strata/file_system.h"
#include "util/random.h"

namespace strata::test {

// A file that power loss now could leave in more than one state.
struct UnsyncedFile {
  std::string path;
  uint64_t size = 0;           // bytes on the (simulated) disk now
  uint64_t synced_size = 0;    // bytes that survive power loss for certain
  bool entry_durable = false;  // the directory entry survives for certain
  // Bytes in [lost_begin, lost_end) are gone whatever happens (dirty data dropped when a
  // sync failed, as Linux does); empty when lost_begin == lost_end.
  uint64_t lost_begin = 0;
  uint64_t lost_end = 0;
};

struct FileFate {
  bool keep_entry = true;   // false only for a file whose entry is not durable
  uint64_t keep_bytes = 0;  // in [synced_size, size]
  uint64_t tear_bytes = 0;  // the last tear_bytes of the kept bytes are torn (never synced ones)
  bool tear_zeros = true;   // torn bytes read as zeros, else as garbage
};

// "entry lost", "keep 123/456 torn 100 zeros", ...: for messages.
std::string DescribeFate(const UnsyncedFile& file, const FileFate& fate);

// The classic model: only synced bytes and durable entries survive.
FileFate DropAllUnsynced(const UnsyncedFile& file);
// A fate drawn at random among the states above.
FileFate RandomFate(const UnsyncedFile& file, Random* rnd);

// Applies fate to the file at path on fs (which is not simulating anything): removes it, or
// cuts it to keep_bytes, tears its end, and zeros the lost range. Garbage is derived from
// seed, so that a state can be reproduced.
Status ApplyFileFate(FileSystem* fs, const std::string& path, const UnsyncedFile& file,
                     const FileFate& fate, uint64_t seed);

// The fates the exhaustive mode tries for one file (at most five, no duplicates).
std::vector<FileFate> CandidateFates(const UnsyncedFile& file);
// Calls fn with one fate per file for every combination of CandidateFates, up to max_states
// combinations; returns how many it visited. fn returns false to stop early.
uint64_t ForEachCrashState(const std::vector<UnsyncedFile>& files, uint64_t max_states,
                           const std::function<bool(const std::vector<FileFate>&)>& fn);

// Copies every file of dir (no subdirectories) into to, which is created.
Status CopyDir(FileSystem* fs, const std::string& dir, const std::string& to);
// A hash of the names and contents of dir's files, to count distinct states.
uint64_t HashDir(FileSystem* fs, const std::string& dir);

}  // namespace strata::test
