// A child process that opens a database and holds it (and its LOCK) until the parent is done,
// for tests of what another process sees while a database is in use.
//
// Forked before the parent locks anything, so a refusal the parent meets comes from the file
// lock itself. Thread safety: one thread drives it; fork with no other threads running.
#pragma once

#include <sys/types.h>

#include <string>

#include "strata/options.h"

namespace strata::test {

class DbHolderChild {
 public:
  DbHolderChild() = default;
  DbHolderChild(const DbHolderChild&) = delete;
  DbHolderChild& operator=(const DbHolderChild&) = delete;
  // Releases the child and reaps it if Release was not called.
  ~DbHolderChild();

  // Forks a child that opens dbname with options; true once it reports the database open.
  bool Start(const Options& options, const std::string& dbname);
  // Lets the child close the database and exit; returns its wait status (-1 on error).
  int Release();

 private:
  pid_t pid_ = -1;
  int ready_fd_ = -1;  // the child writes 'y' (open) or 'n' here
  int done_fd_ = -1;   // closing it tells the child to finish
};

}  // namespace strata::test
