#include "tools/dump/manifest_replay.h"

#include <algorithm>

#include "db/dbformat.h"

namespace strata::dump {

std::string ManifestReplay::Apply(const VersionEdit& edit) {
  if (edit.comparator()) comparator = edit.comparator();
  if (edit.log_number()) log_number = edit.log_number();
  if (edit.next_file_number()) next_file_number = edit.next_file_number();
  if (edit.last_sequence()) last_sequence = edit.last_sequence();
  std::string problems;
  for (const auto& [level, number] : edit.deleted_files()) {
    if (levels[level].erase(number) == 0) {
      problems += "removes file " + std::to_string(number) + " that is not in level " +
                  std::to_string(level) + "; ";
    }
  }
  for (const auto& [level, f] : edit.new_files()) {
    if (!levels[level].emplace(f.number, f).second) {
      problems += "adds file " + std::to_string(f.number) + " twice; ";
    }
  }
  if (!problems.empty()) problems.resize(problems.size() - 2);
  return problems;
}

std::vector<const FileMetaData*> ManifestReplay::Ordered(int level) const {
  std::vector<const FileMetaData*> list;
  auto it = levels.find(level);
  if (it == levels.end()) return list;
  for (const auto& [number, f] : it->second) list.push_back(&f);
  const InternalKeyComparator icmp(BytewiseComparator());
  std::sort(list.begin(), list.end(), [&](const FileMetaData* a, const FileMetaData* b) {
    if (level == 0) {
      if (a->largest_seqno != b->largest_seqno) return a->largest_seqno > b->largest_seqno;
      return a->number > b->number;
    }
    if (a->smallest.size() < kInternalKeyTrailer || b->smallest.size() < kInternalKeyTrailer) {
      return a->number < b->number;
    }
    return icmp.Compare(a->smallest, b->smallest) < 0;
  });
  return list;
}

uint64_t ManifestReplay::LevelBytes(int level) const {
  uint64_t bytes = 0;
  auto it = levels.find(level);
  if (it == levels.end()) return 0;
  for (const auto& [number, f] : it->second) bytes += f.file_size;
  return bytes;
}

}  // namespace strata::dump
