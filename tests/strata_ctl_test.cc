// strata_ctl: the admin library and its command line against real databases: every command,
// text and hex keys, ranges, exit statuses, a database held by another DB object, damage.
#include "tools/ctl/ctl.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "strata/db.h"
#include "strata/file_system.h"
#include "strata/merge_operator.h"
#include "support/db_holder_child.h"
#include "support/db_test_util.h"
#include "support/test_util.h"
#include "support/tool_run.h"
#include "tools/ctl/bytes.h"
#include "version/filename.h"

namespace strata {
namespace {

using CtlRun = test::ToolRun;

CtlRun RunCtl(std::vector<std::string> args) {
  return test::RunTool(ctl::RunStrataCtl, "strata_ctl", std::move(args));
}

class StrataCtlTest : public testing::Test {
 protected:
  StrataCtlTest() : dbname_(dir_.Child("db")) {}

  // strata_ctl --db DIR args...
  CtlRun Ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", dbname_});
    return RunCtl(std::move(args));
  }

  // A database of keys k00..k(n-1) => v00.., written through the library, closed.
  void Fill(int n) {
    Options options;
    options.create_if_missing = true;
    std::unique_ptr<DB> db;
    ASSERT_OK(DB::Open(options, dbname_, &db));
    for (int i = 0; i < n; i++) {
      char key[16], value[16];
      std::snprintf(key, sizeof key, "k%02d", i);
      std::snprintf(value, sizeof value, "v%02d", i);
      ASSERT_OK(db->Put(WriteOptions(), key, value));
    }
  }

  test::TempDir dir_;
  std::string dbname_;
};

TEST(CtlBytesTest, TextAndHexArguments) {
  std::string bytes, error;
  ASSERT_TRUE(ctl::ParseBytesArg("plain text", &bytes, &error));
  EXPECT_EQ(bytes, "plain text");
  ASSERT_TRUE(ctl::ParseBytesArg("0x00fFa0", &bytes, &error));
  EXPECT_EQ(bytes, std::string("\x00\xff\xa0", 3));
  ASSERT_TRUE(ctl::ParseBytesArg("0x", &bytes, &error));
  EXPECT_EQ(bytes, "");
  EXPECT_FALSE(ctl::ParseBytesArg("0x123", &bytes, &error));
  EXPECT_NE(error.find("two digits"), std::string::npos);
  EXPECT_FALSE(ctl::ParseBytesArg("0xzz", &bytes, &error));
  EXPECT_NE(error.find("not a hex digit"), std::string::npos);
  EXPECT_EQ(ctl::ShowBytes(std::string("a\\\x00\xff", 4), false), "a\\\\\\x00\\xff");
  EXPECT_EQ(ctl::ShowBytes(std::string("a\x00", 2), true), "6100");
}

TEST_F(StrataCtlTest, PutGetDeleteRoundTrip) {
  // No database yet: refused without --create_if_missing, with a hint.
  CtlRun r = Ctl({"put", "apple", "red"});
  EXPECT_EQ(r.status, ctl::kCtlError);
  EXPECT_NE(r.err.find(dbname_), std::string::npos);
  EXPECT_NE(r.err.find("--create_if_missing"), std::string::npos) << r.err;

  ASSERT_EQ(Ctl({"--create_if_missing", "put", "apple", "red"}).status, ctl::kCtlOk);
  ASSERT_EQ(Ctl({"put", "0x00ff", "0x0a62"}).status, ctl::kCtlOk);  // binary key and value
  r = Ctl({"get", "apple"});
  ASSERT_EQ(r.status, ctl::kCtlOk) << r.err;
  EXPECT_EQ(r.out, "red\n");
  r = Ctl({"get", "0x00ff"});
  ASSERT_EQ(r.status, ctl::kCtlOk) << r.err;
  EXPECT_EQ(r.out, "\\x0ab\n");  // escaped like strata_dump
  r = Ctl({"--hex", "get", "0x00ff"});
  EXPECT_EQ(r.out, "0a62\n");

  // Written by the tool, read by the library, byte for byte.
  {
    std::unique_ptr<DB> db;
    ASSERT_OK(DB::Open(Options(), dbname_, &db));
    EXPECT_EQ(test::GetString(db.get(), std::string("\x00\xff", 2)), "\nb");
  }

  r = Ctl({"get", "pear"});
  EXPECT_EQ(r.status, ctl::kCtlNegative);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("NotFound"), std::string::npos);
  EXPECT_NE(r.err.find("'pear'"), std::string::npos);

  ASSERT_EQ(Ctl({"delete", "apple"}).status, ctl::kCtlOk);
  EXPECT_EQ(Ctl({"get", "apple"}).status, ctl::kCtlNegative);
  EXPECT_EQ(Ctl({"delete", "apple"}).status, ctl::kCtlOk);  // deleting nothing is fine
  // A key that looks like an option, after --.
  ASSERT_EQ(Ctl({"put", "--", "-dash", "x"}).status, ctl::kCtlOk);
  EXPECT_EQ(Ctl({"get", "--", "-dash"}).out, "x\n");

  // deleterange FROM TO: [FROM, TO), in one range deletion; an empty range is refused.
  for (const char* k : {"r1", "r2", "r3", "r4"})
    ASSERT_EQ(Ctl({"put", k, "v"}).status, ctl::kCtlOk);
  ASSERT_EQ(Ctl({"deleterange", "r2", "r4"}).status, ctl::kCtlOk);
  EXPECT_EQ(Ctl({"get", "r1"}).out, "v\n");
  EXPECT_EQ(Ctl({"get", "r2"}).status, ctl::kCtlNegative);
  EXPECT_EQ(Ctl({"get", "r3"}).status, ctl::kCtlNegative);
  EXPECT_EQ(Ctl({"get", "r4"}).out, "v\n");
  r = Ctl({"deleterange", "r4", "r1"});
  EXPECT_EQ(r.status, ctl::kCtlError);
  EXPECT_NE(r.err.find("InvalidArgument"), std::string::npos) << r.err;
  EXPECT_EQ(Ctl({"get", "r4"}).out, "v\n");
  EXPECT_EQ(Ctl({"deleterange", "r1"}).status, ctl::kCtlError);  // one argument short
}

TEST(CtlBytesTest, CountersAreDecimalOrTheirEightBytes) {
  std::string bytes, error;
  ASSERT_TRUE(ctl::ParseCounterArg("5", &bytes, &error)) << error;
  EXPECT_EQ(bytes, std::string("\x05\0\0\0\0\0\0\0", 8));
  ASSERT_TRUE(ctl::ParseCounterArg("18446744073709551615", &bytes, &error)) << error;
  EXPECT_EQ(bytes, std::string(8, '\xff'));
  ASSERT_TRUE(ctl::ParseCounterArg("-1", &bytes, &error)) << error;  // subtracts, modulo 2^64
  EXPECT_EQ(bytes, std::string(8, '\xff'));
  ASSERT_TRUE(ctl::ParseCounterArg("0x0100000000000000", &bytes, &error)) << error;
  EXPECT_EQ(ctl::CounterValue(bytes), 1u);
  EXPECT_FALSE(ctl::ParseCounterArg("18446744073709551616", &bytes, &error));
  EXPECT_NE(error.find("64 bits"), std::string::npos) << error;
  EXPECT_FALSE(ctl::ParseCounterArg("0x01", &bytes, &error));
  EXPECT_NE(error.find("8 bytes"), std::string::npos) << error;
  for (const char* bad : {"", "-", "12a", "five", "+5", "1.5"}) {
    EXPECT_FALSE(ctl::ParseCounterArg(bad, &bytes, &error)) << bad;
  }
  EXPECT_EQ(ctl::CounterValue(std::string("\x2a\0\0\0\0\0\0\0", 8)), 42u);
  EXPECT_EQ(ctl::CounterValue("42"), std::nullopt);
}

// --merge_operator add: counters typed and printed as numbers; append: joined with ','.
TEST_F(StrataCtlTest, MergeAddsCountersAndAppendsLists) {
  CtlRun r = Ctl({"--create_if_missing", "--merge_operator", "add", "merge", "visits", "5"});
  ASSERT_EQ(r.status, ctl::kCtlOk) << r.err;
  ASSERT_EQ(Ctl({"--merge_operator", "add", "merge", "visits", "7"}).status, ctl::kCtlOk);
  ASSERT_EQ(Ctl({"--merge_operator=add", "merge", "visits", "30"}).status, ctl::kCtlOk);
  r = Ctl({"--merge_operator", "add", "get", "visits"});
  ASSERT_EQ(r.status, ctl::kCtlOk) << r.err;
  EXPECT_EQ(r.out, "42\n");
  EXPECT_EQ(Ctl({"--merge_operator", "add", "--hex", "get", "visits"}).out, "2a00000000000000\n");
  // A negative number subtracts (no -- needed); put sets a counter; other values stay text.
  ASSERT_EQ(Ctl({"--merge_operator", "add", "merge", "visits", "-2"}).status, ctl::kCtlOk);
  ASSERT_EQ(Ctl({"--merge_operator", "add", "put", "base", "100"}).status, ctl::kCtlOk);
  ASSERT_EQ(Ctl({"--merge_operator", "add", "merge", "base", "1"}).status, ctl::kCtlOk);
  ASSERT_EQ(Ctl({"--merge_operator", "add", "put", "name", "0x616c696365"}).status, ctl::kCtlOk);
  r = Ctl({"--merge_operator", "add", "scan"});
  ASSERT_EQ(r.status, ctl::kCtlOk) << r.err;
  EXPECT_EQ(r.out, "'base' => 101\n'name' => 'alice'\n'visits' => 40\n");
  EXPECT_EQ(Ctl({"--merge_operator", "add", "verify"}).status, ctl::kCtlOk);
  // Compaction combines the operands; the counts stay.
  ASSERT_EQ(Ctl({"--merge_operator", "add", "compact"}).status, ctl::kCtlOk);
  EXPECT_EQ(Ctl({"--merge_operator", "add", "get", "visits"}).out, "40\n");
  // Written by the tool, read by the library: 8 bytes little-endian.
  {
    Options options;
    options.merge_operator = NewUInt64AddOperator();
    std::unique_ptr<DB> db;
    ASSERT_OK(DB::Open(options, dbname_, &db));
    EXPECT_EQ(test::GetString(db.get(), "visits"), std::string("\x28\0\0\0\0\0\0\0", 8));
  }

  const std::string list = dir_.Child("list");
  for (const char* item : {"apple", "0x70656172", "plum"}) {
    r = RunCtl({"--db", list, "--create_if_missing", "--merge_operator", "append", "merge", "fruit",
                item});
    ASSERT_EQ(r.status, ctl::kCtlOk) << r.err;
  }
  r = RunCtl({"--db", list, "--merge_operator", "append", "get", "fruit"});
  ASSERT_EQ(r.status, ctl::kCtlOk) << r.err;
  EXPECT_EQ(r.out, "apple,pear,plum\n");
  EXPECT_EQ(RunCtl({"--db", list, "--merge_operator", "append", "scan"}).out,
            "'fruit' => 'apple,pear,plum'\n");

  // Both scan directions (and verify, which compares them) agree on keys merged onto a
  // value, onto nothing, onto a deletion, in tables and in the memtable.
  auto append = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", list, "--merge_operator", "append"});
    CtlRun run = RunCtl(args);
    EXPECT_EQ(run.status, ctl::kCtlOk) << run.err;
    return run.out;
  };
  append({"put", "b", "base"});
  for (const char* k : {"a", "b", "c", "d"}) append({"merge", k, std::string("x") + k});
  append({"flush"});
  append({"delete", "c"});
  append({"merge", "c", "y"});
  append({"merge", "e", "z"});
  const std::string forward =
      "'a' => 'xa'\n'b' => 'base,xb'\n'c' => 'y'\n'd' => 'xd'\n'e' => 'z'\n"
      "'fruit' => 'apple,pear,plum'\n";
  EXPECT_EQ(append({"scan"}), forward);
  EXPECT_EQ(append({"scan", "--reverse"}),
            "'fruit' => 'apple,pear,plum'\n'e' => 'z'\n'd' => 'xd'\n'c' => 'y'\n"
            "'b' => 'base,xb'\n'a' => 'xa'\n");
  EXPECT_NE(append({"verify"}).find("verify: 6 keys"), std::string::npos);
}

TEST_F(StrataCtlTest, MergeOperatorErrorsAreClear) {
  // merge without an operator: refused before anything is opened or created.
  CtlRun r = Ctl({"--create_if_missing", "merge", "visits", "5"});
  EXPECT_EQ(r.status, ctl::kCtlError);
  EXPECT_NE(r.err.find("merge needs --merge_operator add or append"), std::string::npos) << r.err;
  EXPECT_FALSE(FileSystem::Default()->FileExists(dbname_));
  // An unknown operator name.
  r = Ctl({"--create_if_missing", "--merge_operator", "sum", "merge", "visits", "5"});
  EXPECT_EQ(r.status, ctl::kCtlError);
  EXPECT_NE(r.err.find("--merge_operator is add or append, not 'sum'"), std::string::npos) << r.err;
  EXPECT_EQ(Ctl({"--create_if_missing", "--merge_operator", "get", "k"}).status, ctl::kCtlError);
  EXPECT_FALSE(FileSystem::Default()->FileExists(dbname_));
  // Values that are no counters.
  for (const char* value : {"five", "0x05", "99999999999999999999"}) {
    r = Ctl({"--create_if_missing", "--merge_operator", "add", "merge", "visits", value});
    EXPECT_EQ(r.status, ctl::kCtlError) << value;
    EXPECT_NE(r.err.find(value), std::string::npos) << r.err;
  }
  r = Ctl({"--create_if_missing", "--merge_operator", "add", "put", "name", "alice"});
  EXPECT_EQ(r.status, ctl::kCtlError);
  EXPECT_NE(r.err.find("0x"), std::string::npos) << r.err;
  EXPECT_FALSE(FileSystem::Default()->FileExists(dbname_));

  // A database that recorded add opens with add, or without the flag (its OPTIONS file names
  // the operator, so the tool loads it: values then show as bytes), never with another; the
  // engine's refusal reaches the user with the flag to give.
  ASSERT_EQ(Ctl({"--create_if_missing", "--merge_operator", "add", "merge", "visits", "5"}).status,
            ctl::kCtlOk);
  r = Ctl({"get", "visits"});
  ASSERT_EQ(r.status, ctl::kCtlOk) << r.err;
  EXPECT_EQ(r.out, "\\x05\\x00\\x00\\x00\\x00\\x00\\x00\\x00\n");
  EXPECT_EQ(Ctl({"merge", "visits", "1"}).status, ctl::kCtlError) << "merge still needs the flag";
  auto expect_refused = [&](std::vector<std::string> args, const std::string& given) {
    CtlRun refused = Ctl(args);
    EXPECT_EQ(refused.status, ctl::kCtlError) << args[0];
    EXPECT_EQ(refused.out, "");
    const std::string& e = refused.err;
    EXPECT_NE(e.find("cannot open the database " + dbname_), std::string::npos) << e;
    EXPECT_NE(e.find("InvalidArgument: merge operator mismatch: the database was written with "
                     "strata.UInt64Add: options give " +
                     given),
              std::string::npos)
        << e;
    EXPECT_NE(e.find("give --merge_operator add"), std::string::npos) << e;
  };
  expect_refused({"--merge_operator", "append", "get", "visits"}, "strata.StringAppend");
  expect_refused({"--merge_operator", "append", "merge", "visits", "x"}, "strata.StringAppend");
  // Without its OPTIONS files (a database last opened by an older version), only the flag
  // opens it.
  for (const std::string& path : test::FilesOfType(dbname_, FileType::kOptions)) {
    ASSERT_OK(FileSystem::Default()->RemoveFile(path));
  }
  expect_refused({"get", "visits"}, "none");
  expect_refused({"--read_only", "count"}, "none");
  EXPECT_EQ(Ctl({"--merge_operator", "add", "get", "visits"}).out, "5\n");

  // A database written with an operator of its program's own: strata_ctl cannot open it, and
  // says why.
  class MaxOperator final : public MergeOperator {
   public:
    const char* Name() const override { return "test.Max"; }
    bool FullMerge(std::string_view, const std::string_view*, std::span<const std::string_view>,
                   std::string*) const override {
      return false;
    }
  };
  const std::string custom = dir_.Child("custom");
  {
    Options options;
    options.create_if_missing = true;
    options.merge_operator = std::make_shared<MaxOperator>();
    std::unique_ptr<DB> db;
    ASSERT_OK(DB::Open(options, custom, &db));
  }
  for (const char* flag : {"", "add"}) {
    std::vector<std::string> args = {"--db", custom, "count"};
    if (*flag) args.insert(args.begin(), {"--merge_operator", flag});
    r = RunCtl(args);
    EXPECT_EQ(r.status, ctl::kCtlError) << flag;
    EXPECT_NE(r.err.find("written with test.Max"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("neither of strata_ctl's"), std::string::npos) << r.err;
  }

  // write_table opens no database; merge has its own help.
  r = RunCtl({"--merge_operator", "add", "write_table", dir_.Child("t.sst")});
  EXPECT_EQ(r.status, ctl::kCtlError);
  r = RunCtl({"merge", "--help"});
  EXPECT_EQ(r.status, ctl::kCtlOk);
  EXPECT_NE(r.out.find("--merge_operator add|append merge KEY VALUE"), std::string::npos) << r.out;
  EXPECT_NE(RunCtl({"--help"}).out.find("--merge_operator add|append"), std::string::npos);
}

TEST_F(StrataCtlTest, ScanAndCountHonourRangesLimitAndDirection) {
  Fill(20);
  CtlRun r = Ctl({"scan"});
  ASSERT_EQ(r.status, ctl::kCtlOk) << r.err;
  std::string all;
  for (int i = 0; i < 20; i++) {
    char line[48];  // room for any int, so -O1 sees no truncation
    std::snprintf(line, sizeof line, "'k%02d' => 'v%02d'\n", i, i);
    all += line;
  }
  EXPECT_EQ(r.out, all);

  r = Ctl({"scan", "--from", "k05", "--to", "k08"});  // [from, to)
  EXPECT_EQ(r.out, "'k05' => 'v05'\n'k06' => 'v06'\n'k07' => 'v07'\n");
  r = Ctl({"scan", "--reverse", "--limit", "2"});
  EXPECT_EQ(r.out, "'k19' => 'v19'\n'k18' => 'v18'\n");
  r = Ctl({"scan", "--reverse", "--from=k03", "--to=k05"});
  EXPECT_EQ(r.out, "'k04' => 'v04'\n'k03' => 'v03'\n");
  r = Ctl({"--hex", "scan", "--limit", "1"});
  EXPECT_EQ(r.out, "'6b3030' => '763030'\n");
  r = Ctl({"scan", "--from", "0x6b3138"});  // "k18" in hex
  EXPECT_EQ(r.out, "'k18' => 'v18'\n'k19' => 'v19'\n");
  EXPECT_EQ(Ctl({"scan", "--limit", "0"}).out, "");

  EXPECT_EQ(Ctl({"count"}).out, "20\n");
  EXPECT_EQ(Ctl({"count", "--from", "k10"}).out, "10\n");
  EXPECT_EQ(Ctl({"count", "--from", "k10", "--to", "k12"}).out, "2\n");
  EXPECT_EQ(Ctl({"count", "--from", "z"}).out, "0\n");
}

TEST_F(StrataCtlTest, FlushCompactStatsAndProperties) {
  Fill(30);
  // Open replays the log into a table: level 0 has tables before any command.
  CtlRun r = Ctl({"flush"});
  ASSERT_EQ(r.status, ctl::kCtlOk) << r.err;
  EXPECT_TRUE(r.out.starts_with("flushed; tables per level: L0 ")) << r.out;
  r = Ctl({"compact", "--from", "k00", "--to", "k29"});
  ASSERT_EQ(r.status, ctl::kCtlOk) << r.err;
  EXPECT_EQ(r.out, "compacted; tables per level: L0 0, L1 1\n");

  r = Ctl({"property", "strata.num-files-at-level1"});
  ASSERT_EQ(r.status, ctl::kCtlOk);
  EXPECT_EQ(r.out, "1\n");
  r = Ctl({"property", "strata.sstables"});
  ASSERT_EQ(r.status, ctl::kCtlOk);
  EXPECT_NE(r.out.find(".sst"), std::string::npos) << r.out;
  r = Ctl({"stats"});
  ASSERT_EQ(r.status, ctl::kCtlOk);
  EXPECT_NE(r.out.find("** Write path **"), std::string::npos) << r.out;
  r = Ctl({"property", "strata.no-such-thing"});
  EXPECT_EQ(r.status, ctl::kCtlError);
  EXPECT_NE(r.err.find("unknown property 'strata.no-such-thing'"), std::string::npos);
  EXPECT_EQ(Ctl({"count"}).out, "30\n");
}

// The tool opens the database with the options it was written with (its OPTIONS file).
TEST_F(StrataCtlTest, OpensWithTheDatabasesOwnOptions) {
  {
    Options options;
    options.create_if_missing = true;
    options.num_levels = 3;
    std::unique_ptr<DB> db;
    ASSERT_OK(DB::Open(options, dbname_, &db));
  }
  CtlRun r = Ctl({"property", "strata.num-files-at-level2"});
  ASSERT_EQ(r.status, ctl::kCtlOk) << r.err;
  EXPECT_EQ(r.out, "0\n");
  r = Ctl({"property", "strata.num-files-at-level3"});
  EXPECT_EQ(r.status, ctl::kCtlError) << "3 levels, as written, not the default 7: " << r.out;
}

TEST_F(StrataCtlTest, VerifyPassesThenFindsDamage) {
  Fill(2000);
  CtlRun r = Ctl({"compact"});  // every key in one level-1 table
  ASSERT_EQ(r.status, ctl::kCtlOk) << r.err;
  r = Ctl({"verify"});
  ASSERT_EQ(r.status, ctl::kCtlOk) << r.err;
  EXPECT_TRUE(r.out.starts_with("verify: 2000 keys read by scan and by get")) << r.out;
  EXPECT_NE(r.out.find("all checksums sound"), std::string::npos);

  // A flipped byte in the table's first data block: verify reads it and says so.
  std::vector<std::string> tables = test::FilesOfType(dbname_, FileType::kTable);
  ASSERT_EQ(tables.size(), 1u);
  test::RewriteFile(tables[0], [](std::string* bytes) { (*bytes)[50] ^= 0x01; });
  r = Ctl({"verify"});
  EXPECT_EQ(r.status, ctl::kCtlNegative) << r.out;
  EXPECT_NE(r.err.find("Corruption"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(tables[0].substr(tables[0].rfind('/') + 1)), std::string::npos) << r.err;
  // Reads that touch the block fail the same way; the others still work.
  r = Ctl({"scan", "--limit", "3"});
  EXPECT_EQ(r.status, ctl::kCtlNegative);
  EXPECT_NE(r.err.find("Corruption"), std::string::npos);
}

TEST_F(StrataCtlTest, DatabaseInUseIsAClearErrorNotAHang) {
  Fill(5);
  Options options;
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(options, dbname_, &db));  // holds the LOCK

  for (const char* command : {"get", "count", "verify"}) {
    std::vector<std::string> args = {command};
    if (std::string(command) == "get") args.push_back("k01");
    CtlRun r = Ctl(args);
    EXPECT_EQ(r.status, ctl::kCtlError) << command;
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find("the database " + dbname_ + " is in use by another process"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find(LockFileName(dbname_)), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("strata_dump db"), std::string::npos);
  }
  db.reset();
  EXPECT_EQ(Ctl({"get", "k01"}).out, "v01\n");
}

TEST_F(StrataCtlTest, DatabaseOpenInAnotherProcessIsAClearError) {
  Fill(5);
  // The child opens the database and holds it until the parent closes the pipe; forked
  // before this process locks anything, so the refusal comes from the file lock itself.
  test::DbHolderChild holder;
  ASSERT_TRUE(holder.Start(Options(), dbname_)) << "the child could not open the database";

  CtlRun r = Ctl({"get", "k01"});
  EXPECT_EQ(r.status, ctl::kCtlError);
  EXPECT_NE(r.err.find("the database " + dbname_ + " is in use by another process"),
            std::string::npos)
      << r.err;

  const int status = holder.Release();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(Ctl({"get", "k01"}).out, "v01\n");
}

TEST_F(StrataCtlTest, UsageErrorsAndHelp) {
  CtlRun r = RunCtl({});
  EXPECT_EQ(r.status, ctl::kCtlError);
  EXPECT_NE(r.err.find("no command"), std::string::npos);
  r = RunCtl({"get", "k"});
  EXPECT_EQ(r.status, ctl::kCtlError);
  EXPECT_NE(r.err.find("--db"), std::string::npos);
  EXPECT_EQ(Ctl({"frobnicate"}).status, ctl::kCtlError);
  EXPECT_EQ(Ctl({"get"}).status, ctl::kCtlError);
  EXPECT_EQ(Ctl({"put", "k"}).status, ctl::kCtlError);
  EXPECT_EQ(Ctl({"get", "a", "b"}).status, ctl::kCtlError);
  EXPECT_EQ(Ctl({"get", "0x1"}).status, ctl::kCtlError);
  EXPECT_EQ(Ctl({"get", "--from", "a", "k"}).status, ctl::kCtlError);
  EXPECT_EQ(Ctl({"count", "--reverse"}).status, ctl::kCtlError);
  EXPECT_EQ(Ctl({"scan", "--limit", "many"}).status, ctl::kCtlError);
  EXPECT_EQ(Ctl({"scan", "--limit"}).status, ctl::kCtlError);
  EXPECT_EQ(Ctl({"scan", "--bogus"}).status, ctl::kCtlError);
  // None of these touched the disk.
  EXPECT_FALSE(FileSystem::Default()->FileExists(dbname_));

  r = RunCtl({"--help"});
  EXPECT_EQ(r.status, ctl::kCtlOk);
  EXPECT_TRUE(r.out.starts_with("usage: strata_ctl --db DIR")) << r.out;
  for (const char* command : {"get", "put", "delete", "deleterange", "scan", "count", "compact",
                              "flush", "stats", "property", "verify"}) {
    r = RunCtl({command, "--help"});
    EXPECT_EQ(r.status, ctl::kCtlOk);
    EXPECT_TRUE(r.out.starts_with(std::string("usage: strata_ctl --db DIR ") + command)) << r.out;
    EXPECT_NE(r.out.find("exit status"), std::string::npos) << command;
  }
}

}  // namespace
}  // namespace strata

namespace strata {
namespace {

// strata_ctl with standard input given (write_table reads it).
CtlRun RunCtlWithInput(std::vector<std::string> args, const std::string& input) {
  args.insert(args.begin(), "strata_ctl");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::istringstream in(input);
  std::ostringstream out, err;
  CtlRun r;
  r.status = ctl::RunStrataCtlWithInput(static_cast<int>(argv.size()), argv.data(), in, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

TEST_F(StrataCtlTest, CheckpointMakesAnOpenableCopy) {
  Fill(20);
  const std::string copy = dir_.Child("copy");
  CtlRun r = Ctl({"checkpoint", copy});
  ASSERT_EQ(r.status, ctl::kCtlOk) << r.err;
  EXPECT_NE(r.out.find("checkpoint " + copy + " at sequence 20"), std::string::npos) << r.out;
  EXPECT_EQ(RunCtl({"--db", copy, "count"}).out, "20\n");
  EXPECT_EQ(RunCtl({"--db", copy, "get", "k07"}).out, "v07\n");
  // An existing target is refused.
  r = Ctl({"checkpoint", copy});
  EXPECT_EQ(r.status, ctl::kCtlError);
  EXPECT_NE(r.err.find("exists"), std::string::npos) << r.err;
}

TEST_F(StrataCtlTest, ReadOnlyReadsWhileAnotherProcessHoldsTheDatabase) {
  Fill(20);
  test::DbHolderChild holder;
  ASSERT_TRUE(holder.Start(Options(), dbname_)) << "the child could not open the database";
  CtlRun r = Ctl({"--read_only", "get", "k03"});
  EXPECT_EQ(r.status, ctl::kCtlOk) << r.err;
  EXPECT_EQ(r.out, "v03\n");
  EXPECT_EQ(Ctl({"--read_only", "count"}).out, "20\n");
  EXPECT_EQ(Ctl({"--read_only", "verify"}).status, ctl::kCtlOk);
  EXPECT_EQ(Ctl({"--read_only", "scan", "--limit", "1"}).out, "'k00' => 'v00'\n");
  r = Ctl({"--read_only", "put", "k", "v"});
  EXPECT_EQ(r.status, ctl::kCtlError);
  EXPECT_NE(r.err.find("cannot run with --read_only"), std::string::npos) << r.err;
  EXPECT_EQ(Ctl({"--read_only", "--create_if_missing", "count"}).status, ctl::kCtlError);
  const int status = holder.Release();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST_F(StrataCtlTest, WriteTableThenIngest) {
  Fill(5);
  const std::string table = dir_.Child("in.sst");
  CtlRun r = RunCtlWithInput({"write_table", table}, "k01\tnew1\nk10\tnew10\n0x6b3131\t0x00ff\n");
  ASSERT_EQ(r.status, ctl::kCtlOk) << r.err;
  EXPECT_NE(r.out.find("3 entries"), std::string::npos) << r.out;
  r = Ctl({"ingest", table});
  ASSERT_EQ(r.status, ctl::kCtlOk) << r.err;
  EXPECT_NE(r.out.find("ingested 1 file"), std::string::npos) << r.out;
  EXPECT_EQ(Ctl({"get", "k01"}).out, "new1\n");
  EXPECT_EQ(Ctl({"get", "k00"}).out, "v00\n");
  EXPECT_EQ(Ctl({"--hex", "get", "k11"}).out, "00ff\n");
  EXPECT_EQ(Ctl({"count"}).out, "7\n");

  // Out of order, malformed, and a table that does not exist.
  r = RunCtlWithInput({"write_table", dir_.Child("bad.sst")}, "b\t1\na\t2\n");
  EXPECT_EQ(r.status, ctl::kCtlError);
  EXPECT_NE(r.err.find("line 2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("increasing order"), std::string::npos) << r.err;
  EXPECT_FALSE(FileSystem::Default()->FileExists(dir_.Child("bad.sst")));
  r = RunCtlWithInput({"write_table", dir_.Child("bad.sst")}, "no tab here\n");
  EXPECT_EQ(r.status, ctl::kCtlError);
  EXPECT_NE(r.err.find("no TAB"), std::string::npos) << r.err;
  EXPECT_EQ(Ctl({"ingest", dir_.Child("missing.sst")}).status, ctl::kCtlError);
  EXPECT_EQ(Ctl({"ingest"}).status, ctl::kCtlError);
  EXPECT_EQ(RunCtlWithInput({"--db", dbname_, "write_table", table}, "").status, ctl::kCtlError);
}

}  // namespace
}  // namespace strata
