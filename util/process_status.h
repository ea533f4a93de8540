// ProcessStatusKiB: one "Name:   N kB" field of /proc/self/status (RssAnon, RssFile, RssShmem,
// VmHWM, ...), in KiB, or -1 where the file or the field is missing (no /proc, another kernel).
//
// Any thread may call it; it reads the file afresh each time.
#pragma once

#include <cstdint>
#include <string_view>

namespace strata {

// field: the name without its colon, e.g. "RssAnon".
int64_t ProcessStatusKiB(std::string_view field);

}  // namespace strata
