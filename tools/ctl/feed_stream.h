// The binary framing of `strata_ctl tail --format binary`, read by `strata_ctl apply`: a
// stream of frames meant for a pipe (docs/FORMATS.md, "Change feed stream").
//
//   frame: type u8 | length fixed32 | payload (length bytes) | checksum fixed32
//   checksum: low 32 bits of XXH3-64 over type, length and payload
//   type 1, header (first frame, once): fixed32 version (1) | varstring source database
//           directory (absolute) | varstring slot name (empty: none)
//   type 2, batch: the encoded WriteBatch of one feed record (its first sequence and count
//           are in its first 12 bytes)
//
// A frame cut short at the end of the stream (the writer was killed) is reported as such;
// any other malformed frame is Corruption.
//
// Thread safety: pure functions and a reader used by one thread.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <string_view>

#include "strata/status.h"

namespace strata::ctl {

enum class FrameType : uint8_t { kHeader = 1, kBatch = 2 };

struct FeedHeader {
  std::string source;  // the database the feed comes from
  std::string slot;    // the slot it reads through, if any
};

// Appends one frame to *out.
void AppendFrame(FrameType type, std::string_view payload, std::string* out);
std::string EncodeHeader(const FeedHeader& header);
Status DecodeHeader(std::string_view payload, FeedHeader* header);

// Reads frames from a stream.
class FrameReader {
 public:
  explicit FrameReader(std::istream* in) : in_(in) {}
  // OK and *more = true with the next frame; OK and *more = false at a clean end of the
  // stream; Corruption for a damaged frame or one cut short ("ends inside a frame").
  Status Next(FrameType* type, std::string* payload, bool* more);

 private:
  std::istream* const in_;
};

}  // namespace strata::ctl
