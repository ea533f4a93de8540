#include "compaction/output_cutter.h"

#include <algorithm>

namespace strata {
namespace {

// percent% of bytes, rounded down, without overflow for any target size.
uint64_t PercentOf(uint64_t bytes, uint64_t percent) {
  return bytes / 100 * percent + bytes % 100 * percent / 100;
}

}  // namespace

OutputCutter::OutputCutter(const Comparator* ucmp, const FileList& grandparents,
                           uint64_t target_file_size, uint64_t max_grandparent_overlap,
                           bool at_boundaries)
    : ucmp_(ucmp),
      grandparents_(grandparents),
      target_file_size_(target_file_size),
      max_grandparent_overlap_(max_grandparent_overlap),
      at_boundaries_(at_boundaries) {}

void OutputCutter::StartOutput() {
  overlapped_bytes_ = in_gap_ ? 0 : grandparents_[index_]->file_size;
  boundaries_crossed_ = 0;
}

bool OutputCutter::ShouldCutBefore(std::string_view user_key, bool output_open,
                                   uint64_t output_bytes) {
  // Walk the grandparents up to user_key, counting the boundaries crossed, the bytes of the
  // files entered, and of those the files also left again (stepped over whole).
  size_t crossed = 0;
  uint64_t entered_bytes = 0;
  uint64_t skipped_bytes = 0;
  bool entered_here = false;
  while (index_ < grandparents_.size()) {
    const FileMetaData& f = *grandparents_[index_];
    if (in_gap_) {
      if (ucmp_->Compare(user_key, ExtractUserKey(f.smallest)) < 0) break;
      in_gap_ = false;
      entered_here = true;
      entered_bytes += f.file_size;
    } else {
      if (ucmp_->Compare(user_key, ExtractUserKey(f.largest)) <= 0) break;
      if (entered_here) skipped_bytes += f.file_size;
      in_gap_ = true;
      entered_here = false;
      index_++;
    }
    crossed++;
  }
  if (!output_open) {
    StartOutput();
    return false;
  }
  overlapped_bytes_ += entered_bytes;
  boundaries_crossed_ += crossed;
  bool cut = output_bytes >= target_file_size_;
  if (!cut && crossed > 0) {
    const uint64_t percent = 50 + std::min<uint64_t>(5 * boundaries_crossed_, 40);
    cut = overlapped_bytes_ > max_grandparent_overlap_ ||
          (at_boundaries_ && (skipped_bytes > target_file_size_ / 8 ||
                              output_bytes >= PercentOf(target_file_size_, percent)));
  }
  if (cut) StartOutput();
  return cut;
}

}  // namespace strata
