// Log slot files (see db/log_slots.h and strata/change_feed.h).
#include "db/log_slots.h"

#include <algorithm>

#include "util/checksum.h"
#include "util/coding.h"

namespace strata {

namespace {

constexpr char kMagic[] = "strslot1";  // 8 bytes on disk
constexpr size_t kSlotFileSize = 8 + 8 + 4;
constexpr char kInvalidSuffix[] = ".invalid";

std::shared_ptr<FileSystem> OrDefault(std::shared_ptr<FileSystem> fs) {
  return fs ? fs : FileSystem::Default();
}

Status CheckName(const std::string& name) {
  const bool good =
      !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
      });
  if (!good) {
    return Status::InvalidArgument("bad slot name '" + name + "'",
                                   "1..64 characters of A-Z a-z 0-9 _ -");
  }
  return Status::OK();
}

std::string SlotPath(const std::string& dbname, const std::string& name) {
  return LogSlotDir(dbname) + "/" + name;
}

// Replaces path with data so that a crash leaves either the old or the new contents whole.
Status WriteAtomically(FileSystem* fs, const std::string& path, std::string_view data) {
  const std::string tmp = path + ".tmp";
  Status s = WriteStringToFile(fs, data, tmp, /*sync=*/true);
  if (s.ok()) s = fs->RenameFile(tmp, path);
  if (!s.ok()) fs->RemoveFile(tmp).PermitUncheckedError();
  return s;
}

Status WriteSlot(FileSystem* fs, const std::string& dbname, const std::string& name,
                 uint64_t sequence) {
  Status s = fs->CreateDir(LogSlotDir(dbname));
  if (!s.ok()) return s;
  std::string data(kMagic, 8);
  PutFixed64(&data, sequence);
  PutFixed32(&data, Checksum(data));
  return WriteAtomically(fs, SlotPath(dbname, name), data);
}

Status ReadSlot(FileSystem* fs, const std::string& dbname, const std::string& name, LogSlot* slot) {
  const std::string path = SlotPath(dbname, name);
  if (!fs->FileExists(path)) return Status::NotFound("no log slot '" + name + "'", dbname);
  std::string data;
  Status s = ReadFileToString(fs, path, &data);
  if (!s.ok()) return s;
  if (data.size() != kSlotFileSize || data.compare(0, 8, kMagic) != 0 ||
      Checksum(std::string_view(data).substr(0, 16)) != DecodeFixed32(data.data() + 16)) {
    return Status::Corruption(path, "is not a sound log slot file");
  }
  slot->name = name;
  slot->sequence = DecodeFixed64(data.data() + 8);
  const std::string invalid = path + kInvalidSuffix;
  slot->invalidated = fs->FileExists(invalid);
  slot->invalidation.clear();
  if (slot->invalidated) {
    s = ReadFileToString(fs, invalid, &slot->invalidation);
    if (!s.ok()) return s;
  }
  return Status::OK();
}

}  // namespace

std::string LogSlotDir(const std::string& dbname) { return dbname + "/slots"; }

Status CreateLogSlot(const std::string& dbname, const std::string& name, uint64_t sequence,
                     std::shared_ptr<FileSystem> fs) {
  fs = OrDefault(std::move(fs));
  Status s = CheckName(name);
  if (!s.ok()) return s;
  if (!fs->FileExists(dbname + "/CURRENT")) {
    return Status::InvalidArgument(dbname, "is not a database (no CURRENT)");
  }
  if (fs->FileExists(SlotPath(dbname, name))) {
    return Status::InvalidArgument("log slot '" + name + "' exists", dbname);
  }
  // A stale marker of a dropped slot of that name must not invalidate the new one.
  fs->RemoveFile(SlotPath(dbname, name) + kInvalidSuffix).PermitUncheckedError();
  return WriteSlot(fs.get(), dbname, name, sequence);
}

Status AdvanceLogSlot(const std::string& dbname, const std::string& name, uint64_t sequence,
                      std::shared_ptr<FileSystem> fs) {
  fs = OrDefault(std::move(fs));
  Status s = CheckName(name);
  if (!s.ok()) return s;
  LogSlot slot;
  s = ReadSlot(fs.get(), dbname, name, &slot);
  if (!s.ok()) return s;
  if (slot.invalidated) {
    return Status::NotFound("log slot '" + name + "' was invalidated", slot.invalidation);
  }
  if (sequence < slot.sequence) {
    return Status::InvalidArgument(
        "log slot '" + name + "' is at " + std::to_string(slot.sequence),
        "it never moves back (asked for " + std::to_string(sequence) + ")");
  }
  if (sequence == slot.sequence) return Status::OK();
  return WriteSlot(fs.get(), dbname, name, sequence);
}

Status DropLogSlot(const std::string& dbname, const std::string& name,
                   std::shared_ptr<FileSystem> fs) {
  fs = OrDefault(std::move(fs));
  Status s = CheckName(name);
  if (!s.ok()) return s;
  const std::string path = SlotPath(dbname, name);
  if (!fs->FileExists(path)) return Status::NotFound("no log slot '" + name + "'", dbname);
  s = fs->RemoveFile(path);
  if (s.ok() && fs->FileExists(path + kInvalidSuffix)) s = fs->RemoveFile(path + kInvalidSuffix);
  return s;
}

Status GetLogSlot(const std::string& dbname, const std::string& name, LogSlot* slot,
                  std::shared_ptr<FileSystem> fs) {
  fs = OrDefault(std::move(fs));
  Status s = CheckName(name);
  if (!s.ok()) return s;
  return ReadSlot(fs.get(), dbname, name, slot);
}

Status ListLogSlots(const std::string& dbname, std::vector<LogSlot>* slots,
                    std::shared_ptr<FileSystem> fs) {
  fs = OrDefault(std::move(fs));
  slots->clear();
  const std::string dir = LogSlotDir(dbname);
  if (!fs->FileExists(dir)) return Status::OK();
  std::vector<std::string> names;
  Status s = fs->GetChildren(dir, &names);
  if (!s.ok()) return s;
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    if (!CheckName(name).ok()) continue;  // markers and temporary files
    LogSlot slot;
    s = ReadSlot(fs.get(), dbname, name, &slot);
    if (s.IsNotFound()) continue;  // dropped meanwhile
    if (!s.ok()) return s;
    slots->push_back(std::move(slot));
  }
  return Status::OK();
}

Status InvalidateLogSlot(FileSystem* fs, const std::string& dbname, const std::string& name,
                         const std::string& reason) {
  return WriteAtomically(fs, SlotPath(dbname, name) + kInvalidSuffix, reason);
}

Status RemoveLogSlots(FileSystem* fs, const std::string& dbname) {
  const std::string dir = LogSlotDir(dbname);
  if (!fs->FileExists(dir)) return Status::OK();
  std::vector<std::string> names;
  Status s = fs->GetChildren(dir, &names);
  for (const std::string& name : names) {
    Status del = fs->RemoveFile(dir + "/" + name);
    if (s.ok() && !del.ok()) s = del;
  }
  Status rmdir = fs->RemoveDir(dir);
  return s.ok() ? rmdir : s;
}

Status LogSlotUsable(FileSystem* fs, const std::string& dbname, const std::string& name) {
  LogSlot slot;
  Status s = ReadSlot(fs, dbname, name, &slot);
  if (s.IsNotFound()) return Status::NotFound("log slot '" + name + "' was dropped", dbname);
  if (!s.ok()) return s;
  if (slot.invalidated) {
    return Status::NotFound("log slot '" + name + "' was invalidated", slot.invalidation);
  }
  return Status::OK();
}

}  // namespace strata
