// WaitWord: a 32-bit atomic state a thread can sleep on until another thread changes it.
//
// The write queue parks many writers at once on two cores; std::atomic::wait in our
// standard library spins with sched_yield before it sleeps, which burns the CPU the other
// writers need. This sleeps in the kernel at once (a Linux futex) and wakes one sleeper.
//
// Any thread may call Load/Store/Wake; Wait is called by the thread that sleeps.
#pragma once

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>

namespace strata {

class WaitWord {
 public:
  explicit WaitWord(uint32_t initial) : word_(initial) {}

  uint32_t Load() const { return word_.load(std::memory_order_acquire); }

  // Sleeps until the value differs from `value` (returns at once if it already does), and
  // returns the new value. Spurious kernel wake-ups are absorbed here.
  uint32_t WaitWhileEquals(uint32_t value) {
    uint32_t now;
    while ((now = Load()) == value) {
      syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word_), FUTEX_WAIT_PRIVATE, value, nullptr,
              nullptr, 0);
    }
    return now;
  }

  // Publishes `value` (release) and wakes one sleeper.
  void StoreAndWake(uint32_t value) {
    word_.store(value, std::memory_order_release);
    syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word_), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr,
            0);
  }

 private:
  static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t));
  std::atomic<uint32_t> word_;
};

}  // namespace strata
