#include "version/filename.h"

#include <cstdio>
#include <optional>
#include <utility>

namespace strata {
namespace {

std::string NumberedName(const std::string& db, uint64_t number, const char* suffix) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "/%06llu.%s", static_cast<unsigned long long>(number), suffix);
  return db + buf;
}

// PREFIX + at least six digits: MANIFEST-000003.
std::string PrefixedName(const std::string& db, const char* prefix, uint64_t number) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "/%s%06llu", prefix, static_cast<unsigned long long>(number));
  return db + buf;
}

}  // namespace

std::string LogFileName(const std::string& db, uint64_t n) { return NumberedName(db, n, "log"); }
std::string TableFileName(const std::string& db, uint64_t n) { return NumberedName(db, n, "sst"); }
std::string TempFileName(const std::string& db, uint64_t n) { return NumberedName(db, n, "tmp"); }
std::string ManifestFileName(const std::string& db, uint64_t n) {
  return PrefixedName(db, "MANIFEST-", n);
}
std::string OptionsFileName(const std::string& db, uint64_t n) {
  return PrefixedName(db, "OPTIONS-", n);
}
std::string OldInfoLogFileName(const std::string& db, uint64_t n) {
  return PrefixedName(db, "LOG.old.", n);
}
std::string LockFileName(const std::string& db) { return db + "/LOCK"; }
std::string InfoLogFileName(const std::string& db) { return db + "/LOG"; }
std::string CurrentFileName(const std::string& db) { return db + "/CURRENT"; }

bool ParseFileName(std::string_view name, uint64_t* number, FileType* type) {
  if (name == "LOCK") {
    *number = 0;
    *type = FileType::kLock;
    return true;
  }
  if (name == "LOG") {
    *number = 0;
    *type = FileType::kInfoLog;
    return true;
  }
  if (name == "LOG.old") {  // what earlier versions might leave
    *number = 0;
    *type = FileType::kOldInfoLog;
    return true;
  }
  if (name == "CURRENT") {
    *number = 0;
    *type = FileType::kCurrent;
    return true;
  }
  // Names of the form PREFIX + number.
  std::string_view rest = name;
  std::optional<FileType> prefixed;
  for (const auto& [prefix, kind] : {std::pair{std::string_view("MANIFEST-"), FileType::kManifest},
                                     std::pair{std::string_view("OPTIONS-"), FileType::kOptions},
                                     std::pair{std::string_view("LOG.old."), FileType::kOldInfoLog}}) {
    if (rest.starts_with(prefix)) {
      rest.remove_prefix(prefix.size());
      prefixed = kind;
    }
  }
  uint64_t n = 0;
  size_t digits = 0;
  while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') {
    if (n > (UINT64_MAX - 9) / 10) return false;
    n = n * 10 + (rest[digits] - '0');
    digits++;
  }
  if (digits == 0) return false;
  rest.remove_prefix(digits);
  if (prefixed) {
    if (!rest.empty()) return false;
    *type = *prefixed;
  } else if (rest == ".log") {
    *type = FileType::kLog;
  } else if (rest == ".sst") {
    *type = FileType::kTable;
  } else if (rest == ".tmp") {
    *type = FileType::kTemp;
  } else {
    return false;
  }
  *number = n;
  return true;
}

}  // namespace strata
