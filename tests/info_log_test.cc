// The info LOG: kept across opens as LOG.old.NNNNNN and pruned by keep_log_file_num, or
// routed to the application's own Logger (include/strata/logger.h).
#include "strata/logger.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <mutex>
#include <vector>

#include "strata/db.h"
#include "strata/file_system.h"
#include "support/db_test_util.h"
#include "support/test_util.h"
#include "version/filename.h"

namespace strata {
namespace {

class InfoLogTest : public testing::Test {
 protected:
  InfoLogTest() {
    options_.create_if_missing = true;
    dbname_ = dir_.Child("db");
  }
  void OpenAndClose() {
    std::unique_ptr<DB> db;
    ASSERT_OK(DB::Open(options_, dbname_, &db));
  }
  std::string Read(const std::string& path) {
    std::string text;
    EXPECT_OK(ReadFileToString(FileSystem::Default().get(), path, &text));
    return text;
  }

  test::TempDir dir_;
  std::string dbname_;
  Options options_;
};

TEST_F(InfoLogTest, EarlierLogsAreKeptAndPruned) {
  options_.keep_log_file_num = 2;
  OpenAndClose();
  const std::string first = Read(InfoLogFileName(dbname_));
  EXPECT_NE(std::string::npos, first.find("(new)")) << first;
  OpenAndClose();
  EXPECT_EQ(first, Read(OldInfoLogFileName(dbname_, 1))) << "renamed, not rewritten";
  EXPECT_NE(std::string::npos, Read(InfoLogFileName(dbname_)).find("(existing)"));
  OpenAndClose();
  OpenAndClose();
  // Four opens: the current LOG and the two newest earlier ones.
  EXPECT_EQ(
      (std::vector<std::string>{OldInfoLogFileName(dbname_, 2), OldInfoLogFileName(dbname_, 3)}),
      test::FilesOfType(dbname_, FileType::kOldInfoLog));
  options_.keep_log_file_num = 0;
  OpenAndClose();
  EXPECT_TRUE(test::FilesOfType(dbname_, FileType::kOldInfoLog).empty());
  EXPECT_TRUE(FileSystem::Default()->FileExists(InfoLogFileName(dbname_)));
}

class CollectingLogger : public Logger {
 public:
  void Logv(const char* format, va_list ap) override {
    char buf[512];
    std::vsnprintf(buf, sizeof buf, format, ap);
    std::lock_guard<std::mutex> l(mu);
    lines.emplace_back(buf);
  }
  std::mutex mu;
  std::vector<std::string> lines;
};

TEST_F(InfoLogTest, AnApplicationLoggerGetsTheLines) {
  auto logger = std::make_shared<CollectingLogger>();
  options_.info_log = logger;
  {
    std::unique_ptr<DB> db;
    ASSERT_OK(DB::Open(options_, dbname_, &db));
    ASSERT_OK(db->Put(WriteOptions(), "k", "v"));
    ASSERT_OK(db->Flush());
  }
  EXPECT_FALSE(FileSystem::Default()->FileExists(InfoLogFileName(dbname_)));
  std::lock_guard<std::mutex> l(logger->mu);
  ASSERT_FALSE(logger->lines.empty());
  EXPECT_EQ("opening " + dbname_ + " (new)", logger->lines.front());
  bool flushed = false;
  for (const auto& line : logger->lines) flushed |= line.starts_with("flushed 1 entries");
  EXPECT_TRUE(flushed);
  EXPECT_EQ("closed", logger->lines.back());
}

}  // namespace
}  // namespace strata
