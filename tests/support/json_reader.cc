#include "support/json_reader.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <string>

namespace strata::test {

namespace {

class JsonParser {
 public:
  explicit JsonParser(std::string_view text) : text_(text) {}

  // False if text is not exactly one JSON value (surrounding white space allowed).
  bool Parse(Json* value) {
    if (!Value(value)) return false;
    SkipSpace();
    return pos_ == text_.size();
  }

 private:
  void SkipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) pos_++;
  }
  bool Consume(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }
  bool String(std::string* out) {
    if (!Consume("\"")) return false;
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) return false;
      char e = text_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out->push_back(e);
          break;
        case 'b':
          out->push_back('\b');
          break;
        case 'f':
          out->push_back('\f');
          break;
        case 'n':
          out->push_back('\n');
          break;
        case 'r':
          out->push_back('\r');
          break;
        case 't':
          out->push_back('\t');
          break;
        case 'u': {
          if (pos_ + 4 > text_.size()) return false;
          const std::string digits(text_.substr(pos_, 4));
          char* end = nullptr;
          const unsigned long code = std::strtoul(digits.c_str(), &end, 16);
          if (end != digits.c_str() + 4) return false;
          if (code > 0xff) return false;  // JsonWriter only escapes single bytes
          out->push_back(static_cast<char>(code));
          pos_ += 4;
          break;
        }
        default:
          return false;
      }
    }
    return false;
  }
  bool Value(Json* v) {
    SkipSpace();
    if (pos_ >= text_.size()) return false;
    char c = text_[pos_];
    if (c == '{') {
      pos_++;
      v->type = Json::Type::kObject;
      SkipSpace();
      if (Consume("}")) return true;
      for (;;) {
        SkipSpace();
        std::string key;
        if (!String(&key)) return false;
        SkipSpace();
        if (!Consume(":")) return false;
        if (v->object.count(key) != 0) return false;  // duplicate key
        if (!Value(&v->object[key])) return false;
        SkipSpace();
        if (Consume("}")) return true;
        if (!Consume(",")) return false;
      }
    }
    if (c == '[') {
      pos_++;
      v->type = Json::Type::kArray;
      SkipSpace();
      if (Consume("]")) return true;
      for (;;) {
        v->array.emplace_back();
        if (!Value(&v->array.back())) return false;
        SkipSpace();
        if (Consume("]")) return true;
        if (!Consume(",")) return false;
      }
    }
    if (c == '"') {
      v->type = Json::Type::kString;
      return String(&v->string);
    }
    if (Consume("true")) {
      v->type = Json::Type::kBool;
      v->boolean = true;
      return true;
    }
    if (Consume("false")) {
      v->type = Json::Type::kBool;
      return true;
    }
    if (Consume("null")) return true;
    size_t start = pos_;
    if (pos_ < text_.size() && text_[pos_] == '-') pos_++;
    while (pos_ < text_.size() &&
           (std::isdigit(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '.')) {
      pos_++;
    }
    if (pos_ == start) return false;
    v->type = Json::Type::kNumber;
    const std::string digits(text_.substr(start, pos_ - start));
    char* end = nullptr;
    v->number = std::strtod(digits.c_str(), &end);
    if (end != digits.c_str() + digits.size()) return false;
    return true;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

const Json& Json::operator[](const std::string& key) const {
  static const Json kMissing;
  auto it = object.find(key);
  return it == object.end() ? kMissing : it->second;
}

bool ParseJsonText(std::string_view text, Json* value) {
  *value = Json();
  return JsonParser(text).Parse(value);
}

Json ParseJson(const std::string& text) {
  Json value;
  EXPECT_TRUE(ParseJsonText(text, &value)) << "not JSON:\n" << text.substr(0, 2000);
  return value;
}

}  // namespace strata::test
