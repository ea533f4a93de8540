// Keys and values on strata_ctl's command line and in its output. An argument is taken as
// text, byte for byte, unless it starts with "0x": then the rest is hex, two digits a byte
// ("0x00ff" is the two bytes 00 ff; "0x" alone is the empty string). Output is escaped like
// strata_dump's (printable ASCII as is, backslash doubled, other bytes \xNN), or hex.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace strata::ctl {

// The bytes arg stands for; false (with *error set) for malformed hex.
bool ParseBytesArg(std::string_view arg, std::string* bytes, std::string* error);

// bytes for output: hex (no 0x) if hex, else escaped text.
std::string ShowBytes(std::string_view bytes, bool hex);

}  // namespace strata::ctl
