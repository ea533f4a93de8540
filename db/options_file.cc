// OPTIONS files (db/options_file.h). One table of fields drives both writing and reading, so
// a field cannot be written without being read back, or the other way round.
#include "db/options_file.h"

#include <algorithm>
#include <charconv>
#include <cinttypes>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "strata/cache.h"
#include "strata/comparator.h"
#include "strata/merge_operator.h"
#include "strata/options_file.h"
#include "util/comparator_check.h"
#include "version/filename.h"

namespace strata {
namespace {

struct Field {
  const char* name;
  std::function<std::string(const Options&)> get;
  // False if the text is not a valid value.
  std::function<bool(std::string_view, Options*)> set;
};

template <class T>
bool ParseNumber(std::string_view text, T* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

template <class T>
Field Number(const char* name, T Options::*member) {
  return {name,
          [member](const Options& o) {
            if constexpr (std::is_floating_point_v<T>) {
              char buf[64];
              std::snprintf(buf, sizeof buf, "%.17g", o.*member);
              return std::string(buf);
            } else {
              return std::to_string(o.*member);
            }
          },
          [member](std::string_view text, Options* o) {
            T v{};
            if (!ParseNumber(text, &v)) return false;
            o->*member = v;
            return true;
          }};
}

Field Bool(const char* name, bool Options::*member) {
  return {name, [member](const Options& o) { return std::string(o.*member ? "true" : "false"); },
          [member](std::string_view text, Options* o) {
            if (text != "true" && text != "false") return false;
            o->*member = text == "true";
            return true;
          }};
}

// An enum written by name; names[i] is the name of value i.
template <class E>
Field Enum(const char* name, E Options::*member, std::vector<const char*> names) {
  return {name,
          [member, names](const Options& o) {
            const auto i = static_cast<size_t>(o.*member);
            return std::string(i < names.size() ? names[i] : "unknown");
          },
          [member, names](std::string_view text, Options* o) {
            for (size_t i = 0; i < names.size(); i++) {
              if (text == names[i]) {
                o->*member = static_cast<E>(i);
                return true;
              }
            }
            return false;
          }};
}

const std::vector<Field>& Fields() {
  static const std::vector<Field> fields = {
      Bool("create_if_missing", &Options::create_if_missing),
      Bool("error_if_exists", &Options::error_if_exists),
      Bool("paranoid_checks", &Options::paranoid_checks),
      Enum("wal_recovery_mode", &Options::wal_recovery_mode,
           {"tolerate_corrupted_tail_records", "absolute_consistency", "point_in_time_recovery",
            "skip_any_corrupted_records"}),
      Number("write_buffer_size", &Options::write_buffer_size),
      Bool("memtable_huge_pages", &Options::memtable_huge_pages),
      Bool("table_memory_huge_pages", &Options::table_memory_huge_pages),
      Bool("block_cache_admit_on_first_miss", &Options::block_cache_admit_on_first_miss),
      Number("memtable_bloom_size_ratio", &Options::memtable_bloom_size_ratio),
      Number("max_write_buffer_number", &Options::max_write_buffer_number),
      Enum("compression", &Options::compression, {"none", "lz4"}),
      Number("block_size", &Options::block_size),
      Number("block_restart_interval", &Options::block_restart_interval),
      Number("index_block_restart_interval", &Options::index_block_restart_interval),
      Number("bloom_bits_per_key", &Options::bloom_bits_per_key),
      Number("block_cache_capacity", &Options::block_cache_capacity),
      Number("max_open_files", &Options::max_open_files),
      Number("num_levels", &Options::num_levels),
      Number("level0_file_num_compaction_trigger", &Options::level0_file_num_compaction_trigger),
      Number("level0_slowdown_writes_trigger", &Options::level0_slowdown_writes_trigger),
      Number("level0_stop_writes_trigger", &Options::level0_stop_writes_trigger),
      Number("max_bytes_for_level_base", &Options::max_bytes_for_level_base),
      Number("max_bytes_for_level_multiplier", &Options::max_bytes_for_level_multiplier),
      Number("target_file_size_base", &Options::target_file_size_base),
      Bool("level_compaction_dynamic_level_bytes", &Options::level_compaction_dynamic_level_bytes),
      Bool("level_compaction_dynamic_file_size", &Options::level_compaction_dynamic_file_size),
      Enum("compaction_pri", &Options::compaction_pri, {"min_overlapping_ratio", "round_robin"}),
      Number("max_background_jobs", &Options::max_background_jobs),
      Bool("seek_compaction", &Options::seek_compaction),
      Number("keep_log_file_num", &Options::keep_log_file_num),
      Number("max_bg_error_resume_count", &Options::max_bg_error_resume_count),
      Number("bg_error_resume_retry_interval_micros",
             &Options::bg_error_resume_retry_interval_micros),
      Number("wal_ttl_seconds", &Options::wal_ttl_seconds),
      Number("wal_size_limit_mb", &Options::wal_size_limit_mb),
      Number("max_slot_lag_mb", &Options::max_slot_lag_mb),
  };
  return fields;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

std::string SerializeOptions(const Options& options) {
  std::string out =
      "# Strata OPTIONS file: the options in force when the database was opened.\n"
      "# Read back by strata::LoadLatestOptions; the format is in docs/FORMATS.md.\n"
      "# Not recorded (objects): file_system, block_cache (its capacity is), statistics,\n"
      "# listeners, info_log.\n"
      "\n[version]\n";
  out += "options_file_version = " + std::to_string(kOptionsFileVersion) + "\n";
  out += "strata_version = " STRATA_VERSION_STRING "\n";
  out += "\n[options]\n";
  const Comparator* cmp = options.comparator ? options.comparator : BytewiseComparator();
  out += std::string("comparator = ") + cmp->Name() + "\n";
  if (options.merge_operator) {
    out += std::string("merge_operator = ") + options.merge_operator->Name() + "\n";
  }
  Options effective = options;
  // A cache given as an object is recorded by its capacity, what a reader can recreate.
  if (options.block_cache) effective.block_cache_capacity = options.block_cache->capacity();
  for (const Field& f : Fields()) out += std::string(f.name) + " = " + f.get(effective) + "\n";
  return out;
}

Status ParseOptions(std::string_view text, Options* options, ParsedOptionsFile* parsed) {
  Options result = *options;
  std::string section;
  int line_number = 0;
  bool saw_version = false;
  while (!text.empty()) {
    const size_t eol = std::min(text.find('\n'), text.size());
    std::string_view line = Trim(text.substr(0, eol));
    text.remove_prefix(std::min(eol + 1, text.size()));
    line_number++;
    auto bad = [&](const std::string& why) {
      return Status::Corruption("OPTIONS file line " + std::to_string(line_number), why);
    };
    if (line.empty() || line.front() == '#') continue;
    if (line.front() == '[') {
      if (line.back() != ']') return bad("unterminated section name");
      section = std::string(line.substr(1, line.size() - 2));
      continue;
    }
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) return bad("expected 'name = value'");
    const std::string_view name = Trim(line.substr(0, eq));
    const std::string_view value = Trim(line.substr(eq + 1));
    if (section == "version") {
      if (name == "options_file_version") {
        if (!ParseNumber(value, &parsed->format_version)) return bad("bad version");
        if (parsed->format_version > kOptionsFileVersion) {
          return Status::NotSupported(
              "OPTIONS file format version " + std::string(value),
              "is newer than this library reads (" + std::to_string(kOptionsFileVersion) + ")");
        }
        saw_version = true;
      } else if (name == "strata_version") {
        parsed->strata_version = std::string(value);
      }
      continue;
    }
    if (section != "options") return bad("field outside the [options] section");
    if (name == "comparator") {
      parsed->comparator = std::string(value);
      continue;
    }
    if (name == "merge_operator") {
      parsed->merge_operator = std::string(value);
      continue;
    }
    const auto& fields = Fields();
    auto f = std::find_if(fields.begin(), fields.end(),
                          [&](const Field& field) { return name == field.name; });
    if (f == fields.end()) {
      parsed->unknown_fields++;  // written by a newer version: it cannot matter to this one
      continue;
    }
    if (!f->set(value, &result)) {
      return bad("bad value '" + std::string(value) + "' for " + std::string(name));
    }
  }
  if (!saw_version) return Status::Corruption("OPTIONS file", "has no options_file_version");
  if (parsed->comparator.empty()) return Status::Corruption("OPTIONS file", "names no comparator");
  *options = std::move(result);
  return Status::OK();
}

Status WriteOptionsFile(FileSystem* fs, const std::string& dbname, uint64_t number,
                        const Options& options) {
  return ReplaceFileAtomically(fs, SerializeOptions(options), TempFileName(dbname, number),
                               OptionsFileName(dbname, number));
}

Status LoadLatestOptions(const std::string& dbpath, Options* options) {
  std::shared_ptr<FileSystem> fs =
      options->file_system ? options->file_system : FileSystem::Default();
  std::vector<std::string> names;
  Status s = fs->GetChildren(dbpath, &names);
  if (!s.ok()) return s;
  uint64_t newest = 0;
  bool found = false;
  for (const std::string& name : names) {
    uint64_t number;
    FileType type;
    if (ParseFileName(name, &number, &type) && type == FileType::kOptions &&
        (!found || number > newest)) {
      newest = number;
      found = true;
    }
  }
  if (!found) return Status::NotFound(dbpath, "has no OPTIONS file");
  const std::string fname = OptionsFileName(dbpath, newest);
  std::string text;
  s = ReadFileToString(fs.get(), fname, &text);
  if (!s.ok()) return s;
  Options loaded = *options;
  ParsedOptionsFile parsed;
  s = ParseOptions(text, &loaded, &parsed);
  if (!s.ok())
    return Status(s.code() == Status::Code::kNotSupported
                      ? Status::NotSupported(fname, s.ToString())
                      : Status::Corruption(fname, s.ToString()));
  s = CheckComparatorName(parsed.comparator, options->comparator);
  if (!s.ok()) return s;
  if (!parsed.merge_operator.empty()) {
    // A built-in operator is loaded by name unless the caller gave one; a given one must match.
    if (loaded.merge_operator == nullptr) {
      loaded.merge_operator = NewBuiltinMergeOperator(parsed.merge_operator);
    }
    if (loaded.merge_operator != nullptr) {
      s = CheckMergeOperatorName(parsed.merge_operator, loaded.merge_operator.get());
      if (!s.ok()) return s;
    }
  }
  *options = std::move(loaded);
  return Status::OK();
}

}  // namespace strata
