#include "tools/ctl/bytes.h"

#include "tools/dump/dump_util.h"
#include "util/coding.h"
#include "util/escape.h"

namespace strata::ctl {

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool ParseBytesArg(std::string_view arg, std::string* bytes, std::string* error) {
  bytes->clear();
  if (!arg.starts_with("0x")) {
    bytes->assign(arg);
    return true;
  }
  std::string_view hex = arg.substr(2);
  // (Built by appending: GCC 12 warns falsely about "literal" + std::string, bug 105329.)
  error->assign(1, '\'').append(arg).append("': ");
  if (hex.size() % 2 != 0) {
    error->append("hex needs two digits per byte");
    return false;
  }
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = HexDigit(hex[i]), lo = HexDigit(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      error->append("not a hex digit at position " + std::to_string(i + 2));
      return false;
    }
    bytes->push_back(static_cast<char>(hi * 16 + lo));
  }
  error->clear();
  return true;
}

std::string ShowBytes(std::string_view bytes, bool hex) {
  return hex ? dump::HexBytes(bytes) : EscapeBytes(bytes);
}

bool ParseCounterArg(std::string_view arg, std::string* bytes, std::string* error) {
  std::string what(1, '\'');  // (appended: see ParseBytesArg)
  what.append(arg).append("': ");
  if (arg.starts_with("0x")) {
    if (!ParseBytesArg(arg, bytes, error)) return false;
    if (bytes->size() == sizeof(uint64_t)) return true;
    *error = what + "a counter is 8 bytes (16 hex digits after 0x, little-endian); " +
             "write a number in decimal";
    return false;
  }
  const bool negative = arg.starts_with('-');
  const std::string_view digits = arg.substr(negative ? 1 : 0);
  uint64_t n = 0;
  bool fits = !digits.empty();
  for (char c : digits) {
    if (c < '0' || c > '9') {
      *error = what + "not a number (a counter is a decimal number, or 0x and its 8 bytes)";
      return false;
    }
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (n > (UINT64_MAX - digit) / 10) fits = false;
    n = n * 10 + digit;
  }
  if (!fits) {
    *error = what + (digits.empty() ? "not a number" : "does not fit in 64 bits");
    return false;
  }
  bytes->clear();
  PutFixed64(bytes, negative ? 0 - n : n);  // unsigned: -n modulo 2^64
  return true;
}

std::optional<uint64_t> CounterValue(std::string_view value) {
  if (value.size() != sizeof(uint64_t)) return std::nullopt;
  return DecodeFixed64(value.data());
}

}  // namespace strata::ctl
