#include "util/coding.h"

#include <gtest/gtest.h>

#include "util/checksum.h"
#include "util/random.h"

namespace strata {
namespace {

TEST(CodingTest, FixedRoundTrip) {
  std::string s;
  for (uint32_t v = 0; v < 100000; v += 7) PutFixed32(&s, v);
  PutFixed64(&s, 0);
  PutFixed64(&s, UINT64_MAX);
  std::string_view in = s;
  for (uint32_t v = 0; v < 100000; v += 7) {
    uint32_t got;
    ASSERT_TRUE(GetFixed32(&in, &got));
    ASSERT_EQ(v, got);
  }
  uint64_t a, b;
  ASSERT_TRUE(GetFixed64(&in, &a));
  ASSERT_TRUE(GetFixed64(&in, &b));
  EXPECT_EQ(0u, a);
  EXPECT_EQ(UINT64_MAX, b);
  EXPECT_TRUE(in.empty());
  uint32_t c;
  EXPECT_FALSE(GetFixed32(&in, &c));
}

TEST(CodingTest, FixedIsLittleEndian) {
  std::string s;
  PutFixed32(&s, 0x04030201);
  EXPECT_EQ(std::string("\x01\x02\x03\x04", 4), s);
}

TEST(CodingTest, Varint64RoundTripAndLength) {
  std::vector<uint64_t> values = {0, 1, 127, 128, 16383, 16384, UINT32_MAX, UINT64_MAX};
  for (int shift = 0; shift < 64; shift++) {
    values.push_back(1ull << shift);
    values.push_back((1ull << shift) - 1);
  }
  std::string s;
  for (uint64_t v : values) PutVarint64(&s, v);
  std::string_view in = s;
  for (uint64_t v : values) {
    size_t before = in.size();
    uint64_t got;
    ASSERT_TRUE(GetVarint64(&in, &got));
    EXPECT_EQ(v, got);
    EXPECT_EQ(static_cast<size_t>(VarintLength(v)), before - in.size());
  }
  EXPECT_TRUE(in.empty());
}

TEST(CodingTest, Varint32RejectsOverflowAndTruncation) {
  std::string big;
  PutVarint64(&big, 1ull << 32);
  std::string_view in = big;
  uint32_t v;
  EXPECT_FALSE(GetVarint32(&in, &v));

  std::string s;
  PutVarint32(&s, UINT32_MAX);
  for (size_t len = 0; len < s.size(); len++) {
    std::string_view cut(s.data(), len);
    EXPECT_FALSE(GetVarint32(&cut, &v)) << len;
  }
  // Eleven continuation bytes never terminate a 64-bit varint.
  std::string endless(11, '\xff');
  std::string_view e = endless;
  uint64_t w;
  EXPECT_FALSE(GetVarint64(&e, &w));
}

TEST(CodingTest, LengthPrefixed) {
  std::string s;
  PutLengthPrefixed(&s, "");
  PutLengthPrefixed(&s, std::string("a\0b", 3));
  PutLengthPrefixed(&s, std::string(300, 'x'));
  std::string_view in = s, out;
  ASSERT_TRUE(GetLengthPrefixed(&in, &out));
  EXPECT_EQ("", out);
  ASSERT_TRUE(GetLengthPrefixed(&in, &out));
  EXPECT_EQ(std::string("a\0b", 3), out);
  ASSERT_TRUE(GetLengthPrefixed(&in, &out));
  EXPECT_EQ(std::string(300, 'x'), out);
  // A length that runs past the input is rejected.
  std::string bad;
  PutVarint32(&bad, 10);
  bad += "abc";
  std::string_view b = bad;
  EXPECT_FALSE(GetLengthPrefixed(&b, &out));
}

TEST(ChecksumTest, DetectsEveryFlippedBit) {
  Random rnd(301);
  std::string data(200, '\0');
  for (auto& c : data) c = static_cast<char>(rnd.Uniform(256));
  uint32_t base = Checksum(data);
  for (size_t i = 0; i < data.size(); i++) {
    for (int bit = 0; bit < 8; bit++) {
      std::string copy = data;
      copy[i] ^= static_cast<char>(1 << bit);
      EXPECT_NE(base, Checksum(copy)) << i << ":" << bit;
    }
  }
  EXPECT_NE(Checksum("a"), Checksum("b"));
}

}  // namespace
}  // namespace strata
