#include "tools/dump/json_writer.h"

#include <cmath>
#include <cstdio>

namespace strata::dump {

std::string JsonWriter::Quote(std::string_view value) {
  std::string r;
  r.reserve(value.size() + 2);
  r.push_back('"');
  for (char ch : value) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        r.append("\\\"");
        break;
      case '\\':
        r.append("\\\\");
        break;
      case '\b':
        r.append("\\b");
        break;
      case '\f':
        r.append("\\f");
        break;
      case '\n':
        r.append("\\n");
        break;
      case '\r':
        r.append("\\r");
        break;
      case '\t':
        r.append("\\t");
        break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          r.append(buf);
        } else {
          r.push_back(ch);
        }
    }
  }
  r.push_back('"');
  return r;
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!has_element_.empty()) {
    if (has_element_.back()) *out_ << ',';
    has_element_.back() = true;
  }
}

void JsonWriter::BeginObject() {
  BeforeValue();
  *out_ << '{';
  has_element_.push_back(false);
}

void JsonWriter::EndObject() {
  has_element_.pop_back();
  *out_ << '}';
  if (has_element_.empty()) *out_ << '\n';
}

void JsonWriter::BeginArray() {
  BeforeValue();
  *out_ << '[';
  has_element_.push_back(false);
}

void JsonWriter::EndArray() {
  has_element_.pop_back();
  *out_ << ']';
  if (has_element_.empty()) *out_ << '\n';
}

void JsonWriter::Key(std::string_view key) {
  BeforeValue();
  *out_ << Quote(key) << ':';
  after_key_ = true;
}

void JsonWriter::String(std::string_view value) {
  BeforeValue();
  *out_ << Quote(value);
}

void JsonWriter::Uint(uint64_t value) {
  BeforeValue();
  *out_ << value;
}

void JsonWriter::Double(double value) {
  BeforeValue();
  if (!std::isfinite(value)) {
    *out_ << "null";  // JSON has no infinity or NaN
    return;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", value);
  *out_ << buf;
}

void JsonWriter::Bool(bool value) {
  BeforeValue();
  *out_ << (value ? "true" : "false");
}

void JsonWriter::Null() {
  BeforeValue();
  *out_ << "null";
}

}  // namespace strata::dump
