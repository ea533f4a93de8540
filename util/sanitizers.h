// STRATA_ASAN: 1 when the build runs under AddressSanitizer (GCC says so with
// __SANITIZE_ADDRESS__, clang with __has_feature), else 0. Code that recycles memory itself
// poisons it under ASan; tests sample less densely there, where every case runs slower.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define STRATA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STRATA_ASAN 1
#endif
#endif
#ifndef STRATA_ASAN
#define STRATA_ASAN 0
#endif

// STRATA_TSAN: the same for ThreadSanitizer.
#if defined(__SANITIZE_THREAD__)
#define STRATA_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define STRATA_TSAN 1
#endif
#endif
#ifndef STRATA_TSAN
#define STRATA_TSAN 0
#endif
