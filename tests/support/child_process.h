// A child process that reports progress to its parent over a pipe, for kill-and-verify
// tests with real processes.
//
// The child writes 8-byte acknowledgements to its end of the pipe; a write of fewer than
// PIPE_BUF bytes is atomic, so a SIGKILL never splits one and the parent reads whole values.
// The parent collects them while the child runs, kills it with SIGKILL when it chooses, reaps
// it and collects whatever was still in the pipe.
//
// Thread safety: none; one thread drives a child. The parent must not hold threads of its
// own while calling Fork (the child runs on a copy of one thread only); Exec has no such
// restriction beyond what fork+exec already requires.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace strata::test {

class AckChild {
 public:
  // The descriptor an exec'd child finds the write end of the pipe on.
  static constexpr int kAckFd = 3;

  AckChild() = default;
  AckChild(const AckChild&) = delete;
  AckChild& operator=(const AckChild&) = delete;
  // Kills and reaps a child still running.
  ~AckChild();

  // Forks; the child runs body(write_fd), which must end the process itself (_exit) rather
  // than return. False and *error on failure.
  bool Fork(const std::function<void(int)>& body, std::string* error);
  // Forks and execs argv[0] with arguments argv, the write end of the pipe on kAckFd,
  // stdin/stdout/stderr and the environment inherited plus extra_env ("NAME=value"). False
  // and *error on failure (a failed exec shows as exit status 127).
  bool Exec(const std::vector<std::string>& argv, std::string* error,
            const std::vector<std::string>& extra_env = {});

  // Appends acknowledgements until *acks holds at least n or timeout passes or the child
  // closes the pipe; true if it holds n.
  bool WaitForAcks(size_t n, std::chrono::milliseconds timeout, std::vector<uint64_t>* acks);

  // Appends acknowledgements to *acks for delay, then kills the child with SIGKILL, reaps it
  // and appends the ones left in the pipe. Returns the wait status (the child may have ended
  // on its own before the delay).
  int KillAfter(std::chrono::milliseconds delay, std::vector<uint64_t>* acks);
  // Appends acknowledgements until the child ends on its own; returns its wait status.
  int Wait(std::vector<uint64_t>* acks);

  pid_t pid() const { return pid_; }

 private:
  bool StartPipe(std::string* error);
  // Reads what the pipe holds, waiting up to timeout_ms for something; false at end of file
  // or when nothing came.
  bool Drain(int timeout_ms, std::vector<uint64_t>* acks);
  int Reap();

  pid_t pid_ = -1;
  int read_fd_ = -1;
  int write_fd_ = -1;    // the child's end, closed in the parent once the child started
  std::string partial_;  // bytes of an acknowledgement not yet complete
};

// "exited with status 3", "killed by signal 9": for messages.
std::string DescribeWaitStatus(int status);

}  // namespace strata::test
