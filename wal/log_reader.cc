// Classifying damage: the one distinction recovery depends on is "a write was cut short" (a
// torn tail, which a crash legitimately leaves behind) versus "bytes that were written have
// changed" (everything else). The rules, in the order ReadFragment applies them to the bytes
// at the front of the buffer:
//
// 1. Fewer than a header's bytes left: at the end of the file that is a torn header; in a
//    full block it is padding, which must be zero. Padding followed directly by the end of
//    the file is a torn write too, since the writer emits padding together with the fragment
//    after it.
// 2. An all-zero header starts a zero run. Zeros all the way to the end of the file are a torn
//    tail (preallocated space, or a file system that extended the file before writing the
//    data); zeros that stop before the end are a hole in the log.
// 3. A length that does not fit in what was read: if the file ends first, the write was cut
//    short (or its last sector torn to garbage) -- unless an intact fragment follows in the
//    bytes that do exist, which a cut-short write cannot have, so the length itself is
//    damaged. Elsewhere, a length that crosses the block end was never written by any writer.
// 4. A checksum mismatch: the rest of the block is dropped, because the length that would
//    locate the next fragment is among the bytes that failed the check. In the file's last
//    block with no intact fragment after it, it is a torn write: power loss kept the start of
//    the last write and zeros or garbage in its last sector.
// 5. A valid checksum with an unknown type: only that fragment is dropped (its length is
//    trustworthy).
// 6. "With nothing intact after it" in rules 2 to 4 reaches to the end of the file, and
//    "intact" means an intact fragment that starts a record (full or first): damage, or a
//    zero run, followed by no such fragment is a write cut short. A log written through a
//    mapping (FileSystem::NewLogFile) is preallocated with zeros, and a process killed while
//    copying a record leaves any part of it among them (memcpy may store the first bytes of
//    a range last, so a later fragment of the torn record can be whole). The reader reads
//    ahead to find out; it stops at the first block holding such a fragment, parsed next.

#include "wal/log_reader.h"

#include <algorithm>

#include "util/checksum.h"
#include "util/coding.h"

namespace strata {

namespace {

using Kind = LogCorruption::Kind;

bool AllZero(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == 0; });
}

LogCorruption MakeCorruption(uint64_t offset, uint64_t bytes, Kind kind, std::string reason) {
  LogCorruption c;
  c.offset = offset;
  c.bytes_dropped = bytes;
  c.kind = kind;
  c.reason = std::move(reason);
  return c;
}

std::string At(std::string_view what, uint64_t offset) {
  std::string s(what);
  s += " at offset ";
  s += std::to_string(offset);
  return s;
}

}  // namespace

const char* LogCorruptionKindName(LogCorruption::Kind kind) {
  switch (kind) {
    case Kind::kTruncatedTail:
      return "truncated tail";
    case Kind::kChecksumMismatch:
      return "checksum mismatch";
    case Kind::kBadLength:
      return "bad length";
    case Kind::kBadType:
      return "bad type";
    case Kind::kFragmentOrder:
      return "fragment order";
    case Kind::kIOError:
      return "I/O error";
    case Kind::kBadPayload:
      return "bad payload";
  }
  return "unknown";
}

LogReader::LogReader(std::unique_ptr<SequentialFile> file, Reporter* reporter)
    : file_(std::move(file)), reporter_(reporter), block_(new char[kLogBlockSize]) {}

Status LogReader::SkipTo(uint64_t offset) {
  // Blocks are read whole from their start, so resume at the start of offset's block.
  const uint64_t block_start = offset - offset % kLogBlockSize;
  if (block_start > 0) {
    Status s = file_->Skip(block_start);
    if (!s.ok()) return s;
  }
  buffer_end_offset_ = block_start;
  last_record_offset_ = last_record_end_ = offset;
  const uint64_t within = offset - block_start;
  if (within == 0) return Status::OK();
  LogCorruption damage;
  if (!ReadBlock(&damage)) return Status::IOError(damage.reason);
  if (buffer_.size() < within) {
    return Status::IOError(At("the log is shorter than the offset to resume", offset));
  }
  buffer_.remove_prefix(within);
  return Status::OK();
}

bool LogReader::ReadRecord(std::string_view* record, std::string* scratch) {
  scratch->clear();
  *record = std::string_view();
  bool in_fragmented_record = false;
  uint64_t record_start = 0;  // valid while in_fragmented_record

  Fragment fragment;
  LogCorruption damage;
  while (true) {
    switch (ReadFragment(&fragment, &damage)) {
      case Next::kDamage:
        if (in_fragmented_record) {
          // The record's earlier fragments are lost with it.
          damage.reason = At("record", record_start) + ": " + damage.reason;
          damage.bytes_dropped += damage.offset - record_start;
          damage.offset = record_start;
          in_fragmented_record = false;
          scratch->clear();
        }
        Report(std::move(damage), /*orphan=*/false);
        break;

      case Next::kEof:
        if (in_fragmented_record) {
          Report(
              MakeCorruption(record_start, buffer_end_offset_ - record_start, Kind::kTruncatedTail,
                             At("the file ends inside the record", record_start)),
              /*orphan=*/false);
          scratch->clear();
        }
        FlushReport();
        return false;

      case Next::kFragment:
        switch (fragment.type) {
          case LogRecordType::kFullType:
            if (in_fragmented_record) {
              Report(
                  MakeCorruption(record_start, fragment.offset - record_start, Kind::kFragmentOrder,
                                 At("record", record_start) + " is cut off by " +
                                     At("a full fragment", fragment.offset)),
                  /*orphan=*/false);
              scratch->clear();
            }
            FlushReport();
            last_record_offset_ = fragment.offset;
            last_record_end_ = fragment.end;
            *record = fragment.payload;
            return true;

          case LogRecordType::kFirstType:
            if (in_fragmented_record) {
              Report(
                  MakeCorruption(record_start, fragment.offset - record_start, Kind::kFragmentOrder,
                                 At("record", record_start) + " is cut off by " +
                                     At("a first fragment", fragment.offset)),
                  /*orphan=*/false);
            }
            FlushReport();
            in_fragmented_record = true;
            record_start = fragment.offset;
            scratch->assign(fragment.payload);
            break;

          case LogRecordType::kMiddleType:
          case LogRecordType::kLastType:
            if (!in_fragmented_record) {
              Report(MakeCorruption(fragment.offset, fragment.end - fragment.offset,
                                    Kind::kFragmentOrder,
                                    At(fragment.type == LogRecordType::kMiddleType
                                           ? "middle fragment without a first fragment"
                                           : "last fragment without a first fragment",
                                       fragment.offset)),
                     /*orphan=*/true);
              break;
            }
            scratch->append(fragment.payload);
            if (fragment.type == LogRecordType::kLastType) {
              FlushReport();
              last_record_offset_ = record_start;
              last_record_end_ = fragment.end;
              *record = *scratch;
              return true;
            }
            break;

          case LogRecordType::kZeroType:
            break;  // ReadFragment never returns it
        }
        break;
    }
  }
}

LogReader::Next LogReader::ReadFragment(Fragment* fragment, LogCorruption* damage) {
  while (true) {
    if (buffer_.size() < kLogHeaderSize) {
      if (!buffer_.empty()) {
        const uint64_t offset = BufferOffset();
        const size_t n = buffer_.size();
        const bool zeros = AllZero(buffer_);
        buffer_ = std::string_view();
        if (eof_) {
          TruncatedTail(offset, n, "the file ends inside a fragment header", damage);
          return Next::kDamage;
        }
        if (!zeros) {
          *damage = MakeCorruption(offset, n, Kind::kBadType,
                                   At("non-zero bytes in block padding", offset));
          return Next::kDamage;
        }
        padding_offset_ = offset;
        padding_bytes_ = n;
      }
      if (eof_) return Next::kEof;
      if (!ReadBlock(damage)) return Next::kDamage;
      if (buffer_.empty() && padding_bytes_ > 0 &&
          padding_offset_ + padding_bytes_ == buffer_end_offset_) {
        TruncatedTail(buffer_end_offset_, 0, "the file ends after block padding", damage);
        return Next::kDamage;
      }
      continue;
    }

    const char* header = buffer_.data();
    const uint64_t offset = BufferOffset();
    const uint32_t expected = DecodeFixed32(header);
    const size_t length = DecodeFixed16(header + 4);
    const auto type = static_cast<uint8_t>(header[kLogTypeOffset]);

    if (expected == 0 && length == 0 && type == 0) return SkipZeros(damage);

    if (kLogHeaderSize + length > buffer_.size()) {
      const bool fits_block = offset % kLogBlockSize + kLogHeaderSize + length <= kLogBlockSize;
      // A length past the block end is never written, but a torn last sector may hold
      // garbage where the header was: at the end of the file, with nothing intact after
      // it, that too is a torn write.
      return DamageOrTornTail(
          Kind::kBadLength,
          At(fits_block ? "fragment length runs past the end of the file, yet an intact "
                          "fragment follows,"
                        : "fragment length runs past the end of its block,",
             offset) +
              " (length " + std::to_string(length) + ")",
          fits_block ? "the file ends inside a fragment"
                     : "a fragment length past its block in the torn end of the file",
          damage);
    }

    if (Checksum(std::string_view(header + kLogTypeOffset, 1 + length)) != expected) {
      // A torn last sector (the file system kept the start of a write and zeros or stale
      // bytes after it) is indistinguishable from damage to the very last fragment.
      return DamageOrTornTail(
          Kind::kChecksumMismatch, At("checksum mismatch in the fragment", offset),
          "checksum mismatch in the last fragment, nothing intact after it", damage);
    }
    buffer_.remove_prefix(kLogHeaderSize + length);

    if (type == 0 || type > kMaxLogRecordType) {
      *damage = MakeCorruption(offset, kLogHeaderSize + length, Kind::kBadType,
                               At("unknown fragment type " + std::to_string(type), offset));
      return Next::kDamage;
    }
    fragment->type = static_cast<LogRecordType>(type);
    fragment->payload = std::string_view(header + kLogHeaderSize, length);
    fragment->offset = offset;
    fragment->end = offset + kLogHeaderSize + length;
    return Next::kFragment;
  }
}

bool LogReader::ReadBlock(LogCorruption* damage) {
  Status s = file_->Read(kLogBlockSize, &buffer_, block_.get());
  if (s.ok() && buffer_.size() > kLogBlockSize) {
    s = Status::IOError("log reader: the file returned more bytes than asked for");
  }
  if (!s.ok()) {
    buffer_ = std::string_view();
    eof_ = true;
    *damage = MakeCorruption(buffer_end_offset_, 0, Kind::kIOError,
                             At("read failed", buffer_end_offset_) + ": " + s.ToString());
    return false;
  }
  buffer_end_offset_ += buffer_.size();
  // SequentialFile::Read returns fewer bytes than asked only at the end of the file.
  if (buffer_.size() < kLogBlockSize) eof_ = true;
  return true;
}

LogReader::Next LogReader::SkipZeros(LogCorruption* damage) {
  const uint64_t start = BufferOffset();
  if (!AllZero(buffer_)) {
    return DamageOrTornTail(Kind::kBadType, At("zero bytes where a fragment header belongs", start),
                            "a fragment torn in the middle of its copy, zeros around it", damage);
  }
  // The zeros reach the block end; they are a torn tail only if nothing intact follows them.
  buffer_ = std::string_view();
  while (!eof_) {
    const uint64_t block_start = buffer_end_offset_;
    if (!ReadBlock(damage)) {
      damage->bytes_dropped = block_start - start;
      damage->offset = start;
      return Next::kDamage;
    }
    if (!AllZero(buffer_)) break;
    buffer_ = std::string_view();
  }
  if (buffer_.empty()) {
    TruncatedTail(start, buffer_end_offset_ - start, "zero-filled tail", damage);
    return Next::kDamage;
  }
  switch (SeekIntactFragment(damage)) {
    case Ahead::kIOError:
      damage->bytes_dropped = damage->offset - start;
      damage->offset = start;
      return Next::kDamage;
    case Ahead::kEnd:
      TruncatedTail(start, buffer_end_offset_ - start, "zero-filled region, then a torn write",
                    damage);
      return Next::kDamage;
    case Ahead::kIntact:
      break;
  }
  // Leave the block with an intact fragment in the buffer: it is parsed normally next.
  *damage = MakeCorruption(start, BufferOffset() - start, Kind::kBadType,
                           At("zero-filled region inside the log", start));
  return Next::kDamage;
}

LogReader::Next LogReader::DamageOrTornTail(Kind kind, const std::string& reason,
                                            const char* torn_what, LogCorruption* damage) {
  const uint64_t offset = BufferOffset();
  const bool intact_in_block = IntactFragmentFollows();
  buffer_ = std::string_view();  // the rest of the block is dropped either way
  if (!intact_in_block) {
    switch (SeekIntactFragment(damage)) {
      case Ahead::kIOError:
        damage->bytes_dropped = damage->offset - offset;
        damage->offset = offset;
        return Next::kDamage;
      case Ahead::kEnd:
        TruncatedTail(offset, buffer_end_offset_ - offset, torn_what, damage);
        return Next::kDamage;
      case Ahead::kIntact:
        break;
    }
  }
  *damage = MakeCorruption(offset, BufferOffset() - offset, kind, reason);
  return Next::kDamage;
}

LogReader::Ahead LogReader::SeekIntactFragment(LogCorruption* damage) {
  while (!IntactFragmentIn(buffer_)) {
    buffer_ = std::string_view();
    if (eof_) return Ahead::kEnd;
    const uint64_t block_start = buffer_end_offset_;
    if (!ReadBlock(damage)) {
      damage->offset = block_start;  // callers extend the report back to the damage
      return Ahead::kIOError;
    }
  }
  return Ahead::kIntact;
}

void LogReader::TruncatedTail(uint64_t offset, uint64_t bytes, const char* what,
                              LogCorruption* damage) {
  uint64_t start = offset;
  if (padding_bytes_ > 0 && padding_offset_ + padding_bytes_ == offset) {
    // The padding belonged to the write that was cut short.
    start = padding_offset_;
    bytes += padding_bytes_;
  }
  *damage = MakeCorruption(start, bytes, Kind::kTruncatedTail, At(what, offset));
}

bool LogReader::IntactFragmentFollows() const {
  return !buffer_.empty() && IntactFragmentIn(buffer_.substr(1));
}

bool LogReader::IntactFragmentIn(std::string_view rest) {
  for (size_t i = 0; i + kLogHeaderSize <= rest.size(); i++) {
    const char* h = rest.data() + i;
    const auto type = static_cast<LogRecordType>(h[kLogTypeOffset]);
    // Only a fragment that starts a record proves that writing went on after the damage: a
    // record copied out of order (its first bytes last) may hold an intact later fragment.
    if (type != LogRecordType::kFullType && type != LogRecordType::kFirstType) continue;
    const size_t length = DecodeFixed16(h + 4);
    if (i + kLogHeaderSize + length > rest.size()) continue;
    if (Checksum(std::string_view(h + kLogTypeOffset, 1 + length)) == DecodeFixed32(h)) {
      return true;
    }
  }
  return false;
}

void LogReader::Report(LogCorruption&& corruption, bool orphan) {
  if (orphan && has_pending_ && pending_.offset + pending_.bytes_dropped == corruption.offset) {
    pending_.bytes_dropped += corruption.bytes_dropped;
    return;
  }
  FlushReport();
  pending_ = std::move(corruption);
  has_pending_ = true;
}

void LogReader::FlushReport() {
  if (!has_pending_) return;
  has_pending_ = false;
  if (reporter_ != nullptr) reporter_->Corruption(pending_);
}

}  // namespace strata
