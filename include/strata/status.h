// Status: the outcome of an operation. Every fallible call in Strata returns one; no
// exception crosses the public API.
//
// Thread safety: a Status is a value; distinct objects may be used from any thread.
// Success costs nothing: an OK status holds no heap state.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace strata {

class [[nodiscard]] Status {
 public:
  // Stored in nothing on disk, but kept stable so logs stay comparable across versions.
  enum class Code : unsigned char {
    kOk = 0,
    kNotFound = 1,
    kCorruption = 2,
    kNotSupported = 3,
    kInvalidArgument = 4,
    kIOError = 5,
    kBusy = 6,
  };

  Status() noexcept = default;
  Status(const Status& other) { *this = other; }
  Status& operator=(const Status& other) {
    if (this != &other) {
      code_ = other.code_;
      no_space_ = other.no_space_;
      message_ = other.message_ ? std::make_unique<std::string>(*other.message_) : nullptr;
    }
    return *this;
  }
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status OK() { return Status(); }
  static Status NotFound(std::string_view msg, std::string_view msg2 = {}) {
    return Status(Code::kNotFound, msg, msg2);
  }
  static Status Corruption(std::string_view msg, std::string_view msg2 = {}) {
    return Status(Code::kCorruption, msg, msg2);
  }
  static Status NotSupported(std::string_view msg, std::string_view msg2 = {}) {
    return Status(Code::kNotSupported, msg, msg2);
  }
  static Status InvalidArgument(std::string_view msg, std::string_view msg2 = {}) {
    return Status(Code::kInvalidArgument, msg, msg2);
  }
  static Status IOError(std::string_view msg, std::string_view msg2 = {}) {
    return Status(Code::kIOError, msg, msg2);
  }
  // An IOError because the device is full (ENOSPC, EDQUOT): the one I/O error that is known
  // to go away by itself, so a database may resume after it (see DB::Resume).
  static Status NoSpace(std::string_view msg, std::string_view msg2 = {}) {
    Status s(Code::kIOError, msg, msg2);
    s.no_space_ = true;
    return s;
  }
  // The resource is held by someone else (for example the LOCK of an open database).
  static Status Busy(std::string_view msg, std::string_view msg2 = {}) {
    return Status(Code::kBusy, msg, msg2);
  }

  bool ok() const { return code_ == Code::kOk; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }
  bool IsNotSupported() const { return code_ == Code::kNotSupported; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsIOError() const { return code_ == Code::kIOError; }
  bool IsBusy() const { return code_ == Code::kBusy; }
  // IsIOError() too.
  bool IsNoSpace() const { return code_ == Code::kIOError && no_space_; }
  Code code() const { return code_; }
  std::string_view message() const {
    return message_ ? std::string_view(*message_) : std::string_view();
  }

  // "OK", or "<Code>: <message>", for logs and test failures.
  std::string ToString() const;

  // Explicitly discards a status the caller has decided not to act on.
  void PermitUncheckedError() const {}

 private:
  Status(Code code, std::string_view msg, std::string_view msg2);

  Code code_ = Code::kOk;
  bool no_space_ = false;  // an IOError made by NoSpace()
  std::unique_ptr<std::string> message_;  // null when ok()
};

}  // namespace strata
