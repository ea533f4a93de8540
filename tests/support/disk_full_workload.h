// Disk-full cycles: a database takes random batches (some synced, some Flush and CompactRange
// calls) with 64 KiB memtables and small levels, while the disk "fills up": from a random
// changing operation on table files or on the MANIFEST, every change there fails with
// ENOSPC (FaultInjectionFileSystem::FailNthWrite, sticky) until the test frees the space.
// Logs are left alone: a failed log write may lose acknowledged data and is fatal by design.
// In each cycle:
// - every failed call returns an IOError with IsNoSpace();
// - once space is freed the database resumes by itself, without reopening, and a Flush
//   succeeds;
// - a scan holds every acknowledged batch, and each failed batch wholly or not at all;
//   Get agrees with the scan.
// Every few cycles the database is reopened and checked again.
// Failures are reported with gtest assertions naming the cycle.
#pragma once

#include <cstdint>
#include <string>

namespace strata::test {

struct DiskFullOptions {
  int cycles = 20;
  int reopen_every = 5;
  uint64_t seed = 1;
};

struct DiskFullResult {
  uint64_t cycles = 0;
  uint64_t disk_full = 0;        // cycles in which the disk filled up before the cycle ended
  uint64_t failed_calls = 0;     // calls that returned the no-space error
  uint64_t resumes = 0;          // automatic resumes counted by strata.stats
  uint64_t failed_resumes = 0;   // resume attempts made while the disk was still full
  uint64_t acknowledged = 0;     // batches acknowledged
  uint64_t violations = 0;
};

DiskFullResult RunDiskFullCycles(const std::string& dir, const DiskFullOptions& options);
void PrintDiskFullResult(const DiskFullResult& result, double seconds);

}  // namespace strata::test
