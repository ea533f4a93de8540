// VersionEdit encoding: round trips, and damaged records give Corruption.
#include "version/version_edit.h"

#include <gtest/gtest.h>

#include "support/test_util.h"

namespace strata {
namespace {

std::string IKey(std::string_view user_key, SequenceNumber seq, ValueType t = ValueType::kValue) {
  std::string k;
  AppendInternalKey(&k, user_key, seq, t);
  return k;
}

VersionEdit FullEdit() {
  VersionEdit edit;
  edit.SetComparatorName("strata.BytewiseComparator");
  edit.SetLogNumber(17);
  edit.SetNextFileNumber(1ull << 40);
  edit.SetLastSequence(kMaxSequenceNumber);
  edit.RemoveFile(3, 99);
  edit.RemoveFile(0, 5);
  for (int i = 0; i < 4; i++) {
    FileMetaData f;
    f.number = 100 + i;
    f.file_size = 1ull << (10 + i * 8);
    f.smallest = IKey(std::string("a\0\xff", 3) + std::to_string(i), i);
    f.largest = IKey("z" + std::to_string(i), 1000 + i, ValueType::kDeletion);
    f.smallest_seqno = i;
    f.largest_seqno = 1000 + i;
    edit.AddFile(i, f);
  }
  return edit;
}

TEST(VersionEditTest, RoundTripKeepsEveryField) {
  VersionEdit edit = FullEdit();
  std::string encoded;
  edit.EncodeTo(&encoded);
  VersionEdit decoded;
  ASSERT_OK(decoded.DecodeFrom(encoded));
  std::string again;
  decoded.EncodeTo(&again);
  EXPECT_EQ(encoded, again);
  EXPECT_EQ(edit.DebugString(), decoded.DebugString());
  ASSERT_EQ(4u, decoded.new_files().size());
  EXPECT_EQ(2, decoded.new_files()[2].first);
  EXPECT_EQ(102u, decoded.new_files()[2].second.number);
  EXPECT_EQ(1ull << 26, decoded.new_files()[2].second.file_size);
  EXPECT_EQ(edit.new_files()[3].second.smallest, decoded.new_files()[3].second.smallest);
  EXPECT_EQ(1003u, decoded.new_files()[3].second.largest_seqno);
  EXPECT_EQ(2u, decoded.deleted_files().size());
  EXPECT_EQ(17u, *decoded.log_number());
  EXPECT_EQ(kMaxSequenceNumber, *decoded.last_sequence());
}

TEST(VersionEditTest, IngestedFileKeepsItsGlobalSequenceWithItsOwnTag) {
  VersionEdit edit = FullEdit();
  FileMetaData f;
  f.number = 200;
  f.file_size = 4096;
  f.smallest = IKey("a", 77);
  f.largest = IKey("b", 77);
  f.smallest_seqno = f.largest_seqno = f.global_seqno = 77;
  edit.AddFile(6, f);
  std::string encoded;
  edit.EncodeTo(&encoded);
  VersionEdit decoded;
  ASSERT_OK(decoded.DecodeFrom(encoded));
  ASSERT_EQ(5u, decoded.new_files().size());
  EXPECT_EQ(77u, decoded.new_files()[4].second.global_seqno);
  EXPECT_EQ(0u, decoded.new_files()[0].second.global_seqno);
  EXPECT_NE(decoded.DebugString().find("global seq 77"), std::string::npos);
  // Files that were not ingested are encoded as before (tag 6), so nothing else changes.
  std::string plain;
  FullEdit().EncodeTo(&plain);
  EXPECT_EQ(encoded.substr(0, plain.size()), plain);
  EXPECT_EQ(encoded[plain.size()], 7);
  // A global sequence of 0 under tag 7 is malformed.
  std::string bad = encoded.substr(0, encoded.size() - 1) + std::string(1, '\0');
  EXPECT_TRUE(decoded.DecodeFrom(bad).IsCorruption());
}

TEST(VersionEditTest, MergeOperatorNameRoundTripsUnderItsOwnTag) {
  VersionEdit edit = FullEdit();
  std::string plain;
  edit.EncodeTo(&plain);
  edit.SetMergeOperatorName("strata.StringAppend.7c");
  std::string encoded;
  edit.EncodeTo(&encoded);
  VersionEdit decoded;
  ASSERT_OK(decoded.DecodeFrom(encoded));
  ASSERT_TRUE(decoded.merge_operator().has_value());
  EXPECT_EQ("strata.StringAppend.7c", *decoded.merge_operator());
  EXPECT_EQ("strata.BytewiseComparator", *decoded.comparator());
  EXPECT_EQ(4u, decoded.new_files().size());
  EXPECT_NE(std::string::npos,
            decoded.DebugString().find("merge operator: strata.StringAppend.7c"));
  std::string again;
  decoded.EncodeTo(&again);
  EXPECT_EQ(encoded, again);
  // Tag 8 and the length-prefixed name, and nothing else added.
  std::string field;
  PutVarint32(&field, 8);
  PutLengthPrefixed(&field, "strata.StringAppend.7c");
  EXPECT_EQ(plain.size() + field.size(), encoded.size());
  EXPECT_NE(std::string::npos, encoded.find(field));
  // An edit without one decodes without one (a database that never had an operator).
  VersionEdit without;
  ASSERT_OK(without.DecodeFrom(plain));
  EXPECT_FALSE(without.merge_operator().has_value());
}

TEST(VersionEditTest, EmptyOrTruncatedMergeOperatorNameIsCorruption) {
  std::string empty;
  PutVarint32(&empty, 8);
  PutLengthPrefixed(&empty, "");
  VersionEdit decoded;
  Status s = decoded.DecodeFrom(empty);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find("merge operator")) << s.ToString();
  std::string name;
  PutVarint32(&name, 8);
  PutLengthPrefixed(&name, "strata.UInt64Add");
  for (size_t n = 1; n < name.size(); n++) {
    EXPECT_TRUE(decoded.DecodeFrom(std::string_view(name).substr(0, n)).IsCorruption()) << n;
  }
  ASSERT_OK(decoded.DecodeFrom(name));
  EXPECT_EQ("strata.UInt64Add", *decoded.merge_operator());
}

TEST(VersionEditTest, MatchesTheDocumentedExample) {
  // docs/FORMATS.md, "Version edit".
  VersionEdit edit;
  edit.SetLogNumber(5);
  edit.SetLastSequence(300);
  std::string encoded;
  edit.EncodeTo(&encoded);
  EXPECT_EQ(std::string("\x02\x05\x04\xac\x02", 5), encoded);
}

TEST(VersionEditTest, EmptyEditHasNoFields) {
  VersionEdit edit;
  std::string encoded;
  edit.EncodeTo(&encoded);
  EXPECT_TRUE(encoded.empty());
  VersionEdit decoded;
  ASSERT_OK(decoded.DecodeFrom(encoded));
  EXPECT_FALSE(decoded.log_number().has_value());
  EXPECT_FALSE(decoded.comparator().has_value());
}

TEST(VersionEditTest, EveryTruncationIsCorruption) {
  std::string encoded;
  FullEdit().EncodeTo(&encoded);
  // Cutting inside a field must never decode; cutting between fields decodes a prefix, so
  // only require that decoding never crashes and never invents fields.
  size_t failures = 0;
  for (size_t n = 0; n < encoded.size(); n++) {
    VersionEdit decoded;
    Status s = decoded.DecodeFrom(std::string_view(encoded).substr(0, n));
    if (!s.ok()) {
      EXPECT_TRUE(s.IsCorruption()) << s.ToString();
      failures++;
    } else {
      EXPECT_LE(decoded.new_files().size(), 4u);
    }
  }
  EXPECT_GT(failures, encoded.size() / 2);
}

TEST(VersionEditTest, UnknownTagAndBadValuesAreRejected) {
  VersionEdit decoded;
  std::string unknown;
  PutVarint32(&unknown, 200);
  Status s = decoded.DecodeFrom(unknown);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find("unknown tag"));

  std::string bad_level;
  PutVarint32(&bad_level, 5);  // deleted file
  PutVarint32(&bad_level, 1000);
  PutVarint64(&bad_level, 1);
  EXPECT_TRUE(decoded.DecodeFrom(bad_level).IsCorruption());

  std::string short_key;
  PutVarint32(&short_key, 6);  // new file whose smallest key is shorter than a trailer
  PutVarint32(&short_key, 0);
  PutVarint64(&short_key, 1);
  PutVarint64(&short_key, 1);
  PutLengthPrefixed(&short_key, "abc");
  PutLengthPrefixed(&short_key, IKey("b", 1));
  PutVarint64(&short_key, 1);
  PutVarint64(&short_key, 1);
  EXPECT_TRUE(decoded.DecodeFrom(short_key).IsCorruption());

  std::string huge_sequence;
  PutVarint32(&huge_sequence, 4);
  PutVarint64(&huge_sequence, kMaxSequenceNumber + 1);
  EXPECT_TRUE(decoded.DecodeFrom(huge_sequence).IsCorruption());
}

TEST(VersionEditTest, RandomGarbageNeverCrashes) {
  Random rnd(301);
  for (int i = 0; i < 2000; i++) {
    std::string junk = test::RandomBytes(&rnd, rnd.Uniform(64));
    VersionEdit decoded;
    decoded.DecodeFrom(junk).PermitUncheckedError();
  }
}

TEST(SeekBudgetTest, ComesDueOnceAfterAboutOneSeekPer16KiB) {
  SeekBudget none;
  for (int i = 0; i < 1000; i++) EXPECT_FALSE(none.Charge()) << "never set: never due";
  SeekBudget small;
  small.SetFor(1000);  // small files get the floor of 100
  int due = 0;
  for (int i = 1; i <= 300; i++) {
    if (small.Charge()) {
      due++;
      EXPECT_EQ(100, i);
    }
  }
  EXPECT_EQ(1, due);
  SeekBudget large;
  large.SetFor(64 << 20);
  EXPECT_EQ(4096, large.left());
  SeekBudget copy = large;  // a version's copy of the file keeps the count
  EXPECT_EQ(4096, copy.left());
}

TEST(VersionEditTest, InternalKeyDebugStringIsReadable) {
  EXPECT_EQ("'a\\x00b' @ 7 : value", InternalKeyDebugString(IKey(std::string("a\0b", 3), 7)));
  EXPECT_EQ("'k' @ 9 : deletion", InternalKeyDebugString(IKey("k", 9, ValueType::kDeletion)));
  EXPECT_NE(std::string::npos, InternalKeyDebugString("abc").find("bad internal key"));
}

}  // namespace
}  // namespace strata
