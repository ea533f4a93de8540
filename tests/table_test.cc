// Tests for sorted table files: TableBuilder and Table round trips across block sizes, restart
// intervals and compression; internal-key tables and Get; the block cache; properties; the
// documented bytes.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <new>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "keys/internal_key.h"
#include "sstable/format.h"
#include "sstable/table.h"
#include "sstable/table_builder.h"
#include "strata/cache.h"
#include "strata/perf_context.h"
#include "support/allocation_counter.h"
#include "support/in_memory_file.h"
#include "support/iterator_model.h"
#include "support/test_util.h"
#include "util/checksum.h"
#include "util/chunked_writer.h"
#include "util/coding.h"
#include "util/escape.h"
#include "util/large_memory.h"
#include "util/process_status.h"
#include "util/sanitizers.h"

STRATA_COUNT_ALLOCATIONS()

namespace strata::test {
namespace {

constexpr const char* kFileName = "000012.sst";

// Builds a table from model (in options' order) into *bytes.
Status BuildTable(const TableOptions& options, const KVModel& model, std::string* bytes,
                  TableProperties* props = nullptr) {
  bytes->clear();
  InMemoryWritableFile file(bytes);
  TableBuilder builder(options, &file);
  for (const auto& [k, v] : model) builder.Add(k, v);
  Status s = builder.Finish();
  EXPECT_EQ(builder.NumEntries(), model.size());
  if (s.ok()) {
    EXPECT_EQ(builder.FileSize(), bytes->size());
  }
  if (props != nullptr) *props = builder.properties();
  return s;
}

// Opens a table over bytes (which must outlive it); the file is also returned in *file_out.
Status OpenTable(const TableOptions& options, std::string_view bytes, std::unique_ptr<Table>* table,
                 bool zero_copy = false, InMemoryRandomAccessFile** file_out = nullptr) {
  auto file = std::make_unique<InMemoryRandomAccessFile>(bytes, zero_copy);
  if (file_out != nullptr) *file_out = file.get();
  return Table::Open(options, kFileName, std::move(file), bytes.size(), table);
}

// What Table::Get called back with, if anything.
struct GetResult {
  int calls = 0;
  std::string key;
  std::string value;
  static bool Save(void* arg, std::string_view k, std::string_view v) {
    auto* r = static_cast<GetResult*>(arg);
    r->calls++;
    r->key.assign(k);
    r->value.assign(v);
    return false;
  }
};

GetResult DoGet(const Table& table, std::string_view key, std::string_view filter_key,
                Status* status, const ReadOptions& ro = ReadOptions()) {
  GetResult r;
  *status = table.Get(ro, key, filter_key, &GetResult::Save, &r);
  return r;
}

// Values that LZ4 shrinks (repetitive) or cannot (random), so both block kinds appear.
std::string MakeValue(Random* rnd, size_t max_len) {
  size_t len = rnd->Uniform(max_len + 1);
  if (rnd->OneIn(2)) return RandomBytes(rnd, len);
  std::string v;
  while (v.size() < len) v += "value-" + std::to_string(rnd->Uniform(10)) + ";";
  v.resize(len);
  return v;
}

KVModel RandomModel(Random* rnd, size_t n, size_t max_key, size_t max_value) {
  std::map<std::string, std::string> m;
  const std::string prefixes[] = {"", "user", std::string("\x00\x01", 2), "\xff\xff",
                                  std::string(30, 'p')};
  while (m.size() < n) {
    std::string key = prefixes[rnd->Uniform(5)] + RandomBytes(rnd, rnd->Uniform(max_key + 1));
    m[key] = MakeValue(rnd, max_value);
  }
  return KVModel(m.begin(), m.end());
}

std::vector<std::string> Probes(const KVModel& model, Random* rnd) {
  std::vector<std::string> probes = {"", std::string(1, '\0'), "\xff\xff\xff\xff\xff\xff\xff"};
  for (const auto& [k, v] : model) {
    probes.push_back(k + std::string(1, '\0'));
    if (!k.empty()) probes.push_back(k.substr(0, k.size() - 1));
    if (!k.empty() && static_cast<unsigned char>(k.back()) < 0xff) {
      std::string next = k;
      next.back()++;
      probes.push_back(next);
    }
    if (rnd->OneIn(8)) probes.push_back(RandomBytes(rnd, rnd->Uniform(12)));
  }
  return probes;
}

struct RoundTripParam {
  size_t block_size;
  int restart_interval;
  CompressionType compression;
};

class TableRoundTripTest : public ::testing::TestWithParam<RoundTripParam> {};

TEST_P(TableRoundTripTest, MatchesModel) {
  const RoundTripParam p = GetParam();
  TableOptions options;
  options.comparator = BytewiseComparator();
  options.block_size = p.block_size;
  options.block_restart_interval = p.restart_interval;
  options.compression = p.compression;

  for (uint64_t seed = 1; seed <= 3; seed++) {
    Random rnd(seed * 7919 + p.block_size + p.restart_interval);
    const size_t n = seed == 1 ? 1 : (seed == 2 ? 60 : 1200);
    KVModel model = RandomModel(&rnd, n, 24, seed == 2 ? 3000 : 120);
    std::string bytes;
    TableProperties built;
    ASSERT_OK(BuildTable(options, model, &bytes, &built));
    std::unique_ptr<Table> table;
    ASSERT_OK(OpenTable(options, bytes, &table, /*zero_copy=*/seed == 3));

    const TableProperties& props = table->properties();
    EXPECT_EQ(props.num_entries, n);
    EXPECT_EQ(props.smallest_key, model.front().first);
    EXPECT_EQ(props.largest_key, model.back().first);
    EXPECT_EQ(props.ToString(), built.ToString());
    uint64_t raw_keys = 0, raw_values = 0;
    for (const auto& [k, v] : model) {
      raw_keys += k.size();
      raw_values += v.size();
    }
    EXPECT_EQ(props.raw_key_size, raw_keys);
    EXPECT_EQ(props.raw_value_size, raw_values);
    EXPECT_GE(props.num_data_blocks, 1u);
    EXPECT_LE(props.data_size, bytes.size());

    auto it = table->NewIterator(ReadOptions());
    EXPECT_TRUE(IteratorMatchesModel(it.get(), model, BytewiseComparator(), Probes(model, &rnd),
                                     seed, 1000))
        << "block size " << p.block_size << ", restart interval " << p.restart_interval
        << ", compression " << static_cast<int>(p.compression) << ", " << n << " entries";

    for (const auto& [k, v] : model) {
      Status s;
      GetResult r = DoGet(*table, k, k, &s);
      ASSERT_OK(s);
      ASSERT_EQ(r.calls, 1) << EscapeBytes(k);
      EXPECT_EQ(r.key, k);
      EXPECT_EQ(r.value, v);
    }
    // A key not in the table: the filter usually says so; if not, Get shows a later key or
    // nothing.
    for (int i = 0; i < 200; i++) {
      std::string k = "absent" + RandomBytes(&rnd, 8);
      Status s;
      GetResult r = DoGet(*table, k, k, &s);
      ASSERT_OK(s);
      if (r.calls > 0) {
        EXPECT_GT(r.key, k);
      }
    }
  }
}

std::vector<RoundTripParam> RoundTripParams() {
  std::vector<RoundTripParam> params;
  for (size_t block_size : {64, 256, 4096, 65536}) {
    for (int interval : {1, 2, 16}) {
      for (auto c : {CompressionType::kNone, CompressionType::kLZ4}) {
        params.push_back({block_size, interval, c});
      }
    }
  }
  return params;
}

INSTANTIATE_TEST_SUITE_P(Layouts, TableRoundTripTest, ::testing::ValuesIn(RoundTripParams()),
                         [](const ::testing::TestParamInfo<RoundTripParam>& info) {
                           return "block" + std::to_string(info.param.block_size) + "_restart" +
                                  std::to_string(info.param.restart_interval) +
                                  (info.param.compression == CompressionType::kLZ4 ? "_lz4"
                                                                                   : "_raw");
                         });

TEST(TableTest, EmptyTable) {
  for (int bits : {0, 10}) {
    TableOptions options;
    options.bloom_bits_per_key = bits;
    std::string bytes;
    ASSERT_OK(BuildTable(options, {}, &bytes));
    std::unique_ptr<Table> table;
    ASSERT_OK(OpenTable(options, bytes, &table));
    EXPECT_EQ(table->properties().num_entries, 0u);
    EXPECT_EQ(table->properties().num_data_blocks, 0u);
    EXPECT_EQ(table->properties().smallest_key, "");
    auto it = table->NewIterator(ReadOptions());
    EXPECT_TRUE(IteratorMatchesModel(it.get(), {}, BytewiseComparator(), {"", "a"}, 1));
    Status s;
    EXPECT_EQ(DoGet(*table, "a", "a", &s).calls, 0);
    EXPECT_OK(s);
    EXPECT_EQ(table->KeyMayMatch("a"), bits == 0);
    EXPECT_EQ(table->ApproximateOffsetOf("a"), bytes.size());
  }
}

TEST(TableTest, HugeValues) {
  Random rnd(5);
  KVModel model = {
      {"a", "small"},
      {"b", RandomBytes(&rnd, 5 << 20)},
      {"c", std::string(5 << 20, 'x')},  // compresses well
      {"d", ""},
      {"e", MakeValue(&rnd, 100000)},
  };
  for (auto c : {CompressionType::kNone, CompressionType::kLZ4}) {
    TableOptions options;
    options.compression = c;
    std::string bytes;
    ASSERT_OK(BuildTable(options, model, &bytes));
    if (c == CompressionType::kLZ4) {
      EXPECT_LT(bytes.size(), (5u << 20) + (1u << 20));
    } else {
      EXPECT_GT(bytes.size(), 10u << 20);
    }
    std::unique_ptr<Table> table;
    ASSERT_OK(OpenTable(options, bytes, &table));
    auto it = table->NewIterator(ReadOptions());
    EXPECT_TRUE(
        IteratorMatchesModel(it.get(), model, BytewiseComparator(), {"", "bb", "z"}, 2, 50));
    Status s;
    GetResult r = DoGet(*table, "c", "c", &s);
    ASSERT_OK(s);
    EXPECT_EQ(r.value, model[2].second);
    EXPECT_LT(table->ApproximateOffsetOf("b"), table->ApproximateOffsetOf("c"));
  }
}

TEST(TableTest, ApproximateOffsets) {
  TableOptions options;
  options.compression = CompressionType::kNone;
  KVModel model;
  for (int i = 0; i < 100; i++) model.emplace_back(NumberKey(i), std::string(1000, 'v'));
  std::string bytes;
  ASSERT_OK(BuildTable(options, model, &bytes));
  std::unique_ptr<Table> table;
  ASSERT_OK(OpenTable(options, bytes, &table));
  EXPECT_EQ(table->ApproximateOffsetOf(""), 0u);
  uint64_t previous = 0;
  for (int i = 0; i < 100; i++) {
    uint64_t off = table->ApproximateOffsetOf(NumberKey(i));
    EXPECT_GE(off, previous);
    // Entries take 1000-1030 bytes; the offset is that of the entry's 4 KiB block.
    EXPECT_LE(off, i * 1030u) << i;
    EXPECT_GE(off + 5000, i * 1000u) << i;
    previous = off;
  }
  EXPECT_EQ(table->ApproximateOffsetOf("zzz"), bytes.size());
}

// The footer's format version of a table's bytes.
uint32_t FooterVersion(std::string_view bytes) {
  Footer footer;
  const size_t at = bytes.size() - Footer::kEncodedLength;
  EXPECT_OK(footer.DecodeFrom(bytes.substr(at), kFileName, at));
  return footer.version;
}

struct InternalKeyParam {
  bool user_comparator;  // set: the index may hold user keys (a database's tables)
  int max_versions;      // of one user key
  int index_restart_interval;
  uint32_t expected_version;  // 4 (3 before line-aligned filters): user keys; 2: internal keys
};

class InternalKeyTableTest : public ::testing::TestWithParam<InternalKeyParam> {};

// Internal keys (user key + sequence/type trailer) ordered by InternalKeyComparator, with the
// filter over user keys: the shape a database writes. With a user comparator the builder keeps
// each user key's versions in one block (up to four times the block size) and indexes user
// keys; a key with more versions than that spans blocks and the index keeps internal keys.
TEST_P(InternalKeyTableTest, GetAndIteratorsMatchTheModel) {
  const InternalKeyParam p = GetParam();
  InternalKeyComparator icmp(BytewiseComparator());
  TableOptions options;
  options.comparator = &icmp;
  options.filter_key = [](std::string_view k) { return ExtractUserKey(k); };
  if (p.user_comparator) options.user_comparator = BytewiseComparator();
  options.index_block_restart_interval = p.index_restart_interval;
  options.block_size = 256;  // a few versions fill a block

  Random rnd(42);
  struct Version {
    SequenceNumber seq;
    ValueType type;
    std::string value;
  };
  std::map<std::string, std::vector<Version>> users;  // newest first
  SequenceNumber next_seq = 1;
  for (int i = 0; i < 400; i++) {
    std::string user = "user" + std::to_string(rnd.Uniform(1000)) + RandomBytes(&rnd, 2);
    int versions = rnd.OneIn(4) ? 1 + static_cast<int>(rnd.Uniform(p.max_versions)) : 1;
    auto& vs = users[user];
    for (int v = 0; v < versions; v++) {
      ValueType t = rnd.OneIn(5) ? ValueType::kDeletion : ValueType::kValue;
      vs.insert(vs.begin(),
                Version{next_seq++, t, t == ValueType::kValue ? MakeValue(&rnd, 60) : ""});
    }
  }
  KVModel model;
  for (const auto& [user, vs] : users) {
    for (const auto& v : vs) {
      std::string ikey;
      AppendInternalKey(&ikey, user, v.seq, v.type);
      model.emplace_back(ikey, v.value);
    }
  }
  std::string bytes;
  TableProperties props;
  {
    InMemoryWritableFile file(&bytes);
    TableBuilder builder(options, &file);
    for (const auto& [k, v] : model) builder.Add(k, v);
    builder.SetSequenceRange(1, next_seq - 1);
    ASSERT_OK(builder.Finish());
  }
  EXPECT_EQ(FooterVersion(bytes), p.expected_version);
  std::unique_ptr<Table> table;
  ASSERT_OK(OpenTable(options, bytes, &table));
  // Restart hints only where the index is ordered bytewise: user keys, not internal keys.
  EXPECT_EQ(table->IndexHintsMemoryUsage() > 0, p.expected_version >= kUserKeyIndexFormatVersion);
  EXPECT_EQ(table->properties().comparator_name, "strata.InternalKeyComparator");
  EXPECT_EQ(table->properties().smallest_seqno, 1u);
  EXPECT_EQ(table->properties().largest_seqno, next_seq - 1);
  EXPECT_GT(table->properties().num_data_blocks, 10u);

  std::vector<std::string> probes;
  for (const auto& [user, vs] : users) {
    probes.emplace_back(LookupKey(user, kMaxSequenceNumber).internal_key());
    probes.emplace_back(LookupKey(user, 0).internal_key());
    probes.emplace_back(LookupKey(user, vs.front().seq / 2 + 1).internal_key());
  }
  auto it = table->NewIterator(ReadOptions());
  EXPECT_TRUE(IteratorMatchesModel(it.get(), model, &icmp, probes, 9));

  // Get at every user key and several snapshots: the first entry >= the lookup key is the
  // newest version visible at the snapshot, if there is one.
  for (const auto& [user, vs] : users) {
    for (SequenceNumber snap : {kMaxSequenceNumber, vs.front().seq, vs.back().seq,
                                vs.back().seq - 1, (vs.front().seq + vs.back().seq) / 2}) {
      LookupKey lookup(user, snap);
      Status s;
      GetResult r = DoGet(*table, lookup.internal_key(), lookup.user_key(), &s);
      ASSERT_OK(s);
      const Version* visible = nullptr;
      for (const auto& v : vs) {
        if (v.seq <= snap) {
          visible = &v;
          break;
        }
      }
      ParsedInternalKey parsed;
      if (visible != nullptr) {
        ASSERT_EQ(r.calls, 1) << EscapeBytes(user) << " @" << snap;
        ASSERT_TRUE(ParseInternalKey(r.key, &parsed));
        EXPECT_EQ(parsed.user_key, user);
        EXPECT_EQ(parsed.sequence, visible->seq);
        EXPECT_EQ(parsed.type, visible->type);
        EXPECT_EQ(r.value, visible->value);
      } else if (r.calls > 0) {
        ASSERT_TRUE(ParseInternalKey(r.key, &parsed));
        EXPECT_NE(parsed.user_key, user);
      }
      // MultiGet of the one key answers as Get did.
      GetResult m;
      std::vector<Table::Lookup> one = {
          {lookup.internal_key(), lookup.user_key(), &GetResult::Save, &m, {}}};
      table->MultiGet(ReadOptions(), one);
      ASSERT_OK(one[0].status);
      EXPECT_EQ(m.calls, r.calls);
      EXPECT_EQ(m.key, r.key);
    }
  }
  // Offsets grow with the key, from 0 to the data's end.
  uint64_t prev_offset = 0;
  for (const auto& [k, v] : model) {
    const uint64_t offset = table->ApproximateOffsetOf(k);
    EXPECT_GE(offset, prev_offset) << EscapeBytes(k);
    prev_offset = offset;
  }
  EXPECT_LE(prev_offset, table->properties().data_size);

  // Absent user keys: the filter (over user keys) rules out nearly all of them before any
  // block is read; any entry shown belongs to another user key.
  int filtered = 0;
  for (int i = 0; i < 1000; i++) {
    std::string user = "nobody" + std::to_string(i);
    filtered += !table->KeyMayMatch(user);
    LookupKey lookup(user, kMaxSequenceNumber);
    Status s;
    GetResult r = DoGet(*table, lookup.internal_key(), lookup.user_key(), &s);
    ASSERT_OK(s);
    if (r.calls > 0) {
      EXPECT_NE(ExtractUserKey(r.key), user);
    }
  }
  EXPECT_GT(filtered, 950);
}

INSTANTIATE_TEST_SUITE_P(
    Indexes, InternalKeyTableTest,
    ::testing::Values(InternalKeyParam{false, 12, 1, kInternalKeyIndexFormatVersion},
                      InternalKeyParam{false, 12, 16, kInternalKeyIndexFormatVersion},
                      InternalKeyParam{true, 3, 1, kLineAlignedFilterFormatVersion},
                      InternalKeyParam{true, 3, 16, kLineAlignedFilterFormatVersion},
                      InternalKeyParam{true, 40, 16, kInternalKeyIndexFormatVersion}),
    [](const ::testing::TestParamInfo<InternalKeyParam>& info) {
      const InternalKeyParam& p = info.param;
      return std::string(p.user_comparator ? "UserKeys" : "InternalKeys") + "_versions" +
             std::to_string(p.max_versions) + "_restart" + std::to_string(p.index_restart_interval);
    });

// A user comparator that breaks the shortening contract: its "separator" is the next block's
// first key, and its "successor" sorts before the key. The builder must not trust either.
class SloppySeparators final : public Comparator {
 public:
  int Compare(std::string_view a, std::string_view b) const override {
    return BytewiseComparator()->Compare(a, b);
  }
  const char* Name() const override { return "test.SloppySeparators"; }
  void FindShortestSeparator(std::string* start, std::string_view limit) const override {
    start->assign(limit);
  }
  void FindShortSuccessor(std::string* key) const override { key->clear(); }
};

TEST(TableTest, AUserComparatorsBadSeparatorsAreNotTrusted) {
  SloppySeparators sloppy;
  InternalKeyComparator icmp(&sloppy);
  TableOptions options;
  options.comparator = &icmp;
  options.filter_key = [](std::string_view k) { return ExtractUserKey(k); };
  options.user_comparator = &sloppy;
  options.block_size = 256;
  KVModel model;
  for (int i = 0; i < 500; i++) {
    std::string ikey;
    AppendInternalKey(&ikey, NumberKey(i), 1000 + i, ValueType::kValue);
    model.emplace_back(ikey, std::string(40, 'v'));
  }
  std::string bytes;
  ASSERT_OK(BuildTable(options, model, &bytes));
  EXPECT_EQ(FooterVersion(bytes), kLineAlignedFilterFormatVersion);
  std::unique_ptr<Table> table;
  ASSERT_OK(OpenTable(options, bytes, &table));
  ASSERT_GT(table->properties().num_data_blocks, 10u);
  // Not BytewiseComparator itself: no restart hints, whatever order it claims.
  EXPECT_EQ(table->IndexHintsMemoryUsage(), 0u);
  for (int i = 0; i < 500; i++) {
    LookupKey lookup(NumberKey(i), kMaxSequenceNumber);
    Status s;
    GetResult r = DoGet(*table, lookup.internal_key(), lookup.user_key(), &s);
    ASSERT_OK(s);
    ASSERT_EQ(r.calls, 1) << i;
    EXPECT_EQ(ExtractUserKey(r.key), NumberKey(i));
  }
}

// A database's index (user keys, restart interval 16) against the old one (internal keys,
// restart interval 1), for db_bench-like keys: 16 decimal digits, 100-byte values.
TEST(TableTest, UserKeyIndexIsUnderHalfTheSize) {
  InternalKeyComparator icmp(BytewiseComparator());
  KVModel model;
  Random rnd(7);
  std::set<uint64_t> numbers;
  while (numbers.size() < 20000) numbers.insert(rnd.Uniform(100000000));
  SequenceNumber seq = 1;
  for (uint64_t n : numbers) {
    std::string ikey;
    AppendInternalKey(&ikey, NumberKey(n, 16), seq++, ValueType::kValue);
    model.emplace_back(ikey, MakeValue(&rnd, 100));
  }
  TableOptions options;
  options.comparator = &icmp;
  options.filter_key = [](std::string_view k) { return ExtractUserKey(k); };
  options.compression = CompressionType::kNone;  // index_size is then the index's memory
  options.index_block_restart_interval = 1;
  std::string old_bytes, new_bytes;
  TableProperties old_props, new_props;
  ASSERT_OK(BuildTable(options, model, &old_bytes, &old_props));
  options.user_comparator = BytewiseComparator();
  options.index_block_restart_interval = 16;
  ASSERT_OK(BuildTable(options, model, &new_bytes, &new_props));
  EXPECT_EQ(FooterVersion(old_bytes), kInternalKeyIndexFormatVersion);
  EXPECT_EQ(FooterVersion(new_bytes), kLineAlignedFilterFormatVersion);
  EXPECT_EQ(old_props.num_data_blocks, new_props.num_data_blocks);
  EXPECT_LT(new_props.index_size * 2, old_props.index_size)
      << new_props.index_size << " vs " << old_props.index_size;

  // Reading a version-3 table needs what its index keys are made of.
  std::unique_ptr<Table> table;
  options.user_comparator = nullptr;
  Status s = OpenTable(options, new_bytes, &table);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  options.user_comparator = BytewiseComparator();
  ASSERT_OK(OpenTable(options, new_bytes, &table));
  ASSERT_OK(OpenTable(options, old_bytes, &table));  // an older table still reads
}

TEST(TableTest, GetSkipsBlocksTheFilterRulesOut) {
  TableOptions options;
  KVModel model;
  for (int i = 0; i < 1000; i++) model.emplace_back(NumberKey(i), "v");
  std::string bytes;
  ASSERT_OK(BuildTable(options, model, &bytes));
  std::unique_ptr<Table> table;
  InMemoryRandomAccessFile* file;
  ASSERT_OK(OpenTable(options, bytes, &table, false, &file));
  const uint64_t reads_after_open = file->reads();
  int passed = 0;
  for (int i = 0; i < 1000; i++) {
    std::string k = NumberKey(i) + "x";
    Status s;
    DoGet(*table, k, k, &s);
    ASSERT_OK(s);
    passed += table->KeyMayMatch(k);
  }
  EXPECT_LT(passed, 30);
  EXPECT_EQ(file->reads() - reads_after_open, static_cast<uint64_t>(passed));
}

// The filter's memory is taken before the scratch its block is read into: the scratch, freed
// once the lines are copied, then leaves no hole below them among long-lived buffers (where a
// hole keeps 2 MiB spans from becoming huge pages; util/huge_page_region.h).
TEST(TableTest, OpeningLeavesNoHoleAmongLongLivedBuffers) {
  if (STRATA_ASAN) GTEST_SKIP() << "under AddressSanitizer large buffers come from operator new";
  TableOptions options;
  KVModel model;
  for (int i = 0; i < 200000; i++) model.emplace_back(NumberKey(i), "v");  // 250 KB filter
  std::string bytes;
  ASSERT_OK(BuildTable(options, model, &bytes));
  // Holes left by earlier tests of this process could take the buffers and hide the order.
  if (LargeMemoryHoles() != 0) GTEST_SKIP() << "the region already has holes";
  std::unique_ptr<Table> table;
  ASSERT_OK(OpenTable(options, bytes, &table));  // read with copies, as through pread
  EXPECT_EQ(LargeMemoryHoles(), 0u);
  Status s;
  GetResult r = DoGet(*table, NumberKey(12345), NumberKey(12345), &s);
  ASSERT_OK(s);
  EXPECT_EQ(r.value, "v");
}

TEST(TableTest, BlockCacheServesRepeatedReads) {
  std::shared_ptr<Cache> cache = NewLRUCache(8 << 20);
  TableOptions options;
  options.block_cache = cache.get();
  KVModel model;
  for (int i = 0; i < 2000; i++) model.emplace_back(NumberKey(i), "value" + std::to_string(i));
  std::string bytes;
  ASSERT_OK(BuildTable(options, model, &bytes));
  std::unique_ptr<Table> table;
  InMemoryRandomAccessFile* file;
  ASSERT_OK(OpenTable(options, bytes, &table, false, &file));

  const uint64_t reads0 = file->reads();
  const uint64_t hits0 = cache->hits();
  Status s;
  EXPECT_EQ(DoGet(*table, NumberKey(7), NumberKey(7), &s).value, "value7");
  ASSERT_OK(s);
  EXPECT_EQ(file->reads(), reads0 + 1);
  EXPECT_EQ(cache->hits(), hits0);
  EXPECT_GT(cache->usage(), 0u);
  EXPECT_EQ(DoGet(*table, NumberKey(8), NumberKey(8), &s).value, "value8");  // same block
  ASSERT_OK(s);
  EXPECT_EQ(file->reads(), reads0 + 1);
  EXPECT_EQ(cache->hits(), hits0 + 1);

  // fill_cache = false reads without inserting; a cached block is still used.
  ReadOptions no_fill;
  no_fill.fill_cache = false;
  const size_t usage = cache->usage();
  EXPECT_EQ(DoGet(*table, NumberKey(1500), NumberKey(1500), &s, no_fill).value, "value1500");
  EXPECT_EQ(file->reads(), reads0 + 2);
  EXPECT_EQ(DoGet(*table, NumberKey(1500), NumberKey(1500), &s, no_fill).value, "value1500");
  EXPECT_EQ(file->reads(), reads0 + 3);
  EXPECT_EQ(cache->usage(), usage);
  EXPECT_EQ(DoGet(*table, NumberKey(9), NumberKey(9), &s, no_fill).value, "value9");
  EXPECT_EQ(file->reads(), reads0 + 3);

  // A full scan fills the cache; a second one reads nothing from the file.
  auto scan = [&] {
    auto it = table->NewIterator(ReadOptions());
    size_t n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) n++;
    EXPECT_OK(it->status());
    return n;
  };
  EXPECT_EQ(scan(), model.size());
  const uint64_t reads_after_scan = file->reads();
  const uint64_t hits_before = cache->hits();
  EXPECT_EQ(scan(), model.size());
  EXPECT_EQ(file->reads(), reads_after_scan);
  EXPECT_EQ(cache->hits() - hits_before, table->properties().num_data_blocks);
}

// A table of 1,200-byte values, four to a 4 KiB block, opened with a one-shard block cache of
// 30 blocks, for the tests of long scans below. A scan is long past an eighth of the cache's
// capacity in 4 KiB blocks, and at least 16 blocks: here 16.
class LongScanTest : public testing::Test {
 protected:
  static constexpr int kEntries = 600;  // 150 blocks

  LongScanTest() {
    KVModel model;
    for (int i = 0; i < kEntries; i++) model.emplace_back(NumberKey(i), std::string(1200, 'v'));
    std::string& bytes = bytes_;  // the file's contents: the tables read them in place
    EXPECT_OK(BuildTable(options_, model, &bytes));
    {  // What one block charges, read into a cache of its own.
      std::shared_ptr<Cache> probe = NewLRUCache(1 << 20, 0);
      TableOptions probe_options = options_;
      probe_options.block_cache = probe.get();
      std::unique_ptr<Table> table;
      EXPECT_OK(OpenTable(probe_options, bytes, &table, false, nullptr));
      Status s;
      DoGet(*table, NumberKey(0), NumberKey(0), &s);
      block_charge_ = probe->usage();
    }
    OpenWithCache(30);
    EXPECT_EQ(table_->properties().num_data_blocks, 150u);
    SetPerfLevel(PerfLevel::kEnableCount);
    GetPerfContext()->Reset();
  }
  ~LongScanTest() override { SetPerfLevel(PerfLevel::kDisable); }

  // Reopens the table with an empty one-shard cache of the given number of blocks.
  void OpenWithCache(size_t blocks) {
    table_.reset();
    cache_ = NewLRUCache(blocks * block_charge_, 0);
    options_.block_cache = cache_.get();
    EXPECT_OK(OpenTable(options_, bytes_, &table_, false, &file_));
  }

  // Point reads of entries [from, to) with the given stride; the file reads they cost.
  uint64_t Gets(int from, int to, int stride) {
    const uint64_t before = file_->reads();
    for (int i = from; i < to; i += stride) {
      Status s;
      EXPECT_EQ(DoGet(*table_, NumberKey(i), NumberKey(i), &s).value.size(), 1200u);
      EXPECT_OK(s);
    }
    return file_->reads() - before;
  }
  // Entries [from, to) in order, through one iterator; how many it saw.
  int Scan(int from, int to) {
    auto it = table_->NewIterator(ReadOptions());
    int n = 0;
    for (it->Seek(NumberKey(from)); it->Valid(); it->Next()) {  // no step past entry to - 1
      EXPECT_EQ(it->key(), NumberKey(from + n));
      if (++n == to - from) break;
    }
    EXPECT_OK(it->status());
    return n;
  }

  TableOptions options_;
  std::string bytes_;
  size_t block_charge_ = 0;
  std::shared_ptr<Cache> cache_;
  std::unique_ptr<Table> table_;
  InMemoryRandomAccessFile* file_ = nullptr;
};

TEST_F(LongScanTest, ALongScanDoesNotEvictWhatPointReadsCached) {
  // Blocks 50-99, one read each: the cache ends up full of the most recent of them.
  EXPECT_EQ(Gets(200, 400, 4), 50u);
  EXPECT_GE(cache_->usage() + block_charge_, cache_->capacity());
  EXPECT_EQ(Gets(368, 400, 4), 0u);  // the last eight are cached

  // The whole table: its first 16 blocks are cached as usual (evicting the oldest point
  // reads), the rest only while there is room, which there is not.
  EXPECT_EQ(Scan(0, kEntries), kEntries);
  EXPECT_GT(GetPerfContext()->scan_blocks_not_cached, 80u);
  EXPECT_LE(cache_->usage(), cache_->capacity());
  EXPECT_EQ(Gets(368, 400, 4), 0u);  // still cached
}

TEST_F(LongScanTest, AScanOfLessThanAnEighthOfTheCacheIsCachedWhole) {
  // A cache of 1,200 blocks: a scan is long after about 180 of them (an eighth of the
  // capacity in 4 KiB blocks), so the whole table's 150 blocks are not one. The cache is
  // full of other entries.
  OpenWithCache(1200);
  for (int i = 0; cache_->usage() + block_charge_ <= cache_->capacity(); i++) {
    cache_->Release(cache_->Insert("other" + std::to_string(i), nullptr, block_charge_, nullptr));
  }
  const PerfContext& perf = *GetPerfContext();
  EXPECT_EQ(Scan(0, kEntries), kEntries);
  EXPECT_EQ(perf.scan_blocks_not_cached, 0u);
  const uint64_t reads = perf.block_reads;
  EXPECT_EQ(Scan(0, kEntries), kEntries);
  EXPECT_EQ(perf.block_reads, reads);  // all from the cache
}

TEST_F(LongScanTest, ShortScansAreCachedEvenWhenTheCacheIsFull) {
  EXPECT_EQ(Gets(200, 400, 4), 50u);
  // Ten blocks, fewer than a long scan's sixteen: cached, evicting point reads.
  const PerfContext& perf = *GetPerfContext();
  const uint64_t before = perf.block_reads;
  EXPECT_EQ(Scan(0, 40), 40);
  EXPECT_EQ(perf.block_reads - before, 10u);
  EXPECT_EQ(perf.scan_blocks_not_cached, 0u);
  EXPECT_EQ(Scan(0, 40), 40);
  EXPECT_EQ(perf.block_reads - before, 10u);  // the second time from the cache
}

TEST_F(LongScanTest, ALongScanFillsTheRoomACacheHas) {
  // An empty cache of 30 blocks: the scan leaves it full, and a scan of what it cached reads
  // nothing from the file.
  EXPECT_EQ(Scan(0, kEntries), kEntries);
  EXPECT_GE(cache_->usage() + block_charge_, cache_->capacity());
  const uint64_t before = GetPerfContext()->block_reads;
  EXPECT_EQ(Scan(0, 80), 80);
  EXPECT_EQ(GetPerfContext()->block_reads, before);
}

TEST_F(LongScanTest, ReverseScansAreLongScansToo) {
  EXPECT_EQ(Gets(200, 400, 4), 50u);
  auto it = table_->NewIterator(ReadOptions());
  int n = 0;
  for (it->SeekToLast(); it->Valid(); it->Prev()) n++;
  EXPECT_OK(it->status());
  EXPECT_EQ(n, kEntries);
  EXPECT_GT(GetPerfContext()->scan_blocks_not_cached, 80u);
  EXPECT_EQ(Gets(368, 400, 4), 0u);
}

TEST(TableTest, CachedGetAllocatesNothing) {
  std::shared_ptr<Cache> cache = NewLRUCache(8 << 20);
  InternalKeyComparator icmp(BytewiseComparator());
  TableOptions options;
  options.comparator = &icmp;
  options.filter_key = [](std::string_view k) { return ExtractUserKey(k); };
  options.block_cache = cache.get();
  KVModel model;
  std::vector<std::string> users;
  for (int i = 0; i < 3000; i++) {
    users.push_back(std::string(40, 'u') + NumberKey(i));  // long keys: prefix-compressed
    std::string ikey;
    AppendInternalKey(&ikey, users.back(), 5, ValueType::kValue);
    model.emplace_back(ikey, "value");
  }
  std::string bytes;
  ASSERT_OK(BuildTable(options, model, &bytes));
  std::unique_ptr<Table> table;
  ASSERT_OK(OpenTable(options, bytes, &table));
  auto count = [](void* arg, std::string_view, std::string_view) {
    ++*static_cast<int*>(arg);
    return false;
  };
  int found = 0;
  for (const auto& user : users) {  // fill the cache
    LookupKey lookup(user, kMaxSequenceNumber);
    ASSERT_OK(table->Get(ReadOptions(), lookup.internal_key(), lookup.user_key(), count, &found));
  }
  const uint64_t before = g_allocations.load();
  for (const auto& user : users) {
    LookupKey lookup(user, kMaxSequenceNumber);
    Status s = table->Get(ReadOptions(), lookup.internal_key(), lookup.user_key(), count, &found);
    if (!s.ok()) ADD_FAILURE() << s.ToString();
  }
  EXPECT_EQ(g_allocations.load() - before, 0u);
  EXPECT_EQ(found, 2 * 3000);
}

// Two tables share a cache; their blocks sit at the same offsets but must not be confused.
TEST(TableTest, TablesSharingACacheKeepTheirOwnBlocks) {
  std::shared_ptr<Cache> cache = NewLRUCache(1 << 20);
  TableOptions options;
  options.block_cache = cache.get();
  KVModel a, b;
  for (int i = 0; i < 500; i++) {
    a.emplace_back(NumberKey(i), "table-a");
    b.emplace_back(NumberKey(i), "table-b");
  }
  std::string bytes_a, bytes_b;
  ASSERT_OK(BuildTable(options, a, &bytes_a));
  ASSERT_OK(BuildTable(options, b, &bytes_b));
  std::unique_ptr<Table> ta, tb;
  ASSERT_OK(OpenTable(options, bytes_a, &ta));
  ASSERT_OK(OpenTable(options, bytes_b, &tb));
  for (int round = 0; round < 2; round++) {
    for (int i = 0; i < 500; i += 7) {
      Status s;
      EXPECT_EQ(DoGet(*ta, NumberKey(i), NumberKey(i), &s).value, "table-a");
      EXPECT_EQ(DoGet(*tb, NumberKey(i), NumberKey(i), &s).value, "table-b");
    }
  }
}

// Iterators pin their block: a cache too small for more than one block still serves a scan,
// and blocks stay valid while pinned.
TEST(TableTest, TinyCacheAndPinnedBlocks) {
  std::shared_ptr<Cache> cache = NewLRUCache(1, 0);
  TableOptions options;
  options.block_cache = cache.get();
  options.block_size = 512;
  Random rnd(3);
  KVModel model = RandomModel(&rnd, 2000, 16, 40);
  std::string bytes;
  ASSERT_OK(BuildTable(options, model, &bytes));
  std::unique_ptr<Table> table;
  ASSERT_OK(OpenTable(options, bytes, &table, /*zero_copy=*/true));
  auto it1 = table->NewIterator(ReadOptions());
  auto it2 = table->NewIterator(ReadOptions());
  it1->SeekToFirst();
  it2->SeekToLast();
  for (size_t i = 0; i < model.size(); i++) {
    ASSERT_TRUE(it1->Valid());
    ASSERT_TRUE(it2->Valid());
    EXPECT_EQ(it1->key(), model[i].first);
    EXPECT_EQ(it2->value(), model[model.size() - 1 - i].second);
    it1->Next();
    it2->Prev();
  }
  EXPECT_FALSE(it1->Valid());
  EXPECT_FALSE(it2->Valid());
  it1.reset();
  it2.reset();
  table.reset();
  EXPECT_EQ(cache->usage(), 0u);  // nothing pinned, and nothing fits
}

TEST(TableTest, ConcurrentReaders) {
  std::shared_ptr<Cache> cache = NewLRUCache(64 << 10);
  TableOptions options;
  options.block_cache = cache.get();
  KVModel model;
  for (int i = 0; i < 5000; i++) model.emplace_back(NumberKey(i), "v" + std::to_string(i));
  std::string bytes;
  ASSERT_OK(BuildTable(options, model, &bytes));
  std::unique_ptr<Table> table;
  ASSERT_OK(OpenTable(options, bytes, &table));
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([&, t] {
      Random rnd(t + 1);
      for (int i = 0; i < 3000; i++) {
        size_t k = rnd.Uniform(model.size());
        GetResult r;
        Status s = table->Get(ReadOptions(), model[k].first, model[k].first, &GetResult::Save, &r);
        if (!s.ok() || r.value != model[k].second) errors++;
        if (i % 500 == 0) {
          auto it = table->NewIterator(ReadOptions());
          it->Seek(model[k].first);
          for (int j = 0; j < 100 && it->Valid(); j++) it->Next();
          if (!it->status().ok()) errors++;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
}

TEST(TableTest, PropertiesAreRecorded) {
  TableOptions options;
  options.compression = CompressionType::kLZ4;
  KVModel model;
  for (int i = 0; i < 3000; i++) model.emplace_back(NumberKey(i), std::string(50, 'a' + i % 7));
  std::string bytes;
  {
    InMemoryWritableFile file(&bytes);
    TableBuilder builder(options, &file);
    for (const auto& [k, v] : model) builder.Add(k, v);
    builder.SetSequenceRange(100, 4000);
    ASSERT_OK(builder.Finish());
  }
  std::unique_ptr<Table> table;
  ASSERT_OK(OpenTable(options, bytes, &table));
  const TableProperties& p = table->properties();
  EXPECT_EQ(p.num_entries, 3000u);
  EXPECT_EQ(p.raw_key_size, 3000u * 19);
  EXPECT_EQ(p.raw_value_size, 3000u * 50);
  EXPECT_EQ(p.smallest_key, NumberKey(0));
  EXPECT_EQ(p.largest_key, NumberKey(2999));
  EXPECT_EQ(p.smallest_seqno, 100u);
  EXPECT_EQ(p.largest_seqno, 4000u);
  EXPECT_EQ(p.compression, 1u);
  EXPECT_EQ(p.comparator_name, "strata.BytewiseComparator");
  EXPECT_GT(p.num_data_blocks, 10u);
  EXPECT_GT(p.index_size, p.num_data_blocks * 4);
  // 3000 keys at 10 bits: 59 lines of 64 bytes, 2 tail bytes and the block trailer.
  EXPECT_EQ(p.filter_size, 59u * 64 + 2 + kBlockTrailerSize);
  EXPECT_LT(p.data_size, p.raw_key_size + p.raw_value_size);  // compressed
  EXPECT_LT(p.data_size + p.index_size + p.filter_size, bytes.size());
  auto now = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
  EXPECT_LE(p.creation_time, now);
  EXPECT_GE(p.creation_time + 60, now);

  std::string text = p.ToString();
  EXPECT_NE(text.find("num_entries: 3000\n"), std::string::npos) << text;
  EXPECT_NE(text.find("smallest_key: key0000000000000000\n"), std::string::npos) << text;
  EXPECT_NE(text.find("compression: 1 (lz4)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("comparator_name: strata.BytewiseComparator\n"), std::string::npos);
  EXPECT_NE(text.find("smallest_seqno: 100\n"), std::string::npos);

  TableProperties binary;
  binary.smallest_key = std::string("a\x00\xff", 3);
  EXPECT_NE(binary.ToString().find("smallest_key: a\\x00\\xff\n"), std::string::npos);
}

TEST(TableTest, ComparatorMismatchIsRefused) {
  InternalKeyComparator icmp(BytewiseComparator());
  TableOptions options;
  std::string bytes;
  ASSERT_OK(BuildTable(options, {{"a", "1"}}, &bytes));
  options.comparator = &icmp;
  std::unique_ptr<Table> table;
  Status s = OpenTable(options, bytes, &table);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.ToString().find("strata.BytewiseComparator"), std::string::npos) << s.ToString();
  EXPECT_EQ(table, nullptr);
}

TEST(TableTest, KeysOutOfOrderAreRefused) {
  std::string bytes;
  InMemoryWritableFile file(&bytes);
  TableBuilder builder(TableOptions(), &file);
  builder.Add("b", "1");
  builder.Add("a", "2");
  EXPECT_TRUE(builder.status().IsInvalidArgument());
  builder.Add("c", "3");  // ignored after the error
  EXPECT_EQ(builder.NumEntries(), 1u);
  EXPECT_TRUE(builder.Finish().IsInvalidArgument());

  std::string bytes2;
  InMemoryWritableFile file2(&bytes2);
  TableBuilder dup(TableOptions(), &file2);
  dup.Add("a", "1");
  dup.Add("a", "2");
  EXPECT_TRUE(dup.status().IsInvalidArgument());
  dup.Abandon();
}

TEST(TableTest, TheFileGetsWholeAlignedChunks) {
  // Blocks of about 1 KiB reach the file as whole chunks of options.write_chunk bytes (each
  // so starting at a multiple of it), then the rest at Finish: a few writes for a file of
  // about 3.5 MiB, not one a block.
  for (const size_t chunk : {ChunkedWriter::kPreadChunk, ChunkedWriter::kMappedChunk}) {
    SCOPED_TRACE(chunk);
    TableOptions options;
    EXPECT_EQ(options.write_chunk, ChunkedWriter::kMappedChunk) << "the default";
    options.write_chunk = chunk;
    options.block_size = 1024;
    options.compression = CompressionType::kNone;
    KVModel model;
    for (int i = 0; i < 30000; i++) model.emplace_back(NumberKey(i), std::string(100, 'v'));
    std::string bytes;
    InMemoryWritableFile file(&bytes);
    TableBuilder builder(options, &file);
    for (const auto& [k, v] : model) builder.Add(k, v);
    ASSERT_OK(builder.Finish());
    ASSERT_GT(bytes.size(), 3 * ChunkedWriter::kPreadChunk);
    EXPECT_GE(builder.properties().num_data_blocks, 3000u);
    EXPECT_EQ(static_cast<size_t>(file.appends), (bytes.size() + chunk - 1) / chunk);
    EXPECT_EQ(builder.FileSize(), bytes.size());
    std::unique_ptr<Table> table;
    ASSERT_OK(OpenTable(options, bytes, &table));
    Status s;
    EXPECT_EQ(DoGet(*table, NumberKey(29999), NumberKey(29999), &s).calls, 1);
    ASSERT_OK(s);
  }
}

TEST(TableTest, ReadErrorsAreReported) {
  TableOptions options;
  KVModel model;
  for (int i = 0; i < 1000; i++) model.emplace_back(NumberKey(i), "v");
  std::string bytes;
  ASSERT_OK(BuildTable(options, model, &bytes));
  std::unique_ptr<Table> table;
  InMemoryRandomAccessFile* file;
  ASSERT_OK(OpenTable(options, bytes, &table, false, &file));
  auto it = table->NewIterator(ReadOptions());
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  file->set_fail_reads(true);
  Status s;
  EXPECT_EQ(DoGet(*table, NumberKey(900), NumberKey(900), &s).calls, 0);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  while (it->Valid()) it->Next();
  EXPECT_TRUE(it->status().IsIOError()) << it->status().ToString();
  it->Seek(NumberKey(500));
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsIOError());
  file->set_fail_reads(false);
  it->Seek(NumberKey(500));  // a new seek starts over
  ASSERT_TRUE(it->Valid());
  EXPECT_OK(it->status());
  EXPECT_EQ(it->key(), NumberKey(500));

  // Open fails cleanly too.
  auto failing = std::make_unique<InMemoryRandomAccessFile>(bytes);
  failing->set_fail_reads(true);
  std::unique_ptr<Table> t2;
  EXPECT_TRUE(Table::Open(options, kFileName, std::move(failing), bytes.size(), &t2).IsIOError());
}

// Writes a table of model (in options' order) to a real file at path through fs, syncs it, and
// opens it through fs; *mapped (if not null) says whether fs mapped the file.
Status WriteAndOpenTableFile(FileSystem& fs, const std::string& path, const TableOptions& options,
                             const KVModel& model, std::unique_ptr<Table>* table,
                             bool* mapped = nullptr) {
  std::unique_ptr<WritableFile> out;
  Status s = fs.NewWritableFile(path, &out);
  if (!s.ok()) return s;
  TableBuilder builder(options, out.get());
  for (const auto& [k, v] : model) builder.Add(k, v);
  s = builder.Finish();
  if (s.ok()) s = out->Sync();
  if (s.ok()) s = out->Close();
  uint64_t size = 0;
  if (s.ok()) s = fs.GetFileSize(path, &size);
  std::unique_ptr<RandomAccessFile> in;
  if (s.ok()) s = fs.NewRandomAccessFile(path, &in);
  if (!s.ok()) return s;
  if (mapped != nullptr) *mapped = in->IsMemoryMapped();
  return Table::Open(options, path, std::move(in), size, table);
}

TEST(TableTest, OnRealFiles) {
  TempDir dir;
  TableOptions options;
  Random rnd(77);
  KVModel model = RandomModel(&rnd, 3000, 20, 200);
  std::unique_ptr<Table> table;
  ASSERT_OK(WriteAndOpenTableFile(*FileSystem::Default(), dir.Child("000007.sst"), options, model,
                                  &table));
  auto it = table->NewIterator(ReadOptions());
  EXPECT_TRUE(IteratorMatchesModel(it.get(), model, BytewiseComparator(), {}, 1, 200));
}

// This process's resident pages of mapped files, in KiB: the RssFile and RssShmem lines of
// /proc/self/status (a file on tmpfs counts in the second), or -1 if the kernel does not say.
int64_t ResidentMappedKiB() {
  const int64_t file = ProcessStatusKiB("RssFile"), shmem = ProcessStatusKiB("RssShmem");
  if (file < 0 && shmem < 0) return -1;
  return std::max<int64_t>(file, 0) + std::max<int64_t>(shmem, 0);
}

// A scan with fill_cache false (what a compaction reads with) through a mapped table lets go of
// the pages behind it, so the table does not stay in the resident set, and reads the same
// bytes; the same scan with fill_cache true (no block cache here, so the only difference is
// that it releases nothing) leaves them mapped: the control, showing the measure sees a
// scan's pages.
TEST(TableTest, AScanThatKeepsNothingReleasesTheMappedPagesBehindIt) {
  if (ResidentMappedKiB() < 0) GTEST_SKIP() << "no RssFile in /proc/self/status";
  TempDir dir;
  std::shared_ptr<FileSystem> fs = FileSystem::NewPosix(uint64_t{1} << 30);
  const std::string path = dir.Child("000009.sst");
  TableOptions options;
  options.compression = CompressionType::kNone;
  Random rnd(9);
  constexpr unsigned kEntries = 32 * 1024;  // about 32 MiB of values
  KVModel model;
  char key[32];
  for (unsigned i = 0; i < kEntries; i++) {
    std::snprintf(key, sizeof key, "%016u", i);
    model.emplace_back(key, RandomBytes(&rnd, 1000));
  }
  std::unique_ptr<Table> table;
  bool mapped = false;
  ASSERT_OK(WriteAndOpenTableFile(*fs, path, options, model, &table, &mapped));
  ASSERT_TRUE(mapped);
  uint64_t size;
  ASSERT_OK(fs->GetFileSize(path, &size));
  const int64_t size_kib = static_cast<int64_t>(size >> 10);

  // Returns the growth of the resident set during the scan, and the hash of what it read.
  auto scan = [&](bool fill_cache, uint64_t* digest) {
    ReadOptions ro;
    ro.fill_cache = fill_cache;
    const int64_t before = ResidentMappedKiB();
    auto it = table->NewIterator(ro);
    size_t n = 0;
    *digest = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next(), n++) {
      *digest = *digest * 31 + Hash64(it->key()) + Hash64(it->value());
    }
    EXPECT_OK(it->status());
    EXPECT_EQ(n, kEntries);
    return ResidentMappedKiB() - before;  // measured while the iterator and the mapping live
  };
  uint64_t released_digest, kept_digest;
  const int64_t released = scan(/*fill_cache=*/false, &released_digest);
  EXPECT_LT(released, size_kib / 4) << "a scan keeping nothing left its pages resident";
  const int64_t kept = scan(/*fill_cache=*/true, &kept_digest);
  EXPECT_GT(kept, size_kib / 2) << "the control scan should have left the table resident";
  uint64_t model_digest = 0;
  for (const auto& [k, v] : model) model_digest = model_digest * 31 + Hash64(k) + Hash64(v);
  EXPECT_EQ(released_digest, model_digest) << "the scan that released read the table wrongly";
  EXPECT_EQ(kept_digest, model_digest) << "released pages must read the same again";
}

// Bytes as space-separated hex pairs, the notation of docs/FORMATS.md.
std::string Hex(std::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    if (!out.empty()) out.push_back(' ');
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// The worked example of docs/FORMATS.md ("Sorted table files"): every byte except the
// properties block, whose creation time (and so its checksum) changes from run to run.
TEST(TableTest, DocumentedBytes) {
  TableOptions options;
  options.compression = CompressionType::kNone;
  options.block_restart_interval = 2;
  std::string bytes;
  ASSERT_OK(BuildTable(options, {{"apple", "red"}, {"apricot", "or"}, {"banana", "y"}}, &bytes));
  ASSERT_EQ(bytes.size(), 666u);
  std::string_view b(bytes);

  // Data block (block_test's DocumentedLayout) and trailer.
  EXPECT_EQ(Hex(b.substr(0, 48)),
            "00 05 03 61 70 70 6c 65 72 65 64 02 05 02 72 69 63 6f 74 6f 72 00 06 01 "
            "62 61 6e 61 6e 61 79 00 00 00 00 15 00 00 00 02 00 00 00 "
            "00 58 54 33 bb");
  // Filter: one line, 6 probes, kind 1; trailer.
  EXPECT_EQ(Hex(b.substr(48, 71)),
            "00 00 00 00 00 00 40 00 00 00 00 a1 00 40 00 10 00 00 00 00 00 00 00 01 "
            "00 0a 00 00 00 00 00 00 20 00 03 80 00 00 04 00 00 00 20 00 00 00 00 00 "
            "00 00 00 00 00 02 00 00 82 00 00 00 00 00 00 00 "
            "06 01 "
            "00 3a 43 2c 0e");
  // Properties: 417 bytes at 119, then its trailer; it starts with the comparator entry.
  EXPECT_EQ(b.substr(119, 35), std::string("\x00\x11\x19strata.comparatorstrata.Bytewise", 35));
  // Metaindex: "strata.filter" -> (48, 66), "strata.properties" -> (119, 417); trailer.
  EXPECT_EQ(Hex(b.substr(541, 58)),
            "00 0d 02 73 74 72 61 74 61 2e 66 69 6c 74 65 72 30 42 "
            "00 11 03 73 74 72 61 74 61 2e 70 72 6f 70 65 72 74 69 65 73 77 a1 03 "
            "00 00 00 00 12 00 00 00 02 00 00 00 "
            "00 36 43 0c 8c");
  // Index: "c" (the short successor of "banana") -> (0, 43); trailer.
  EXPECT_EQ(Hex(b.substr(599, 19)),
            "00 01 02 63 00 2b 00 00 00 00 01 00 00 00 "
            "00 f6 9e 74 ed");
  // Footer.
  EXPECT_EQ(Hex(b.substr(618)),
            "1d 02 00 00 00 00 00 00 35 00 00 00 00 00 00 00 "
            "57 02 00 00 00 00 00 00 0e 00 00 00 00 00 00 00 "
            "02 00 00 00 dc 22 8b b5 "
            "73 74 72 61 74 61 53 54");

  // The checksums are what the format says they are.
  EXPECT_EQ(DecodeFixed32(b.data() + 44), Checksum(b.substr(0, 44)));
  EXPECT_EQ(DecodeFixed32(b.data() + 537), Checksum(b.substr(119, 418)));
  EXPECT_EQ(DecodeFixed32(b.data() + 618 + 36), Checksum(b.substr(618, 36)));
  std::unique_ptr<Table> table;
  ASSERT_OK(OpenTable(options, bytes, &table));
  EXPECT_EQ(table->properties().num_entries, 3u);
}

}  // namespace
}  // namespace strata::test

namespace strata::test {
namespace {

// A callback that asks for more is fed the following entries, across block boundaries, until
// it stops or the table ends: Get and MultiGet alike (how a lookup that met a merge operand
// reads the entries under it).
struct Collect {
  int want = 0;  // entries to take before stopping
  std::vector<std::string> keys;
  static bool Next(void* arg, std::string_view k, std::string_view) {
    auto* c = static_cast<Collect*>(arg);
    c->keys.emplace_back(k);
    return static_cast<int>(c->keys.size()) < c->want;
  }
};

TEST(TableGetTest, ACallbackThatAsksForMoreReadsOnAcrossBlocks) {
  TableOptions options;
  options.compression = CompressionType::kNone;
  options.block_size = 256;  // a few entries per block
  KVModel model;
  for (int i = 0; i < 200; i++) model.emplace_back(NumberKey(i), std::string(60, 'v'));
  std::string bytes;
  ASSERT_OK(BuildTable(options, model, &bytes));
  std::unique_ptr<Table> table;
  ASSERT_OK(OpenTable(options, bytes, &table, false));
  ASSERT_GT(table->properties().num_data_blocks, 40u);
  for (int want : {1, 2, 7, 30, 1000}) {
    SCOPED_TRACE(want);
    Collect c{want, {}};
    ASSERT_OK(table->Get(ReadOptions(), NumberKey(50), NumberKey(50), &Collect::Next, &c));
    const size_t expected = std::min<size_t>(want, 150);  // keys 50..199 exist
    ASSERT_EQ(expected, c.keys.size());
    for (size_t j = 0; j < c.keys.size(); j++) EXPECT_EQ(NumberKey(50 + j), c.keys[j]);

    // MultiGet: each lookup reads on alone; the next lookup still finds its own key.
    Collect a{want, {}}, b{want, {}};
    const std::string ka = NumberKey(10), kb = NumberKey(12);  // the lookups hold views
    std::vector<Table::Lookup> lookups = {{ka, ka, &Collect::Next, &a, {}},
                                          {kb, kb, &Collect::Next, &b, {}}};
    table->MultiGet(ReadOptions(), lookups);
    ASSERT_OK(lookups[0].status);
    ASSERT_OK(lookups[1].status);
    ASSERT_EQ(std::min<size_t>(want, 190), a.keys.size());
    ASSERT_EQ(std::min<size_t>(want, 188), b.keys.size());
    EXPECT_EQ(NumberKey(10), a.keys.front());
    EXPECT_EQ(NumberKey(12), b.keys.front());
    EXPECT_EQ(NumberKey(10 + a.keys.size() - 1), a.keys.back());
    EXPECT_EQ(NumberKey(12 + b.keys.size() - 1), b.keys.back());
  }
}

// Table::MultiGet answers like Get for every key, and reads a data block once for all the
// keys in it even when nothing is cached.
TEST(TableMultiGetTest, SharesBlocksBetweenKeysAndAnswersLikeGet) {
  TableOptions options;
  options.compression = CompressionType::kNone;
  options.block_size = 1024;
  KVModel model;
  for (int i = 0; i < 1000; i += 2) model.emplace_back(NumberKey(i), "v" + std::to_string(i));
  std::string bytes;
  ASSERT_OK(BuildTable(options, model, &bytes));
  std::unique_ptr<Table> table;
  InMemoryRandomAccessFile* file = nullptr;
  ASSERT_OK(OpenTable(options, bytes, &table, false, &file));

  std::vector<std::string> keys;
  for (int i = 0; i < 1000; i++) keys.push_back(NumberKey(i));  // half of them absent
  keys.push_back("~");                                          // past the last key
  std::vector<GetResult> results(keys.size());
  std::vector<Table::Lookup> lookups;
  for (size_t i = 0; i < keys.size(); i++) {
    lookups.push_back({keys[i], keys[i], &GetResult::Save, &results[i], Status()});
  }
  ReadOptions ro;
  ro.fill_cache = false;
  const uint64_t reads_before = file->reads();
  table->MultiGet(ro, lookups);
  const uint64_t multiget_reads = file->reads() - reads_before;
  EXPECT_EQ(multiget_reads, table->properties().num_data_blocks);
  for (size_t i = 0; i < keys.size(); i++) {
    ASSERT_OK(lookups[i].status);
    GetResult one;
    ASSERT_OK(table->Get(ro, keys[i], keys[i], &GetResult::Save, &one));
    EXPECT_EQ(results[i].calls, one.calls) << keys[i];
    EXPECT_EQ(results[i].key, one.key) << keys[i];
    EXPECT_EQ(results[i].value, one.value) << keys[i];
  }
  EXPECT_GT(file->reads() - reads_before - multiget_reads, 5 * multiget_reads);  // Get: per key
}

}  // namespace
}  // namespace strata::test
