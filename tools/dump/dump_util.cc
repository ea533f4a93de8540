#include "tools/dump/dump_util.h"

#include <utility>

#include "db/dbformat.h"
#include "util/escape.h"

namespace strata::dump {

std::string HexBytes(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string r;
  r.reserve(bytes.size() * 2);
  for (char ch : bytes) {
    auto c = static_cast<unsigned char>(ch);
    r.push_back(kDigits[c >> 4]);
    r.push_back(kDigits[c & 0xf]);
  }
  return r;
}

std::string ShowBytes(std::string_view bytes, const DumpOptions& options) {
  return options.hex ? HexBytes(bytes) : EscapeBytes(bytes);
}

std::string ShowInternalKey(std::string_view ikey, const DumpOptions& options) {
  return options.hex ? HexBytes(ikey) : InternalKeyDebugString(ikey);
}

FileSystem* FileSystemOf(const DumpOptions& options) {
  if (options.fs != nullptr) return options.fs;
  static const std::shared_ptr<FileSystem> fs = FileSystem::Default();
  return fs.get();
}

void PrintLogDamage(const std::string& path, const LogCorruption& damage, JsonWriter* json,
                    std::ostream& out) {
  if (json != nullptr) {
    json->BeginObject();
    json->Field("event", "damage");
    json->Field("offset", damage.offset);
    json->Field("bytes_dropped", damage.bytes_dropped);
    json->Field("kind", LogCorruptionKindName(damage.kind));
    json->Field("reason", damage.reason);
    json->EndObject();
    return;
  }
  out << "@" << damage.offset << " DAMAGE " << LogCorruptionKindName(damage.kind) << ": "
      << damage.bytes_dropped << " bytes skipped in " << path << ": " << damage.reason << "\n";
}

void DamageTally::Add(const LogCorruption& damage) {
  if (regions == 0) first_offset = damage.offset;
  regions++;
  bytes_dropped += damage.bytes_dropped;
  if (damage.kind == LogCorruption::Kind::kIOError) io_error = true;
}

int DamageTally::Finish(const std::string& path, std::ostream& err) const {
  if (regions == 0) return kDumpSound;
  err << "strata_dump: " << path << ": " << regions << " damaged region"
      << (regions == 1 ? "" : "s") << " (" << bytes_dropped << " bytes skipped), first at offset "
      << first_offset << (io_error ? "; reading stopped at an I/O error" : "") << "\n";
  return io_error ? kDumpError : kDumpDamaged;
}

}  // namespace strata::dump
