// The write-ahead log's physical format, shared by LogWriter and LogReader (and described
// byte by byte in docs/FORMATS.md, "Write-ahead log").
//
// A log is a sequence of kLogBlockSize blocks (the last one may be short). A block holds
// fragments; a fragment is a kLogHeaderSize header followed by its payload:
//
//   checksum: fixed32  low 32 bits of XXH3-64 over the type byte and the payload
//   length:   fixed16  payload bytes
//   type:     uint8    LogRecordType
//   payload:  length bytes
//
// A fragment never crosses a block boundary, so a reader that loses its place can always
// resume at the next block. When fewer than kLogHeaderSize bytes remain in a block the writer
// fills them with zeros. A record is one kFullType fragment, or kFirstType, any number of
// kMiddleType, then kLastType.
//
// Everything here is on disk: changing any value changes the format.
#pragma once

#include <cstddef>
#include <cstdint>

namespace strata {

// Format version 1. A change that old readers cannot parse needs a new type value (old
// readers then report kBadType rather than misread), never a reuse of an existing one.
constexpr int kLogFormatVersion = 1;

// Stored on disk: never renumber.
enum class LogRecordType : uint8_t {
  // Reserved: zero bytes, as left by preallocation or by a file system that extended the file
  // before the data reached it. Never written as a fragment.
  kZeroType = 0,
  kFullType = 1,
  kFirstType = 2,
  kMiddleType = 3,
  kLastType = 4,
};
constexpr uint8_t kMaxLogRecordType = static_cast<uint8_t>(LogRecordType::kLastType);

constexpr size_t kLogBlockSize = 32768;
// checksum (4) + length (2) + type (1).
constexpr size_t kLogHeaderSize = 4 + 2 + 1;
// The type byte's position in the header; the checksum covers the header from here on.
constexpr size_t kLogTypeOffset = 6;

}  // namespace strata
