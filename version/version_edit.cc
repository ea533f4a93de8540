#include "version/version_edit.h"

#include <cinttypes>
#include <cstdio>

#include "util/coding.h"

namespace strata {
namespace {

// Field tags. Stored on disk: never renumber; add new tags at the end.
enum Tag : uint32_t {
  kComparator = 1,
  kLogNumber = 2,
  kNextFileNumber = 3,
  kLastSequence = 4,
  kDeletedFile = 5,
  kNewFile = 6,
  kNewIngestedFile = 7,  // kNewFile's fields, then the global sequence number
  kMergeOperator = 8,    // MergeOperator::Name() of the database's merge operator
};

// Levels are bounded so that a damaged edit cannot make us allocate absurd level arrays.
constexpr uint32_t kMaxLevels = 64;

bool GetLevel(std::string_view* in, int* level) {
  uint32_t v;
  if (!GetVarint32(in, &v) || v >= kMaxLevels) return false;
  *level = static_cast<int>(v);
  return true;
}

bool GetInternalKey(std::string_view* in, std::string* key) {
  std::string_view k;
  if (!GetLengthPrefixed(in, &k) || k.size() < kInternalKeyTrailer) return false;
  key->assign(k);
  return true;
}

}  // namespace

void VersionEdit::EncodeTo(std::string* dst) const {
  if (comparator_) {
    PutVarint32(dst, kComparator);
    PutLengthPrefixed(dst, *comparator_);
  }
  if (merge_operator_) {
    PutVarint32(dst, kMergeOperator);
    PutLengthPrefixed(dst, *merge_operator_);
  }
  if (log_number_) {
    PutVarint32(dst, kLogNumber);
    PutVarint64(dst, *log_number_);
  }
  if (next_file_number_) {
    PutVarint32(dst, kNextFileNumber);
    PutVarint64(dst, *next_file_number_);
  }
  if (last_sequence_) {
    PutVarint32(dst, kLastSequence);
    PutVarint64(dst, *last_sequence_);
  }
  for (const auto& [level, number] : deleted_files_) {
    PutVarint32(dst, kDeletedFile);
    PutVarint32(dst, static_cast<uint32_t>(level));
    PutVarint64(dst, number);
  }
  for (const auto& [level, f] : new_files_) {
    // Tables that were not ingested keep the old tag, readable by older versions.
    PutVarint32(dst, f.global_seqno != 0 ? kNewIngestedFile : kNewFile);
    PutVarint32(dst, static_cast<uint32_t>(level));
    PutVarint64(dst, f.number);
    PutVarint64(dst, f.file_size);
    PutLengthPrefixed(dst, f.smallest);
    PutLengthPrefixed(dst, f.largest);
    PutVarint64(dst, f.smallest_seqno);
    PutVarint64(dst, f.largest_seqno);
    if (f.global_seqno != 0) PutVarint64(dst, f.global_seqno);
  }
}

Status VersionEdit::DecodeFrom(std::string_view src) {
  *this = VersionEdit();
  std::string_view in = src;
  const char* bad = nullptr;
  while (bad == nullptr && !in.empty()) {
    uint32_t tag;
    if (!GetVarint32(&in, &tag)) {
      bad = "tag";
      break;
    }
    switch (tag) {
      case kComparator: {
        std::string_view name;
        if (GetLengthPrefixed(&in, &name)) {
          comparator_ = std::string(name);
        } else {
          bad = "comparator name";
        }
        break;
      }
      case kMergeOperator: {
        std::string_view name;
        if (GetLengthPrefixed(&in, &name) && !name.empty()) {
          merge_operator_ = std::string(name);
        } else {
          bad = "merge operator name";
        }
        break;
      }
      case kLogNumber: {
        uint64_t v;
        if (GetVarint64(&in, &v)) {
          log_number_ = v;
        } else {
          bad = "log number";
        }
        break;
      }
      case kNextFileNumber: {
        uint64_t v;
        if (GetVarint64(&in, &v)) {
          next_file_number_ = v;
        } else {
          bad = "next file number";
        }
        break;
      }
      case kLastSequence: {
        uint64_t v;
        if (GetVarint64(&in, &v) && v <= kMaxSequenceNumber) {
          last_sequence_ = v;
        } else {
          bad = "last sequence";
        }
        break;
      }
      case kDeletedFile: {
        int level;
        uint64_t number;
        if (GetLevel(&in, &level) && GetVarint64(&in, &number)) {
          deleted_files_.emplace(level, number);
        } else {
          bad = "deleted file";
        }
        break;
      }
      case kNewFile:
      case kNewIngestedFile: {
        int level;
        FileMetaData f;
        if (GetLevel(&in, &level) && GetVarint64(&in, &f.number) &&
            GetVarint64(&in, &f.file_size) && GetInternalKey(&in, &f.smallest) &&
            GetInternalKey(&in, &f.largest) && GetVarint64(&in, &f.smallest_seqno) &&
            GetVarint64(&in, &f.largest_seqno) &&
            (tag == kNewFile || (GetVarint64(&in, &f.global_seqno) && f.global_seqno != 0))) {
          new_files_.emplace_back(level, std::move(f));
        } else {
          bad = "new file";
        }
        break;
      }
      default:
        bad = "unknown tag";
        break;
    }
  }
  if (bad != nullptr) {
    return Status::Corruption("version edit: bad or truncated field", bad);
  }
  return Status::OK();
}

std::string VersionEdit::DebugString() const {
  std::string r;
  char buf[128];
  if (comparator_) r += "comparator: " + *comparator_ + "\n";
  if (merge_operator_) r += "merge operator: " + *merge_operator_ + "\n";
  if (log_number_) {
    std::snprintf(buf, sizeof buf, "log number: %" PRIu64 "\n", *log_number_);
    r += buf;
  }
  if (next_file_number_) {
    std::snprintf(buf, sizeof buf, "next file number: %" PRIu64 "\n", *next_file_number_);
    r += buf;
  }
  if (last_sequence_) {
    std::snprintf(buf, sizeof buf, "last sequence: %" PRIu64 "\n", *last_sequence_);
    r += buf;
  }
  for (const auto& [level, number] : deleted_files_) {
    std::snprintf(buf, sizeof buf, "remove: level %d file %06" PRIu64 "\n", level, number);
    r += buf;
  }
  for (const auto& [level, f] : new_files_) {
    std::snprintf(buf, sizeof buf,
                  "add: level %d file %06" PRIu64 " size %" PRIu64 " seq %" PRIu64 "..%" PRIu64
                  " keys ",
                  level, f.number, f.file_size, f.smallest_seqno, f.largest_seqno);
    r += buf;
    if (f.global_seqno != 0) r += "(ingested, global seq " + std::to_string(f.global_seqno) + ") ";
    r += InternalKeyDebugString(f.smallest) + " .. " + InternalKeyDebugString(f.largest) + "\n";
  }
  return r;
}

}  // namespace strata
