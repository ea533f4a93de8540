// The "strata.range_del" meta block of a table: the table's range tombstones, fragmented
// (keys/range_tombstone.h). Byte layout (docs/FORMATS.md, "Range deletion block"):
//
//   varint32 fragment count
//   per fragment, in increasing begin order, non-overlapping:
//     varint32 begin length | begin | varint32 end length | end |
//     varint32 sequence count (>= 1) | sequence count x varint64 sequence (strictly descending)
//
// The block sits behind the usual block trailer (checksum), like every block.
//
// Pure functions; thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "keys/range_tombstone.h"
#include "strata/status.h"

namespace strata {

// Returns the block contents (without trailer).
std::string EncodeRangeDelBlock(const FragmentedRangeTombstones& tombstones);

// Decodes contents into *out. Anything malformed -- truncation, trailing bytes, a fragment
// out of order or overlapping the previous one, begin >= end, no sequences, sequences not
// strictly descending or above kMaxSequenceNumber -- is Corruption (without file context),
// so damage never hides or reveals keys silently.
Status DecodeRangeDelBlock(std::string_view contents, const Comparator* ucmp,
                           std::shared_ptr<const FragmentedRangeTombstones>* out);

}  // namespace strata
