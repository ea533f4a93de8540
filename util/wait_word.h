// WaitWord: a 32-bit atomic state a thread can wait on until another thread changes it.
//
// The write queue parks writers on two cores. A writer behind an unsynced group waits a few
// microseconds, less than a sleep and a wake-up cost in the kernel (a futex round trip plus
// two context switches, far more on a virtual machine), so a waiter may first spin for a
// bounded time. A writer behind a synced group waits for a disk flush: it sleeps at once
// (std::atomic::wait in our standard library spins with sched_yield first, which burns the
// CPU the other writers need). The waker enters the kernel only when someone is asleep.
//
// Values must leave the top bit clear (it marks a sleeper). Any thread may call Load and
// StoreAndWake; WaitWhileEquals is called by the one thread that waits.
#pragma once

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>

namespace strata {

class WaitWord {
 public:
  explicit WaitWord(uint32_t initial) : word_(initial) {}

  uint32_t Load() const { return word_.load(std::memory_order_acquire) & ~kSleeper; }

  // Waits until the value differs from `value` (returns at once if it already does), and
  // returns the new value: spins for up to `spin` first, then sleeps in the kernel. Spurious
  // kernel wake-ups are absorbed here.
  uint32_t WaitWhileEquals(uint32_t value, std::chrono::nanoseconds spin = {}) {
    uint32_t now = word_.load(std::memory_order_acquire);
    if (now != value) return now;
    if (spin.count() > 0) {
      const auto deadline = std::chrono::steady_clock::now() + spin;
      for (uint32_t i = 1;; i++) {
        CpuRelax();
        now = word_.load(std::memory_order_acquire);
        if (now != value) return now;
        // Reading the clock costs about as much as a few dozen pauses.
        if (i % 32 == 0 && std::chrono::steady_clock::now() >= deadline) break;
      }
    }
    const uint32_t asleep = value | kSleeper;
    while (true) {
      uint32_t expected = value;
      // Mark the sleep so the waker knows to enter the kernel; fails if the value changed.
      if (word_.compare_exchange_strong(expected, asleep, std::memory_order_acq_rel) ||
          expected == asleep) {
        syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word_), FUTEX_WAIT_PRIVATE, asleep, nullptr,
                nullptr, 0);
      } else {
        return expected;
      }
    }
  }

  // Publishes `value` (release) and wakes the waiter if it is asleep.
  void StoreAndWake(uint32_t value) {
    const uint32_t before = word_.exchange(value, std::memory_order_acq_rel);
    if ((before & kSleeper) != 0) {
      syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word_), FUTEX_WAKE_PRIVATE, 1, nullptr,
              nullptr, 0);
    }
  }

 private:
  static constexpr uint32_t kSleeper = 1u << 31;

  static void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
  }

  static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t));
  std::atomic<uint32_t> word_;
};

}  // namespace strata
