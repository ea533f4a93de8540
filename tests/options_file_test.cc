// OPTIONS files (db/options_file.h, include/strata/options_file.h): written at each open
// through the FileSystem, the two newest kept, read back by LoadLatestOptions with the
// comparator checked, and parsed strictly.
#include "strata/options_file.h"

#include <gtest/gtest.h>

#include "db/options_file.h"
#include "strata/comparator.h"
#include "strata/db.h"
#include "strata/file_system.h"
#include "strata/merge_operator.h"
#include "support/db_test_util.h"
#include "support/fault_injection_fs.h"
#include "support/test_util.h"
#include "version/filename.h"

namespace strata {
namespace {

class OptionsFileTest : public testing::Test {
 protected:
  OptionsFileTest() {
    options_.create_if_missing = true;
    dbname_ = dir_.Child("db");
  }
  void OpenAndClose() {
    std::unique_ptr<DB> db;
    ASSERT_OK(DB::Open(options_, dbname_, &db));
  }
  std::vector<std::string> OptionsFiles() { return test::FilesOfType(dbname_, FileType::kOptions); }

  test::TempDir dir_;
  std::string dbname_;
  Options options_;
};

TEST_F(OptionsFileTest, EveryFieldRoundTrips) {
  Options o;
  o.create_if_missing = true;
  o.paranoid_checks = true;
  o.wal_recovery_mode = WalRecoveryMode::kPointInTimeRecovery;
  o.write_buffer_size = 1 << 20;
  o.max_write_buffer_number = 3;
  o.memtable_huge_pages = false;
  o.table_memory_huge_pages = true;
  o.memtable_bloom_size_ratio = 0.03125;
  o.seek_compaction = false;
  o.compression = CompressionType::kNone;
  o.block_size = 8192;
  o.block_restart_interval = 8;
  o.index_block_restart_interval = 4;
  o.bloom_bits_per_key = 14;
  o.block_cache_capacity = 7 << 20;
  o.block_cache_admit_on_first_miss = true;
  o.max_open_files = 123;
  o.num_levels = 5;
  o.level0_file_num_compaction_trigger = 3;
  o.level0_slowdown_writes_trigger = 9;
  o.level0_stop_writes_trigger = 17;
  o.max_bytes_for_level_base = 99ull << 20;
  o.max_bytes_for_level_multiplier = 7.25;
  o.target_file_size_base = 5ull << 20;
  o.level_compaction_dynamic_level_bytes = false;
  o.level_compaction_dynamic_file_size = false;
  o.compaction_pri = Options::CompactionPri::kRoundRobin;
  o.max_background_jobs = 4;
  o.keep_log_file_num = 3;
  o.max_bg_error_resume_count = 7;
  o.bg_error_resume_retry_interval_micros = 2500;
  o.wal_ttl_seconds = 3600;
  o.wal_size_limit_mb = 64;
  o.max_slot_lag_mb = 512;
  const std::string text = SerializeOptions(o);
  Options back;
  ParsedOptionsFile parsed;
  ASSERT_OK(ParseOptions(text, &back, &parsed));
  EXPECT_EQ(text, SerializeOptions(back)) << "every field read back as written";
  EXPECT_EQ(kOptionsFileVersion, parsed.format_version);
  EXPECT_EQ(BytewiseComparator()->Name(), parsed.comparator);
  EXPECT_EQ(0, parsed.unknown_fields);
  EXPECT_EQ(7.25, back.max_bytes_for_level_multiplier);
  EXPECT_EQ(WalRecoveryMode::kPointInTimeRecovery, back.wal_recovery_mode);
  EXPECT_EQ(CompressionType::kNone, back.compression);
  EXPECT_EQ(2500u, back.bg_error_resume_retry_interval_micros);
  EXPECT_EQ(3600u, back.wal_ttl_seconds);
  EXPECT_EQ(512u, back.max_slot_lag_mb);
  EXPECT_FALSE(back.memtable_huge_pages);
  EXPECT_TRUE(back.table_memory_huge_pages);
  EXPECT_TRUE(back.block_cache_admit_on_first_miss);
  EXPECT_EQ(0.03125, back.memtable_bloom_size_ratio);
  EXPECT_FALSE(back.seek_compaction);
  EXPECT_FALSE(back.level_compaction_dynamic_level_bytes);
  EXPECT_FALSE(back.level_compaction_dynamic_file_size);
  EXPECT_EQ(Options::CompactionPri::kRoundRobin, back.compaction_pri);
  EXPECT_EQ(4, back.index_block_restart_interval);
}

TEST_F(OptionsFileTest, OpenWritesOneAndKeepsTheTwoNewest) {
  options_.write_buffer_size = 1 << 20;
  OpenAndClose();
  ASSERT_EQ(1u, OptionsFiles().size());
  std::string text;
  ASSERT_OK(ReadFileToString(FileSystem::Default().get(), OptionsFiles()[0], &text));
  EXPECT_NE(std::string::npos, text.find("write_buffer_size = 1048576\n")) << text;
  EXPECT_NE(std::string::npos, text.find("comparator = strata.BytewiseComparator\n")) << text;
  const std::string first = OptionsFiles()[0];
  OpenAndClose();
  OpenAndClose();
  const std::vector<std::string> files = OptionsFiles();
  ASSERT_EQ(2u, files.size());
  EXPECT_LT(first, files[0]) << "the oldest went";
  EXPECT_TRUE(test::FilesOfType(dbname_, FileType::kTemp).empty());
}

TEST_F(OptionsFileTest, FlushesAndCompactionsKeepTheLiveOne) {
  options_.write_buffer_size = 64 << 10;
  options_.level0_file_num_compaction_trigger = 2;
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(options_, dbname_, &db));
  const std::vector<std::string> at_open = OptionsFiles();
  for (int i = 0; i < 5000; i++) {
    ASSERT_OK(db->Put(WriteOptions(), test::NumberKey(i % 1000), std::string(100, 'v')));
  }
  ASSERT_OK(db->CompactRange(nullptr, nullptr));
  EXPECT_GT(test::IntProperty(db.get(), "strata.num-flushes"), 1u);
  EXPECT_EQ(at_open, OptionsFiles()) << "obsolete-file deletion spared it";
}

TEST_F(OptionsFileTest, LoadLatestOptionsReadsWhatOpenWrote) {
  options_.block_size = 16384;
  options_.num_levels = 4;
  options_.compression = CompressionType::kNone;
  OpenAndClose();
  OpenAndClose();  // two files: the newest must win
  Options loaded;
  ASSERT_OK(LoadLatestOptions(dbname_, &loaded));
  EXPECT_EQ(16384u, loaded.block_size);
  EXPECT_EQ(4, loaded.num_levels);
  EXPECT_EQ(CompressionType::kNone, loaded.compression);
  EXPECT_TRUE(loaded.create_if_missing);
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(loaded, dbname_, &db));  // a tool can open with them
}

TEST_F(OptionsFileTest, LoadGoesThroughTheGivenFileSystem) {
  auto fs = std::make_shared<test::FaultInjectionFileSystem>(FileSystem::Default());
  options_.file_system = fs;
  OpenAndClose();
  Options loaded;
  loaded.file_system = fs;
  fs->FailAlways(test::OpKind::kOpen, test::ErrorKind::kEIO, "OPTIONS-");
  EXPECT_TRUE(LoadLatestOptions(dbname_, &loaded).IsIOError());
  fs->ClearFaults();
  ASSERT_OK(LoadLatestOptions(dbname_, &loaded));
  EXPECT_EQ(fs, loaded.file_system) << "objects the file cannot hold are kept";
}

// Fails every rename onto an OPTIONS file: the last step of writing one.
class FailOptionsRename : public FileSystemWrapper {
 public:
  FailOptionsRename() : FileSystemWrapper(FileSystem::Default()) {}
  Status RenameFile(const std::string& from, const std::string& to) override {
    if (failing && to.find("/OPTIONS-") != std::string::npos) return Status::IOError("no room");
    return FileSystemWrapper::RenameFile(from, to);
  }
  bool failing = true;
};

TEST_F(OptionsFileTest, AFailedWriteFailsOpenAndLeavesNoTemp) {
  auto fs = std::make_shared<FailOptionsRename>();
  options_.file_system = fs;
  std::unique_ptr<DB> db;
  Status s = DB::Open(options_, dbname_, &db);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_TRUE(test::FilesOfType(dbname_, FileType::kTemp).empty());
  EXPECT_TRUE(OptionsFiles().empty());
  fs->failing = false;
  OpenAndClose();
  EXPECT_EQ(1u, OptionsFiles().size());
}

class ReverseComparator : public Comparator {
 public:
  int Compare(std::string_view a, std::string_view b) const override { return b.compare(a); }
  const char* Name() const override { return "test.Reverse"; }
};

TEST_F(OptionsFileTest, ADifferentComparatorIsRefused) {
  static ReverseComparator reverse;
  options_.comparator = &reverse;
  OpenAndClose();
  Options loaded;  // no comparator: bytewise
  loaded.block_size = 777;
  Status s = LoadLatestOptions(dbname_, &loaded);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find("test.Reverse")) << s.ToString();
  EXPECT_EQ(777u, loaded.block_size) << "unchanged on error";
  loaded.comparator = &reverse;
  ASSERT_OK(LoadLatestOptions(dbname_, &loaded));
  // Open refuses it the same way (one check, shared with MANIFEST recovery).
  Options bytewise = options_;
  bytewise.comparator = nullptr;
  std::unique_ptr<DB> db;
  Status open = DB::Open(bytewise, dbname_, &db);
  EXPECT_TRUE(open.IsInvalidArgument());
  EXPECT_EQ(s.ToString(), open.ToString());
}

// A custom operator with a name no built-in has.
class MaxOperator : public MergeOperator {
 public:
  const char* Name() const override { return "test.Max"; }
  bool FullMerge(std::string_view, const std::string_view* existing,
                 std::span<const std::string_view> operands, std::string* out) const override {
    std::string_view best = existing ? *existing : std::string_view();
    for (std::string_view op : operands) best = std::max(best, op);
    out->assign(best);
    return true;
  }
};

TEST_F(OptionsFileTest, TheMergeOperatorIsRecordedAndABuiltInOneLoadedByName) {
  options_.merge_operator = NewStringAppendOperator(';');
  OpenAndClose();
  Options loaded;  // no operator: the built-in one of the recorded name comes back
  ASSERT_OK(LoadLatestOptions(dbname_, &loaded));
  ASSERT_NE(nullptr, loaded.merge_operator);
  EXPECT_STREQ("strata.StringAppend.3b", loaded.merge_operator->Name());
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(loaded, dbname_, &db));
  ASSERT_OK(db->Merge(WriteOptions(), "k", "a"));
  ASSERT_OK(db->Merge(WriteOptions(), "k", "b"));
  EXPECT_EQ("a;b", test::GetString(db.get(), "k"));
  db.reset();

  // A given operator of another name is refused, and *options left as it was.
  Options other;
  other.merge_operator = NewUInt64AddOperator();
  other.block_size = 777;
  Status s = LoadLatestOptions(dbname_, &other);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find("strata.StringAppend.3b")) << s.ToString();
  EXPECT_EQ(777u, other.block_size);
}

TEST_F(OptionsFileTest, ACustomMergeOperatorIsCheckedNotLoaded) {
  options_.merge_operator = std::make_shared<MaxOperator>();
  OpenAndClose();
  Options loaded;
  ASSERT_OK(LoadLatestOptions(dbname_, &loaded));
  EXPECT_EQ(nullptr, loaded.merge_operator) << "no built-in is called test.Max";
  std::unique_ptr<DB> db;
  Status s = DB::Open(loaded, dbname_, &db);  // the MANIFEST names the operator it needs
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find("test.Max")) << s.ToString();
  loaded.merge_operator = options_.merge_operator;
  ASSERT_OK(LoadLatestOptions(dbname_, &loaded));
  ASSERT_OK(DB::Open(loaded, dbname_, &db));
}

TEST(BuiltinMergeOperatorTest, EveryBuiltInNameRoundTripsAndNoOtherNameMatches) {
  for (const auto& op :
       {NewUInt64AddOperator(), NewStringAppendOperator(), NewStringAppendOperator(';'),
        NewStringAppendOperator('\0'), NewStringAppendOperator('\xff')}) {
    std::shared_ptr<const MergeOperator> found = NewBuiltinMergeOperator(op->Name());
    ASSERT_NE(nullptr, found) << op->Name();
    EXPECT_STREQ(op->Name(), found->Name());
  }
  for (const char* name : {"", "strata.UInt64", "strata.StringAppend.", "strata.StringAppend.3",
                           "strata.StringAppend.3B", "strata.StringAppend. a",
                           "strata.StringAppend.3b ", "uint64add"}) {
    EXPECT_EQ(nullptr, NewBuiltinMergeOperator(name)) << name;
  }
  // The delimiter really comes back: ';' joins.
  std::string out;
  const std::string_view ops[] = {"x", "y"};
  ASSERT_TRUE(
      NewBuiltinMergeOperator("strata.StringAppend.3b")->FullMerge("k", nullptr, ops, &out));
  EXPECT_EQ("x;y", out);
}

TEST_F(OptionsFileTest, MissingDamagedAndNewerFiles) {
  Options loaded;
  EXPECT_FALSE(LoadLatestOptions(dbname_, &loaded).ok()) << "no directory";
  ASSERT_OK(FileSystem::Default()->CreateDir(dbname_));
  EXPECT_TRUE(LoadLatestOptions(dbname_, &loaded).IsNotFound());

  const std::string valid = SerializeOptions(Options());
  auto write = [&](const std::string& text) {
    ASSERT_OK(
        WriteStringToFile(FileSystem::Default().get(), text, OptionsFileName(dbname_, 5), false));
  };
  write(valid + "some_future_option = 3\n");
  ASSERT_OK(LoadLatestOptions(dbname_, &loaded));  // unknown fields are skipped

  auto expect = [&](const std::string& text, Status::Code code, const char* fragment) {
    write(text);
    Status s = LoadLatestOptions(dbname_, &loaded);
    EXPECT_EQ(code, s.code()) << s.ToString();
    EXPECT_NE(std::string::npos, s.ToString().find(fragment)) << s.ToString();
  };
  std::string bad_value = valid;
  bad_value.replace(bad_value.find("block_size = 4096"), 17, "block_size = lots");
  expect(bad_value, Status::Code::kCorruption, "bad value 'lots' for block_size");
  expect(valid + "no equals sign\n", Status::Code::kCorruption, "expected 'name = value'");
  expect("[options]\ncomparator = x\n", Status::Code::kCorruption, "no options_file_version");
  std::string newer = valid;
  newer.replace(newer.find("options_file_version = 1"), 24, "options_file_version = 2");
  expect(newer, Status::Code::kNotSupported, "newer");
}

}  // namespace
}  // namespace strata
