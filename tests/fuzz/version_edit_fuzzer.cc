// Fuzz target: VersionEdit::DecodeFrom (a MANIFEST record) over arbitrary bytes.
//
// Round trip: whatever decodes must re-encode to bytes that decode to the same edit, and
// re-encoding that edit must give the same bytes again (the encoding is a fixed point after
// one pass; the input itself may differ, e.g. in over-long varints or repeated fields).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "version/version_edit.h"

namespace strata::fuzz {
namespace {

bool SameFile(const FileMetaData& a, const FileMetaData& b) {
  return a.number == b.number && a.file_size == b.file_size && a.smallest == b.smallest &&
         a.largest == b.largest && a.smallest_seqno == b.smallest_seqno &&
         a.largest_seqno == b.largest_seqno;
}

bool SameEdit(const VersionEdit& a, const VersionEdit& b) {
  if (a.comparator() != b.comparator() || a.log_number() != b.log_number() ||
      a.next_file_number() != b.next_file_number() || a.last_sequence() != b.last_sequence() ||
      a.deleted_files() != b.deleted_files() || a.new_files().size() != b.new_files().size()) {
    return false;
  }
  for (size_t i = 0; i < a.new_files().size(); i++) {
    if (a.new_files()[i].first != b.new_files()[i].first ||
        !SameFile(a.new_files()[i].second, b.new_files()[i].second)) {
      return false;
    }
  }
  return true;
}

}  // namespace
}  // namespace strata::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  using namespace strata::fuzz;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  VersionEdit edit;
  Status s = edit.DecodeFrom(input);
  Touch(s.ToString());
  if (!s.ok()) return 0;
  Touch(edit.DebugString());

  std::string encoded;
  edit.EncodeTo(&encoded);
  VersionEdit again;
  FUZZ_CHECK(again.DecodeFrom(encoded).ok());
  FUZZ_CHECK(SameEdit(edit, again));
  std::string reencoded;
  again.EncodeTo(&reencoded);
  FUZZ_CHECK(reencoded == encoded);
  // Re-encoding only drops what the input held in excess (over-long varints, a field given
  // twice, a file deleted twice); it never invents bytes.
  FUZZ_CHECK(encoded.size() <= input.size());
  return 0;
}
