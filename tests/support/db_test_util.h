// Helpers for suites that drive a whole DB: open/reopen with options, get-as-string, and
// listing the files of one kind.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "strata/db.h"
#include "support/test_util.h"
#include "version/filename.h"

namespace strata::test {

// "NOT_FOUND", the value, or the error text: one string to compare in assertions.
std::string GetString(DB* db, std::string_view key);
// A numeric property's value; all ones if the database does not serve it.
uint64_t IntProperty(DB* db, std::string_view name);

// Full paths of the files of one kind in dir, by number (FileType from version/filename.h).
std::vector<std::string> FilesOfType(const std::string& dir, FileType type);
// Full paths of the write-ahead logs in dir, oldest first.
std::vector<std::string> LogFiles(const std::string& dir);

// Checks done() every millisecond until it holds (true) or timeout passes (false): waiting for
// an event the database does not announce, such as a background resume.
bool WaitUntil(const std::function<bool()>& done,
               std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Copies the bytes of a file, changes them with fn, and writes them back.
void RewriteFile(const std::string& path, const std::function<void(std::string*)>& fn);

}  // namespace strata::test
