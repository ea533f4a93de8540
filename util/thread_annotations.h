// Clang thread-safety annotations (checked with -Wthread-safety in clang builds, empty
// elsewhere). Members are annotated with the lock that guards them; functions with the
// locks they require or exclude.
#pragma once

#if defined(__clang__)
#define STRATA_TSA(x) __attribute__((x))
#else
#define STRATA_TSA(x)
#endif

#define CAPABILITY(x) STRATA_TSA(capability(x))
#define SCOPED_CAPABILITY STRATA_TSA(scoped_lockable)
#define GUARDED_BY(x) STRATA_TSA(guarded_by(x))
#define PT_GUARDED_BY(x) STRATA_TSA(pt_guarded_by(x))
#define REQUIRES(...) STRATA_TSA(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) STRATA_TSA(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) STRATA_TSA(acquire_capability(__VA_ARGS__))
#define RELEASE(...) STRATA_TSA(release_capability(__VA_ARGS__))
#define ASSERT_CAPABILITY(x) STRATA_TSA(assert_capability(x))
#define NO_THREAD_SAFETY_ANALYSIS STRATA_TSA(no_thread_safety_analysis)
