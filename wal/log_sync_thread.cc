#include "wal/log_sync_thread.h"

#include <cassert>
#include <chrono>
#include <system_error>

#include "wal/log_writer.h"

namespace strata {

Status TimedSync(LogWriter* log, uint64_t* micros) {
  const auto start = std::chrono::steady_clock::now();
  Status s = log->Sync();
  *micros = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                      std::chrono::steady_clock::now() - start)
                                      .count());
  return s;
}

std::unique_ptr<LogSyncThread> LogSyncThread::Create() {
  std::unique_ptr<LogSyncThread> t(new LogSyncThread());
  try {
    t->thread_ = std::thread([raw = t.get()] { raw->Run(); });
  } catch (const std::system_error&) {
    return nullptr;  // no thread to join
  }
  return t;
}

LogSyncThread::~LogSyncThread() {
  assert(done_.Load() == started_);
  stop_.store(true, std::memory_order_release);
  request_.StoreAndWake((started_ + 1) & kMask);
  thread_.join();
}

void LogSyncThread::Start(LogWriter* log) {
  assert(done_.Load() == started_);
  log_ = log;
  started_ = (started_ + 1) & kMask;
  request_.StoreAndWake(started_);  // release: log_ is visible to the thread
}

Status LogSyncThread::Wait(uint64_t* micros) {
  // A sync takes a disk flush: sleep at once rather than spin on the CPU the insert left.
  uint32_t served = done_.Load();
  while (served != started_) served = done_.WaitWhileEquals(served);
  *micros = micros_;
  return status_;
}

void LogSyncThread::Run() {
  uint32_t seen = 0;
  while (true) {
    seen = request_.WaitWhileEquals(seen);  // acquire: log_ as Start wrote it
    if (stop_.load(std::memory_order_acquire)) return;
    status_ = TimedSync(log_, &micros_);
    done_.StoreAndWake(seen);  // release: status_, micros_ and the sync's effects
  }
}

}  // namespace strata
