// strata_dump: the dump library and its command line over real files written by a DB, intact
// and damaged. JSON output is parsed back and checked against what was written.
#include "tools/dump/dump.h"

#include <cctype>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "db/filename.h"
#include "db/write_batch_internal.h"
#include "strata/db.h"
#include "strata/write_batch.h"
#include "support/db_test_util.h"
#include "support/json_reader.h"
#include "support/test_util.h"
#include "tools/dump/json_writer.h"
#include "wal/log_writer.h"

namespace strata {
namespace {

using test::Json;
using test::ParseJson;

// The result of one strata_dump run.
struct DumpRun {
  int status = -1;
  std::string out;
  std::string err;
};

DumpRun RunCli(std::vector<std::string> args) {
  args.insert(args.begin(), "strata_dump");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  DumpRun r;
  r.status = dump::RunStrataDump(static_cast<int>(argv.size()), argv.data(), out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
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
  EXPECT_NE(r.out.find("put    'key0000000000000009' => 'value9'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("summary: " + std::to_string(records_) + " records"), std::string::npos);
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
  EXPECT_EQ(v["footer"]["version"].Uint(), 1u);
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

}  // namespace
}  // namespace strata
