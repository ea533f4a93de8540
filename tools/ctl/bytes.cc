#include "tools/ctl/bytes.h"

#include "tools/dump/dump_util.h"
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

}  // namespace strata::ctl
