// Keys and values on strata_ctl's command line and in its output. An argument is taken as
// text, byte for byte, unless it starts with "0x": then the rest is hex, two digits a byte
// ("0x00ff" is the two bytes 00 ff; "0x" alone is the empty string). Output is escaped like
// strata_dump's (printable ASCII as is, backslash doubled, other bytes \xNN), or hex.
//
// Counters (--merge_operator add, whose values and operands are 8-byte little-endian
// unsigned integers) are typed as decimal numbers and shown as such.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strata::ctl {

// The bytes arg stands for; false (with *error set) for malformed hex.
bool ParseBytesArg(std::string_view arg, std::string* bytes, std::string* error);

// bytes for output: hex (no 0x) if hex, else escaped text.
std::string ShowBytes(std::string_view bytes, bool hex);

// The 8 bytes (little-endian) of a counter argument: a decimal number up to 2^64 - 1, or a
// negative one down to -(2^64 - 1), which the add operator's arithmetic modulo 2^64 turns
// into a subtraction; or, after "0x", the 8 bytes themselves in hex. False (with *error
// set) for anything else.
bool ParseCounterArg(std::string_view arg, std::string* bytes, std::string* error);

// The number an 8-byte value holds as a counter; nullopt for any other size.
std::optional<uint64_t> CounterValue(std::string_view value);

}  // namespace strata::ctl
