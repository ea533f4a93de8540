#include "support/db_holder_child.h"

#include <sys/wait.h>
#include <unistd.h>

#include <memory>

#include "strata/db.h"

namespace strata::test {

DbHolderChild::~DbHolderChild() { Release(); }

bool DbHolderChild::Start(const Options& options, const std::string& dbname) {
  int ready[2], done[2];
  if (pipe(ready) != 0) return false;
  if (pipe(done) != 0) {
    close(ready[0]);
    close(ready[1]);
    return false;
  }
  pid_ = fork();
  if (pid_ == 0) {
    close(ready[0]);
    close(done[1]);  // else the child's own copy keeps the pipe open
    std::unique_ptr<DB> db;
    char c = DB::Open(options, dbname, &db).ok() ? 'y' : 'n';
    if (write(ready[1], &c, 1) != 1) _exit(2);
    if (read(done[0], &c, 1) < 0) _exit(2);  // returns at EOF: the parent is done
    _exit(0);
  }
  close(ready[1]);
  close(done[0]);
  ready_fd_ = ready[0];
  done_fd_ = done[1];
  if (pid_ < 0) return false;
  char c = 0;
  return read(ready_fd_, &c, 1) == 1 && c == 'y';
}

int DbHolderChild::Release() {
  if (done_fd_ >= 0) close(done_fd_);
  if (ready_fd_ >= 0) close(ready_fd_);
  done_fd_ = ready_fd_ = -1;
  if (pid_ <= 0) return -1;
  int status = 0;
  const pid_t reaped = waitpid(pid_, &status, 0);
  pid_ = -1;
  return reaped < 0 ? -1 : status;
}

}  // namespace strata::test
