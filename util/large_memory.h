// AllocateLarge / FreeLarge: memory for large buffers that live as long as a table (its
// filter, its index block), taken straight from the system: carved from a reserved region
// (util/huge_page_region.h; one whose wholly used 2 MiB spans become huge pages once
// SetLargeMemoryHugePages turns that on), or, once the region is full, a mapping of its own. A
// freed buffer's pages go back to the system at once, except those inside a huge page, which
// wait until the whole huge page is free.
//
// Why not malloc: glibc serves a request above its mmap threshold (128 KiB at first) with a
// mapping, but each time it frees such a chunk it raises the threshold to the chunk's size,
// and from then on serves requests of that size from its arenas. Tables open and close on
// compaction threads and readers alike, and the arena memory around a long-lived filter
// cannot go back to the system when the buffers near it are freed: at 100 M keys the peak
// anonymous memory was about 50 MB higher than with the threshold held where it started
// (docs/BENCHMARKS.md). Why a region: every Get probes filters and indexes at random, and in
// 4 KiB pages each probe also missed the TLB; packed side by side they can fill huge pages.
//
// Below kMinMappedBytes a system call per allocation costs more than it saves: those come
// from operator new (as every size does under AddressSanitizer, which checks only its own
// allocations). Either way the memory is aligned to kLargeAlignment.
//
// Thread safety: any thread may allocate, and free on any thread.
#pragma once

#include <cstddef>

namespace strata {

constexpr size_t kMinMappedBytes = 128 << 10;
constexpr size_t kLargeAlignment = 64;

// At least n bytes (n > 0), or null if the system has none to give.
char* AllocateLarge(size_t n) noexcept;
// Frees what AllocateLarge(n) returned; p may be null.
void FreeLarge(char* p, size_t n) noexcept;

// From now on, new buffers go to a region whose wholly used spans become huge pages (on), or
// to the region of plain pages (off, at first); for the whole process
// (Options::table_memory_huge_pages). A buffer is freed to the region it came from.
void SetLargeMemoryHugePages(bool on);
// The spans in huge pages now (HugePageRegion::huge_spans).
size_t LargeMemoryHugeSpans();

// The holes between live buffers in the region in use (HugePageRegion::holes), for tests of
// the order in which callers allocate.
size_t LargeMemoryHoles();

}  // namespace strata
