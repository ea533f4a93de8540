// Tests for RestartHints (sstable/restart_hints.h) and their use by BlockIter::Seek.

#include <algorithm>
#include <string>
#include <vector>

#include "sstable/block.h"
#include "sstable/block_builder.h"
#include "sstable/restart_hints.h"
#include "support/test_util.h"
#include "util/escape.h"

namespace strata::test {
namespace {

std::vector<std::string_view> Views(const std::vector<std::string>& keys) {
  return std::vector<std::string_view>(keys.begin(), keys.end());
}

std::vector<uint32_t> Offsets(size_t n) {
  std::vector<uint32_t> offsets(n);
  for (size_t i = 0; i < n; i++) offsets[i] = static_cast<uint32_t>(8 * i);
  return offsets;
}

// The index Seek wants: the last key before target, or 0 if none is.
uint32_t LastBefore(const std::vector<std::string>& keys, std::string_view target) {
  uint32_t answer = 0;
  for (uint32_t i = 0; i < keys.size(); i++) {
    if (std::string_view(keys[i]) < target) answer = i;
  }
  return answer;
}

// Checks Narrow's promise for one target against every key.
::testing::AssertionResult NarrowKeepsItsPromise(const RestartHints& hints,
                                                 const std::vector<std::string>& keys,
                                                 std::string_view target) {
  uint32_t left = 99999, right = 99999;
  hints.Narrow(target, &left, &right);
  const std::string shown = EscapeBytes(target);
  if (left > right || right >= keys.size()) {
    return ::testing::AssertionFailure() << shown << ": [" << left << ", " << right << "]";
  }
  const uint32_t answer = LastBefore(keys, target);
  if (answer < left || answer > right) {
    return ::testing::AssertionFailure()
           << shown << ": answer " << answer << " outside [" << left << ", " << right << "]";
  }
  for (uint32_t i = 1; i < left; i++) {  // below left: before target (key 0 is the default)
    if (!(std::string_view(keys[i]) < target)) {
      return ::testing::AssertionFailure() << shown << ": key " << i << " below left is not before";
    }
  }
  for (uint32_t i = right + 1; i < keys.size(); i++) {
    if (std::string_view(keys[i]) < target) {
      return ::testing::AssertionFailure() << shown << ": key " << i << " above right is before";
    }
  }
  return ::testing::AssertionSuccess();
}

std::vector<std::string> SortedDistinct(std::vector<std::string> keys) {
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

TEST(RestartHintsTest, NarrowAgreesWithAFullSearch) {
  Random rnd(301);
  // Key shapes: a long shared prefix, keys equal in the 8 bytes after it (they differ later),
  // keys that end inside the window, zero bytes that look like the padding, and 0xff bytes.
  const std::string stems[] = {"", "table-0042/", std::string("\x00\x00\x00", 3), "\xff\xff",
                               "0000000000"};
  for (int round = 0; round < 200; round++) {
    const std::string& stem = stems[round % 5];
    std::vector<std::string> keys;
    const size_t n = 1 + rnd.Uniform(round % 3 == 0 ? 4 : 300);
    while (keys.size() < n) {
      std::string key = stem;
      if (rnd.OneIn(3)) key += "sameword";
      key += RandomBytes(&rnd, rnd.Uniform(12));
      if (rnd.OneIn(5)) key.push_back('\0');
      keys.push_back(key);
    }
    keys = SortedDistinct(std::move(keys));
    auto hints = RestartHints::Build(Views(keys), Offsets(keys.size()));
    ASSERT_NE(hints, nullptr);
    std::vector<std::string> targets = {"", stem, stem + std::string(1, '\0'), "\xff\xff\xff\xff"};
    if (!stem.empty()) targets.push_back(stem.substr(0, stem.size() - 1));
    for (const std::string& k : keys) {
      targets.push_back(k);
      targets.push_back(k + std::string(1, '\0'));
      if (!k.empty()) targets.push_back(k.substr(0, k.size() - 1));
      targets.push_back(stem + RandomBytes(&rnd, rnd.Uniform(10)));
    }
    for (const std::string& t : targets) {
      ASSERT_TRUE(NarrowKeepsItsPromise(*hints, keys, t)) << "round " << round;
    }
  }
}

TEST(RestartHintsTest, KeysOutOfOrderGetNoHints) {
  EXPECT_EQ(RestartHints::Build({"b", "a"}, Offsets(2)), nullptr);
  EXPECT_EQ(RestartHints::Build({"a", "a"}, Offsets(2)), nullptr);
  EXPECT_EQ(RestartHints::Build({"a", "c", "b", "d"}, Offsets(4)), nullptr);
  EXPECT_NE(RestartHints::Build({"a"}, Offsets(1)), nullptr);
  EXPECT_EQ(RestartHints::Build({"a", "b"}, Offsets(1)), nullptr);
  EXPECT_NE(RestartHints::Build({"a", std::string("a\0", 2), "b"}, Offsets(3)), nullptr);
}

// Words that differ decide alone: a target between two keys with distinct words narrows to
// one restart point; a target with a key's word leaves that key to compare.
TEST(RestartHintsTest, DistinctWordsNarrowToOneRestart) {
  std::vector<std::string> keys;
  for (int i = 0; i < 1000; i++) keys.push_back("user" + std::to_string(100000 + 2 * i));
  auto hints = RestartHints::Build(Views(keys), Offsets(keys.size()));
  ASSERT_NE(hints, nullptr);
  uint32_t left, right;
  hints->Narrow("user100501", &left, &right);  // between keys 250 and 251
  EXPECT_EQ(left, 250u);
  EXPECT_EQ(right, 250u);
  hints->Narrow("user100500", &left, &right);  // key 250's word: it needs the real compare
  EXPECT_EQ(left, 249u);
  EXPECT_EQ(right, 250u);
  hints->Narrow("a", &left, &right);
  EXPECT_EQ(left, 0u);
  EXPECT_EQ(right, 0u);
  hints->Narrow("z", &left, &right);
  EXPECT_EQ(left, 999u);
  EXPECT_EQ(right, 999u);
}

// A bytewise comparator that counts its calls.
class CountingComparator final : public Comparator {
 public:
  int Compare(std::string_view a, std::string_view b) const override {
    calls++;
    return BytewiseComparator()->Compare(a, b);
  }
  const char* Name() const override { return "test.CountingBytewise"; }
  mutable uint64_t calls = 0;
};

// Seek through hints compares keys only within the restart interval it lands in; without
// hints the binary search compares about log2(restarts) restart keys first.
TEST(RestartHintsTest, SeekThroughHintsSkipsTheBinarySearch) {
  BlockBuilder builder(1);
  std::vector<std::string> keys;
  for (int i = 0; i < 4096; i++) keys.push_back("k" + std::to_string(1000000 + 3 * i));
  for (const std::string& k : keys) builder.Add(k, "v");
  const std::string bytes = builder.Finish();
  Block plain(BlockContents{bytes, BlockBuffer()});
  Block hinted(BlockContents{bytes, BlockBuffer()});
  hinted.AddRestartHints();
  ASSERT_GT(hinted.hints_memory_usage(), 0u);
  CountingComparator plain_cmp, hinted_cmp;
  BlockIter plain_it(&plain_cmp, &plain), hinted_it(&hinted_cmp, &hinted);
  Random rnd(7);
  for (int i = 0; i < 1000; i++) {
    std::string target = keys[rnd.Uniform(keys.size())];
    if (rnd.OneIn(2)) target.push_back('0');  // absent, between two keys
    plain_it.Seek(target);
    hinted_it.Seek(target);
    ASSERT_TRUE(plain_it.Valid() == hinted_it.Valid());
    if (plain_it.Valid()) {
      ASSERT_EQ(plain_it.key(), hinted_it.key());
    }
  }
  EXPECT_GE(plain_cmp.calls, 1000u * 12);  // log2(4096) restart keys, then the landing
  EXPECT_LE(hinted_cmp.calls, 1000u * 3);
}

}  // namespace
}  // namespace strata::test
