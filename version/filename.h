// Names of the files in a database directory, and parsing them back.
//   NNNNNN.log   write-ahead log       LOCK  held while open
//   NNNNNN.sst   table                 LOG   human-readable events
//   NNNNNN.tmp   a file being written that is renamed into place once complete
//   MANIFEST-NNNNNN  log of version edits   CURRENT  names the live MANIFEST
//   OPTIONS-NNNNNN   the options of one open (db/options_file.h)
//   LOG.old.NNNNNN   the LOG of an earlier open (kept up to Options::keep_log_file_num)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace strata {

enum class FileType { kLog, kTable, kTemp, kLock, kInfoLog, kCurrent, kManifest, kOptions, kOldInfoLog };

std::string LogFileName(const std::string& db, uint64_t number);
std::string TableFileName(const std::string& db, uint64_t number);
std::string TempFileName(const std::string& db, uint64_t number);
std::string LockFileName(const std::string& db);
std::string InfoLogFileName(const std::string& db);
std::string ManifestFileName(const std::string& db, uint64_t number);
std::string CurrentFileName(const std::string& db);
std::string OptionsFileName(const std::string& db, uint64_t number);
std::string OldInfoLogFileName(const std::string& db, uint64_t number);

// Recognises a directory entry; false for names that are not ours.
bool ParseFileName(std::string_view name, uint64_t* number, FileType* type);

}  // namespace strata
