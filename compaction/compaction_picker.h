// Choosing compaction work: a pure function of a version, the options, where each level's
// last compaction ended, and which files are already being compacted. No I/O, no locks, so
// tests drive it directly.
//
// Leveled policy: level 0's score is its file count over level0_file_num_compaction_trigger;
// level n >= 1 scores its bytes over its target (LevelTarget). The highest score >= 1 goes
// first, but level 0 goes before every level once it reaches level0_slowdown_writes_trigger
// files. Level 0 compacts all its files (they overlap one another) into the base level
// (BaseLevel: level 1, or deeper while a level would aim at about the size of the one below
// it); a deeper
// level compacts one file with the files it overlaps in the next level: by default the file
// whose overlap below is smallest per byte of its own (Options::compaction_pri), or round-robin
// by key after the previous compaction's end. A level over its target that can move a
// file down without rewriting it (nothing below overlaps it) does that first, before any
// merge.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "compaction/compaction.h"
#include "strata/options.h"

namespace strata {

// The fixed target bytes of level (>= 1): max_bytes_for_level_base times
// max_bytes_for_level_multiplier per level below 1.
uint64_t MaxBytesForLevel(const Options& options, int level);
// The target bytes of level (>= 1) in v. Fixed (MaxBytesForLevel) unless
// level_compaction_dynamic_level_bytes: then a level above the deepest non-empty one aims at
// the deepest level's actual bytes divided by the multiplier once per level between them
// (never below max_bytes_for_level_base), so about 90% of the data sits in the deepest level
// and few of its keys have stale copies above; the deepest level itself keeps its fixed
// target, and passing it opens the next level. A level above the ideal base level (see
// BaseLevel) aims at 0 bytes: any file in it is due.
uint64_t LevelTarget(const Version& v, const Options& options, int level);
// The deepest level >= 1 that holds files, or 1 if none does.
int DeepestLevel(const Version& v);
// The level that level 0 compacts into. Level 1 with fixed targets, or while the deepest
// level holds less than max_bytes_for_level_base. Otherwise, going up from the deepest
// level, the level above one is used only while that one's target reaches
// max_bytes_for_level_base times the square root of the multiplier (a thinner step rewrites
// every byte once more for little sorting; RocksDB's base level). Never below a level that
// holds files, so newer data always sits above older; a level above the ideal one that
// still does (a new level just opened) is drained first (LevelTarget 0).
int BaseLevel(const Version& v, const Options& options);
// The most bytes one trivial move takes (25 target files, the anchors' default bound).
uint64_t MaxMoveBytes(const Options& options);
// The score that makes a level due for compaction at >= 1 (0 for the last level).
double LevelScore(const Version& v, const Options& options, int level);

// The most urgent compaction whose files are all free, or null. compact_pointers[level] is
// the largest internal key of the previous compaction at that level (empty: start of the
// key space). busy holds the numbers of files in running compactions. With no level due by
// size, a file that spent its seek budget (seek, if still in v) is compacted into the next
// level: alone, or with all of level 0 (into the base level) if it is there.
std::unique_ptr<Compaction> PickCompaction(std::shared_ptr<const Version> v, const Options& options,
                                           const InternalKeyComparator& icmp,
                                           const std::vector<std::string>& compact_pointers,
                                           const std::set<uint64_t>& busy,
                                           const SeekCompactionCandidate& seek = {});

// A compaction of the files of level that overlap the user-key range [begin, end] (null:
// unbounded; all of level 0 if any of it overlaps), or null if none does. Below last_level
// the files merge into the first level under level that holds any of their keys, else into
// last_level (levels in between hold none of those keys, so nothing is rewritten twice); at
// last_level they are rewritten in place (never level 0). Sets *blocked (and returns null)
// if a file it needs is busy. REQUIRES: last_level < v->num_levels().
std::unique_ptr<Compaction> PickRangeCompaction(std::shared_ptr<const Version> v,
                                                const Options& options,
                                                const InternalKeyComparator& icmp, int level,
                                                const std::string_view* begin,
                                                const std::string_view* end, int last_level,
                                                const std::set<uint64_t>& busy, bool* blocked);

// The files of level whose user-key range intersects [begin, end] (null: unbounded).
FileList OverlappingFiles(const Version& v, const Comparator* ucmp, int level,
                          const std::string_view* begin, const std::string_view* end);

}  // namespace strata
