// DB::OpenForReadOnly: reads tables and replays logs into memory while a writer holds the
// database, changes no file at all, and refuses every write with NotSupported.
#include <sys/stat.h>

#include <map>

#include "strata/db.h"
#include "support/db_test_util.h"
#include "support/fault_injection_fs.h"
#include "support/test_util.h"
#include "support/write_model.h"

namespace strata {
namespace {

using test::FaultInjectionFileSystem;
using test::KVMap;

class ReadOnlyTest : public testing::Test {
 protected:
  ReadOnlyTest() {
    options_.create_if_missing = true;
    options_.write_buffer_size = 64 << 10;
    dbname_ = dir_.Child("db");
  }
  void Fill(DB* db, int n, KVMap* model) {
    for (int i = 0; i < n; i++) {
      std::string k = test::NumberKey(i % 700), v = "v" + std::to_string(i);
      ASSERT_OK(db->Put(WriteOptions(), k, v));
      (*model)[k] = v;
    }
  }
  // Every file name with its contents.
  std::map<std::string, std::string> Snapshot() {
    std::map<std::string, std::string> out;
    std::vector<std::string> names;
    EXPECT_OK(FileSystem::Default()->GetChildren(dbname_, &names));
    for (const auto& n : names) {
      EXPECT_OK(ReadFileToString(FileSystem::Default().get(), dbname_ + "/" + n, &out[n]));
    }
    return out;
  }

  test::TempDir dir_;
  std::string dbname_;
  Options options_;
};

TEST_F(ReadOnlyTest, ReadsTablesAndLogsWhileTheWriterHoldsIt) {
  std::unique_ptr<DB> writer;
  ASSERT_OK(DB::Open(options_, dbname_, &writer));
  KVMap model;
  Fill(writer.get(), 3000, &model);  // tables and a log
  ASSERT_OK(writer->Delete(WriteOptions(), test::NumberKey(3)));
  model.erase(test::NumberKey(3));

  std::unique_ptr<DB> ro;
  ASSERT_OK(DB::OpenForReadOnly(options_, dbname_, &ro));
  KVMap got;
  ASSERT_OK(test::ScanAll(ro.get(), &got));
  EXPECT_EQ(got, model) << test::FirstDifference(model, got);
  EXPECT_EQ(test::GetString(ro.get(), test::NumberKey(3)), "NOT_FOUND");
  EXPECT_EQ(test::IntProperty(ro.get(), "strata.last-sequence"),
            test::IntProperty(writer.get(), "strata.last-sequence"));
  // The writer goes on; the read-only view stays as it was opened.
  ASSERT_OK(writer->Put(WriteOptions(), "later", "x"));
  EXPECT_EQ(test::GetString(ro.get(), "later"), "NOT_FOUND");
}

TEST_F(ReadOnlyTest, EveryWriteIsRefused) {
  {
    std::unique_ptr<DB> db;
    ASSERT_OK(DB::Open(options_, dbname_, &db));
    ASSERT_OK(db->Put(WriteOptions(), "k", "v"));
  }
  std::unique_ptr<DB> ro;
  ASSERT_OK(DB::OpenForReadOnly(options_, dbname_, &ro));
  WriteBatch batch;
  batch.Put("a", "b");
  EXPECT_TRUE(ro->Put(WriteOptions(), "k", "w").IsNotSupported());
  EXPECT_TRUE(ro->Delete(WriteOptions(), "k").IsNotSupported());
  EXPECT_TRUE(ro->Write(WriteOptions(), &batch).IsNotSupported());
  EXPECT_TRUE(ro->Flush().IsNotSupported());
  EXPECT_TRUE(ro->CompactRange(nullptr, nullptr).IsNotSupported());
  EXPECT_TRUE(ro->SyncWAL().IsNotSupported());
  EXPECT_TRUE(ro->IngestExternalFiles({dir_.Child("x.sst")}, IngestOptions()).IsNotSupported());
  Status s = ro->Put(WriteOptions(), "k", "w");
  EXPECT_NE(s.ToString().find("read-only"), std::string::npos) << s.ToString();
  EXPECT_EQ(test::GetString(ro.get(), "k"), "v");
}

TEST_F(ReadOnlyTest, ChangesNoFile) {
  {
    std::unique_ptr<DB> db;
    ASSERT_OK(DB::Open(options_, dbname_, &db));
    KVMap model;
    Fill(db.get(), 2000, &model);
  }
  const auto before = Snapshot();
  auto fs = std::make_shared<FaultInjectionFileSystem>(FileSystem::Default());
  Options o = options_;
  o.file_system = fs;
  o.create_if_missing = true;  // even so: a read-only open creates nothing
  {
    std::unique_ptr<DB> ro;
    ASSERT_OK(DB::OpenForReadOnly(o, dbname_, &ro));
    KVMap got;
    ASSERT_OK(test::ScanAll(ro.get(), &got));
    EXPECT_EQ(got.size(), 700u);
  }
  EXPECT_EQ(fs->WriteCount(), 0u);
  EXPECT_EQ(fs->Count(test::OpKind::kLock), 0u);
  EXPECT_TRUE(Snapshot() == before);
}

TEST_F(ReadOnlyTest, WorksInAReadOnlyDirectory) {
  {
    std::unique_ptr<DB> db;
    ASSERT_OK(DB::Open(options_, dbname_, &db));
    ASSERT_OK(db->Put(WriteOptions(), "k", "v"));
  }
  ASSERT_EQ(::chmod(dbname_.c_str(), 0555), 0);
  std::unique_ptr<DB> ro;
  Status s = DB::OpenForReadOnly(options_, dbname_, &ro);
  ::chmod(dbname_.c_str(), 0755);
  ASSERT_OK(s);
  EXPECT_EQ(test::GetString(ro.get(), "k"), "v");
}

TEST_F(ReadOnlyTest, MissingOrIncompleteDatabaseIsRefused) {
  std::unique_ptr<DB> ro;
  EXPECT_FALSE(DB::OpenForReadOnly(options_, dir_.Child("missing"), &ro).ok());
  EXPECT_FALSE(FileSystem::Default()->FileExists(dir_.Child("missing")));
  ASSERT_OK(FileSystem::Default()->CreateDir(dbname_));
  Status s = DB::OpenForReadOnly(options_, dbname_, &ro);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ(ro, nullptr);
}

}  // namespace
}  // namespace strata
