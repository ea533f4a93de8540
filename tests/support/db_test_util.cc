#include "support/db_test_util.h"

#include <algorithm>
#include <thread>

#include "strata/file_system.h"
#include "version/filename.h"

namespace strata::test {

std::string GetString(DB* db, std::string_view key) {
  std::string value;
  Status s = db->Get(ReadOptions(), key, &value);
  if (s.IsNotFound()) return "NOT_FOUND";
  if (!s.ok()) return s.ToString();
  return value;
}

bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

uint64_t IntProperty(DB* db, std::string_view name) {
  uint64_t v;
  return db->GetIntProperty(name, &v) ? v : ~uint64_t{0};
}

std::vector<std::string> LogFiles(const std::string& dir) {
  return FilesOfType(dir, FileType::kLog);
}

std::vector<std::string> FilesOfType(const std::string& dir, FileType wanted) {
  std::vector<std::string> names;
  std::vector<std::pair<uint64_t, std::string>> logs;
  if (!FileSystem::Default()->GetChildren(dir, &names).ok()) return {};
  for (const auto& name : names) {
    uint64_t number;
    FileType type;
    if (ParseFileName(name, &number, &type) && type == wanted) {
      logs.emplace_back(number, dir + "/" + name);
    }
  }
  std::sort(logs.begin(), logs.end());
  std::vector<std::string> paths;
  for (auto& [number, path] : logs) paths.push_back(path);
  return paths;
}

void RewriteFile(const std::string& path, const std::function<void(std::string*)>& fn) {
  FileSystem* fs = FileSystem::Default().get();
  std::string data;
  Status s = ReadFileToString(fs, path, &data);
  ASSERT_TRUE(s.ok()) << s.ToString();
  fn(&data);
  s = WriteStringToFile(fs, data, path, /*sync=*/false);
  ASSERT_TRUE(s.ok()) << s.ToString();
}

}  // namespace strata::test
