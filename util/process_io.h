// The kernel's I/O counters for this process (or one thread), from /proc.
//
// Any thread may call ReadProcessIo; it reads the file afresh each time. Every counter is 0
// where the file is missing (no /proc, or a kernel without task I/O accounting).
#pragma once

#include <cstdint>

namespace strata {

struct ProcessIo {
  uint64_t passed_to_write = 0;  // wchar: bytes passed to write(2) and friends
  // Pages dirtied (write_bytes) less those dropped before write-back because their file was
  // deleted or truncated (cancelled_write_bytes): what reaches the device, without the file
  // system's own metadata.
  uint64_t to_device = 0;
  uint64_t dirtied = 0;  // write_bytes alone
};

// path: "/proc/self/io" for the whole process, "/proc/thread-self/io" for the calling thread.
ProcessIo ReadProcessIo(const char* path = "/proc/self/io");

}  // namespace strata
