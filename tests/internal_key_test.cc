// Internal keys: packing, parsing, ordering, and damaged keys handled without a crash.
#include "keys/internal_key.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "util/bytewise_compare.h"
#include "util/escape.h"
#include "util/random.h"

namespace strata {
namespace {

std::string IKey(std::string_view user_key, SequenceNumber seq, ValueType t) {
  std::string k;
  AppendInternalKey(&k, user_key, seq, t);
  return k;
}

// The inline compare behind the bytewise comparator, the internal key comparator and the
// memtable orders as memcmp does: unsigned bytes, then the shorter string first — across the
// eight-byte words it compares at once and the bytes after them.
TEST(DBFormatTest, BytewiseCompareIsMemcmpOrder) {
  Random rnd(77);
  auto sign = [](int r) { return (r > 0) - (r < 0); };
  for (int i = 0; i < 20000; i++) {
    std::string a(rnd.Uniform(20), '\0');
    for (char& c : a)
      c = static_cast<char>(rnd.Uniform(3) == 0 ? 0xff - rnd.Uniform(2) : rnd.Uniform(3));
    std::string b = a;
    switch (rnd.Uniform(4)) {
      case 0:
        b.resize(rnd.Uniform(20), '\x80');
        break;  // a prefix or an extension
      case 1:
        if (!b.empty()) b[rnd.Uniform(static_cast<uint32_t>(b.size()))] ^= 0x81;
        break;
      case 2:
        break;  // equal
      default:
        b.assign(rnd.Uniform(20), static_cast<char>(rnd.Uniform(256)));
    }
    ASSERT_EQ(sign(std::string_view(a).compare(b)), BytewiseCompare(a, b))
        << EscapeBytes(a) << " vs " << EscapeBytes(b);
    ASSERT_EQ(sign(std::string_view(a).compare(b)), sign(BytewiseComparator()->Compare(a, b)));
  }
}

TEST(DBFormatTest, OrderIsUserKeyThenNewestFirst) {
  InternalKeyComparator icmp(BytewiseComparator());
  EXPECT_LT(icmp.Compare(IKey("a", 5, ValueType::kValue), IKey("b", 9, ValueType::kValue)), 0);
  EXPECT_LT(icmp.Compare(IKey("a", 9, ValueType::kValue), IKey("a", 5, ValueType::kValue)), 0);
  EXPECT_LT(icmp.Compare(IKey("a", 5, ValueType::kValue), IKey("a", 5, ValueType::kDeletion)), 0);
  EXPECT_EQ(0, icmp.Compare(IKey("a", 5, ValueType::kValue), IKey("a", 5, ValueType::kValue)));
}

TEST(DBFormatTest, ParseRejectsShortKeysAndUnknownTypes) {
  ParsedInternalKey k;
  EXPECT_FALSE(ParseInternalKey("short", &k));
  std::string bad = IKey("a", 1, ValueType::kValue);
  bad[1] = 7;  // type byte
  EXPECT_FALSE(ParseInternalKey(bad, &k));
  const std::string good = IKey("key", 42, ValueType::kDeletion);  // k views it
  ASSERT_TRUE(ParseInternalKey(good, &k));
  EXPECT_EQ("key", k.user_key);
  EXPECT_EQ(42u, k.sequence);
  EXPECT_EQ(ValueType::kDeletion, k.type);
}

// Keys shorter than the trailer only come from damaged blocks read without checksums: the
// comparator must still give a consistent order and never read out of bounds (ASan checks).
TEST(DBFormatTest, ComparatorToleratesKeysShorterThanTheTrailer) {
  InternalKeyComparator icmp(BytewiseComparator());
  const std::string full = IKey("abc", 3, ValueType::kValue);
  for (std::string_view s :
       {std::string_view(), std::string_view("x"), std::string_view("abcdefg")}) {
    EXPECT_EQ(0, icmp.Compare(s, s));
    const int r = icmp.Compare(s, full);
    EXPECT_NE(0, r);
    EXPECT_EQ(-r, icmp.Compare(full, s));
  }
}

TEST(DBFormatTest, SeparatorsStayBetweenTheirKeys) {
  InternalKeyComparator icmp(BytewiseComparator());
  std::string start = IKey("abcdef", 10, ValueType::kValue);
  const std::string limit = IKey("abzzzz", 3, ValueType::kValue);
  std::string sep = start;
  icmp.FindShortestSeparator(&sep, limit);
  EXPECT_LT(sep.size(), start.size());
  EXPECT_LE(icmp.Compare(start, sep), 0);
  EXPECT_LT(icmp.Compare(sep, limit), 0);
  std::string succ = IKey("abc", 1, ValueType::kValue);
  icmp.FindShortSuccessor(&succ);
  EXPECT_LE(icmp.Compare(IKey("abc", 1, ValueType::kValue), succ), 0);
}

}  // namespace
}  // namespace strata
