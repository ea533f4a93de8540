// The binary framing of change feed streams (see tools/ctl/feed_stream.h).
#include "tools/ctl/feed_stream.h"

#include "util/checksum.h"
#include "util/coding.h"

namespace strata::ctl {

namespace {
constexpr size_t kFrameHeader = 5;
constexpr uint32_t kMaxFrame = 1u << 30;
}  // namespace

void AppendFrame(FrameType type, std::string_view payload, std::string* out) {
  const size_t start = out->size();
  out->push_back(static_cast<char>(type));
  PutFixed32(out, static_cast<uint32_t>(payload.size()));
  out->append(payload);
  PutFixed32(out, Checksum(std::string_view(*out).substr(start)));
}

std::string EncodeHeader(const FeedHeader& header) {
  std::string payload;
  PutFixed32(&payload, 1);
  PutLengthPrefixed(&payload, header.source);
  PutLengthPrefixed(&payload, header.slot);
  return payload;
}

Status DecodeHeader(std::string_view payload, FeedHeader* header) {
  uint32_t version = 0;
  std::string_view source, slot;
  if (!GetFixed32(&payload, &version) || !GetLengthPrefixed(&payload, &source) ||
      !GetLengthPrefixed(&payload, &slot) || !payload.empty()) {
    return Status::Corruption("feed stream: malformed header frame");
  }
  if (version != 1) {
    return Status::NotSupported("feed stream: version " + std::to_string(version));
  }
  header->source = source;
  header->slot = slot;
  return Status::OK();
}

Status FrameReader::Next(FrameType* type, std::string* payload, bool* more) {
  *more = false;
  char head[kFrameHeader];
  in_->read(head, kFrameHeader);
  const auto got = static_cast<size_t>(in_->gcount());
  if (got == 0) return Status::OK();
  if (got < kFrameHeader) return Status::Corruption("feed stream: ends inside a frame header");
  const uint32_t length = DecodeFixed32(head + 1);
  if (length > kMaxFrame) return Status::Corruption("feed stream: frame length out of range");
  std::string frame(head, kFrameHeader);
  frame.resize(kFrameHeader + length + 4);
  in_->read(frame.data() + kFrameHeader, length + 4);
  if (static_cast<size_t>(in_->gcount()) < length + 4) {
    return Status::Corruption("feed stream: ends inside a frame");
  }
  const std::string_view body = std::string_view(frame).substr(0, kFrameHeader + length);
  if (Checksum(body) != DecodeFixed32(frame.data() + kFrameHeader + length)) {
    return Status::Corruption("feed stream: frame checksum mismatch");
  }
  const auto t = static_cast<uint8_t>(head[0]);
  if (t != static_cast<uint8_t>(FrameType::kHeader) &&
      t != static_cast<uint8_t>(FrameType::kBatch)) {
    return Status::Corruption("feed stream: unknown frame type " + std::to_string(t));
  }
  *type = static_cast<FrameType>(t);
  payload->assign(frame, kFrameHeader, length);
  *more = true;
  return Status::OK();
}

}  // namespace strata::ctl
