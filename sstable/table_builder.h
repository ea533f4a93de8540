// TableBuilder: writes a sorted table file from keys added in increasing order.
//
// Thread safety: one thread at a time. Lifetime: options' pointees and file must outlive
// the builder. The file must be empty. The builder passes it whole chunks of
// options.write_chunk bytes as they fill (ChunkedWriter) and the rest at Finish; it never
// syncs or closes the file, the caller does both after Finish.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "keys/range_tombstone.h"
#include "sstable/table_options.h"
#include "sstable/table_properties.h"
#include "strata/file_system.h"
#include "strata/status.h"

namespace strata {

class TableBuilder {
 public:
  TableBuilder(const TableOptions& options, WritableFile* file);
  TableBuilder(const TableBuilder&) = delete;
  TableBuilder& operator=(const TableBuilder&) = delete;
  // REQUIRES: Finish or Abandon was called.
  ~TableBuilder();

  // REQUIRES: key is after every key added before (by options.comparator); not finished.
  // Errors are sticky and reported by status() and Finish.
  void Add(std::string_view key, std::string_view value);
  // The table's range tombstones, written as the "strata.range_del" meta block at Finish
  // (none if never called or empty). The caller cuts them to the table's key range and
  // widens its file bounds to cover them.
  void SetRangeTombstones(const FragmentedRangeTombstones& tombstones);
  // Recorded in the properties block.
  void SetSequenceRange(uint64_t smallest, uint64_t largest);

  // Writes the remaining blocks, filter, properties, metaindex, index and footer.
  Status Finish();
  // Stops without completing the file (the caller deletes it).
  void Abandon();

  Status status() const;
  uint64_t NumEntries() const;
  // Bytes of the table so far, some perhaps still buffered (the file's size after Finish).
  uint64_t FileSize() const;
  // Complete after Finish.
  const TableProperties& properties() const;

 private:
  struct Rep;
  std::unique_ptr<Rep> rep_;
};

}  // namespace strata
