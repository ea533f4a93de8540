// The merging iterator on its own: the union of children that split a model between them,
// checked against the model in both directions; children that fail; children whose key()
// points into a buffer each move overwrites.
#include "sstable/merging_iterator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "keys/internal_key.h"
#include "support/iterator_model.h"
#include "util/random.h"

namespace strata {
namespace {

using test::KVModel;

// A sorted vector as an iterator. key() and value() point into buffers that every move
// overwrites, as a block iterator's assembled key does: a caller that keeps a key across a
// move of this child reads another key. After fail_after moves it turns invalid with an
// IOError.
class VectorIterator final : public Iterator {
 public:
  VectorIterator(const Comparator* cmp, KVModel entries, int fail_after = -1)
      : cmp_(cmp), entries_(std::move(entries)), moves_left_(fail_after) {
    // Room for the longest entry up front, so the buffers never move: a stale view reads
    // another entry's bytes (a wrong order the model check sees), not freed memory.
    size_t longest_key = 0, longest_value = 0;
    for (const auto& [k, v] : entries_) {
      longest_key = std::max(longest_key, k.size());
      longest_value = std::max(longest_value, v.size());
    }
    key_.reserve(longest_key);
    value_.reserve(longest_value);
  }

  bool Valid() const override { return status_.ok() && pos_ < entries_.size(); }
  void SeekToFirst() override { Moved(0); }
  void SeekToLast() override { Moved(entries_.empty() ? kEnd : entries_.size() - 1); }
  void Seek(std::string_view target) override {
    Moved(static_cast<size_t>(
        std::partition_point(entries_.begin(), entries_.end(),
                             [&](const auto& e) { return cmp_->Compare(e.first, target) < 0; }) -
        entries_.begin()));
  }
  void SeekForPrev(std::string_view target) override {
    const size_t after = static_cast<size_t>(
        std::partition_point(entries_.begin(), entries_.end(),
                             [&](const auto& e) { return cmp_->Compare(e.first, target) <= 0; }) -
        entries_.begin());
    Moved(after == 0 ? kEnd : after - 1);
  }
  void Next() override { Moved(pos_ + 1); }
  void Prev() override { Moved(pos_ == 0 ? kEnd : pos_ - 1); }
  std::string_view key() const override { return key_; }
  std::string_view value() const override { return value_; }
  Status status() const override { return status_; }

 private:
  static constexpr size_t kEnd = static_cast<size_t>(-1);

  void Moved(size_t pos) {
    if (moves_left_ == 0) {
      status_ = Status::IOError("injected child failure");
      return;
    }
    if (moves_left_ > 0) moves_left_--;
    pos_ = pos;
    // Overwritten in place (capacity reserved above).
    key_.assign(Valid() ? entries_[pos_].first : std::string());
    value_.assign(Valid() ? entries_[pos_].second : std::string());
  }

  const Comparator* const cmp_;
  const KVModel entries_;
  size_t pos_ = kEnd;
  int moves_left_;
  Status status_;
  std::string key_, value_;
};

std::string InternalKey(std::string_view user_key, SequenceNumber seq) {
  std::string k;
  AppendInternalKey(&k, user_key, seq, ValueType::kValue);
  return k;
}

// A model of n distinct keys: internal keys (some user keys at several sequences) when
// internal, else plain byte strings.
KVModel RandomModel(Random* rnd, size_t n, bool internal, const Comparator* cmp) {
  KVModel model;
  for (size_t i = 0; i < n; i++) {
    std::string user(1 + rnd->Uniform(6), '\0');
    for (char& c : user) c = static_cast<char>('a' + rnd->Uniform(4));
    const std::string key = internal ? InternalKey(user, 1 + rnd->Uniform(1000)) : user;
    model.emplace_back(key, "v" + std::to_string(i));
  }
  std::sort(model.begin(), model.end(),
            [&](const auto& a, const auto& b) { return cmp->Compare(a.first, b.first) < 0; });
  model.erase(std::unique(model.begin(), model.end(),
                          [&](const auto& a, const auto& b) {
                            return cmp->Compare(a.first, b.first) == 0;
                          }),
              model.end());
  return model;
}

// Deals the model's entries to `children` children at random (some may get none).
std::vector<std::unique_ptr<Iterator>> Split(const KVModel& model, size_t children,
                                             const Comparator* cmp, Random* rnd) {
  std::vector<KVModel> parts(children);
  for (const auto& e : model) parts[rnd->Uniform(static_cast<uint32_t>(children))].push_back(e);
  std::vector<std::unique_ptr<Iterator>> result;
  for (auto& p : parts) result.push_back(std::make_unique<VectorIterator>(cmp, std::move(p)));
  return result;
}

std::vector<std::string> Probes(const KVModel& model, bool internal) {
  std::vector<std::string> probes;
  for (const char* user : {"", "a", "abc", "c", "dddddddd", "\xff"}) {
    probes.push_back(internal ? InternalKey(user, 500) : std::string(user));
  }
  for (const auto& e : model) {
    probes.push_back(e.first + "\x01");
    if (internal) probes.push_back(InternalKey(ExtractUserKey(e.first), kMaxSequenceNumber));
  }
  return probes;
}

void CheckAgainstModel(bool internal) {
  const InternalKeyComparator icmp(BytewiseComparator());
  const Comparator* cmp = internal ? static_cast<const Comparator*>(&icmp) : BytewiseComparator();
  for (uint64_t seed = 1; seed <= 40; seed++) {
    Random rnd(static_cast<uint32_t>(seed));
    const KVModel model = RandomModel(&rnd, rnd.Uniform(300), internal, cmp);
    const size_t children = 1 + rnd.Uniform(7);
    std::unique_ptr<Iterator> it = NewMergingIterator(cmp, Split(model, children, cmp, &rnd));
    EXPECT_TRUE(test::IteratorMatchesModel(it.get(), model, cmp, Probes(model, internal), seed))
        << "seed " << seed << ", " << children << " children, " << model.size() << " entries";
  }
}

TEST(MergingIteratorTest, InternalKeysMatchTheModel) { CheckAgainstModel(/*internal=*/true); }

TEST(MergingIteratorTest, PlainKeysMatchTheModel) { CheckAgainstModel(/*internal=*/false); }

TEST(MergingIteratorTest, NoChildrenIsEmpty) {
  std::unique_ptr<Iterator> it = NewMergingIterator(BytewiseComparator(), {});
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
}

// A child that fails in the middle of a scan (forward or backward) ends the merge with its
// error: nothing it held is silently skipped.
TEST(MergingIteratorTest, AFailingChildEndsTheScanWithItsError) {
  const Comparator* cmp = BytewiseComparator();
  for (bool forward : {true, false}) {
    std::vector<std::unique_ptr<Iterator>> children;
    children.push_back(std::make_unique<VectorIterator>(cmp, KVModel{{"a", "1"}, {"c", "3"}}));
    // Positioned once by the first seek, then fails on its first step.
    children.push_back(
        std::make_unique<VectorIterator>(cmp, KVModel{{"b", "2"}, {"d", "4"}}, /*fail_after=*/1));
    std::unique_ptr<Iterator> it = NewMergingIterator(cmp, std::move(children));
    int seen = 0;
    if (forward) {
      for (it->SeekToFirst(); it->Valid(); it->Next()) seen++;
    } else {
      for (it->SeekToLast(); it->Valid(); it->Prev()) seen++;
    }
    EXPECT_TRUE(it->status().IsIOError()) << it->status().ToString();
    EXPECT_LT(seen, 4) << (forward ? "forward" : "backward");
  }
}

// Turning around repositions every other child; one failing there ends the merge too.
TEST(MergingIteratorTest, AChildFailingWhileTheScanTurnsAroundEndsItWithItsError) {
  const Comparator* cmp = BytewiseComparator();
  std::vector<std::unique_ptr<Iterator>> children;
  children.push_back(std::make_unique<VectorIterator>(cmp, KVModel{{"a", "1"}, {"c", "3"}}));
  children.push_back(
      std::make_unique<VectorIterator>(cmp, KVModel{{"b", "2"}, {"d", "4"}}, /*fail_after=*/1));
  std::unique_ptr<Iterator> it = NewMergingIterator(cmp, std::move(children));
  it->SeekToFirst();  // the failing child's one good move
  ASSERT_TRUE(it->Valid());
  ASSERT_EQ("a", it->key());
  it->Prev();  // repositions the second child: it fails
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsIOError()) << it->status().ToString();
}

}  // namespace
}  // namespace strata
