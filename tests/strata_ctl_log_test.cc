// strata_ctl's log commands: tail (text, JSON, binary; on a closed database and on one another
// process holds open; lost history), apply (resumes exactly once from a replayed or cut
// stream, refuses a gap or a damaged frame, advances the source's slot) and slot.
#include <sstream>

#include "strata/change_feed.h"
#include "strata/db.h"
#include "strata/merge_operator.h"
#include "strata/table_writer.h"
#include "support/db_holder_child.h"
#include "support/db_test_util.h"
#include "support/test_util.h"
#include "support/tool_run.h"
#include "tools/ctl/ctl.h"
#include "tools/ctl/feed_stream.h"
#include "tools/ctl/log_commands.h"
#include "tools/dump/dump.h"
#include "util/coding.h"

namespace strata {
namespace {

class StrataCtlLogTest : public testing::Test {
 protected:
  StrataCtlLogTest() : a_(dir_.Child("a")), b_(dir_.Child("b")) {}

  // strata_ctl args..., with input as standard input.
  test::ToolRun Ctl(std::vector<std::string> args, const std::string& input = "") {
    std::istringstream in(input);
    auto entry = [&in](int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
      return ctl::RunStrataCtlWithInput(argc, argv, in, out, err);
    };
    return test::RunTool(entry, "strata_ctl", std::move(args));
  }
  // A database with a slot "f" at 1 and n writes (key i => value i), closed.
  void Fill(int n) {
    Options options;
    options.create_if_missing = true;
    std::unique_ptr<DB> db;
    ASSERT_OK(DB::Open(options, a_, &db));
    ASSERT_OK(CreateLogSlot(a_, "f", 1));
    for (int i = 0; i < n; i++) {
      ASSERT_OK(db->Put(WriteOptions(), "k" + std::to_string(i), "v" + std::to_string(i)));
    }
    ASSERT_OK(db->Delete(WriteOptions(), "k0"));
  }
  std::string Get(const std::string& dir, const std::string& key) {
    std::unique_ptr<DB> db;
    EXPECT_OK(DB::Open(Options(), dir, &db));
    return db ? test::GetString(db.get(), key) : "";
  }

  test::TempDir dir_;
  const std::string a_, b_;
};

TEST_F(StrataCtlLogTest, TailPrintsTheFeedAsTextAndJson) {
  Fill(3);
  test::ToolRun r = Ctl({"--db", a_, "tail"});
  ASSERT_EQ(ctl::kCtlOk, r.status) << r.err;
  EXPECT_EQ(
      "sequence 1 count 1\n  put 'k0' => 'v0'\nsequence 2 count 1\n  put 'k1' => 'v1'\n"
      "sequence 3 count 1\n  put 'k2' => 'v2'\nsequence 4 count 1\n  delete 'k0'\n",
      r.out);
  r = Ctl({"--db", a_, "tail", "--from", "3", "--format", "json", "--hex"});
  ASSERT_EQ(ctl::kCtlOk, r.status) << r.err;
  EXPECT_EQ(
      "{\"sequence\":3,\"count\":1,\"ops\":[{\"op\":\"put\",\"key\":\"6b32\",\"value\":\"7632\"}]}"
      "\n"
      "{\"sequence\":4,\"count\":1,\"ops\":[{\"op\":\"delete\",\"key\":\"6b30\"}]}\n",
      r.out);
}

// tail reads the files without the lock: it works while another process holds the database.
TEST_F(StrataCtlLogTest, TailWorksWhileAnotherProcessHoldsTheDatabase) {
  Fill(5);
  test::DbHolderChild holder;
  ASSERT_TRUE(holder.Start(Options(), a_));
  test::ToolRun r = Ctl({"--db", a_, "tail", "--from", "5"});
  EXPECT_EQ(ctl::kCtlOk, r.status) << r.err;
  EXPECT_EQ("sequence 5 count 1\n  put 'k4' => 'v4'\nsequence 6 count 1\n  delete 'k0'\n", r.out);
  EXPECT_EQ(0, holder.Release());
}

TEST_F(StrataCtlLogTest, TailOfLostHistoryFailsWithTheOldestAvailable) {
  Fill(3);
  ASSERT_OK(DropLogSlot(a_, "f"));
  {
    std::unique_ptr<DB> db;
    ASSERT_OK(DB::Open(Options(), a_, &db));  // replays, flushes and deletes the old log
    ASSERT_OK(db->Put(WriteOptions(), "x", "y"));
  }
  test::ToolRun r = Ctl({"--db", a_, "tail", "--from", "2"});
  EXPECT_EQ(ctl::kCtlNegative, r.status);
  EXPECT_NE(std::string::npos, r.err.find("sequence 2 is no longer in the logs")) << r.err;
  EXPECT_NE(std::string::npos, r.err.find("oldest still available is 5")) << r.err;
}

// apply resumes exactly once: a stream replayed from the start is skipped up to where B is, a
// stream cut inside a frame keeps what came before it, a stream with a hole is refused.
TEST_F(StrataCtlLogTest, ApplyIsExactlyOnce) {
  Fill(20);
  test::ToolRun tail = Ctl({"--db", a_, "tail", "--slot", "f", "--format", "binary"});
  ASSERT_EQ(ctl::kCtlOk, tail.status) << tail.err;
  const std::string stream = tail.out;

  // Cut inside the 11th record's frame: ten records applied, an error for the cut.
  size_t cut = 0;
  for (int frames = 0; frames < 11; frames++) {
    const uint32_t length = DecodeFixed32(stream.data() + cut + 1);
    cut += 5 + length + 4;
  }
  test::ToolRun apply = Ctl({"--db", b_, "apply"}, stream.substr(0, cut + 7));
  EXPECT_EQ(ctl::kCtlNegative, apply.status);
  EXPECT_NE(std::string::npos, apply.err.find("ends inside a frame")) << apply.err;
  EXPECT_NE(std::string::npos, apply.out.find("resuming after sequence 0")) << apply.out;
  EXPECT_EQ("v9", Get(b_, "k9"));
  EXPECT_EQ("NOT_FOUND", Get(b_, "k10"));
  LogSlot slot;
  ASSERT_OK(GetLogSlot(a_, "f", &slot));
  EXPECT_EQ(11u, slot.sequence) << "advanced to what B holds";

  // The whole stream again: the first ten are skipped, the rest applied.
  apply = Ctl({"--db", b_, "apply"}, stream);
  ASSERT_EQ(ctl::kCtlOk, apply.status) << apply.err;
  EXPECT_NE(std::string::npos, apply.out.find("resuming after sequence 10 (next 11)")) << apply.out;
  EXPECT_NE(std::string::npos, apply.out.find("applied 11 records (10 already held)")) << apply.out;
  EXPECT_EQ("v19", Get(b_, "k19"));
  EXPECT_EQ("NOT_FOUND", Get(b_, "k0"));
  ASSERT_OK(GetLogSlot(a_, "f", &slot));
  EXPECT_EQ(22u, slot.sequence);

  // A stream from a later sequence than B needs: refused, nothing applied.
  std::unique_ptr<DB> a;
  ASSERT_OK(DB::Open(Options(), a_, &a));
  ASSERT_OK(a->Put(WriteOptions(), "late1", "1"));
  ASSERT_OK(a->Put(WriteOptions(), "late2", "2"));
  a.reset();
  tail = Ctl({"--db", a_, "tail", "--from", "23", "--format", "binary"});
  ASSERT_EQ(ctl::kCtlOk, tail.status) << tail.err;
  apply = Ctl({"--db", b_, "apply"}, tail.out);
  EXPECT_EQ(ctl::kCtlNegative, apply.status);
  EXPECT_NE(std::string::npos, apply.err.find("record at sequence 23 where 22 was due"))
      << apply.err;
  EXPECT_EQ("NOT_FOUND", Get(b_, "late2"));

  // A damaged frame is refused.
  std::string damaged = stream;
  damaged[damaged.size() - 6] ^= 1;
  apply = Ctl({"--db", dir_.Child("c"), "apply"}, damaged);
  EXPECT_EQ(ctl::kCtlNegative, apply.status);
  EXPECT_NE(std::string::npos, apply.err.find("checksum mismatch")) << apply.err;

  // A record with operations at sequence 0 (no feed writes one) is damage, not "held".
  WriteBatch zero;
  zero.Put("k", "v");  // a new batch starts at sequence 0
  std::string forged;
  ctl::AppendFrame(ctl::FrameType::kHeader, ctl::EncodeHeader({a_, ""}), &forged);
  ctl::AppendFrame(ctl::FrameType::kBatch, zero.Data(), &forged);
  apply = Ctl({"--db", b_, "apply"}, forged);
  EXPECT_EQ(ctl::kCtlNegative, apply.status);
  EXPECT_NE(std::string::npos, apply.err.find("operations at sequence 0")) << apply.err;
}

// An ingestion on the source: tail shows its sequence marker; apply takes the records before
// it and then stops with NotSupported, saying why, instead of reporting a gap.
TEST_F(StrataCtlLogTest, ApplyStopsAtAnIngestion) {
  Fill(2);  // sequences 1-3
  {
    std::unique_ptr<DB> db;
    ASSERT_OK(DB::Open(Options(), a_, &db));
    TableWriter table{Options()};
    ASSERT_OK(table.Open(dir_.Child("x.sst")));
    ASSERT_OK(table.Put("z", "ingested"));
    ASSERT_OK(table.Finish());
    ASSERT_OK(db->IngestExternalFiles({dir_.Child("x.sst")}, IngestOptions()));  // 4
    ASSERT_OK(db->Put(WriteOptions(), "after", "5"));
  }
  test::ToolRun tail = Ctl({"--db", a_, "tail", "--from", "4"});
  ASSERT_EQ(ctl::kCtlOk, tail.status) << tail.err;
  EXPECT_EQ(
      "sequence 4 count 0 (an ingestion took this sequence: its keys are not in the log)\n"
      "sequence 5 count 1\n  put 'after' => '5'\n",
      tail.out);
  tail = Ctl({"--db", a_, "tail", "--format", "binary"});
  ASSERT_EQ(ctl::kCtlOk, tail.status) << tail.err;
  test::ToolRun apply = Ctl({"--db", b_, "apply"}, tail.out);
  EXPECT_EQ(ctl::kCtlError, apply.status);
  EXPECT_NE(std::string::npos, apply.err.find("sequence 4 was taken by an ingestion")) << apply.err;
  EXPECT_NE(std::string::npos, apply.err.find("start again from a checkpoint")) << apply.err;
  EXPECT_NE(std::string::npos, apply.out.find("applied 3 records")) << apply.out;
  EXPECT_EQ("v1", Get(b_, "k1"));
  EXPECT_EQ("NOT_FOUND", Get(b_, "after"));

  // Starting again from a checkpoint of the source: apply --from its sequence + 1.
  const std::string c = dir_.Child("c");
  test::ToolRun checkpoint = Ctl({"--db", a_, "checkpoint", c});
  ASSERT_EQ(ctl::kCtlOk, checkpoint.status) << checkpoint.err;
  EXPECT_NE(std::string::npos, checkpoint.out.find("at sequence 5")) << checkpoint.out;
  {
    std::unique_ptr<DB> db;
    ASSERT_OK(DB::Open(Options(), a_, &db));
    ASSERT_OK(db->Put(WriteOptions(), "later", "6"));
  }
  // --from is stored at once: a run that ends before its first record resumes there.
  apply = Ctl({"--db", c, "apply", "--from", "6"}, "");
  ASSERT_EQ(ctl::kCtlOk, apply.status) << apply.err;
  tail = Ctl({"--db", a_, "tail", "--from", "6", "--format", "binary"});
  ASSERT_EQ(ctl::kCtlOk, tail.status) << tail.err;
  apply = Ctl({"--db", c, "apply"}, tail.out);
  ASSERT_EQ(ctl::kCtlOk, apply.status) << apply.err;
  EXPECT_NE(std::string::npos, apply.out.find("resuming after sequence 5 (next 6)")) << apply.out;
  EXPECT_EQ("ingested", Get(c, "z"));
  EXPECT_EQ("5", Get(c, "after"));
  EXPECT_EQ("6", Get(c, "later"));
  // A database that has applied records takes --from only at the next one it needs.
  apply = Ctl({"--db", b_, "apply", "--from", "6"}, tail.out);
  EXPECT_EQ(ctl::kCtlError, apply.status);
  EXPECT_NE(std::string::npos, apply.err.find("--from must be 4 or left out")) << apply.err;
}

// A feed of merges: tail prints them; apply needs the source's operator (--merge_operator,
// before or after the command word) and then leaves B with A's counts.
TEST_F(StrataCtlLogTest, ApplyOfMergesNeedsTheOperator) {
  {
    Options options;
    options.create_if_missing = true;
    options.merge_operator = NewUInt64AddOperator();
    std::unique_ptr<DB> db;
    ASSERT_OK(DB::Open(options, a_, &db));
    ASSERT_OK(CreateLogSlot(a_, "f", 1));
    std::string one;
    PutFixed64(&one, 1);
    for (int i = 0; i < 5; i++) ASSERT_OK(db->Merge(WriteOptions(), "hits", one));
  }
  test::ToolRun tail = Ctl({"--db", a_, "tail", "--from", "5"});
  ASSERT_EQ(ctl::kCtlOk, tail.status) << tail.err;
  EXPECT_EQ("sequence 5 count 1\n  merge 'hits' <= '\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00'\n",
            tail.out);
  tail = Ctl({"--db", a_, "--merge_operator", "add", "tail", "--format", "binary"});
  ASSERT_EQ(ctl::kCtlOk, tail.status) << tail.err;

  test::ToolRun apply = Ctl({"--db", b_, "apply"}, tail.out);
  EXPECT_EQ(ctl::kCtlError, apply.status);
  EXPECT_NE(std::string::npos, apply.err.find("the database has no merge operator")) << apply.err;
  EXPECT_NE(std::string::npos, apply.err.find("give --merge_operator add or append")) << apply.err;
  apply = Ctl({"--db", b_, "--merge_operator", "add", "apply"}, tail.out);
  ASSERT_EQ(ctl::kCtlOk, apply.status) << apply.err;
  EXPECT_NE(std::string::npos, apply.out.find("applied 5 records")) << apply.out;
  test::ToolRun get = Ctl({"--db", b_, "--merge_operator", "add", "get", "hits"});
  ASSERT_EQ(ctl::kCtlOk, get.status) << get.err;
  EXPECT_EQ("5\n", get.out);
  EXPECT_EQ(ctl::kCtlError, Ctl({"--db", b_, "--merge_operator", "sum", "apply"}, "").status);
}

TEST_F(StrataCtlLogTest, SlotCommands) {
  Fill(2);
  test::ToolRun r = Ctl({"--db", a_, "slot", "create", "g", "2"});
  ASSERT_EQ(ctl::kCtlOk, r.status) << r.err;
  r = Ctl({"--db", a_, "slot", "advance", "g", "3"});
  ASSERT_EQ(ctl::kCtlOk, r.status) << r.err;
  r = Ctl({"--db", a_, "slot", "list"});
  ASSERT_EQ(ctl::kCtlOk, r.status) << r.err;
  EXPECT_EQ("f 1\ng 3\n", r.out);
  r = Ctl({"--db", a_, "slot", "advance", "g", "2"});
  EXPECT_EQ(ctl::kCtlError, r.status);
  EXPECT_NE(std::string::npos, r.err.find("never moves back")) << r.err;
  r = Ctl({"--db", a_, "slot", "drop", "g"});
  ASSERT_EQ(ctl::kCtlOk, r.status) << r.err;
  r = Ctl({"--db", a_, "slot", "drop", "g"});
  EXPECT_EQ(ctl::kCtlNegative, r.status);
  r = Ctl({"--db", a_, "slot", "create", "g"});
  EXPECT_EQ(ctl::kCtlError, r.status);
  r = Ctl({"--db", a_, "tail", "--format", "xml"});
  EXPECT_EQ(ctl::kCtlError, r.status);
  r = Ctl({"--db", a_, "tail", "--slot", "nope"});
  EXPECT_EQ(ctl::kCtlNegative, r.status);
  EXPECT_NE(std::string::npos, r.err.find("give --from SEQ to create it")) << r.err;
  r = Ctl({"tail", "--help"});
  EXPECT_EQ(ctl::kCtlOk, r.status);
  EXPECT_NE(std::string::npos, r.out.find("--format text|json|binary")) << r.out;
}

// strata_dump db shows what history each log holds, every slot, the log it holds from and
// its lag; the JSON has the same.
TEST_F(StrataCtlLogTest, DumpShowsLogHistoryAndSlots) {
  Fill(3);
  ASSERT_OK(CreateLogSlot(a_, "late", 100));
  test::ToolRun r = test::RunTool(dump::RunStrataDump, "strata_dump", {"db", a_});
  ASSERT_EQ(0, r.status) << r.err;
  EXPECT_NE(std::string::npos, r.out.find(", from sequence 1, ")) << r.out;
  EXPECT_NE(std::string::npos, r.out.find("slot f at sequence 1, holds logs from 0000")) << r.out;
  EXPECT_NE(std::string::npos, r.out.find("slot late at sequence 100, holds logs from")) << r.out;
  r = test::RunTool(dump::RunStrataDump, "strata_dump", {"db", "--json", a_});
  ASSERT_EQ(0, r.status) << r.err;
  EXPECT_NE(std::string::npos, r.out.find("\"slots\":[{\"name\":\"f\",\"sequence\":1,")) << r.out;
}

}  // namespace
}  // namespace strata
