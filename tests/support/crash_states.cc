#include "support/crash_states.h"

#include <algorithm>
#include <map>

#include "util/checksum.h"

namespace strata::test {

namespace {

constexpr uint64_t kSector = 512;

// The torn part of a file cut at keep: from the start of its last sector (or the synced
// size, if later) to keep. Zero when nothing unsynced is kept.
uint64_t LastSectorTear(const UnsyncedFile& file, uint64_t keep) {
  if (keep <= file.synced_size) return 0;
  const uint64_t sector_start = (keep - 1) / kSector * kSector;
  return keep - std::max(sector_start, file.synced_size);
}

}  // namespace

std::string DescribeFate(const UnsyncedFile& file, const FileFate& fate) {
  if (!fate.keep_entry) return "entry lost";
  std::string out = "keep " + std::to_string(fate.keep_bytes) + " of " +
                    std::to_string(file.size) + " (synced " + std::to_string(file.synced_size) +
                    ")";
  if (fate.tear_bytes > 0) {
    out += ", last " + std::to_string(fate.tear_bytes) + " bytes torn to " +
           (fate.tear_zeros ? "zeros" : "garbage");
  }
  return out;
}

FileFate DropAllUnsynced(const UnsyncedFile& file) {
  FileFate fate;
  fate.keep_entry = file.entry_durable;
  fate.keep_bytes = file.synced_size;
  return fate;
}

FileFate RandomFate(const UnsyncedFile& file, Random* rnd) {
  FileFate fate;
  if (!file.entry_durable && rnd->OneIn(3)) {
    fate.keep_entry = false;
    return fate;
  }
  const uint64_t unsynced = file.size - file.synced_size;
  switch (rnd->Uniform(4)) {
    case 0:
      fate.keep_bytes = file.synced_size;
      break;
    case 1:
      fate.keep_bytes = file.size;
      break;
    default:
      fate.keep_bytes = file.synced_size + (unsynced > 0 ? rnd->Uniform(unsynced + 1) : 0);
      break;
  }
  if (rnd->OneIn(2)) {
    fate.tear_bytes = LastSectorTear(file, fate.keep_bytes);
    fate.tear_zeros = rnd->OneIn(2);
  }
  return fate;
}

std::vector<FileFate> CandidateFates(const UnsyncedFile& file) {
  std::vector<FileFate> out;
  auto add = [&](FileFate f) {
    for (const FileFate& o : out) {
      if (o.keep_entry == f.keep_entry &&
          (!f.keep_entry || (o.keep_bytes == f.keep_bytes && o.tear_bytes == f.tear_bytes &&
                             (f.tear_bytes == 0 || o.tear_zeros == f.tear_zeros)))) {
        return;
      }
    }
    out.push_back(f);
  };
  if (!file.entry_durable) add(FileFate{false, 0, 0, true});
  add(FileFate{true, file.synced_size, 0, true});  // the classic model
  add(FileFate{true, file.size, 0, true});         // everything reached the disk
  // A torn append: half of the unsynced bytes, the last sector garbage.
  const uint64_t half = file.synced_size + (file.size - file.synced_size) / 2;
  add(FileFate{true, half, LastSectorTear(file, half), false});
  // All of it, but the last sector never written (zeros).
  add(FileFate{true, file.size, LastSectorTear(file, file.size), true});
  return out;
}

uint64_t ForEachCrashState(const std::vector<UnsyncedFile>& files, uint64_t max_states,
                           const std::function<bool(const std::vector<FileFate>&)>& fn) {
  std::vector<std::vector<FileFate>> choices;
  for (const UnsyncedFile& f : files) choices.push_back(CandidateFates(f));
  std::vector<size_t> index(files.size(), 0);
  std::vector<FileFate> state(files.size());
  uint64_t visited = 0;
  while (visited < max_states) {
    for (size_t i = 0; i < files.size(); i++) state[i] = choices[i][index[i]];
    visited++;
    if (!fn(state)) break;
    // The next combination, as an odometer.
    size_t i = 0;
    while (i < files.size() && ++index[i] == choices[i].size()) index[i++] = 0;
    if (i == files.size()) break;
  }
  return visited;
}

Status ApplyFileFate(FileSystem* fs, const std::string& path, const UnsyncedFile& file,
                     const FileFate& fate, uint64_t seed) {
  if (!fate.keep_entry) return fs->RemoveFile(path);
  std::string data;
  Status s = ReadFileToString(fs, path, &data);
  if (!s.ok()) return s;
  const uint64_t keep = std::min<uint64_t>(fate.keep_bytes, data.size());
  data.resize(keep);
  const uint64_t tear = std::min(fate.tear_bytes, keep - std::min(keep, file.synced_size));
  Random rnd(seed ^ Hash64(path));
  for (uint64_t i = keep - tear; i < keep; i++) {
    data[i] = fate.tear_zeros ? '\0' : static_cast<char>(rnd.Uniform(256));
  }
  for (uint64_t i = file.lost_begin; i < std::min<uint64_t>(file.lost_end, keep); i++) data[i] = 0;
  return WriteStringToFile(fs, data, path, /*sync=*/false);
}

Status CopyDir(FileSystem* fs, const std::string& dir, const std::string& to) {
  Status s = fs->CreateDir(to);
  if (!s.ok()) return s;
  std::vector<std::string> names;
  s = fs->GetChildren(dir, &names);
  for (const std::string& name : names) {
    if (!s.ok()) break;
    std::string data;
    s = ReadFileToString(fs, dir + "/" + name, &data);
    if (s.ok()) s = WriteStringToFile(fs, data, to + "/" + name, /*sync=*/false);
  }
  return s;
}

uint64_t HashDir(FileSystem* fs, const std::string& dir) {
  std::vector<std::string> names;
  if (!fs->GetChildren(dir, &names).ok()) return 0;
  std::sort(names.begin(), names.end());
  uint64_t h = 0;
  for (const std::string& name : names) {
    if (name == "LOG" || name == "LOCK") continue;  // not database state
    std::string data;
    if (!ReadFileToString(fs, dir + "/" + name, &data).ok()) continue;
    h = h * 1000003 ^ Hash64(name) ^ (Hash64(data) * 31);
  }
  return h;
}

}  // namespace strata::test
