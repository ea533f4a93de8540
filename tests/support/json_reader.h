// A minimal JSON reader for checking the tools' --json output: objects, arrays, strings (with
// the escapes the tools' JsonWriter emits: \" \\ \/ \b \f \n \r \t and \u00XX), numbers,
// booleans and null. Duplicate keys are rejected. Not a general-purpose parser: \u escapes
// above 0xff are refused, and numbers are read as doubles (exact up to 2^53).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace strata::test {

struct Json {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject } type = Type::kNull;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<Json> array;
  std::map<std::string, Json> object;

  // The member key, or a null value if there is none.
  const Json& operator[](const std::string& key) const;
  bool Has(const std::string& key) const { return object.count(key) != 0; }
  uint64_t Uint() const { return static_cast<uint64_t>(number); }
};

// False if text is not exactly one JSON value (surrounding white space allowed).
bool ParseJsonText(std::string_view text, Json* value);

// ParseJsonText, failing the current test (with the start of the text) if it is not JSON.
Json ParseJson(const std::string& text);

}  // namespace strata::test
