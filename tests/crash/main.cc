// strata_crash_driver: kill-and-verify cycles with real processes (see crash/driver.h).
//
//   strata_crash_driver [--cycles N] [--seed S] [--db DIR] [--min_kill_ms MS]
//                       [--max_kill_ms MS] [--early_kill_one_in N] [--keys N] [--keep]
//                       [--verbose]
//
// With --child it is the writing child the driver starts (internal).
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "crash/child.h"
#include "crash/driver.h"

namespace {

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr,
               "%s\nusage: strata_crash_driver [--cycles N] [--seed S] [--db DIR]\n"
               "         [--min_kill_ms MS] [--max_kill_ms MS] [--early_kill_one_in N] [--keys N]\n"
               "         [--keep] [--verbose]\n",
               why);
  std::exit(2);
}

template <typename T>
T Number(std::string_view flag, std::string_view text) {
  T v{};
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    Usage(("bad number for " + std::string(flag) + ": " + std::string(text)).c_str());
  }
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  strata::crash::DriverOptions d;
  strata::crash::ChildArgs c;
  bool child = false;
  for (int i = 1; i < argc; i++) {
    std::string_view flag = argv[i], value;
    bool has_value = false;
    if (auto eq = flag.find('='); eq != std::string_view::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
      has_value = true;
    }
    auto next = [&]() -> std::string_view {
      if (has_value) return value;
      if (i + 1 >= argc) Usage(("missing value for " + std::string(flag)).c_str());
      return argv[++i];
    };
    if (flag == "--child") {
      child = true;
    } else if (flag == "--keep") {
      d.keep = true;
    } else if (flag == "--verbose") {
      d.verbose = true;
    } else if (flag == "--cycles") {
      d.cycles = Number<int>(flag, next());
    } else if (flag == "--seed") {
      d.seed = c.seed = Number<uint64_t>(flag, next());
    } else if (flag == "--db") {
      d.db = c.db = std::string(next());
    } else if (flag == "--min_kill_ms") {
      d.min_kill_ms = Number<int>(flag, next());
    } else if (flag == "--max_kill_ms") {
      d.max_kill_ms = Number<int>(flag, next());
    } else if (flag == "--early_kill_one_in") {
      d.early_kill_one_in = Number<int>(flag, next());
    } else if (flag == "--keys") {
      d.key_count = c.key_count = Number<uint32_t>(flag, next());
    } else if (flag == "--cycle") {
      c.cycle = Number<int>(flag, next());
    } else if (flag == "--first_batch") {
      c.first_batch = Number<uint64_t>(flag, next());
    } else if (flag == "--no_merges") {
      c.merges = false;
    } else {
      Usage(("unknown flag " + std::string(flag)).c_str());
    }
  }
  if (child) {
    if (c.db.empty() || c.key_count == 0 || c.first_batch == 0)
      Usage("--child needs --db, --keys, --first_batch");
    strata::crash::RunChild(c);
  }
  if (d.min_kill_ms < 0 || d.max_kill_ms < d.min_kill_ms)
    Usage("need 0 <= min_kill_ms <= max_kill_ms");
  if (d.key_count == 0 || d.key_count > 999999) Usage("--keys must be in [1, 999999]");
  // The exact binary running now, even if the file was rebuilt since it started.
  d.self = "/proc/self/exe";
  return strata::crash::RunDriver(d);
}
