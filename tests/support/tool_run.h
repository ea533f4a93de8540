// Runs a command-line tool's entry point in-process, as the tests of strata_dump and
// strata_ctl do: argv built from strings, standard output and error captured.
#pragma once

#include <ostream>
#include <sstream>
#include <string>
#include <vector>

namespace strata::test {

struct ToolRun {
  int status = -1;
  std::string out;
  std::string err;
};

// entry: int(int argc, const char* const* argv, std::ostream& out, std::ostream& err).
// `name` becomes argv[0].
template <typename Entry>
ToolRun RunTool(Entry entry, const char* name, std::vector<std::string> args) {
  args.insert(args.begin(), name);
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  ToolRun r;
  r.status = entry(static_cast<int>(argv.size()), argv.data(), out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

}  // namespace strata::test
