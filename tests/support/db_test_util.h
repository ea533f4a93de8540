// Helpers for suites that drive a whole DB: open/reopen with options, get-as-string, and
// listing the files of one kind.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "db/filename.h"
#include "strata/db.h"
#include "support/test_util.h"

namespace strata::test {

// "NOT_FOUND", the value, or the error text: one string to compare in assertions.
std::string GetString(DB* db, std::string_view key);

// Full paths of the files of one kind in dir, by number (FileType from db/filename.h).
std::vector<std::string> FilesOfType(const std::string& dir, FileType type);
// Full paths of the write-ahead logs in dir, oldest first.
std::vector<std::string> LogFiles(const std::string& dir);

// Copies the bytes of a file, changes them with fn, and writes them back.
void RewriteFile(const std::string& path, const std::function<void(std::string*)>& fn);

}  // namespace strata::test
