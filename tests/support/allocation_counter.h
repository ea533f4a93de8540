// Counting heap allocations, so that a test can check that a hot path makes none.
//
// Replacing operator new is per executable: a test file that wants the count writes
// STRATA_COUNT_ALLOCATIONS() once, at namespace scope, and then reads
// strata::test::g_allocations around the code under test.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace strata::test {
inline std::atomic<uint64_t> g_allocations{0};
}  // namespace strata::test

// Out of line: inlined into callers, GCC pairs the malloc/free with a mismatched new/delete
// and warns.
#define STRATA_COUNT_ALLOCATIONS()                                           \
  [[gnu::noinline]] void* operator new(size_t n) {                           \
    strata::test::g_allocations.fetch_add(1, std::memory_order_relaxed);     \
    if (void* p = std::malloc(n == 0 ? 1 : n)) return p;                     \
    throw std::bad_alloc();                                                  \
  }                                                                          \
  [[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); } \
  [[gnu::noinline]] void operator delete(void* p, size_t) noexcept { std::free(p); }
