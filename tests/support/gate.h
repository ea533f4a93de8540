// Gate: holds threads at a point of the test's choosing (a file system call, say) until the
// test opens it, and lets the test wait until a given number of threads are held there. For
// tests that must wait for an event rather than for time.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <condition_variable>
#include <mutex>

namespace strata::test {

class Gate {
 public:
  // Called by the thread to hold: returns at once while the gate is open, else when it opens.
  void Pass() {
    std::unique_lock<std::mutex> lock(mu_);
    arrived_++;
    if (!open_) held_++;
    cv_.notify_all();
    cv_.wait(lock, [this] { return open_ || admitted_ > 0; });
    if (!open_) admitted_--;
  }
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = false;
    held_ = 0;
    admitted_ = 0;
  }
  // Lets n threads through (held ones or the next to arrive) and stays closed for the rest.
  void Admit(int n) {
    std::lock_guard<std::mutex> lock(mu_);
    admitted_ += n;
    cv_.notify_all();
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  // Waits until n threads have reached Pass since the gate was last closed.
  void WaitForHeld(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return held_ >= n; });
  }
  // Threads that reached Pass since construction, open or closed.
  int arrived() {
    std::lock_guard<std::mutex> lock(mu_);
    return arrived_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = true;
  int held_ = 0;
  int admitted_ = 0;  // passes left that Admit granted while closed
  int arrived_ = 0;
};

}  // namespace strata::test
