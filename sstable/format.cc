#include "sstable/format.h"

#include <lz4.h>

#include <climits>
#include <cstring>
#include <string>

#include "util/checksum.h"
#include "util/coding.h"

namespace strata {
namespace {

// Checksummed footer bytes: both handles and the version.
constexpr size_t kFooterChecksummedLength = 36;

Status TableCorruption(std::string_view what, std::string_view file_name, uint64_t offset) {
  std::string msg(what);
  msg.append(" in ");
  msg.append(file_name);
  msg.append(" at offset ");
  msg.append(std::to_string(offset));
  return Status::Corruption(msg);
}

// Decompresses an LZ4 payload (varint32 raw size, then LZ4 block bytes).
Status UncompressLZ4(std::string_view payload, std::string_view file_name, uint64_t offset,
                     BlockContents* result) {
  uint32_t raw_size;
  const char* p = GetVarint32Ptr(payload.data(), payload.data() + payload.size(), &raw_size);
  if (p == nullptr) return TableCorruption("bad compressed block header", file_name, offset);
  size_t compressed_size = payload.data() + payload.size() - p;
  // LZ4 expands at most about 255:1 (a run costs one length byte per 255 bytes), so a larger
  // stated size is damage, and refusing it keeps a flipped bit from asking for gigabytes.
  if (compressed_size > INT_MAX || raw_size > INT_MAX ||
      raw_size > static_cast<uint64_t>(compressed_size) * 256 + 64) {
    return TableCorruption("implausible uncompressed block size", file_name, offset);
  }
  BlockBuffer buf = BlockBuffer::Allocate(raw_size);
  int n = LZ4_decompress_safe(p, buf.data(), static_cast<int>(compressed_size),
                              static_cast<int>(raw_size));
  if (n < 0 || static_cast<uint32_t>(n) != raw_size) {
    return TableCorruption("block decompression failed", file_name, offset);
  }
  result->data = std::string_view(buf.data(), raw_size);
  result->heap = std::move(buf);
  return Status::OK();
}

// Where an uncompressed block's contents come from.
enum class Uncompressed {
  kTakeScratch,   // the bytes are in scratch: the result takes it
  kPointAtBytes,  // the bytes live as long as the file (a mapping): point at them
  kCopy,          // the bytes are the caller's and transient: copy them
};

// REQUIRES: bytes.size() == handle.size + kBlockTrailerSize.
Status Decode(std::string_view bytes, std::string_view file_name, const BlockHandle& handle,
              bool verify_checksum, Uncompressed uncompressed, BlockBuffer scratch,
              BlockContents* result) {
  const char* data = bytes.data();
  const size_t size = handle.size;
  if (verify_checksum) {
    uint32_t stored = DecodeFixed32(data + size + 1);
    if (stored != Checksum(std::string_view(data, size + 1))) {
      return TableCorruption("block checksum mismatch", file_name, handle.offset);
    }
  }
  switch (static_cast<CompressionType>(data[size])) {
    case CompressionType::kNone:
      switch (uncompressed) {
        case Uncompressed::kTakeScratch:
          result->heap = std::move(scratch);
          result->data = std::string_view(data, size);
          break;
        case Uncompressed::kPointAtBytes:
          result->heap = BlockBuffer();
          result->data = std::string_view(data, size);
          break;
        case Uncompressed::kCopy:
          CopyBlockContents(std::string_view(data, size), result);
          break;
      }
      return Status::OK();
    case CompressionType::kLZ4:
      return UncompressLZ4(std::string_view(data, size), file_name, handle.offset, result);
  }
  return TableCorruption(
      "unknown block compression type " + std::to_string(static_cast<unsigned char>(data[size])),
      file_name, handle.offset);
}

}  // namespace

void CopyBlockContents(std::string_view bytes, BlockContents* result) {
  result->heap = BlockBuffer::Allocate(bytes.size());
  if (!bytes.empty()) std::memcpy(result->heap.data(), bytes.data(), bytes.size());
  result->data = std::string_view(result->heap.data(), bytes.size());
}

void BlockHandle::EncodeTo(std::string* dst) const {
  PutVarint64(dst, offset);
  PutVarint64(dst, size);
}

bool BlockHandle::DecodeFrom(std::string_view* input) {
  return GetVarint64(input, &offset) && GetVarint64(input, &size);
}

void Footer::EncodeTo(std::string* dst) const {
  size_t start = dst->size();
  PutFixed64(dst, metaindex.offset);
  PutFixed64(dst, metaindex.size);
  PutFixed64(dst, index.offset);
  PutFixed64(dst, index.size);
  PutFixed32(dst, version);
  PutFixed32(dst, Checksum(std::string_view(*dst).substr(start, kFooterChecksummedLength)));
  PutFixed64(dst, kTableMagicNumber);
}

Status Footer::DecodeFrom(std::string_view input, std::string_view file_name, uint64_t offset) {
  const char* p = input.data();
  if (DecodeFixed64(p + 40) != kTableMagicNumber) {
    return TableCorruption("bad table magic number (not a table file?)", file_name, offset);
  }
  if (DecodeFixed32(p + 36) != Checksum(input.substr(0, kFooterChecksummedLength))) {
    return TableCorruption("footer checksum mismatch", file_name, offset);
  }
  metaindex.offset = DecodeFixed64(p);
  metaindex.size = DecodeFixed64(p + 8);
  index.offset = DecodeFixed64(p + 16);
  index.size = DecodeFixed64(p + 24);
  version = DecodeFixed32(p + 32);
  if (version < kMinTableFormatVersion || version > kTableFormatVersion) {
    return Status::NotSupported("table format version " + std::to_string(version) + " in " +
                                std::string(file_name) + " (this build reads versions " +
                                std::to_string(kMinTableFormatVersion) + " to " +
                                std::to_string(kTableFormatVersion) + ")");
  }
  return Status::OK();
}

bool CompressBlock(CompressionType type, std::string_view raw, std::string* out) {
  out->clear();
  if (type != CompressionType::kLZ4 || raw.size() > LZ4_MAX_INPUT_SIZE) return false;
  PutVarint32(out, static_cast<uint32_t>(raw.size()));
  size_t prefix = out->size();
  int bound = LZ4_compressBound(static_cast<int>(raw.size()));
  out->resize(prefix + bound);
  int n =
      LZ4_compress_default(raw.data(), out->data() + prefix, static_cast<int>(raw.size()), bound);
  if (n <= 0) return false;
  out->resize(prefix + n);
  return out->size() <= raw.size() - raw.size() / 8;
}

void AppendBlockTrailer(std::string* block, CompressionType type) {
  block->push_back(static_cast<char>(type));
  uint32_t crc = Checksum(*block);
  PutFixed32(block, crc);
}

Status ReadBlock(const RandomAccessFile& file, std::string_view file_name, uint64_t blocks_end,
                 const BlockHandle& handle, bool verify_checksum, BlockContents* result) {
  if (!BlockFitsBefore(handle, blocks_end)) {
    return TableCorruption(
        "block handle (size " + std::to_string(handle.size) + ") beyond the end of the blocks",
        file_name, handle.offset);
  }
  const size_t n = handle.size + kBlockTrailerSize;
  // A mapped file hands out its own memory: no buffer to allocate and copy into.
  BlockBuffer scratch;
  if (!file.IsMemoryMapped()) scratch = BlockBuffer::Allocate(n);
  std::string_view bytes;
  Status s = file.Read(handle.offset, n, &bytes, scratch.data());
  if (!s.ok()) return s;
  if (bytes.size() != n) return TableCorruption("truncated block read", file_name, handle.offset);
  // The file may have returned its own memory (e.g. a mapping, which lives as long as the
  // file) instead of the scratch.
  const bool in_scratch = bytes.data() == scratch.data();
  return Decode(bytes, file_name, handle, verify_checksum,
                in_scratch ? Uncompressed::kTakeScratch : Uncompressed::kPointAtBytes,
                std::move(scratch), result);
}

Status DecodeBlock(std::string_view bytes, std::string_view file_name, const BlockHandle& handle,
                   bool verify_checksum, BlockContents* result) {
  if (handle.size > bytes.size() || bytes.size() - handle.size != kBlockTrailerSize) {
    return TableCorruption("truncated block read", file_name, handle.offset);
  }
  return Decode(bytes, file_name, handle, verify_checksum, Uncompressed::kCopy, BlockBuffer(),
                result);
}

}  // namespace strata
