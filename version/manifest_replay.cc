#include "version/manifest_replay.h"

#include <algorithm>

namespace strata {

ManifestReplay::ManifestReplay(const Version& base) : max_levels_(base.num_levels()) {
  for (int level = 0; level < base.num_levels(); level++) {
    auto& files = levels_[level];
    for (const auto& f : base.files(level)) files.emplace(f->number, f);
  }
}

Status ManifestReplay::Apply(const VersionEdit& edit) {
  if (edit.comparator()) comparator = edit.comparator();
  if (edit.merge_operator()) merge_operator = edit.merge_operator();
  if (edit.log_number()) log_number = edit.log_number();
  if (edit.next_file_number()) next_file_number = edit.next_file_number();
  if (edit.last_sequence()) last_sequence = edit.last_sequence();

  Status level_error;
  std::string problems;
  auto beyond = [&](int level) {
    if (level < max_levels_) return false;
    if (level_error.ok()) {
      level_error = Status::InvalidArgument("database has files at level " + std::to_string(level),
                                            "options.num_levels is " + std::to_string(max_levels_));
    }
    return true;
  };
  for (const auto& [level, number] : edit.deleted_files()) {
    if (beyond(level)) continue;
    if (levels_[level].erase(number) == 0) {
      problems += "removes file " + std::to_string(number) + " that is not in level " +
                  std::to_string(level) + "; ";
    }
  }
  for (const auto& [level, f] : edit.new_files()) {
    if (beyond(level)) continue;
    auto added = std::make_shared<FileMetaData>(f);
    added->seeks.SetFor(f.file_size);
    if (!levels_[level].emplace(f.number, std::move(added)).second) {
      problems += "adds file " + std::to_string(f.number) + " twice; ";
    }
  }
  if (!level_error.ok()) return level_error;
  if (problems.empty()) return Status::OK();
  problems.resize(problems.size() - 2);
  return Status::Corruption("MANIFEST edit", problems);
}

const FileMetaData* ManifestReplay::Find(int level, uint64_t number) const {
  auto l = levels_.find(level);
  if (l == levels_.end()) return nullptr;
  auto f = l->second.find(number);
  return f == l->second.end() ? nullptr : f->second.get();
}

FileList ManifestReplay::Ordered(int level, const InternalKeyComparator& icmp) const {
  FileList list;
  auto it = levels_.find(level);
  if (it == levels_.end()) return list;
  for (const auto& [number, f] : it->second) list.push_back(f);
  std::sort(list.begin(), list.end(), [&](const auto& a, const auto& b) {
    if (level == 0) {
      if (a->largest_seqno != b->largest_seqno) return a->largest_seqno > b->largest_seqno;
      return a->number > b->number;
    }
    // A damaged MANIFEST (read by the tools) may hold keys too short to compare.
    if (a->smallest.size() < kInternalKeyTrailer || b->smallest.size() < kInternalKeyTrailer) {
      return a->number < b->number;
    }
    return icmp.Compare(a->smallest, b->smallest) < 0;
  });
  return list;
}

uint64_t ManifestReplay::LevelBytes(int level) const {
  uint64_t bytes = 0;
  auto it = levels_.find(level);
  if (it == levels_.end()) return 0;
  for (const auto& [number, f] : it->second) bytes += f->file_size;
  return bytes;
}

std::shared_ptr<const Version> ManifestReplay::Build(const InternalKeyComparator* icmp,
                                                     int num_levels) const {
  std::vector<FileList> levels(num_levels);
  for (int level = 0; level < num_levels; level++) levels[level] = Ordered(level, *icmp);
  return std::make_shared<const Version>(icmp, std::move(levels));
}

}  // namespace strata
