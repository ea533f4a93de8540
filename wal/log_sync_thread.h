// LogSyncThread: syncs a log on a thread of its own, so that the thread that wrote a write
// group's record can insert the group into the memtable while the disk flushes.
//
// A synced group of dozens of writers spends about as long in its memtable insert (cold
// nodes, a few microseconds an entry) as in its fdatasync; done one after the other, the two
// add up on every writer's wait. Overlapped, the slower one alone does. The hand-off costs a
// wake-up each way, so it pays only for groups of many entries.
//
// Thread safety: one thread at a time calls Start and Wait, strictly in turn (Start, Wait,
// Start, ...): the DB's write leader. The thread starts in Create and is joined by the
// destructor, which REQUIRES no sync in flight (every Start was followed by its Wait).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>

#include "strata/status.h"
#include "util/wait_word.h"

namespace strata {

class LogWriter;

// log->Sync(), and how long it took in *micros: what the leader does on its own thread, and
// the LogSyncThread for it.
Status TimedSync(LogWriter* log, uint64_t* micros);

class LogSyncThread {
 public:
  // Null if the system refuses a thread (the caller then syncs on its own thread).
  static std::unique_ptr<LogSyncThread> Create();
  ~LogSyncThread();

  LogSyncThread(const LogSyncThread&) = delete;
  LogSyncThread& operator=(const LogSyncThread&) = delete;

  // Begins log->Sync() on the thread and returns at once. REQUIRES: the caller touches `log`
  // no more until Wait returns, and keeps it alive until then.
  void Start(LogWriter* log);

  // Waits for the sync begun by the last Start and returns its status; `micros` gets how long
  // the sync itself took. Everything the sync did happens before Wait returns.
  Status Wait(uint64_t* micros);

 private:
  LogSyncThread() = default;
  void Run();

  // Written by Start before it raises request_, read by the thread after it sees the rise.
  LogWriter* log_ = nullptr;
  // Written by the thread before it raises done_, read by Wait after it sees the rise.
  Status status_;
  uint64_t micros_ = 0;

  static constexpr uint32_t kMask = 0x7fffffff;  // WaitWord values leave the top bit clear
  uint32_t started_ = 0;                         // the caller's count of Starts (masked)
  WaitWord request_{0};                          // the last request (count), raised by Start
  WaitWord done_{0};                             // the last request served, raised by Run
  std::atomic<bool> stop_{false};
  std::thread thread_;  // started by Create once the members above are built
};

}  // namespace strata
