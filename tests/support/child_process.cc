#include "support/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace strata::test {

AckChild::~AckChild() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    Reap();
  }
  if (read_fd_ >= 0) close(read_fd_);
  if (write_fd_ >= 0) close(write_fd_);
}

bool AckChild::StartPipe(std::string* error) {
  int fds[2];
  // Close-on-exec, so that an exec'd child holds only the end it is given on kAckFd, and a
  // child started later does not keep this pipe open.
  if (pipe2(fds, O_CLOEXEC) != 0) {
    *error = std::string("pipe2: ") + std::strerror(errno);
    return false;
  }
  read_fd_ = fds[0];
  write_fd_ = fds[1];
  return true;
}

bool AckChild::Fork(const std::function<void(int)>& body, std::string* error) {
  if (!StartPipe(error)) return false;
  pid_ = fork();
  if (pid_ < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  if (pid_ == 0) {
    close(read_fd_);
    body(write_fd_);
    _exit(120);  // body must not return
  }
  close(write_fd_);
  write_fd_ = -1;
  return true;
}

bool AckChild::Exec(const std::vector<std::string>& argv, std::string* error,
                    const std::vector<std::string>& extra_env) {
  if (argv.empty()) {
    *error = "no program to run";
    return false;
  }
  // Everything the child needs is prepared before fork: between fork and exec only
  // async-signal-safe calls are allowed when the parent has threads.
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<char*> env;
  for (char** e = environ; *e != nullptr; e++) env.push_back(*e);
  for (const auto& e : extra_env) env.push_back(const_cast<char*>(e.c_str()));
  env.push_back(nullptr);
  if (!StartPipe(error)) return false;
  pid_ = fork();
  if (pid_ < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  if (pid_ == 0) {
    if (write_fd_ == kAckFd) {
      fcntl(kAckFd, F_SETFD, 0);  // dup2 onto itself would keep close-on-exec
    } else if (dup2(write_fd_, kAckFd) < 0) {
      _exit(126);
    }
    execve(args[0], args.data(), env.data());
    _exit(127);
  }
  close(write_fd_);
  write_fd_ = -1;
  return true;
}

bool AckChild::Drain(int timeout_ms, std::vector<uint64_t>* acks) {
  pollfd p{read_fd_, POLLIN, 0};
  int r = poll(&p, 1, timeout_ms);
  if (r <= 0) return false;
  char buf[4096];
  ssize_t n = read(read_fd_, buf, sizeof buf);
  if (n <= 0) return false;
  partial_.append(buf, static_cast<size_t>(n));
  size_t whole = partial_.size() / sizeof(uint64_t);
  for (size_t i = 0; i < whole; i++) {
    uint64_t v;
    std::memcpy(&v, partial_.data() + i * sizeof v, sizeof v);
    acks->push_back(v);
  }
  partial_.erase(0, whole * sizeof(uint64_t));
  return true;
}

bool AckChild::WaitForAcks(size_t n, std::chrono::milliseconds timeout,
                           std::vector<uint64_t>* acks) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + timeout;
  while (acks->size() < n) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0 || !Drain(static_cast<int>(left), acks)) break;
  }
  return acks->size() >= n;
}

int AckChild::Reap() {
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  return status;
}

int AckChild::KillAfter(std::chrono::milliseconds delay, std::vector<uint64_t>* acks) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + delay;
  for (auto now = Clock::now(); now < deadline; now = Clock::now()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    // Poll returns at once at end of file (the child died early); sleep out the delay then
    // rather than spin.
    if (!Drain(static_cast<int>(left) + 1, acks)) {
      pollfd p{read_fd_, POLLIN, 0};
      if (poll(&p, 1, 0) > 0 && (p.revents & POLLHUP) && !(p.revents & POLLIN)) break;
    }
  }
  kill(pid_, SIGKILL);
  int status = Reap();
  while (Drain(0, acks)) {
  }
  return status;
}

int AckChild::Wait(std::vector<uint64_t>* acks) {
  while (Drain(-1, acks)) {
  }
  return Reap();
}

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "wait status " + std::to_string(status);
}

}  // namespace strata::test
