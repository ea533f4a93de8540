#include "sstable/table_properties.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "sstable/block.h"
#include "sstable/block_builder.h"
#include "sstable/properties_block.h"
#include "strata/comparator.h"
#include "util/coding.h"
#include "util/escape.h"

namespace strata {
namespace {

// Stored on disk: never rename.
struct NumberProperty {
  std::string_view name;
  uint64_t TableProperties::*field;
};
constexpr NumberProperty kNumberProperties[] = {
    {"strata.creation.time", &TableProperties::creation_time},
    {"strata.data.size", &TableProperties::data_size},
    {"strata.filter.size", &TableProperties::filter_size},
    {"strata.index.size", &TableProperties::index_size},
    {"strata.largest.seqno", &TableProperties::largest_seqno},
    {"strata.num.data.blocks", &TableProperties::num_data_blocks},
    {"strata.num.entries", &TableProperties::num_entries},
    {"strata.raw.key.size", &TableProperties::raw_key_size},
    {"strata.raw.value.size", &TableProperties::raw_value_size},
    {"strata.smallest.seqno", &TableProperties::smallest_seqno},
};
struct StringProperty {
  std::string_view name;
  std::string TableProperties::*field;
};
constexpr StringProperty kStringProperties[] = {
    {"strata.comparator", &TableProperties::comparator_name},
    {"strata.largest.key", &TableProperties::largest_key},
    {"strata.smallest.key", &TableProperties::smallest_key},
    {"strata.user.comparator", &TableProperties::user_comparator_name},
};
constexpr std::string_view kCompressionName = "strata.compression";

}  // namespace

std::string EncodePropertiesBlock(const TableProperties& props) {
  std::vector<std::pair<std::string_view, std::string>> entries;
  for (const auto& p : kNumberProperties) {
    std::string v;
    PutVarint64(&v, props.*p.field);
    entries.emplace_back(p.name, std::move(v));
  }
  for (const auto& p : kStringProperties) {
    // Added later: left out when unset, so tables without it keep their exact bytes.
    if (p.field == &TableProperties::user_comparator_name && props.*p.field == "") continue;
    entries.emplace_back(p.name, props.*p.field);
  }
  std::string compression;
  PutVarint64(&compression, props.compression);
  entries.emplace_back(kCompressionName, std::move(compression));
  std::sort(entries.begin(), entries.end());

  BlockBuilder builder(1);
  for (const auto& [name, value] : entries) builder.Add(name, value);
  return std::move(builder.Finish());
}

Status DecodePropertiesBlock(std::string_view contents, TableProperties* props) {
  Block block(BlockContents{contents, BlockBuffer()});
  BlockIter it(BytewiseComparator(), &block);
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    std::string_view name = it.key();
    std::string_view value = it.value();
    bool known = false;
    for (const auto& p : kNumberProperties) {
      if (p.name != name) continue;
      if (!GetVarint64(&value, &(props->*p.field)) || !value.empty()) {
        return Status::Corruption("malformed table property", name);
      }
      known = true;
    }
    for (const auto& p : kStringProperties) {
      if (p.name != name) continue;
      (props->*p.field).assign(value);
      known = true;
    }
    if (!known && name == kCompressionName) {
      uint64_t v;
      if (!GetVarint64(&value, &v) || !value.empty() || v > UINT32_MAX) {
        return Status::Corruption("malformed table property", name);
      }
      props->compression = static_cast<uint32_t>(v);
    }
  }
  return it.status();
}

std::string TableProperties::ToString() const {
  std::string out;
  auto line = [&out](std::string_view name, std::string_view value) {
    out.append(name);
    out.append(": ");
    out.append(value);
    out.push_back('\n');
  };
  line("num_entries", std::to_string(num_entries));
  line("raw_key_size", std::to_string(raw_key_size));
  line("raw_value_size", std::to_string(raw_value_size));
  line("data_size", std::to_string(data_size));
  line("index_size", std::to_string(index_size));
  line("filter_size", std::to_string(filter_size));
  line("num_data_blocks", std::to_string(num_data_blocks));
  line("smallest_key", EscapeBytes(smallest_key));
  line("largest_key", EscapeBytes(largest_key));
  line("smallest_seqno", std::to_string(smallest_seqno));
  line("largest_seqno", std::to_string(largest_seqno));
  std::string comp = std::to_string(compression);
  if (compression == 0) comp += " (none)";
  if (compression == 1) comp += " (lz4)";
  line("compression", comp);
  line("comparator_name", EscapeBytes(comparator_name));
  if (!user_comparator_name.empty()) {
    line("user_comparator_name", EscapeBytes(user_comparator_name));
  }
  line("creation_time", std::to_string(creation_time));
  return out;
}

}  // namespace strata
