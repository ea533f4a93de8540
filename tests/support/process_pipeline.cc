#include "support/process_pipeline.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace strata::test {

namespace {

std::vector<char*> Argv(const std::vector<std::string>& args) {
  std::vector<char*> out;
  for (const auto& a : args) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

// Forks and execs argv with in_fd and out_fd (and err_fd) as standard streams.
pid_t Spawn(std::vector<char*>& argv, int in_fd, int out_fd, int err_fd, int close_fd) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  if (in_fd >= 0 && dup2(in_fd, 0) < 0) _exit(126);
  if (out_fd >= 0 && dup2(out_fd, 1) < 0) _exit(126);
  if (err_fd >= 0 && dup2(err_fd, 2) < 0) _exit(126);
  if (close_fd >= 0) close(close_fd);
  execve(argv[0], argv.data(), environ);
  _exit(127);
}

int Reap(pid_t* pid) {
  int status = -1;
  if (*pid > 0) {
    while (waitpid(*pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  *pid = -1;
  return status;
}

}  // namespace

ProcessPipeline::~ProcessPipeline() { Kill(); }

bool ProcessPipeline::Start(const std::vector<std::string>& first,
                            const std::vector<std::string>& second, const std::string& output_path,
                            std::string* error) {
  std::vector<char*> a = Argv(first), b = Argv(second);
  const int out = open(output_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (out < 0) {
    *error = output_path + ": " + std::strerror(errno);
    return false;
  }
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    *error = std::string("pipe: ") + std::strerror(errno);
    close(out);
    return false;
  }
  first_ = Spawn(a, -1, fds[1], out, fds[0]);
  second_ = Spawn(b, fds[0], out, out, fds[1]);
  close(fds[0]);
  close(fds[1]);
  close(out);
  if (first_ < 0 || second_ < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    Kill();
    return false;
  }
  return true;
}

void ProcessPipeline::Kill() {
  if (first_ > 0) kill(first_, SIGKILL);
  if (second_ > 0) kill(second_, SIGKILL);
  Reap(&first_);
  Reap(&second_);
}

void ProcessPipeline::Wait(int* first_status, int* second_status) {
  *first_status = Reap(&first_);
  *second_status = Reap(&second_);
}

}  // namespace strata::test
