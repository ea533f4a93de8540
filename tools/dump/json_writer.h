// JsonWriter: streams one JSON value (objects, arrays, strings, numbers, booleans) to an
// ostream, inserting commas itself. Used by strata_dump's --json output.
//
// Strings are escaped per RFC 8259: quote, backslash and control characters become escape
// sequences. Bytes 0x80 and above are written as \u00XX (read as Latin-1), so the output is
// valid JSON even for arbitrary bytes; the dumps pass escaped or hex text, which is ASCII.
//
// Thread safety: one thread at a time. The stream must outlive the writer.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace strata::dump {

class JsonWriter {
 public:
  explicit JsonWriter(std::ostream* out) : out_(out) {}
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  // REQUIRES: inside an object, and the previous key has its value.
  void Key(std::string_view key);

  void String(std::string_view value);
  void Uint(uint64_t value);
  void Double(double value);
  void Bool(bool value);
  void Null();

  // Key followed by its value.
  void Field(std::string_view key, std::string_view value) {
    Key(key);
    String(value);
  }
  void Field(std::string_view key, const char* value) { Field(key, std::string_view(value)); }
  void Field(std::string_view key, uint64_t value) {
    Key(key);
    Uint(value);
  }
  void Field(std::string_view key, bool value) {
    Key(key);
    Bool(value);
  }

  // value as a JSON string literal, quotes included.
  static std::string Quote(std::string_view value);

 private:
  // Writes the comma that separates this value from the previous one in its container.
  void BeforeValue();

  std::ostream* const out_;
  // One entry per open container: whether it already holds an element.
  std::vector<bool> has_element_;
  bool after_key_ = false;
};

}  // namespace strata::dump
