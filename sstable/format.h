// The physical layout of a sorted table file: block handles, the footer, the per-block
// trailer (compression type and checksum), block compression, and reading one block back.
// docs/FORMATS.md ("Sorted table files") is the byte-level description; keep them in step.
//
// File layout:
//   data block 0 .. data block n-1 | filter | properties | range_del | metaindex | index | footer
// Every block is followed by a 5-byte trailer: 1 byte compression type, then fixed32
// Checksum(contents, type byte). A BlockHandle's size excludes the trailer.
//
// Everything read from a file is untrusted: handles are checked against the file size,
// checksums before use, and decompression against the stated size, so damaged input yields
// Corruption naming the file and offset, never a crash.
//
// Thread safety: pure functions and plain values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "sstable/block_buffer.h"
#include "strata/file_system.h"
#include "strata/options.h"
#include "strata/status.h"

namespace strata {

// Stored in the footer. Version 2 added the optional "strata.range_del" meta block. Version 3
// is version 2 with an index whose separators are user keys (TableOptions::filter_key of the
// stored keys, ordered by TableOptions::user_comparator); the builder writes it unless a user
// key spans two data blocks, and writes version 2 (internal-key separators) then. A reader
// accepts versions kMinTableFormatVersion..kTableFormatVersion and refuses others. Version 4
// is version 3 whose filter may be of the line-aligned kind (see sstable/bloom.h); the
// builder writes it wherever it would write version 3.
constexpr uint32_t kInternalKeyIndexFormatVersion = 2;
constexpr uint32_t kUserKeyIndexFormatVersion = 3;
constexpr uint32_t kLineAlignedFilterFormatVersion = 4;
constexpr uint32_t kTableFormatVersion = kLineAlignedFilterFormatVersion;  // the newest
constexpr uint32_t kMinTableFormatVersion = 1;
// The last 8 bytes of every table file (on disk: "strataST").
constexpr uint64_t kTableMagicNumber = 0x5453617461727473ull;
// Compression type byte + fixed32 checksum, after every block.
constexpr size_t kBlockTrailerSize = 5;

// Names of the metaindex entries.
inline constexpr std::string_view kFilterBlockName = "strata.filter";
inline constexpr std::string_view kPropertiesBlockName = "strata.properties";
inline constexpr std::string_view kRangeDelBlockName = "strata.range_del";  // since version 2

// Where a block lives: its offset in the file and its size without the trailer.
struct BlockHandle {
  uint64_t offset = 0;
  uint64_t size = 0;

  // Two varint64s.
  static constexpr size_t kMaxEncodedLength = 20;
  void EncodeTo(std::string* dst) const;
  // Consumes a handle from the front of *input; false if malformed.
  bool DecodeFrom(std::string_view* input);
};

// The fixed-size end of every table:
//   metaindex offset, size: fixed64 each | index offset, size: fixed64 each |
//   format version: fixed32 | checksum of the preceding 36 bytes: fixed32 | magic: fixed64
struct Footer {
  static constexpr size_t kEncodedLength = 48;

  BlockHandle metaindex;
  BlockHandle index;
  uint32_t version = kTableFormatVersion;

  void EncodeTo(std::string* dst) const;
  // REQUIRES: input.size() == kEncodedLength. Checks the magic, the checksum and the version;
  // file_name and offset (of the footer) only go into the error message.
  Status DecodeFrom(std::string_view input, std::string_view file_name, uint64_t offset);
};

// Compresses raw per type into *out (cleared first): a varint32 of raw's size followed by the
// compressed bytes. Returns false -- store raw instead -- if type is kNone, raw is too large
// for the compressor, or compression saves less than 1/8 of raw's size.
bool CompressBlock(CompressionType type, std::string_view raw, std::string* out);

// An uncompressed block in memory. Owns its bytes when heap is set; otherwise data points
// into memory owned by the file it was read from.
struct BlockContents {
  std::string_view data;
  BlockBuffer heap;
};

// Makes *result own a copy of bytes (for bytes that will not outlive it). bytes must not lie
// in result's own buffer, which this replaces.
void CopyBlockContents(std::string_view bytes, BlockContents* result);

// True if the block at handle and its trailer end at or before blocks_end; no sum can wrap,
// so a damaged handle of any size is simply false.
inline bool BlockFitsBefore(const BlockHandle& handle, uint64_t blocks_end) {
  return handle.offset <= blocks_end && handle.size <= blocks_end - handle.offset &&
         blocks_end - handle.offset - handle.size >= kBlockTrailerSize;
}

// Appends the trailer of a block whose contents are the whole of *block: the type byte and
// the checksum of contents + type byte.
void AppendBlockTrailer(std::string* block, CompressionType type);

// Reads the block at handle and its trailer, verifies the checksum if verify_checksum, and
// decompresses. blocks_end is where blocks stop (the footer's offset): a handle reaching past
// it is Corruption. Errors name file_name and the block's offset.
Status ReadBlock(const RandomAccessFile& file, std::string_view file_name, uint64_t blocks_end,
                 const BlockHandle& handle, bool verify_checksum, BlockContents* result);

// ReadBlock's checks and decompression, for a block whose bytes (contents and trailer, read at
// handle) were read some other way, such as in a read-ahead window. bytes need not outlive
// the call: an uncompressed block is copied into *result.
Status DecodeBlock(std::string_view bytes, std::string_view file_name, const BlockHandle& handle,
                   bool verify_checksum, BlockContents* result);

}  // namespace strata
