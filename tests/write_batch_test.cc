#include "strata/write_batch.h"

#include <gtest/gtest.h>

#include "db/write_batch_internal.h"
#include "keys/merge_context.h"
#include "memtable/memtable.h"
#include "strata/merge_operator.h"
#include "support/test_util.h"

namespace strata {
namespace {

// Records a batch's operations as text, e.g. "Put(a, 1)Delete(b)".
class Recorder : public WriteBatch::Handler {
 public:
  void Put(std::string_view k, std::string_view v) override {
    out += "Put(" + std::string(k) + ", " + std::string(v) + ")";
  }
  void Delete(std::string_view k) override { out += "Delete(" + std::string(k) + ")"; }
  void Merge(std::string_view k, std::string_view v) override {
    out += "Merge(" + std::string(k) + ", " + std::string(v) + ")";
  }
  void DeleteRange(std::string_view b, std::string_view e) override {
    out += "DeleteRange(" + std::string(b) + ", " + std::string(e) + ")";
  }
  std::string out;
};

std::string Contents(const WriteBatch& b) {
  Recorder r;
  Status s = b.Iterate(&r);
  return s.ok() ? r.out : s.ToString();
}

TEST(WriteBatchTest, EmptyBatch) {
  WriteBatch b;
  EXPECT_EQ(0u, b.Count());
  EXPECT_EQ("", Contents(b));
  EXPECT_OK(WriteBatchInternal::Validate(b));
}

TEST(WriteBatchTest, OperationsInOrder) {
  WriteBatch b;
  b.Put("foo", "bar");
  b.Delete("box");
  b.Put("baz", "boo");
  b.Merge("ctr", "1");
  b.DeleteRange("a", "c");
  EXPECT_EQ(5u, b.Count());
  EXPECT_EQ("Put(foo, bar)Delete(box)Put(baz, boo)Merge(ctr, 1)DeleteRange(a, c)", Contents(b));
  b.Clear();
  EXPECT_EQ(0u, b.Count());
  EXPECT_EQ("", Contents(b));
}

// The worked example of docs/FORMATS.md: the format is stored in logs, so it must not drift.
TEST(WriteBatchTest, EncodingMatchesTheDocumentedBytes) {
  WriteBatch b;
  b.Put("k", "v");
  WriteBatchInternal::SetSequence(&b, 5);
  const char expected[] = "\x05\0\0\0\0\0\0\0\x01\0\0\0\x01\x01k\x01v";
  EXPECT_EQ(std::string(expected, sizeof expected - 1), WriteBatchInternal::Contents(b));
  b.Clear();
  b.Delete("k");
  EXPECT_EQ(std::string("\x00\x01k", 3), WriteBatchInternal::Contents(b).substr(12));
}

TEST(WriteBatchTest, AppendKeepsDestinationSequence) {
  WriteBatch a, b;
  WriteBatchInternal::SetSequence(&a, 200);
  WriteBatchInternal::SetSequence(&b, 300);
  a.Put("a", "va");
  b.Put("b", "vb");
  b.Delete("c");
  a.Append(b);
  EXPECT_EQ(200u, WriteBatchInternal::Sequence(a));
  EXPECT_EQ(3u, a.Count());
  EXPECT_EQ("Put(a, va)Put(b, vb)Delete(c)", Contents(a));
}

TEST(WriteBatchTest, SequenceNumbersGoToMemtableInOrder) {
  InternalKeyComparator icmp(BytewiseComparator());
  MemTable mem(icmp);
  WriteBatch b;
  b.Put("k", "first");
  b.Put("k", "second");
  b.Delete("gone");
  WriteBatchInternal::SetSequence(&b, 100);
  ASSERT_OK(WriteBatchInternal::InsertInto(b, &mem));
  std::string value;
  Status s;
  ASSERT_TRUE(mem.Get(LookupKey("k", 101), &value, &s));
  EXPECT_OK(s);
  EXPECT_EQ("second", value);
  ASSERT_TRUE(mem.Get(LookupKey("k", 100), &value, &s));
  EXPECT_EQ("first", value);
  EXPECT_FALSE(mem.Get(LookupKey("k", 99), &value, &s));
  ASSERT_TRUE(mem.Get(LookupKey("gone", 102), &value, &s));
  EXPECT_TRUE(s.IsNotFound());
}

TEST(WriteBatchTest, MergeIsEncodedAsTypeTwoWithKeyAndOperand) {
  WriteBatch b;
  b.Merge("k", "op");
  EXPECT_EQ(std::string("\x02\x01k\x02op", 6), WriteBatchInternal::Contents(b).substr(12));
  EXPECT_OK(WriteBatchInternal::Validate(b));
  // An operand may be empty; a merge record without its operand is malformed.
  WriteBatch empty;
  empty.Merge("k", "");
  EXPECT_OK(WriteBatchInternal::Validate(empty));
  std::string rep(WriteBatchInternal::Contents(b));
  for (size_t len = kWriteBatchHeader; len < rep.size(); len++) {
    WriteBatch cut;
    ASSERT_OK(WriteBatchInternal::SetContents(&cut, std::string_view(rep).substr(0, len)));
    EXPECT_TRUE(WriteBatchInternal::Validate(cut).IsCorruption()) << len;
  }
}

TEST(WriteBatchTest, CheckForWriteRefusesMergesOnlyWithoutAnOperator) {
  const Comparator* ucmp = BytewiseComparator();
  WriteBatch plain;
  plain.Put("a", "1");
  plain.Delete("b");
  EXPECT_OK(WriteBatchInternal::CheckForWrite(plain, ucmp, false));
  WriteBatch merge;
  merge.Put("a", "1");
  merge.Merge("c", "1");
  EXPECT_OK(WriteBatchInternal::CheckForWrite(merge, ucmp, true));
  Status s = WriteBatchInternal::CheckForWrite(merge, ucmp, false);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find("merge operator")) << s.ToString();
  // A merge appended to a plain batch is still seen.
  plain.Append(merge);
  EXPECT_TRUE(WriteBatchInternal::CheckForWrite(plain, ucmp, false).IsInvalidArgument());
  // And one that arrives as bytes (a change feed's consumer).
  WriteBatch copy;
  ASSERT_OK(WriteBatch::FromBytes(merge.Data(), &copy));
  EXPECT_TRUE(WriteBatchInternal::CheckForWrite(copy, ucmp, false).IsInvalidArgument());
  EXPECT_OK(WriteBatchInternal::CheckForWrite(copy, ucmp, true));
  WriteBatch set;
  ASSERT_OK(WriteBatchInternal::SetContents(&set, WriteBatchInternal::Contents(merge)));
  EXPECT_TRUE(WriteBatchInternal::CheckForWrite(set, ucmp, false).IsInvalidArgument());
  // An empty range is refused with an operator too.
  WriteBatch range;
  range.Merge("c", "1");
  range.DeleteRange("b", "b");
  EXPECT_TRUE(WriteBatchInternal::CheckForWrite(range, ucmp, true).IsInvalidArgument());
}

TEST(WriteBatchTest, MergesGoToTheMemtableInOrderWithTheOtherOperations) {
  InternalKeyComparator icmp(BytewiseComparator());
  MemTable mem(icmp);
  WriteBatch b;
  b.Put("k", "v");
  b.Merge("k", "1");
  b.Delete("k");
  b.Merge("k", "2");
  b.Merge("k", "3");
  WriteBatchInternal::SetSequence(&b, 100);
  ASSERT_OK(WriteBatchInternal::InsertInto(b, &mem));
  auto op = NewStringAppendOperator();
  auto read = [&](SequenceNumber snapshot) {
    MergeContext merges(op.get());
    std::string value;
    Status s;
    if (!mem.Get(LookupKey("k", snapshot), &value, &s, &merges)) return std::string("MISS");
    return s.ok() ? value : s.ToString();
  };
  EXPECT_EQ("2,3", read(104));
  EXPECT_EQ("2", read(103));
  EXPECT_EQ("v,1", read(101));
  EXPECT_EQ("v", read(100));
  EXPECT_EQ(5u, mem.num_entries());
}

TEST(WriteBatchTest, EveryTruncationIsRejected) {
  WriteBatch b;
  b.Put("key1", "value1");
  b.Delete("key2");
  b.Put(std::string("\x00\xff", 2), std::string(200, 'v'));
  std::string rep(WriteBatchInternal::Contents(b));
  for (size_t len = 0; len < rep.size(); len++) {
    WriteBatch cut;
    Status s = WriteBatchInternal::SetContents(&cut, std::string_view(rep.data(), len));
    if (s.ok()) s = WriteBatchInternal::Validate(cut);
    EXPECT_TRUE(s.IsCorruption()) << "length " << len << ": " << s.ToString();
  }
  WriteBatch whole;
  ASSERT_OK(WriteBatchInternal::SetContents(&whole, rep));
  EXPECT_OK(WriteBatchInternal::Validate(whole));
}

TEST(WriteBatchTest, MalformedBatchesAreRejected) {
  WriteBatch b;
  b.Put("a", "1");
  std::string rep(WriteBatchInternal::Contents(b));

  std::string wrong_count = rep;
  EncodeFixed32(wrong_count.data() + 8, 2);
  WriteBatch w;
  ASSERT_OK(WriteBatchInternal::SetContents(&w, wrong_count));
  EXPECT_TRUE(WriteBatchInternal::Validate(w).IsCorruption());

  std::string fewer = rep;
  EncodeFixed32(fewer.data() + 8, 0);
  ASSERT_OK(WriteBatchInternal::SetContents(&w, fewer));
  EXPECT_TRUE(WriteBatchInternal::Validate(w).IsCorruption());

  std::string bad_type = rep;
  bad_type[kWriteBatchHeader] = 7;
  ASSERT_OK(WriteBatchInternal::SetContents(&w, bad_type));
  EXPECT_TRUE(WriteBatchInternal::Validate(w).IsCorruption());

  std::string overflow = rep;
  EncodeFixed64(overflow.data(), kMaxSequenceNumber);
  ASSERT_OK(WriteBatchInternal::SetContents(&w, overflow));
  EXPECT_TRUE(WriteBatchInternal::Validate(w).IsCorruption());

  // A sequence so large that sequence + count wraps around 2^64 to a small number.
  std::string wraps = rep;
  EncodeFixed64(wraps.data(), ~uint64_t{0});
  ASSERT_OK(WriteBatchInternal::SetContents(&w, wraps));
  EXPECT_TRUE(WriteBatchInternal::Validate(w).IsCorruption());
}

// What a change feed's consumer does with a record's bytes: a sound batch comes back whole
// (sequence included); any malformed one is refused and leaves the target as it was.
TEST(WriteBatchTest, FromBytesAcceptsSoundBatchesAndRefusesDamage) {
  WriteBatch source;
  source.Put("foo", "bar");
  source.Delete("box");
  WriteBatchInternal::SetSequence(&source, 77);
  WriteBatch copy;
  ASSERT_OK(WriteBatch::FromBytes(source.Data(), &copy));
  EXPECT_EQ(source.Data(), copy.Data());
  EXPECT_EQ(77u, WriteBatchInternal::Sequence(copy));
  EXPECT_EQ("Put(foo, bar)Delete(box)", Contents(copy));

  const std::string bytes(source.Data());
  WriteBatch target;
  target.Put("kept", "1");
  const std::string before(target.Data());
  for (size_t n = 0; n < bytes.size(); n++) {
    Status s = WriteBatch::FromBytes(std::string_view(bytes).substr(0, n), &target);
    EXPECT_TRUE(s.IsCorruption()) << n << ": " << s.ToString();
    EXPECT_EQ(before, target.Data()) << n;
  }
  std::string bad_type = bytes;
  bad_type[12] = 7;
  EXPECT_TRUE(WriteBatch::FromBytes(bad_type, &target).IsCorruption());
  std::string bad_count = bytes;
  bad_count[8] = 3;
  EXPECT_TRUE(WriteBatch::FromBytes(bad_count, &target).IsCorruption());
  std::string bad_sequence = bytes;
  EncodeFixed64(bad_sequence.data(), kMaxSequenceNumber);
  EXPECT_TRUE(WriteBatch::FromBytes(bad_sequence, &target).IsCorruption());
  EXPECT_EQ(before, target.Data());
}

}  // namespace
}  // namespace strata
