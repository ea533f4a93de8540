#include "strata/status.h"

namespace strata {

Status::Status(Code code, std::string_view msg, std::string_view msg2) : code_(code) {
  auto text = std::make_unique<std::string>(msg);
  if (!msg2.empty()) {
    text->append(": ");
    text->append(msg2);
  }
  message_ = std::move(text);
}

std::string Status::ToString() const {
  const char* name = "OK";
  switch (code_) {
    case Code::kOk:
      return "OK";
    case Code::kNotFound:
      name = "NotFound";
      break;
    case Code::kCorruption:
      name = "Corruption";
      break;
    case Code::kNotSupported:
      name = "NotSupported";
      break;
    case Code::kInvalidArgument:
      name = "InvalidArgument";
      break;
    case Code::kIOError:
      name = "IOError";
      break;
    case Code::kBusy:
      name = "Busy";
      break;
  }
  std::string result(name);
  if (message_ && !message_->empty()) {
    result.append(": ");
    result.append(*message_);
  }
  return result;
}

}  // namespace strata
