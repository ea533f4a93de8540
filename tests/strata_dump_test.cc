// strata_dump: the dump library and its command line over real files written by a DB, intact
// and damaged, and over whole databases (also while open). JSON output is parsed back and
// checked against what was written; SVG output is checked for structure.
#include "tools/dump/dump.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "db/write_batch_internal.h"
#include "strata/db.h"
#include "strata/merge_operator.h"
#include "strata/table_writer.h"
#include "strata/write_batch.h"
#include "support/db_holder_child.h"
#include "support/db_test_util.h"
#include "support/json_reader.h"
#include "support/test_util.h"
#include "support/tool_run.h"
#include "tools/dump/db_svg.h"
#include "tools/dump/json_writer.h"
#include "util/coding.h"
#include "version/filename.h"
#include "wal/log_writer.h"

namespace strata {
namespace {

using test::Json;
using test::ParseJson;

using DumpRun = test::ToolRun;

DumpRun RunCli(std::vector<std::string> args) {
  return test::RunTool(dump::RunStrataDump, "strata_dump", std::move(args));
}

class StrataDumpTest : public testing::Test {
 protected:
  StrataDumpTest() {
    options_.create_if_missing = true;
    dbname_ = dir_.Child("db");
  }

  void Open() { ASSERT_OK(DB::Open(options_, dbname_, &db_)); }
  void Close() { db_.reset(); }

  // Writes puts and deletes (some in multi-operation batches, some keys with awkward bytes)
  // and counts them in records_ and operations_.
  void WriteWorkload(int n) {
    for (int i = 0; i < n; i++) {
      ASSERT_OK(db_->Put(WriteOptions(), test::NumberKey(i), "value" + std::to_string(i)));
      records_++;
      operations_++;
    }
    WriteBatch batch;
    batch.Put(std::string("a\x00\xff\"\\", 5), std::string("\n\t\x01", 3));
    batch.Delete(test::NumberKey(0));
    batch.Put("zz", std::string(3000, 'x'));
    ASSERT_OK(db_->Write(WriteOptions(), &batch));
    records_++;
    operations_ += 3;
    ASSERT_OK(db_->Delete(WriteOptions(), test::NumberKey(1)));
    records_++;
    operations_++;
  }

  std::string OnlyFile(FileType type) {
    auto files = test::FilesOfType(dbname_, type);
    EXPECT_FALSE(files.empty());
    return files.empty() ? std::string() : files.back();
  }

  test::TempDir dir_;
  std::string dbname_;
  Options options_;
  std::unique_ptr<DB> db_;
  uint64_t records_ = 0;
  uint64_t operations_ = 0;
};

TEST(JsonWriterTest, EscapesStrings) {
  std::ostringstream out;
  dump::JsonWriter json(&out);
  json.BeginObject();
  json.Field("s", std::string_view("q\"b\\n\n\x01\x7f\xff", 9));
  json.Field("n", uint64_t{18446744073709551615u});
  json.Key("a");
  json.BeginArray();
  json.Bool(true);
  json.Null();
  json.BeginObject();
  json.EndObject();
  json.EndArray();
  json.EndObject();
  EXPECT_EQ(out.str(),
            "{\"s\":\"q\\\"b\\\\n\\n\\u0001\\u007f\\u00ff\",\"n\":18446744073709551615,"
            "\"a\":[true,null,{}]}\n");
  Json v = ParseJson(out.str());
  EXPECT_EQ(v["s"].string, std::string("q\"b\\n\n\x01\x7f\xff", 9));
  EXPECT_EQ(v["a"].array.size(), 3u);
}

TEST_F(StrataDumpTest, WalJsonMatchesWhatWasWritten) {
  Open();
  WriteWorkload(50);
  Close();
  std::string log = OnlyFile(FileType::kLog);

  DumpRun r = RunCli({"wal", "--json", log});
  ASSERT_EQ(r.status, dump::kDumpSound) << r.err;
  EXPECT_EQ(r.err, "");
  Json v = ParseJson(r.out);
  EXPECT_EQ(v["kind"].string, "wal");
  EXPECT_EQ(v["records"].Uint(), records_);
  EXPECT_EQ(v["operations"].Uint(), operations_);
  EXPECT_EQ(v["damaged_regions"].Uint(), 0u);
  ASSERT_EQ(v["events"].array.size(), records_);

  uint64_t ops = 0, last_offset = 0, next_sequence = 0;
  bool saw_awkward = false;
  for (const Json& e : v["events"].array) {
    EXPECT_EQ(e["event"].string, "record");
    EXPECT_EQ(e["count"].Uint(), e["operations"].array.size());
    if (ops > 0) {
      EXPECT_GT(e["offset"].Uint(), last_offset);
      EXPECT_EQ(e["sequence"].Uint(), next_sequence);  // one sequence per operation
    }
    last_offset = e["offset"].Uint();
    next_sequence = e["sequence"].Uint() + e["count"].Uint();
    ops += e["count"].Uint();
    for (const Json& op : e["operations"].array) {
      EXPECT_TRUE(op["type"].string == "put" || op["type"].string == "delete");
      EXPECT_EQ(op.Has("value"), op["type"].string == "put");
      if (op["key"].string == "a\\x00\\xff\"\\\\") {
        saw_awkward = true;
        EXPECT_EQ(op["value"].string, "\\x0a\\x09\\x01");
      }
    }
  }
  EXPECT_EQ(ops, operations_);
  EXPECT_TRUE(saw_awkward);

  // --hex shows the raw bytes.
  r = RunCli({"--hex", "--json", log});
  ASSERT_EQ(r.status, dump::kDumpSound) << r.err;
  v = ParseJson(r.out);
  EXPECT_EQ(v["events"].array[0]["operations"].array[0]["key"].string,
            "6b657930303030303030303030303030303030");
}

TEST_F(StrataDumpTest, WalTextNamesEveryRecordAndPicksKindFromName) {
  Open();
  WriteWorkload(10);
  Close();
  std::string log = OnlyFile(FileType::kLog);

  DumpRun r = RunCli({log});
  ASSERT_EQ(r.status, dump::kDumpSound) << r.err;
  size_t lines = 0, pos = 0;
  while ((pos = r.out.find(" record: ", pos)) != std::string::npos) {
    lines++;
    pos++;
  }
  EXPECT_EQ(lines, records_);
  EXPECT_NE(r.out.find("@0 record: "), std::string::npos);
  EXPECT_NE(r.out.find("put 'key0000000000000009' => 'value9'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("summary: " + std::to_string(records_) + " records"), std::string::npos);
}

// A switch in the strict recovery mode syncs the old log and opens the new one with a sync
// marker: the dump names it for what it is.
TEST_F(StrataDumpTest, WalNamesASyncMarker) {
  options_.wal_recovery_mode = WalRecoveryMode::kAbsoluteConsistency;
  Open();
  WriteWorkload(3);
  ASSERT_OK(db_->Flush());
  WriteWorkload(2);
  Close();
  std::string log = OnlyFile(FileType::kLog);
  DumpRun r = RunCli({log});
  ASSERT_EQ(r.status, dump::kDumpSound) << r.err;
  EXPECT_NE(r.out.find("@0 record: 12 bytes, sequence 0, 0 operations (sync marker: the older "
                       "logs were synced)"),
            std::string::npos)
      << r.out;
  r = RunCli({"--json", log});
  ASSERT_EQ(r.status, dump::kDumpSound) << r.err;
  EXPECT_EQ("sync", ParseJson(r.out)["events"].array[0]["marker"].string);
}

TEST_F(StrataDumpTest, DamagedWalIsReportedInPlaceAndTheDumpGoesOn) {
  // Enough data for several 32 KiB blocks, so records after the damage survive.
  Open();
  WriteWorkload(3000);
  Close();
  std::string log = OnlyFile(FileType::kLog);
  test::RewriteFile(log, [](std::string* bytes) { (*bytes)[40000] ^= 0x5a; });

  DumpRun r = RunCli({"wal", "--json", log});
  ASSERT_EQ(r.status, dump::kDumpDamaged) << r.err;
  EXPECT_NE(r.err.find(log), std::string::npos);
  EXPECT_NE(r.err.find("offset"), std::string::npos);
  Json v = ParseJson(r.out);
  EXPECT_EQ(v["damaged_regions"].Uint(), 1u);
  EXPECT_GT(v["records"].Uint(), 0u);
  EXPECT_LT(v["records"].Uint(), records_);
  bool after_damage = false;
  uint64_t records_after = 0;
  for (const Json& e : v["events"].array) {
    if (e["event"].string == "damage") {
      after_damage = true;
      EXPECT_EQ(e["kind"].string, "checksum mismatch");
      EXPECT_LE(e["offset"].Uint(), 40000u);
      EXPECT_GT(e["offset"].Uint() + e["bytes_dropped"].Uint(), 40000u);
      EXPECT_FALSE(e["reason"].string.empty());
    } else if (after_damage) {
      records_after++;
    }
  }
  EXPECT_TRUE(after_damage);
  EXPECT_GT(records_after, 0u);  // the dump resumed at the next block

  // Text output carries the damage line in place.
  r = RunCli({"wal", log});
  EXPECT_EQ(r.status, dump::kDumpDamaged);
  EXPECT_NE(r.out.find(" DAMAGE checksum mismatch: "), std::string::npos);
}

TEST_F(StrataDumpTest, GarbageAndTruncatedWalsNeverCrash) {
  Open();
  WriteWorkload(200);
  Close();
  std::string log = OnlyFile(FileType::kLog);
  std::string original;
  ASSERT_OK(ReadFileToString(FileSystem::Default().get(), log, &original));
  Random rnd(301);
  for (int trial = 0; trial < 40; trial++) {
    std::string bytes = original;
    if (trial % 2 == 0) {
      bytes.resize(rnd.Uniform(static_cast<uint32_t>(bytes.size())));
    } else {
      for (int i = 0; i < 5; i++) bytes[rnd.Uniform(static_cast<uint32_t>(bytes.size()))]++;
    }
    ASSERT_OK(WriteStringToFile(FileSystem::Default().get(), bytes, log, false));
    DumpRun r = RunCli({"wal", "--json", log});
    EXPECT_TRUE(r.status == dump::kDumpSound || r.status == dump::kDumpDamaged) << r.err;
    ParseJson(r.out);
  }
}

TEST_F(StrataDumpTest, TableJsonMatchesWhatWasWritten) {
  options_.compression = CompressionType::kLZ4;
  Open();
  WriteWorkload(2000);
  ASSERT_OK(db_->Flush());
  Close();
  std::string table = OnlyFile(FileType::kTable);

  DumpRun r = RunCli({"sst", "--json", "--scan", "--blocks", "--verify", table});
  ASSERT_EQ(r.status, dump::kDumpSound) << r.err << r.out.substr(0, 2000);
  Json v = ParseJson(r.out);
  EXPECT_EQ(v["kind"].string, "sst");
  EXPECT_TRUE(v["damage"].array.empty());
  const Json& p = v["properties"];
  EXPECT_EQ(p["comparator"].string, "strata.InternalKeyComparator");
  EXPECT_EQ(p["compression"].string, "lz4");
  EXPECT_GE(p["num_entries"].Uint(), 2000u);
  EXPECT_EQ(v["scanned_entries"].Uint(), p["num_entries"].Uint());
  ASSERT_EQ(v["entries"].array.size(), p["num_entries"].Uint());
  EXPECT_GT(p["num_data_blocks"].Uint(), 1u);
  EXPECT_EQ(v["index"]["entries"].Uint(), p["num_data_blocks"].Uint());
  // A database's table indexes user keys (version 3 and later): separators show without a
  // sequence.
  EXPECT_EQ(v["footer"]["version"].Uint(), 4u);
  EXPECT_EQ(v["index"]["last_key"].string.find('@'), std::string::npos)
      << v["index"]["last_key"].string;
  EXPECT_EQ(v["footer"]["offset"].Uint() + 48, v["file_size"].Uint());

  // Entries come in key order, each with its type; deletes carry no value.
  std::string prev;
  uint64_t deletes = 0;
  for (const Json& e : v["entries"].array) {
    EXPECT_LE(prev, e["key"].string);
    prev = e["key"].string;
    if (e["type"].string == "delete") {
      deletes++;
      EXPECT_FALSE(e.Has("value"));
    } else {
      EXPECT_EQ(e["type"].string, "put");
      EXPECT_TRUE(e.Has("value"));
    }
    EXPECT_GT(e["sequence"].Uint(), 0u);
  }
  EXPECT_EQ(deletes, 2u);

  // Every block is listed once; data blocks add up to the data size; all are sound.
  uint64_t data_blocks = 0, data_bytes = 0, lz4_blocks = 0;
  bool saw_properties = false, saw_index = false, saw_metaindex = false;
  for (const Json& b : v["blocks"].array) {
    EXPECT_TRUE(b["ok"].boolean);
    EXPECT_GT(b["raw_size"].Uint(), 0u);
    if (b["kind"].string == "data") {
      data_blocks++;
      data_bytes += b["size"].Uint() + 5;
      if (b["compression"].string == "lz4") lz4_blocks++;
    }
    saw_properties |= b["kind"].string == "strata.properties";
    saw_index |= b["kind"].string == "index";
    saw_metaindex |= b["kind"].string == "metaindex";
  }
  EXPECT_EQ(data_blocks, p["num_data_blocks"].Uint());
  EXPECT_EQ(data_bytes, p["data_size"].Uint());
  EXPECT_GT(lz4_blocks, 0u);  // "valueNNN" compresses
  EXPECT_TRUE(saw_properties && saw_index && saw_metaindex);
  EXPECT_EQ(v["verify"]["damaged_blocks"].Uint(), 0u);
  EXPECT_EQ(v["verify"]["blocks"].Uint(), v["blocks"].array.size());
}

TEST_F(StrataDumpTest, TableTextAfterCompaction) {
  Open();
  WriteWorkload(500);
  ASSERT_OK(db_->Flush());
  WriteWorkload(500);
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  Close();
  for (const std::string& table : test::FilesOfType(dbname_, FileType::kTable)) {
    DumpRun r = RunCli({"--scan", "--blocks", "--verify", table});  // kind from the name
    ASSERT_EQ(r.status, dump::kDumpSound) << r.err;
    EXPECT_NE(r.out.find("footer @"), std::string::npos);
    EXPECT_NE(r.out.find("properties:\n  num_entries: "), std::string::npos);
    EXPECT_NE(r.out.find("'key0000000000000002' @ "), std::string::npos) << r.out.substr(0, 3000);
    EXPECT_NE(r.out.find("verify: "), std::string::npos);
    EXPECT_NE(r.out.find(" 0 damaged\n"), std::string::npos);
  }
}

TEST_F(StrataDumpTest, RangeTombstonesInTablesAndInTheDbListing) {
  Open();
  WriteWorkload(200);
  ASSERT_OK(db_->DeleteRange(WriteOptions(), "key0000000000000010", "key0000000000000020"));
  ASSERT_OK(db_->DeleteRange(WriteOptions(), "key0000000000000015", "key0000000000000030"));
  ASSERT_OK(db_->Flush());
  Close();
  const std::string table = OnlyFile(FileType::kTable);
  DumpRun r = RunCli({"sst", table});
  ASSERT_EQ(r.status, dump::kDumpSound) << r.err;
  EXPECT_NE(r.out.find("range tombstones: 3 fragments\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  ['key0000000000000015', 'key0000000000000020') @ "), std::string::npos)
      << r.out;
  r = RunCli({"sst", "--json", table});
  ASSERT_EQ(r.status, dump::kDumpSound) << r.err;
  Json v = ParseJson(r.out);
  ASSERT_EQ(v["range_tombstones"].array.size(), 3u);
  EXPECT_EQ(v["range_tombstones"].array[1]["begin"].string, "key0000000000000015");
  EXPECT_EQ(v["range_tombstones"].array[1]["sequences"].array.size(), 2u);
  // The db listing counts each table's fragments (with --verify).
  r = RunCli({"db", "--verify", dbname_});
  ASSERT_EQ(r.status, dump::kDumpSound) << r.err;
  EXPECT_NE(r.out.find(", 3 range tombstone fragments"), std::string::npos) << r.out;
}

// Merge operands show as such (type "merge", an operand, not a value) in a WAL, in a table
// and in the db and MANIFEST listings, which read files and need no operator.
TEST_F(StrataDumpTest, MergeOperandsInWalTableAndListings) {
  options_.merge_operator = NewUInt64AddOperator();
  Open();
  std::string one, two;
  PutFixed64(&one, 1);
  PutFixed64(&two, 2);
  ASSERT_OK(db_->Put(WriteOptions(), "count", one));
  ASSERT_OK(db_->Merge(WriteOptions(), "count", two));
  WriteBatch batch;
  batch.Merge("hits", one);
  batch.Delete("gone");
  ASSERT_OK(db_->Write(WriteOptions(), &batch));
  Close();
  const std::string log = OnlyFile(FileType::kLog);

  DumpRun r = RunCli({"wal", log});
  ASSERT_EQ(r.status, dump::kDumpSound) << r.err;
  EXPECT_NE(r.out.find("  2 merge 'count' <= '\\x02\\x00\\x00\\x00\\x00\\x00\\x00\\x00'\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  3 merge 'hits' <= '"), std::string::npos) << r.out;
  r = RunCli({"wal", "--json", "--hex", log});
  ASSERT_EQ(r.status, dump::kDumpSound) << r.err;
  Json v = ParseJson(r.out);
  const Json& merge = v["events"].array.at(1)["operations"].array.at(0);
  EXPECT_EQ(merge["type"].string, "merge");
  EXPECT_EQ(merge["key"].string, "636f756e74");
  EXPECT_EQ(merge["operand"].string, "0200000000000000");
  EXPECT_FALSE(merge.Has("value"));

  // Reopening flushes the log (combining count's operand onto its value; hits keeps one).
  Open();
  ASSERT_OK(db_->Merge(WriteOptions(), "hits", two));
  ASSERT_OK(db_->Flush());
  Close();
  // The newest table holds hits' second operand: a merge entry carrying its operand.
  const std::string table = OnlyFile(FileType::kTable);
  r = RunCli({"sst", "--scan", table});
  ASSERT_EQ(r.status, dump::kDumpSound) << r.err;
  EXPECT_NE(r.out.find("  'hits' @ 5 merge <= '\\x02\\x00\\x00\\x00\\x00\\x00\\x00\\x00'\n"),
            std::string::npos)
      << r.out;
  r = RunCli({"sst", "--scan", "--json", table});
  ASSERT_EQ(r.status, dump::kDumpSound) << r.err;
  v = ParseJson(r.out);
  ASSERT_EQ(v["entries"].array.size(), 1u);
  EXPECT_EQ(v["entries"].array[0]["type"].string, "merge");
  EXPECT_EQ(v["entries"].array[0]["operand"].string, "\\x02\\x00\\x00\\x00\\x00\\x00\\x00\\x00");
  EXPECT_FALSE(v["entries"].array[0].Has("value"));
  // Every table, scanned: entries of each type, merges among them.
  std::set<std::string> types;
  for (const std::string& t : test::FilesOfType(dbname_, FileType::kTable)) {
    r = RunCli({"sst", "--scan", "--json", t});
    ASSERT_EQ(r.status, dump::kDumpSound) << r.err;
    const Json scan = ParseJson(r.out);  // named: a temporary would die before the loop
    for (const Json& e : scan["entries"].array) types.insert(e["type"].string);
  }
  EXPECT_EQ(types, (std::set<std::string>{"delete", "merge", "put"}));

  // The db listing reads the files, so needs no operator: it names the recorded one, keys
  // show their type, and --verify reads every merge entry.
  r = RunCli({"db", "--verify", dbname_});
  ASSERT_EQ(r.status, dump::kDumpSound) << r.err << r.out;
  EXPECT_NE(r.out.find(" merge operator strata.UInt64Add,"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("keys 'hits' @ 5 : merge .. 'hits' @ 5 : merge"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("summary: 0 problems found"), std::string::npos) << r.out;
  r = RunCli({"db", "--json", dbname_});
  ASSERT_EQ(r.status, dump::kDumpSound) << r.err;
  EXPECT_EQ(ParseJson(r.out)["merge_operator"].string, "strata.UInt64Add");
  const std::string manifest = OnlyFile(FileType::kManifest);
  r = RunCli({"manifest", manifest});
  ASSERT_EQ(r.status, dump::kDumpSound) << r.err;
  EXPECT_NE(r.out.find("result:\n  comparator: strata.BytewiseComparator\n  merge operator: "
                       "strata.UInt64Add\n"),
            std::string::npos)
      << r.out;
  r = RunCli({"manifest", "--json", manifest});
  ASSERT_EQ(r.status, dump::kDumpSound) << r.err;
  v = ParseJson(r.out);
  EXPECT_EQ(v["merge_operator"].string, "strata.UInt64Add");
  EXPECT_EQ(v["events"].array.at(0)["merge_operator"].string, "strata.UInt64Add");
}

TEST_F(StrataDumpTest, DamagedTablesAreReported) {
  options_.compression = CompressionType::kNone;
  Open();
  WriteWorkload(2000);
  ASSERT_OK(db_->Flush());
  Close();
  std::string table = OnlyFile(FileType::kTable);
  std::string original;
  ASSERT_OK(ReadFileToString(FileSystem::Default().get(), table, &original));

  // A flipped byte in the first data block: the summary does not read it; --verify and
  // --scan find it and name its offset.
  test::RewriteFile(table, [](std::string* bytes) { (*bytes)[100] ^= 0x01; });
  EXPECT_EQ(RunCli({"sst", table}).status, dump::kDumpSound);
  DumpRun r = RunCli({"sst", "--json", "--verify", "--blocks", table});
  ASSERT_EQ(r.status, dump::kDumpDamaged) << r.out;
  Json v = ParseJson(r.out);
  ASSERT_EQ(v["damage"].array.size(), 1u);
  EXPECT_EQ(v["damage"].array[0]["offset"].Uint(), 0u);
  EXPECT_EQ(v["verify"]["damaged_blocks"].Uint(), 1u);
  EXPECT_FALSE(v["blocks"].array[0]["ok"].boolean);
  EXPECT_NE(r.err.find(table), std::string::npos);
  EXPECT_NE(r.err.find("offset 0"), std::string::npos);
  r = RunCli({"sst", "--scan", table});
  EXPECT_EQ(r.status, dump::kDumpDamaged);
  EXPECT_NE(r.out.find("DAMAGE"), std::string::npos);

  // A damaged footer, and a file too short to hold one.
  ASSERT_OK(WriteStringToFile(FileSystem::Default().get(), original, table, false));
  test::RewriteFile(table, [](std::string* bytes) { (*bytes)[bytes->size() - 20] ^= 0x01; });
  r = RunCli({"sst", "--json", table});
  EXPECT_EQ(r.status, dump::kDumpDamaged);
  ParseJson(r.out);
  ASSERT_OK(WriteStringToFile(FileSystem::Default().get(), original.substr(0, 10), table, false));
  r = RunCli({"sst", table});
  EXPECT_EQ(r.status, dump::kDumpDamaged);
  EXPECT_NE(r.err.find("too short"), std::string::npos);

  // Random damage anywhere: reported or harmless, never a crash, always JSON.
  Random rnd(17);
  for (int trial = 0; trial < 60; trial++) {
    std::string bytes = original;
    if (trial % 3 == 0) {
      bytes.resize(rnd.Uniform(static_cast<uint32_t>(bytes.size())));
    } else {
      for (int i = 0; i < 3; i++) bytes[rnd.Uniform(static_cast<uint32_t>(bytes.size()))] ^= 0x40;
    }
    ASSERT_OK(WriteStringToFile(FileSystem::Default().get(), bytes, table, false));
    r = RunCli({"sst", "--json", "--scan", "--blocks", "--verify", table});
    EXPECT_TRUE(r.status == dump::kDumpSound || r.status == dump::kDumpDamaged) << r.err;
    ParseJson(r.out);
  }
}

TEST_F(StrataDumpTest, ManifestReplaysToTheFilesOnDisk) {
  Open();
  WriteWorkload(800);
  ASSERT_OK(db_->Flush());
  WriteWorkload(800);
  ASSERT_OK(db_->Flush());
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  WriteWorkload(100);
  ASSERT_OK(db_->Flush());
  Close();
  std::string manifest = OnlyFile(FileType::kManifest);

  DumpRun r = RunCli({"manifest", "--json", manifest});
  ASSERT_EQ(r.status, dump::kDumpSound) << r.err;
  Json v = ParseJson(r.out);
  EXPECT_EQ(v["kind"].string, "manifest");
  EXPECT_EQ(v["comparator"].string, "strata.BytewiseComparator");
  EXPECT_EQ(v["damaged_regions"].Uint(), 0u);
  EXPECT_GE(v["edits"].Uint(), 3u);  // snapshot, open, at least the last flush
  EXPECT_EQ(v["events"].array.size(), v["edits"].Uint());
  EXPECT_EQ(v["events"].array[0]["offset"].Uint(), 0u);
  EXPECT_EQ(v["last_sequence"].Uint(), operations_);  // one sequence per operation

  std::map<uint64_t, uint64_t> listed;
  for (const Json& level : v["levels"].array) {
    EXPECT_EQ(level["num_files"].Uint(), level["files"].array.size());
    for (const Json& f : level["files"].array) {
      EXPECT_EQ(f["level"].Uint(), level["level"].Uint());
      EXPECT_LE(f["smallest_seqno"].Uint(), f["largest_seqno"].Uint());
      EXPECT_NE(f["smallest"].string.find(" @ "), std::string::npos);
      listed[f["number"].Uint()] = f["size"].Uint();
    }
  }
  std::map<uint64_t, uint64_t> on_disk;
  for (const std::string& table : test::FilesOfType(dbname_, FileType::kTable)) {
    uint64_t number, size;
    FileType type;
    ASSERT_TRUE(ParseFileName(table.substr(table.rfind('/') + 1), &number, &type));
    ASSERT_OK(FileSystem::Default()->GetFileSize(table, &size));
    on_disk[number] = size;
  }
  // Every file the replay lists is on disk with its size. (The disk may also hold tables a
  // compaction replaced that wait for the next deletion pass.)
  ASSERT_FALSE(listed.empty());
  for (const auto& [number, size] : listed) {
    ASSERT_TRUE(on_disk.count(number)) << number;
    EXPECT_EQ(on_disk[number], size) << number;
  }
  EXPECT_GE(v["levels"].array.size(), 2u);  // compacted files below level 0, then a flush

  // Text, with the kind from the name.
  r = RunCli({manifest});
  ASSERT_EQ(r.status, dump::kDumpSound) << r.err;
  EXPECT_NE(r.out.find("@0 edit 0:\n  comparator: strata.BytewiseComparator"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("result:\n"), std::string::npos);
  EXPECT_NE(r.out.find("  level 0: 1 file, "), std::string::npos) << r.out;
}

TEST_F(StrataDumpTest, OptionsFileByNameAndItsDamage) {
  options_.block_size = 8192;
  Open();
  Close();
  const std::string file = OnlyFile(FileType::kOptions);
  DumpRun r = RunCli({file});  // the kind from the name
  ASSERT_EQ(r.status, dump::kDumpSound) << r.err;
  EXPECT_NE(r.out.find("block_size = 8192\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("summary: format version 1, written by strata "), std::string::npos)
      << r.out;
  r = RunCli({"options", "--json", file});
  ASSERT_EQ(r.status, dump::kDumpSound) << r.err;
  Json v = ParseJson(r.out);
  EXPECT_EQ(v["kind"].string, "options");
  EXPECT_EQ(v["comparator"].string, "strata.BytewiseComparator");
  EXPECT_EQ(v["format_version"].Uint(), 1u);

  test::RewriteFile(file, [](std::string* text) {
    text->replace(text->find("block_size = 8192"), 17, "block_size = ZZZZ");
  });
  r = RunCli({"options", file});
  EXPECT_EQ(r.status, dump::kDumpDamaged);
  EXPECT_NE(r.out.find("DAMAGE in " + file), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("bad value 'ZZZZ' for block_size"), std::string::npos) << r.err;
}

TEST_F(StrataDumpTest, DamagedManifestIsReported) {
  Open();
  for (int i = 0; i < 5; i++) {
    WriteWorkload(100);
    ASSERT_OK(db_->Flush());
  }
  Close();
  std::string manifest = OnlyFile(FileType::kManifest);
  std::string original;
  ASSERT_OK(ReadFileToString(FileSystem::Default().get(), manifest, &original));
  ASSERT_GT(original.size(), 100u);

  test::RewriteFile(manifest, [](std::string* bytes) { (*bytes)[bytes->size() / 2] ^= 0x10; });
  DumpRun r = RunCli({"manifest", "--json", manifest});
  EXPECT_EQ(r.status, dump::kDumpDamaged);
  Json v = ParseJson(r.out);
  EXPECT_GE(v["damaged_regions"].Uint(), 1u);
  EXPECT_NE(r.err.find(manifest), std::string::npos);

  // A cut-short MANIFEST: the torn tail is reported, the edits before it are shown.
  ASSERT_OK(WriteStringToFile(FileSystem::Default().get(), original.substr(0, original.size() - 3),
                              manifest, false));
  r = RunCli({"manifest", manifest});
  EXPECT_EQ(r.status, dump::kDumpDamaged);
  EXPECT_NE(r.out.find("DAMAGE truncated tail"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("@0 edit 0:"), std::string::npos);

  Random rnd(99);
  for (int trial = 0; trial < 60; trial++) {
    std::string bytes = original;
    if (trial % 3 == 0) {
      bytes.resize(rnd.Uniform(static_cast<uint32_t>(bytes.size())));
    } else {
      for (int i = 0; i < 2; i++) bytes[rnd.Uniform(static_cast<uint32_t>(bytes.size()))] ^= 0x04;
    }
    ASSERT_OK(WriteStringToFile(FileSystem::Default().get(), bytes, manifest, false));
    r = RunCli({"manifest", "--json", "--hex", manifest});
    EXPECT_TRUE(r.status == dump::kDumpSound || r.status == dump::kDumpDamaged) << r.err;
    ParseJson(r.out);
  }
}

TEST_F(StrataDumpTest, IntactRecordThatIsNotABatchIsDamage) {
  // Records whose framing is sound but whose contents recovery would reject: too short for a
  // batch header, and a count that does not match the operations.
  std::string log = dir_.Child("000007.log");
  {
    std::unique_ptr<WritableFile> file;
    ASSERT_OK(FileSystem::Default()->NewWritableFile(log, &file));
    LogWriter writer(std::move(file));
    WriteBatch good;
    good.Put("k", "v");
    WriteBatchInternal::SetSequence(&good, 5);
    WriteBatch miscounted = good;
    WriteBatchInternal::SetCount(&miscounted, 3);
    ASSERT_OK(writer.AddRecord(WriteBatchInternal::Contents(good)));
    ASSERT_OK(writer.AddRecord("short"));
    ASSERT_OK(writer.AddRecord(WriteBatchInternal::Contents(miscounted)));
    ASSERT_OK(writer.AddRecord(WriteBatchInternal::Contents(good)));
    ASSERT_OK(writer.Close());
  }
  DumpRun r = RunCli({"--json", log});
  ASSERT_EQ(r.status, dump::kDumpDamaged) << r.err;
  Json v = ParseJson(r.out);
  EXPECT_EQ(v["records"].Uint(), 2u);
  EXPECT_EQ(v["damaged_regions"].Uint(), 2u);
  const auto& events = v["events"].array;
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0]["event"].string, "record");
  EXPECT_EQ(events[0]["sequence"].Uint(), 5u);
  EXPECT_EQ(events[0]["operations"].array[0]["value"].string, "v");
  for (int i : {1, 2}) {
    EXPECT_EQ(events[i]["event"].string, "damage");
    EXPECT_EQ(events[i]["kind"].string, "bad payload");
    EXPECT_GT(events[i]["offset"].Uint(), 0u);
  }
  EXPECT_EQ(events[1]["bytes_dropped"].Uint(), 5u);
  EXPECT_EQ(events[3]["event"].string, "record");
}

TEST_F(StrataDumpTest, UsageErrors) {
  DumpRun r = RunCli({});
  EXPECT_EQ(r.status, dump::kDumpError);
  EXPECT_NE(r.err.find("no FILE"), std::string::npos);
  r = RunCli({"--help"});
  EXPECT_EQ(r.status, dump::kDumpSound);
  EXPECT_NE(r.out.find("usage: strata_dump"), std::string::npos);
  EXPECT_EQ(RunCli({"--bogus", "x.log"}).status, dump::kDumpError);
  EXPECT_EQ(RunCli({"frobnicate", "x.log"}).status, dump::kDumpError);
  EXPECT_EQ(RunCli({"wal", "a.log", "b.log"}).status, dump::kDumpError);
  EXPECT_EQ(RunCli({"wal"}).status, dump::kDumpError);
  r = RunCli({dir_.Child("notes.txt")});
  EXPECT_EQ(r.status, dump::kDumpError);
  EXPECT_NE(r.err.find("sub-command"), std::string::npos);
  EXPECT_EQ(RunCli({"wal", "--scan", dir_.Child("000001.log")}).status, dump::kDumpError);
  // A file that cannot be opened is an I/O error naming it.
  r = RunCli({"wal", dir_.Child("000009.log")});
  EXPECT_EQ(r.status, dump::kDumpError);
  EXPECT_NE(r.err.find("000009.log"), std::string::npos);
}

// ---- strata_dump db ----

// True if svg is well-formed as far as the dump's output needs: every element closed in
// order, attribute values quoted, no raw '<' or stray '&' in text.
bool WellFormedXml(const std::string& svg, std::string* why) {
  std::vector<std::string> open;
  size_t pos = 0;
  while (pos < svg.size()) {
    if (svg[pos] != '<') {
      if (svg[pos] == '&') {
        size_t semi = svg.find(';', pos);
        std::string entity = semi == std::string::npos ? "" : svg.substr(pos, semi - pos + 1);
        if (entity != "&amp;" && entity != "&lt;" && entity != "&gt;" && entity != "&quot;" &&
            entity != "&apos;") {
          *why = "stray & at " + std::to_string(pos);
          return false;
        }
      }
      pos++;
      continue;
    }
    size_t end = pos + 1;
    bool quoted = false;
    while (end < svg.size() && (quoted || svg[end] != '>')) {
      if (svg[end] == '"') quoted = !quoted;
      if (svg[end] == '<' && !quoted) {
        *why = "'<' inside a tag at " + std::to_string(end);
        return false;
      }
      end++;
    }
    if (end >= svg.size()) {
      *why = "unterminated tag at " + std::to_string(pos);
      return false;
    }
    std::string tag = svg.substr(pos + 1, end - pos - 1);
    pos = end + 1;
    if (tag.starts_with("?")) continue;  // the XML declaration
    if (tag.starts_with("/")) {
      if (open.empty() || open.back() != tag.substr(1)) {
        *why = "</" + tag.substr(1) + "> closes " + (open.empty() ? "nothing" : open.back());
        return false;
      }
      open.pop_back();
      continue;
    }
    if (tag.ends_with("/")) continue;  // self-closing
    open.push_back(tag.substr(0, tag.find_first_of(" \n\t")));
  }
  if (!open.empty()) {
    *why = "<" + open.back() + "> never closed";
    return false;
  }
  return true;
}

// Every occurrence of attribute="..." in svg, in order.
std::vector<std::string> AttributeValues(const std::string& svg, const std::string& attribute) {
  std::vector<std::string> values;
  const std::string needle = " " + attribute + "=\"";
  for (size_t pos = svg.find(needle); pos != std::string::npos; pos = svg.find(needle, pos)) {
    pos += needle.size();
    values.push_back(svg.substr(pos, svg.find('"', pos) - pos));
  }
  return values;
}

// The table boxes of an SVG: file number -> the <rect ...>...</rect> text.
std::map<uint64_t, std::string> TableBoxes(const std::string& svg) {
  std::map<uint64_t, std::string> boxes;
  const std::string start = "<rect class=\"table\"";
  for (size_t pos = svg.find(start); pos != std::string::npos; pos = svg.find(start, pos + 1)) {
    std::string box = svg.substr(pos, svg.find("</rect>", pos) - pos);
    uint64_t number = std::stoull(AttributeValues(box, "data-file").at(0));
    EXPECT_TRUE(boxes.emplace(number, box).second) << "two boxes for table " << number;
  }
  return boxes;
}

double Attribute(const std::string& element, const std::string& name) {
  return std::stod(AttributeValues(element, name).at(0));
}

class StrataDumpDbTest : public StrataDumpTest {
 protected:
  StrataDumpDbTest() {
    // Small output tables, so a compaction leaves several side by side in a level.
    options_.target_file_size_base = 16 << 10;
    options_.compression = CompressionType::kNone;
  }

  // Several levels: compacted tables below level 0, two overlapping level-0 tables above
  // them, and writes still only in the log.
  void BuildTree() {
    Open();
    WriteWorkload(1500);
    ASSERT_OK(db_->Flush());
    WriteWorkload(1500);
    ASSERT_OK(db_->CompactRange(nullptr, nullptr));
    WriteWorkload(300);
    ASSERT_OK(db_->Flush());
    WriteWorkload(200);
    ASSERT_OK(db_->Flush());
    flushed_sequence_ = operations_;  // one sequence per operation
    WriteWorkload(50);                // stays in the live log
  }

  // Tables per level as the open database reports them.
  std::vector<uint64_t> LevelCounts() {
    std::vector<uint64_t> counts;
    for (int level = 0; level < options_.num_levels; level++) {
      std::string value;
      EXPECT_TRUE(db_->GetProperty("strata.num-files-at-level" + std::to_string(level), &value));
      counts.push_back(std::stoull(value));
    }
    return counts;
  }

  static std::vector<uint64_t> LevelCounts(const Json& v, int num_levels) {
    std::vector<uint64_t> counts(num_levels, 0);
    for (const Json& level : v["levels"].array)
      counts.at(level["level"].Uint()) = level["num_files"].Uint();
    return counts;
  }

  std::string LiveTable(int level) {
    DumpRun r = RunCli({"db", "--json", dbname_});
    Json v = ParseJson(r.out);
    for (const Json& l : v["levels"].array) {
      if (l["level"].Uint() == static_cast<uint64_t>(level)) {
        return dbname_ + "/" + l["files"].array.at(0)["name"].string;
      }
    }
    ADD_FAILURE() << "no table in level " << level;
    return "";
  }

  // A closed database whose writes are all in its one live log: several 32 KiB blocks of it.
  void WriteOnlyTheLog(std::string* log, std::string* bytes) {
    Open();
    WriteWorkload(3000);
    Close();
    *log = test::LogFiles(dbname_).back();
    ASSERT_OK(ReadFileToString(FileSystem::Default().get(), *log, bytes));
  }

  uint64_t flushed_sequence_ = 0;
};

TEST_F(StrataDumpDbTest, ListsTheVersionLogsObsoleteFilesAndTotals) {
  BuildTree();
  const std::vector<uint64_t> counts = LevelCounts();
  Close();
  ASSERT_GE(counts[0], 2u);
  ASSERT_GE(counts[1], 2u);  // the compaction's output was cut into several tables

  // Plant obsolete files: an old log, an old MANIFEST, a table no version names.
  auto copy = [&](const std::string& from, const std::string& to) {
    std::string bytes;
    ASSERT_OK(ReadFileToString(FileSystem::Default().get(), from, &bytes));
    ASSERT_OK(WriteStringToFile(FileSystem::Default().get(), bytes, dbname_ + "/" + to, false));
  };
  copy(test::LogFiles(dbname_).back(), "000001.log");
  copy(OnlyFile(FileType::kManifest), "MANIFEST-000002");
  copy(OnlyFile(FileType::kTable), "000003.sst");

  DumpRun r = RunCli({"db", "--json", dbname_});
  ASSERT_EQ(r.status, dump::kDumpSound) << r.err << r.out;
  EXPECT_EQ(r.err, "");
  Json v = ParseJson(r.out);
  EXPECT_EQ(v["kind"].string, "db");
  EXPECT_EQ(v["current"].string, v["manifest"]["name"].string);
  EXPECT_TRUE(v["manifest"]["from_current"].boolean);
  EXPECT_EQ(v["comparator"].string, "strata.BytewiseComparator");
  EXPECT_EQ(v["last_sequence"].Uint(), flushed_sequence_);  // the log holds the rest
  EXPECT_TRUE(v["damage"].array.empty());
  EXPECT_EQ(LevelCounts(v, options_.num_levels), counts);

  // Every live table is on disk with the size listed; key ranges are ordered; levels add up.
  uint64_t live_tables = 0, live_bytes = 0;
  for (const Json& level : v["levels"].array) {
    uint64_t bytes = 0;
    std::string prev_largest;
    for (const Json& f : level["files"].array) {
      uint64_t size;
      ASSERT_OK(FileSystem::Default()->GetFileSize(dbname_ + "/" + f["name"].string, &size));
      EXPECT_EQ(f["size"].Uint(), size);
      EXPECT_LE(f["smallest_key"].string, f["largest_key"].string);
      EXPECT_GE(f["smallest_key"].string, level["smallest_key"].string);
      EXPECT_LE(f["largest_key"].string, level["largest_key"].string);
      if (level["level"].Uint() > 0) {
        EXPECT_LT(prev_largest, f["smallest_key"].string);  // disjoint, in key order
        prev_largest = f["largest_key"].string;
      }
      bytes += size;
    }
    EXPECT_EQ(level["bytes"].Uint(), bytes);
    live_tables += level["files"].array.size();
    live_bytes += bytes;
  }

  // Logs: live at or above the log number, the planted one obsolete.
  bool saw_live_log = false;
  for (const Json& w : v["wals"].array) {
    EXPECT_EQ(w["live"].boolean, w["number"].Uint() >= v["log_number"].Uint()) << w["name"].string;
    saw_live_log |= w["live"].boolean && w["size"].Uint() > 0;
  }
  EXPECT_TRUE(saw_live_log);
  std::set<std::string> obsolete;
  for (const Json& f : v["obsolete"].array) obsolete.insert(f["name"].string);
  EXPECT_EQ(obsolete, (std::set<std::string>{"000001.log", "MANIFEST-000002", "000003.sst"}));

  // Totals match the directory.
  std::vector<std::string> names;
  ASSERT_OK(FileSystem::Default()->GetChildren(dbname_, &names));
  uint64_t bytes = 0;
  for (const std::string& name : names) {
    uint64_t size;
    ASSERT_OK(FileSystem::Default()->GetFileSize(dbname_ + "/" + name, &size));
    bytes += size;
  }
  const Json& t = v["totals"];
  EXPECT_EQ(t["files"].Uint(), names.size());
  EXPECT_EQ(v["files"].array.size(), names.size());
  EXPECT_EQ(t["bytes"].Uint(), bytes);
  EXPECT_EQ(t["live_tables"].Uint(), live_tables);
  EXPECT_EQ(t["live_table_bytes"].Uint(), live_bytes);
  EXPECT_EQ(t["obsolete_files"].Uint(), 3u);

  // The same version as the manifest dump replays.
  DumpRun m = RunCli({"manifest", "--json", dbname_ + "/" + v["current"].string});
  ASSERT_EQ(m.status, dump::kDumpSound);
  Json mv = ParseJson(m.out);
  EXPECT_EQ(LevelCounts(mv, options_.num_levels), counts);
  EXPECT_EQ(mv["log_number"].Uint(), v["log_number"].Uint());

  // Text: the same facts, for people.
  r = RunCli({dbname_});  // a directory means db
  ASSERT_EQ(r.status, dump::kDumpSound) << r.err;
  EXPECT_NE(r.out.find("CURRENT -> MANIFEST-"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("level 0: " + std::to_string(counts[0]) + " files, "), std::string::npos);
  EXPECT_NE(r.out.find("level 1: " + std::to_string(counts[1]) + " files, "), std::string::npos);
  EXPECT_NE(r.out.find("  000001.log "), std::string::npos);
  EXPECT_NE(r.out.find(", obsolete\n"), std::string::npos);
  EXPECT_NE(r.out.find("obsolete files:\n"), std::string::npos);
  EXPECT_NE(r.out.find("totals: " + std::to_string(names.size()) + " files"), std::string::npos);
  EXPECT_NE(r.out.find("summary: 0 problems found"), std::string::npos);
}

TEST_F(StrataDumpDbTest, VerifyReadsEveryFile) {
  BuildTree();
  Close();
  DumpRun r = RunCli({"db", "--verify", "--json", dbname_});
  ASSERT_EQ(r.status, dump::kDumpSound) << r.err << r.out.substr(0, 3000);
  Json v = ParseJson(r.out);
  const Json& verify = v["verify"];
  EXPECT_EQ(verify["tables"].Uint(), v["totals"]["live_tables"].Uint());
  EXPECT_EQ(verify["damaged_blocks"].Uint(), 0u);
  EXPECT_GT(verify["blocks"].Uint(), verify["tables"].Uint());
  EXPECT_GE(verify["entries"].Uint(), 1500u);
  EXPECT_GE(verify["wal_records"].Uint(), 50u);
  EXPECT_EQ(verify["manifests"].Uint(), 1u);
  EXPECT_EQ(verify["manifest_edits"].Uint(), v["manifest"]["edits"].Uint());
  for (const Json& level : v["levels"].array) {
    for (const Json& f : level["files"].array) {
      EXPECT_EQ(f["verify"]["problems"].Uint(), 0u) << f["name"].string;
      EXPECT_GT(f["verify"]["entries"].Uint(), 0u);
    }
  }
  r = RunCli({"db", "--verify", dbname_});
  ASSERT_EQ(r.status, dump::kDumpSound) << r.err;
  EXPECT_NE(r.out.find("verify: " + std::to_string(verify["tables"].Uint()) + " tables ("),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(", sound]"), std::string::npos);
}

TEST_F(StrataDumpDbTest, WorksWhileTheDatabaseIsOpenAndBeingWritten) {
  BuildTree();
  // The DB object holds the LOCK: the dump must not need it.
  std::unique_ptr<FileLock> lock;
  EXPECT_TRUE(FileSystem::Default()->LockFile(LockFileName(dbname_), &lock).IsBusy());

  DumpRun r = RunCli({"db", "--verify", "--json", dbname_});
  ASSERT_EQ(r.status, dump::kDumpSound) << r.err << r.out.substr(0, 3000);
  Json v = ParseJson(r.out);
  EXPECT_EQ(LevelCounts(v, options_.num_levels), LevelCounts());
  EXPECT_GE(v["verify"]["wal_records"].Uint(), 50u);  // the writes only the log holds

  // Writes, flushes and compactions while the dump reads: it may have to read again, but
  // it never reports damage that is not there.
  std::atomic<bool> stop{false};
  std::atomic<int> flushes{0}, compactions{0};
  std::thread writer([&] {
    for (int i = 0; !stop.load(); i++) {
      ASSERT_OK(db_->Put(WriteOptions(), test::NumberKey(i % 5000), std::string(100, 'v')));
      if (i % 500 == 499) {
        ASSERT_OK(db_->Flush());
        flushes++;
      }
      if (i % 2000 == 1999) {
        ASSERT_OK(db_->CompactRange(nullptr, nullptr));
        compactions++;
      }
    }
  });
  int rounds = 0;
  while (rounds < 4 || ((flushes < 3 || compactions < 1) && rounds < 200)) {
    rounds++;
    r = RunCli({"db", "--verify", "--json", dbname_});
    EXPECT_EQ(r.status, dump::kDumpSound) << r.err << r.out.substr(0, 3000);
    v = ParseJson(r.out);
    EXPECT_TRUE(v["damage"].array.empty());
    if (HasFailure()) break;
  }
  stop = true;
  writer.join();
  EXPECT_GE(flushes.load(), 3);
  EXPECT_GE(compactions.load(), 1);
  Close();
}

TEST_F(StrataDumpDbTest, WorksWhileAnotherProcessHoldsTheLock) {
  BuildTree();
  Close();
  // The child opens the database (replaying the log into a table) and holds it until the
  // parent closes the pipe.
  test::DbHolderChild holder;
  ASSERT_TRUE(holder.Start(options_, dbname_)) << "the child could not open the database";
  std::unique_ptr<DB> second;
  EXPECT_TRUE(DB::Open(options_, dbname_, &second).IsBusy());

  DumpRun r = RunCli({"db", "--verify", "--json", dbname_});
  EXPECT_EQ(r.status, dump::kDumpSound) << r.err << r.out.substr(0, 3000);
  Json v = ParseJson(r.out);
  EXPECT_GE(v["verify"]["tables"].Uint(), 3u);
  bool lock_listed = false;
  for (const Json& f : v["files"].array) lock_listed |= f["kind"].string == "lock";
  EXPECT_TRUE(lock_listed);

  const int status = holder.Release();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST_F(StrataDumpDbTest, SvgHasOneBoxPerLiveTable) {
  BuildTree();
  const std::vector<uint64_t> counts = LevelCounts();
  Close();
  const std::string svg_path = dir_.Child("tree.svg");
  DumpRun r = RunCli({"db", "--json", "--svg", svg_path, dbname_});
  ASSERT_EQ(r.status, dump::kDumpSound) << r.err;
  Json v = ParseJson(r.out);
  std::string svg;
  ASSERT_OK(ReadFileToString(FileSystem::Default().get(), svg_path, &svg));
  std::string why;
  EXPECT_TRUE(WellFormedXml(svg, &why)) << why;
  EXPECT_TRUE(svg.starts_with("<?xml")) << svg.substr(0, 100);
  EXPECT_NE(svg.find("<svg xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
  EXPECT_NE(svg.find("<title>Strata database "), std::string::npos);

  // One box per live table, each naming its file in a tooltip; one label per level.
  std::map<uint64_t, std::string> boxes = TableBoxes(svg);
  std::map<uint64_t, uint64_t> level_of;
  for (const Json& level : v["levels"].array) {
    for (const Json& f : level["files"].array) level_of[f["number"].Uint()] = level["level"].Uint();
  }
  ASSERT_EQ(boxes.size(), level_of.size());
  for (const auto& [number, box] : boxes) {
    ASSERT_TRUE(level_of.count(number)) << number;
    char name[32];
    std::snprintf(name, sizeof name, "<title>%06llu.sst (level %llu)",
                  static_cast<unsigned long long>(number),
                  static_cast<unsigned long long>(level_of[number]));
    EXPECT_NE(box.find(name), std::string::npos) << box;
  }
  for (int level = 0; level < 2; level++) {
    EXPECT_NE(svg.find(">L" + std::to_string(level) + "</text>"), std::string::npos);
    EXPECT_NE(svg.find(">" + std::to_string(counts[level]) + " files, "), std::string::npos);
  }

  // Level 0 tables get a line each (they overlap); level 1 tables sit side by side in key
  // order within one row, wider for wider ranges.
  std::set<double> l0_rows;
  std::vector<std::pair<double, double>> l1;  // x, x + width in key order
  for (const Json& level : v["levels"].array) {
    for (const Json& f : level["files"].array) {
      const std::string& box = boxes[f["number"].Uint()];
      if (level["level"].Uint() == 0) l0_rows.insert(Attribute(box, "y"));
      if (level["level"].Uint() == 1) {
        l1.emplace_back(Attribute(box, "x"), Attribute(box, "x") + Attribute(box, "width"));
      }
    }
  }
  EXPECT_EQ(l0_rows.size(), counts[0]);
  ASSERT_GE(l1.size(), 2u);
  for (size_t i = 1; i < l1.size(); i++) EXPECT_LE(l1[i - 1].second, l1[i].first + 0.11);
  EXPECT_LT(l1.front().first, 240.0);  // the level's keys span the whole width
  EXPECT_GT(l1.back().second, 1160.0);

  // --svg alone is a usage error elsewhere, and a file it cannot write is an I/O error.
  EXPECT_EQ(RunCli({"wal", "--svg", svg_path, OnlyFile(FileType::kLog)}).status, dump::kDumpError);
  r = RunCli({"db", "--svg", dir_.Child("no/such/dir/x.svg"), dbname_});
  EXPECT_EQ(r.status, dump::kDumpError);
  EXPECT_NE(r.err.find("x.svg"), std::string::npos);
}

TEST(KeyScaleTest, MonotoneAndEvenForDigits) {
  std::vector<std::string> keys = {"key000", "key999", "key500"};
  dump::KeyScale scale(keys);
  EXPECT_DOUBLE_EQ(scale.Position("key000"), 0.0);
  EXPECT_DOUBLE_EQ(scale.Position("key999"), 1.0);
  EXPECT_NEAR(scale.Position("key500"), 0.5, 0.01);  // digits spread evenly, not by ASCII
  EXPECT_NEAR(scale.Position("key250"), 0.25, 0.01);
  EXPECT_DOUBLE_EQ(scale.Position("a"), 0.0);  // outside the range: clamped
  EXPECT_DOUBLE_EQ(scale.Position("z"), 1.0);

  // Any keys at all, binary included: positions never go down as keys go up.
  Random rnd(7);
  std::vector<std::string> random_keys;
  for (int i = 0; i < 200; i++) random_keys.push_back(test::RandomBytes(&rnd, 1 + rnd.Uniform(6)));
  dump::KeyScale any(random_keys);
  std::sort(random_keys.begin(), random_keys.end());
  for (size_t i = 1; i < random_keys.size(); i++) {
    EXPECT_LE(any.Position(random_keys[i - 1]), any.Position(random_keys[i])) << test::NumberKey(i);
  }
  EXPECT_DOUBLE_EQ(any.Position(random_keys.front()), 0.0);
  EXPECT_DOUBLE_EQ(any.Position(random_keys.back()), 1.0);
  // One key, or none: everything in the middle.
  EXPECT_DOUBLE_EQ(dump::KeyScale({"k"}).Position("k"), 0.5);
  EXPECT_DOUBLE_EQ(dump::KeyScale({}).Position("k"), 0.5);
}

TEST_F(StrataDumpDbTest, DamagedTableIsReportedWithFileAndOffset) {
  BuildTree();
  Close();
  const std::string table = LiveTable(1);
  const std::string name = table.substr(table.rfind('/') + 1);
  test::RewriteFile(table, [](std::string* bytes) { (*bytes)[100] ^= 0x01; });

  // Without --verify only sizes are checked; --verify reads the block.
  EXPECT_EQ(RunCli({"db", dbname_}).status, dump::kDumpSound);
  DumpRun r = RunCli({"db", "--verify", "--json", dbname_});
  ASSERT_EQ(r.status, dump::kDumpDamaged) << r.out.substr(0, 3000);
  Json v = ParseJson(r.out);
  ASSERT_FALSE(v["damage"].array.empty());
  EXPECT_EQ(v["damage"].array[0]["file"].string, name);
  EXPECT_EQ(v["damage"].array[0]["offset"].Uint(), 0u);
  EXPECT_EQ(v["verify"]["damaged_blocks"].Uint(), 1u);
  EXPECT_NE(r.err.find(name + " @0"), std::string::npos) << r.err;
  r = RunCli({"db", "--verify", dbname_});
  EXPECT_EQ(r.status, dump::kDumpDamaged);
  EXPECT_NE(r.out.find("DAMAGE in " + table + " @0: "), std::string::npos) << r.out;

  // A table that is gone, or cut short, is damage without --verify.
  test::RewriteFile(table, [](std::string* bytes) { bytes->resize(bytes->size() - 1); });
  r = RunCli({"db", dbname_});
  EXPECT_EQ(r.status, dump::kDumpDamaged);
  EXPECT_NE(r.err.find(name), std::string::npos);
  EXPECT_NE(r.err.find("the MANIFEST says"), std::string::npos) << r.err;
  ASSERT_OK(FileSystem::Default()->RemoveFile(table));
  r = RunCli({"db", "--json", dbname_});
  EXPECT_EQ(r.status, dump::kDumpDamaged);
  v = ParseJson(r.out);
  ASSERT_EQ(v["damage"].array.size(), 1u);
  EXPECT_EQ(v["damage"].array[0]["file"].string, name);
  EXPECT_NE(v["damage"].array[0]["reason"].string.find("missing"), std::string::npos);
}

TEST_F(StrataDumpDbTest, DamagedLogIsReportedButATornTailIsNot) {
  std::string log, original;
  ASSERT_NO_FATAL_FAILURE(WriteOnlyTheLog(&log, &original));

  // A torn last record is what a crash leaves; recovery drops it: a note, not damage.
  ASSERT_OK(WriteStringToFile(FileSystem::Default().get(), original.substr(0, original.size() - 7),
                              log, false));
  DumpRun r = RunCli({"db", "--verify", "--json", dbname_});
  ASSERT_EQ(r.status, dump::kDumpSound) << r.err;
  Json v = ParseJson(r.out);
  ASSERT_EQ(v["notes"].array.size(), 1u);
  EXPECT_NE(v["notes"].array[0]["reason"].string.find("truncated tail"), std::string::npos);

  // A flipped byte inside is damage, named with its offset.
  ASSERT_OK(WriteStringToFile(FileSystem::Default().get(), original, log, false));
  test::RewriteFile(log, [](std::string* bytes) { (*bytes)[40000] ^= 0x5a; });
  EXPECT_EQ(RunCli({"db", dbname_}).status, dump::kDumpSound);  // logs are read by --verify
  r = RunCli({"db", "--verify", "--json", dbname_});
  ASSERT_EQ(r.status, dump::kDumpDamaged) << r.err;
  v = ParseJson(r.out);
  ASSERT_EQ(v["damage"].array.size(), 1u);
  const Json& d = v["damage"].array[0];
  EXPECT_EQ(d["file"].string, log.substr(log.rfind('/') + 1));
  EXPECT_LE(d["offset"].Uint(), 40000u);
  EXPECT_GT(d["offset"].Uint() + 32768, 40000u);
  EXPECT_NE(d["reason"].string.find("checksum mismatch"), std::string::npos);

  // The same damage in a log older than the log number is a note: nothing reads it.
  ASSERT_OK(FileSystem::Default()->RenameFile(log, dir_.Child("saved.log")));
  ASSERT_OK(FileSystem::Default()->RenameFile(dir_.Child("saved.log"), LogFileName(dbname_, 1)));
  r = RunCli({"db", "--verify", "--json", dbname_});
  v = ParseJson(r.out);
  EXPECT_EQ(r.status, dump::kDumpSound) << r.err;
  bool noted = false;
  for (const Json& n : v["notes"].array) noted |= n["file"].string == "000001.log";
  EXPECT_TRUE(noted) << r.out;
}

// Stands in for a writer appending to a log through a shared mapping while the dump reads
// it: before each open of the log for reading, rewrite(n, &bytes) decides what the n-th
// read (from 1) finds.
class ChangingLogFs final : public FileSystemWrapper {
 public:
  ChangingLogFs(std::string log, std::string original,
                std::function<void(int, std::string*)> rewrite)
      : FileSystemWrapper(FileSystem::Default()),
        log_(std::move(log)),
        original_(std::move(original)),
        rewrite_(std::move(rewrite)) {}
  Status NewSequentialFile(const std::string& p, std::unique_ptr<SequentialFile>* r) override {
    if (p == log_) {
      std::string bytes = original_;
      rewrite_(++reads, &bytes);
      Status s = WriteStringToFile(target(), bytes, log_, false);
      if (!s.ok()) return s;
    }
    return FileSystemWrapper::NewSequentialFile(p, r);
  }
  int reads = 0;

 private:
  const std::string log_, original_;
  const std::function<void(int, std::string*)> rewrite_;
};

TEST_F(StrataDumpDbTest, AHoleInALiveLogCountsOnlyIfASecondReadFindsItToo) {
  std::string log, original;
  ASSERT_NO_FATAL_FAILURE(WriteOnlyTheLog(&log, &original));
  ASSERT_GT(original.size(), 80000u);
  auto zero = [](std::string* bytes, size_t at) {
    std::fill(bytes->begin() + static_cast<std::ptrdiff_t>(at),
              bytes->begin() + static_cast<std::ptrdiff_t>(at + 2000), '\0');
  };
  auto dump = [&](ChangingLogFs* fs) {
    dump::DumpOptions o;
    o.fs = fs;
    o.verify = true;
    o.json = true;
    std::ostringstream out, err;
    const int status = dump::DumpDb(dbname_, o, out, err);
    return std::make_pair(status, ParseJson(out.str()));
  };

  // The first read passes the writer's copy in flight; the next finds the records there.
  ChangingLogFs closing(log, original, [&](int n, std::string* b) {
    if (n == 1) zero(b, 40000);
  });
  auto [status, v] = dump(&closing);
  EXPECT_EQ(status, dump::kDumpSound);
  EXPECT_TRUE(v["damage"].array.empty());

  // A hole that moves on every read is the writer too: notes, not damage.
  ChangingLogFs moving(log, original, [&](int n, std::string* b) { zero(b, 30000 + 3000 * n); });
  std::tie(status, v) = dump(&moving);
  EXPECT_EQ(status, dump::kDumpSound);
  EXPECT_TRUE(v["damage"].array.empty());
  EXPECT_GE(moving.reads, 11);  // the dump gives up after 11 reads of a moving hole
  bool noted = false;
  for (const Json& n : v["notes"].array) {
    noted |= n["reason"].string.find("not confirmed as damage") != std::string::npos;
  }
  EXPECT_TRUE(noted);

  // A hole that stays is damage, found by the second read as by the first.
  ChangingLogFs staying(log, original, [&](int, std::string* b) { zero(b, 40000); });
  std::tie(status, v) = dump(&staying);
  EXPECT_EQ(status, dump::kDumpDamaged);
  EXPECT_EQ(v["damage"].array.size(), 1u);
  ASSERT_OK(WriteStringToFile(FileSystem::Default().get(), original, log, false));
}

TEST_F(StrataDumpDbTest, DamagedManifestAndMissingCurrentAreReported) {
  BuildTree();
  Close();
  const std::string manifest = OnlyFile(FileType::kManifest);
  const std::string manifest_name = manifest.substr(manifest.rfind('/') + 1);
  std::string original;
  ASSERT_OK(ReadFileToString(FileSystem::Default().get(), manifest, &original));

  test::RewriteFile(manifest, [](std::string* bytes) { (*bytes)[bytes->size() / 2] ^= 0x10; });
  DumpRun r = RunCli({"db", "--json", dbname_});
  EXPECT_EQ(r.status, dump::kDumpDamaged);
  Json v = ParseJson(r.out);
  ASSERT_FALSE(v["damage"].array.empty());
  EXPECT_EQ(v["damage"].array[0]["file"].string, manifest_name);
  EXPECT_TRUE(v["damage"].array[0].Has("offset"));
  EXPECT_NE(r.err.find(manifest_name + " @"), std::string::npos) << r.err;

  // Without CURRENT the database cannot be opened: damage, and the newest MANIFEST is read
  // in its place so the tables are still listed.
  ASSERT_OK(WriteStringToFile(FileSystem::Default().get(), original, manifest, false));
  ASSERT_OK(FileSystem::Default()->RemoveFile(CurrentFileName(dbname_)));
  r = RunCli({"db", "--json", dbname_});
  EXPECT_EQ(r.status, dump::kDumpDamaged);
  v = ParseJson(r.out);
  ASSERT_EQ(v["damage"].array.size(), 1u);
  EXPECT_EQ(v["damage"].array[0]["file"].string, "CURRENT");
  EXPECT_NE(v["damage"].array[0]["reason"].string.find("missing"), std::string::npos);
  EXPECT_FALSE(v.Has("current"));
  EXPECT_EQ(v["manifest"]["name"].string, manifest_name);
  EXPECT_FALSE(v["manifest"]["from_current"].boolean);
  EXPECT_GE(v["levels"].array.size(), 2u);
  EXPECT_NE(r.err.find("CURRENT"), std::string::npos);

  // CURRENT naming something else.
  ASSERT_OK(
      WriteStringToFile(FileSystem::Default().get(), "garbage", CurrentFileName(dbname_), false));
  r = RunCli({"db", dbname_});
  EXPECT_EQ(r.status, dump::kDumpDamaged);
  EXPECT_NE(r.out.find("DAMAGE in " + CurrentFileName(dbname_) + " @0: does not name a MANIFEST"),
            std::string::npos)
      << r.out;
}

TEST_F(StrataDumpDbTest, RandomDamageNeverCrashes) {
  BuildTree();
  Close();
  std::vector<std::string> files = {OnlyFile(FileType::kManifest), test::LogFiles(dbname_).back(),
                                    CurrentFileName(dbname_)};
  for (const std::string& table : test::FilesOfType(dbname_, FileType::kTable)) {
    files.push_back(table);
    if (files.size() == 5) break;
  }
  Random rnd(2024);
  for (const std::string& file : files) {
    std::string original;
    ASSERT_OK(ReadFileToString(FileSystem::Default().get(), file, &original));
    for (int trial = 0; trial < 8; trial++) {
      std::string bytes = original;
      if (trial % 3 == 0) {
        bytes.resize(rnd.Uniform(static_cast<uint32_t>(bytes.size())));
      } else {
        for (int i = 0; i < 3; i++) bytes[rnd.Uniform(static_cast<uint32_t>(bytes.size()))] ^= 0x20;
      }
      ASSERT_OK(WriteStringToFile(FileSystem::Default().get(), bytes, file, false));
      DumpRun r = RunCli({"db", "--verify", "--json", "--svg", dir_.Child("t.svg"), dbname_});
      EXPECT_TRUE(r.status == dump::kDumpSound || r.status == dump::kDumpDamaged)
          << file << ": " << r.err;
      Json v = ParseJson(r.out);
      EXPECT_EQ(r.status == dump::kDumpDamaged, !v["damage"].array.empty()) << r.out;
      std::string svg, why;
      ASSERT_OK(ReadFileToString(FileSystem::Default().get(), dir_.Child("t.svg"), &svg));
      EXPECT_TRUE(WellFormedXml(svg, &why)) << why;
    }
    ASSERT_OK(WriteStringToFile(FileSystem::Default().get(), original, file, false));
  }
  EXPECT_EQ(RunCli({"db", "--verify", dbname_}).status, dump::kDumpSound);
}

TEST_F(StrataDumpDbTest, KindFromContentsWhenTheNameSaysNothing) {
  BuildTree();
  Close();
  auto copy_as = [&](const std::string& from, const std::string& name) {
    std::string bytes;
    EXPECT_OK(ReadFileToString(FileSystem::Default().get(), from, &bytes));
    EXPECT_OK(WriteStringToFile(FileSystem::Default().get(), bytes, dir_.Child(name), false));
    return dir_.Child(name);
  };
  DumpRun r = RunCli({"--json", copy_as(OnlyFile(FileType::kTable), "table.bin")});
  ASSERT_EQ(r.status, dump::kDumpSound) << r.err;
  EXPECT_EQ(ParseJson(r.out)["kind"].string, "sst");
  r = RunCli({"--json", copy_as(test::LogFiles(dbname_).back(), "wal.bin")});
  ASSERT_EQ(r.status, dump::kDumpSound) << r.err;
  EXPECT_EQ(ParseJson(r.out)["kind"].string, "wal");
  r = RunCli({"--json", copy_as(OnlyFile(FileType::kManifest), "manifest.bin")});
  ASSERT_EQ(r.status, dump::kDumpSound) << r.err;
  EXPECT_EQ(ParseJson(r.out)["kind"].string, "manifest");
  r = RunCli({"--json", dbname_});
  ASSERT_EQ(r.status, dump::kDumpSound) << r.err;
  EXPECT_EQ(ParseJson(r.out)["kind"].string, "db");

  ASSERT_OK(WriteStringToFile(FileSystem::Default().get(), std::string(5000, 'x'),
                              dir_.Child("junk.bin"), false));
  r = RunCli({dir_.Child("junk.bin")});
  EXPECT_EQ(r.status, dump::kDumpError);
  EXPECT_NE(r.err.find("give a sub-command"), std::string::npos) << r.err;
  // An empty log says nothing either way.
  ASSERT_OK(WriteStringToFile(FileSystem::Default().get(), "", dir_.Child("empty.bin"), false));
  EXPECT_EQ(RunCli({dir_.Child("empty.bin")}).status, dump::kDumpError);
}

TEST_F(StrataDumpDbTest, NotADatabaseAndHelp) {
  test::TempDir empty;
  DumpRun r = RunCli({"db", empty.path()});
  EXPECT_EQ(r.status, dump::kDumpError);
  EXPECT_NE(r.err.find("is not a Strata database"), std::string::npos) << r.err;
  r = RunCli({"db", dir_.Child("missing")});
  EXPECT_EQ(r.status, dump::kDumpError);
  EXPECT_NE(r.err.find("missing"), std::string::npos);
  EXPECT_EQ(RunCli({"db"}).status, dump::kDumpError);
  EXPECT_EQ(RunCli({"db", "--scan", dbname_}).status, dump::kDumpError);
  EXPECT_EQ(RunCli({"manifest", "--verify", "x"}).status, dump::kDumpError);
  EXPECT_EQ(RunCli({"db", "--svg"}).status, dump::kDumpError);

  for (const char* command : {"wal", "sst", "manifest", "db"}) {
    r = RunCli({command, "--help"});
    EXPECT_EQ(r.status, dump::kDumpSound);
    EXPECT_TRUE(r.out.starts_with(std::string("usage: strata_dump ") + command + " ")) << r.out;
  }
  r = RunCli({"--help"});
  EXPECT_NE(r.out.find("  db DIR "), std::string::npos);
}

}  // namespace
}  // namespace strata

namespace strata {
namespace {

// A TableWriter file reads like any other table, and a database holding it (and a log with
// an ingestion's sequence marker) verifies clean.
TEST_F(StrataDumpTest, WrittenAndIngestedTablesReadLikeAnyOther) {
  const std::string table = dir_.Child("in.sst");
  {
    TableWriter writer(options_);
    ASSERT_OK(writer.Open(table));
    for (int i = 0; i < 50; i++) ASSERT_OK(writer.Put(test::NumberKey(i), "ingested"));
    ASSERT_OK(writer.Finish());
  }
  DumpRun r = RunCli({"sst", "--scan", "--verify", table});
  EXPECT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("ingested"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("user_comparator_name: strata.BytewiseComparator"), std::string::npos)
      << r.out;

  Open();
  ASSERT_OK(db_->Put(WriteOptions(), test::NumberKey(1), "before"));
  ASSERT_OK(db_->IngestExternalFiles({table}, IngestOptions()));
  ASSERT_OK(db_->Put(WriteOptions(), test::NumberKey(2), "after"));
  Close();
  r = RunCli({"db", "--verify", dbname_});
  EXPECT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("summary: 0 problems found"), std::string::npos) << r.out;
  r = RunCli({"manifest", OnlyFile(FileType::kManifest)});
  EXPECT_NE(r.out.find("global seq"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace strata
