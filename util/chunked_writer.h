// ChunkedWriter: gathers appends to a file that starts empty into chunks of one size, each
// passed to the file whole and so starting at a multiple of that size; Flush passes the
// rest. For table files, which are written a block (a few KiB) at a time.
//
// Why: one write system call per block cost a compaction millions of calls, and a file
// written in small pieces lands in the page cache as single 4 KiB pages. Written a whole,
// aligned chunk at a time, Linux (6.16 on, ext4 and others) caches it in folios of the
// chunk's size. A pread of a block in a large file cached in 1 MiB folios costs about a
// quarter less: fewer levels of the page cache's tree to walk and one page structure for
// many pages. But a fault in a mapping of the file maps the whole folio it lands in, so a
// file that will be read through a mapping is written in chunks of kMappedChunk, the 64 KiB
// Linux maps around a fault anyway: its reads keep no more pages resident than before.
//
// Errors are sticky: the file's error is returned by the Append or Flush that passed the
// failed chunk and by every call after it; the bytes from the failed chunk on are dropped
// (the caller abandons the file).
//
// Thread safety: one thread at a time, as the file. The file must outlive the writer.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "strata/file_system.h"
#include "strata/status.h"

namespace strata {

class ChunkedWriter {
 public:
  // For a file read with pread: large folios, and little memory for the few files written
  // at once.
  static constexpr size_t kPreadChunk = size_t{1} << 20;
  // For a file read through a mapping (see above).
  static constexpr size_t kMappedChunk = size_t{64} << 10;

  // REQUIRES: file is empty. A chunk of 0 means kMappedChunk.
  ChunkedWriter(WritableFile* file, size_t chunk);
  ChunkedWriter(const ChunkedWriter&) = delete;
  ChunkedWriter& operator=(const ChunkedWriter&) = delete;

  // Buffers data, passing each chunk it completes to the file (data that spans whole chunks
  // of its own is passed without a copy).
  Status Append(std::string_view data);
  // Passes the buffered bytes (less than a chunk) to the file, and lets go of the buffer.
  // The last call: REQUIRES no Append after it (the file's end is no longer aligned).
  Status Flush();

  // Bytes appended but not yet passed to the file.
  size_t buffered() const { return used_; }

 private:
  Status AppendToFile(std::string_view data);

  WritableFile* const file_;
  const size_t chunk_;
  std::unique_ptr<char[]> buffer_;  // chunk_ bytes, made at the first Append that needs it
  size_t used_ = 0;
  Status status_;         // the first error, returned from then on
  bool flushed_ = false;  // for the assertion that nothing follows Flush
};

}  // namespace strata
