// The encoding of TableProperties as the table's "strata.properties" block: a block (layout
// in block_builder.h, restart interval 1) of name -> value entries in bytewise name order.
// Numbers are varint64s; keys and the comparator name are raw bytes. A reader skips names
// it does not know, so properties can be added without a format version change.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "sstable/table_properties.h"
#include "strata/status.h"

namespace strata {

// Returns the block contents (without trailer).
std::string EncodePropertiesBlock(const TableProperties& props);
// Corruption (without file context) if the block or a known property is malformed.
Status DecodePropertiesBlock(std::string_view contents, TableProperties* props);

}  // namespace strata
