// Shared test helpers: temporary directories, Status assertions, awkward keys.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "strata/comparator.h"
#include "strata/status.h"
#include "util/random.h"

#define ASSERT_OK(expr)                                       \
  do {                                                        \
    ::strata::Status _s = (expr);                             \
    ASSERT_TRUE(_s.ok()) << #expr << " -> " << _s.ToString(); \
  } while (0)
#define EXPECT_OK(expr)                                       \
  do {                                                        \
    ::strata::Status _s = (expr);                             \
    EXPECT_TRUE(_s.ok()) << #expr << " -> " << _s.ToString(); \
  } while (0)

namespace strata::test {

// A fresh, empty directory under $TMPDIR (or /tmp), removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Child(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A random key of len bytes drawn from the full byte range, so that \x00 and \xff appear.
std::string RandomBytes(Random* rnd, size_t len);
// "key" + zero-padded number: ordered, readable keys.
std::string NumberKey(uint64_t n, size_t width = 16);
// A user comparator ordering keys in reverse byte order, named "test.ReverseBytewise".
const Comparator* ReverseBytewiseComparatorForTest();

}  // namespace strata::test
