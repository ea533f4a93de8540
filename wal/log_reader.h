// LogReader: reads the records of a write-ahead log (the WAL, or the MANIFEST) in order,
// reporting every piece of damage it finds to a Reporter.
//
// The reader never trusts the bytes it reads: a length field is checked against the block
// and the file before anything is read through it, every fragment's checksum is verified
// before its payload is used, and arbitrary input can make it report damage but never crash,
// read out of bounds, or return a record that was not written there.
//
// Damage inside a block makes the reader drop the rest of that block (a damaged length means
// nothing later in the block can be located reliably) and resume at the next one, so intact
// records after the damage are still returned. Whether to stop, skip or fail is the caller's
// policy (WalRecoveryMode), decided from the reports; this class only reads and reports.
//
// Reports: each is delivered before any record that follows the damage is returned, and at the
// latest before ReadRecord returns false. Fragments orphaned by a damage that was just reported
// (the middle and last fragments of a record whose start was dropped) are folded into that
// report rather than reported again.
//
// Thread safety: not thread-safe; one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "strata/file_system.h"
#include "wal/log_format.h"

namespace strata {

struct LogCorruption {
  enum class Kind {
    // The file ends inside a header, a fragment or a record, or ends in zero bytes
    // (preallocated or never-written space): what a crash during a write leaves behind.
    kTruncatedTail,
    // A complete fragment whose checksum does not match its type and payload.
    kChecksumMismatch,
    // A length that runs past the end of its block, which no writer produces; also a length
    // that runs past the end of the file when an intact fragment follows it (so the file was
    // not simply cut short).
    kBadLength,
    // An unknown fragment type with a valid checksum (a newer format), zero bytes inside the
    // log that do not reach its end, or non-zero bytes in a block's padding.
    kBadType,
    // A middle or last fragment without a first, or a first fragment whose record is
    // interrupted by another first or full fragment.
    kFragmentOrder,
    // The file could not be read; the reader stops there.
    kIOError,
    // Never reported by the reader: the log's user found an intact record whose contents it
    // rejects (a malformed write batch), so that all damage is judged by one policy.
    kBadPayload,
  };

  // File offset where the dropped bytes start: the start of the damaged record if the damage
  // interrupted one, else the damaged fragment or region.
  uint64_t offset = 0;
  // Bytes of the file skipped, starting at offset. For an I/O error this counts only the
  // partial record before the failed read; what lies beyond it is unknown.
  uint64_t bytes_dropped = 0;
  Kind kind = Kind::kTruncatedTail;
  // Human-readable detail, including the offset of the fragment at fault.
  std::string reason;
};

// "truncated tail", "checksum mismatch", ...: for logs and test output.
const char* LogCorruptionKindName(LogCorruption::Kind kind);

class LogReader {
 public:
  class Reporter {
   public:
    virtual ~Reporter() = default;
    virtual void Corruption(const LogCorruption& corruption) = 0;
  };

  // Reads file from its start. reporter may be null (damage is then skipped silently);
  // otherwise it must outlive the reader.
  LogReader(std::unique_ptr<SequentialFile> file, Reporter* reporter);
  LogReader(const LogReader&) = delete;
  LogReader& operator=(const LogReader&) = delete;

  // Points *record at the next intact record and returns true, or returns false at the end of
  // the file (after reporting any damage at the tail). *record stays valid until the next call
  // or until *scratch changes; scratch holds records that span blocks, and reusing one scratch
  // across calls avoids allocating per record.
  bool ReadRecord(std::string_view* record, std::string* scratch);

  // Starts reading at offset instead of 0; call before the first ReadRecord. offset must be
  // where a record ended (an earlier reader's LastRecordEnd on the same file), so that a
  // reader of a log that is still growing can come back later and resume without reading it
  // again from its start. IOError if the file cannot be read up to offset.
  Status SkipTo(uint64_t offset);

  // File offset of the first byte of the last record returned (its first fragment's header).
  uint64_t LastRecordOffset() const { return last_record_offset_; }
  // File offset just past the last fragment of the last record returned: the log up to here
  // is intact, so it is where a recovered log may be truncated or appended to.
  uint64_t LastRecordEnd() const { return last_record_end_; }

 private:
  struct Fragment {
    LogRecordType type;
    std::string_view payload;
    uint64_t offset;  // of the header
    uint64_t end;     // just past the payload
  };
  enum class Next { kFragment, kDamage, kEof };

  // The next intact fragment, or a description of the next damage, or the end of the file.
  Next ReadFragment(Fragment* fragment, LogCorruption* damage);
  // Replaces the buffer with the next block. Returns false with *damage set on an I/O error.
  bool ReadBlock(LogCorruption* damage);
  // Handles an all-zero header at the front of the buffer (see the .cc).
  Next SkipZeros(LogCorruption* damage);
  // Describes the file ending early at offset, extending back over a just-skipped padding.
  void TruncatedTail(uint64_t offset, uint64_t bytes, const char* what, LogCorruption* damage);
  // True if an intact fragment that starts a record (full or first) starts anywhere after
  // the front of the buffer.
  bool IntactFragmentFollows() const;
  // The same anywhere in bytes.
  static bool IntactFragmentIn(std::string_view bytes);
  enum class Ahead { kIntact, kEnd, kIOError };
  // Drops blocks, starting with what is left in the buffer, until one holds an intact
  // fragment (kIntact: it stays in the buffer) or the file ends (kEnd). On kIOError *damage
  // is set, with offset the block that failed.
  Ahead SeekIntactFragment(LogCorruption* damage);
  // Damage of `kind` at the front of the buffer, or a torn tail if it is the last thing the
  // file holds (see rule 6 in the .cc). Consumes the buffer; may read ahead.
  Next DamageOrTornTail(LogCorruption::Kind kind, const std::string& reason, const char* torn_what,
                        LogCorruption* damage);
  uint64_t BufferOffset() const { return buffer_end_offset_ - buffer_.size(); }

  // Queues a report; an orphaned fragment adjacent to the queued one is merged into it.
  void Report(LogCorruption&& corruption, bool orphan);
  void FlushReport();

  const std::unique_ptr<SequentialFile> file_;
  Reporter* const reporter_;
  const std::unique_ptr<char[]> block_;  // kLogBlockSize bytes, reused for every block
  std::string_view buffer_;              // the unread part of the current block
  uint64_t buffer_end_offset_ = 0;       // file offset just past buffer_
  bool eof_ = false;                     // no block follows the current one

  // Block padding just skipped. If the file ends right after it, a write was cut short.
  uint64_t padding_offset_ = 0;
  uint64_t padding_bytes_ = 0;

  LogCorruption pending_;
  bool has_pending_ = false;

  uint64_t last_record_offset_ = 0;
  uint64_t last_record_end_ = 0;
};

}  // namespace strata
