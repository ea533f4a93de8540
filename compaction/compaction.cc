#include "compaction/compaction.h"

namespace strata {

uint64_t Compaction::InputBytes(int which) const {
  uint64_t sum = 0;
  for (const auto& f : inputs[which]) sum += f->file_size;
  return sum;
}

bool Compaction::IsBaseLevelForKey(const Comparator* ucmp, std::string_view user_key) {
  if (level_ptrs.size() != static_cast<size_t>(version->num_levels())) {
    level_ptrs.assign(version->num_levels(), 0);
  }
  for (int lvl = output_level + 1; lvl < version->num_levels(); lvl++) {
    const FileList& files = version->files(lvl);
    size_t& i = level_ptrs[lvl];
    for (; i < files.size(); i++) {
      const FileMetaData& f = *files[i];
      if (ucmp->Compare(user_key, ExtractUserKey(f.largest)) <= 0) {
        // The first file that ends at or after the key: does it start at or before it?
        if (ucmp->Compare(user_key, ExtractUserKey(f.smallest)) >= 0) return false;
        break;
      }
    }
  }
  return true;
}

}  // namespace strata
