// The crash driver's child: opens the database and writes the cycle's batches until it is
// killed, acknowledging each batch id on descriptor AckChild::kAckFd after Write returns OK
// and before the next batch starts.
//
// Two more threads read while it writes and check what a reader can check without the
// model: an iterator yields strictly ordered keys within its bounds, each value is
// well-formed, belongs to its key and comes from a batch already started; a snapshot read
// twice (Get and a range scan, some milliseconds apart, flushes and compactions running in
// between) gives the same answer both times, and Get agrees with the scan. A violation ends
// the process with kExitInvariant, which the driver reports as a failure.
#pragma once

#include <cstdint>
#include <string>

namespace strata::crash {

// Exit codes of a child that ended on its own (a healthy child only ever dies by SIGKILL).
constexpr int kExitOpenFailed = 3;
constexpr int kExitWriteFailed = 4;
constexpr int kExitAckFailed = 5;
constexpr int kExitInvariant = 86;

struct ChildArgs {
  std::string db;
  uint64_t seed = 0;
  int cycle = 0;
  uint64_t first_batch = 1;
  uint32_t key_count = 0;
  // False: no merges, and no merge operator (for a follower that replays the stream with a
  // tool that knows only the built-in operators).
  bool merges = true;
};

[[noreturn]] void RunChild(const ChildArgs& args);

// A description of a child's exit code for the driver's report.
std::string DescribeChildExit(int code);

}  // namespace strata::crash
