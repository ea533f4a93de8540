// A two-process pipeline (`first | second`) of real programs, for tests that kill a command
// line with SIGKILL at any moment, as a shell pipeline would die: the first program's
// standard output feeds the second's standard input; the second's standard output and error
// go to a file. Both are killed and reaped together.
//
// Thread safety: one thread drives a pipeline. Start uses fork+exec with only
// async-signal-safe calls in between, so the parent may have threads.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace strata::test {

class ProcessPipeline {
 public:
  ProcessPipeline() = default;
  ProcessPipeline(const ProcessPipeline&) = delete;
  ProcessPipeline& operator=(const ProcessPipeline&) = delete;
  // Kills and reaps what still runs.
  ~ProcessPipeline();

  // Starts `first | second`, appending second's output to output_path. False and *error on
  // failure.
  bool Start(const std::vector<std::string>& first, const std::vector<std::string>& second,
             const std::string& output_path, std::string* error);
  // SIGKILLs both and reaps them.
  void Kill();
  // Waits for both to end on their own; returns their wait statuses.
  void Wait(int* first_status, int* second_status);

 private:
  pid_t first_ = -1;
  pid_t second_ = -1;
};

}  // namespace strata::test
