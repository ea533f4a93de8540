#include "version/filename.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(FileNameTest, RoundTrips) {
  uint64_t number;
  FileType type;
  ASSERT_TRUE(ParseFileName("000123.log", &number, &type));
  EXPECT_EQ(123u, number);
  EXPECT_EQ(FileType::kLog, type);
  EXPECT_EQ("db/000007.log", LogFileName("db", 7));
  EXPECT_EQ("db/1234567.sst", TableFileName("db", 1234567));
  ASSERT_TRUE(ParseFileName("1234567.sst", &number, &type));
  EXPECT_EQ(FileType::kTable, type);
  ASSERT_TRUE(ParseFileName("000009.tmp", &number, &type));
  EXPECT_EQ(FileType::kTemp, type);
  ASSERT_TRUE(ParseFileName("LOCK", &number, &type));
  EXPECT_EQ(FileType::kLock, type);
  ASSERT_TRUE(ParseFileName("MANIFEST-000002", &number, &type));
  EXPECT_EQ(FileType::kManifest, type);
  EXPECT_EQ(2u, number);
}

TEST(FileNameTest, RejectsForeignNames) {
  uint64_t number;
  FileType type;
  for (const char* name : {"", "foo", "123", "123.", ".log", "abc.log", "123.logx", "123.sst.bak",
                           "MANIFEST-", "MANIFEST-12x", "99999999999999999999999.log"}) {
    EXPECT_FALSE(ParseFileName(name, &number, &type)) << name;
  }
}

}  // namespace
}  // namespace strata
