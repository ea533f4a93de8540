// TableWriter: builds a table file outside any database, for DB::IngestExternalFiles (the
// bulk-load path: sorting and writing keys once, instead of through the log, memtable and
// compactions).
//
//   strata::TableWriter writer(options);          // the options the database is opened with
//   strata::Status s = writer.Open("/tmp/batch1.sst");
//   for (...) if (s.ok()) s = writer.Put(key, value);   // keys in increasing order
//   if (s.ok()) s = writer.Finish();
//   if (s.ok()) s = db->IngestExternalFiles({"/tmp/batch1.sst"}, strata::IngestOptions());
//
// The file uses the options' comparator (recorded by name and checked at ingestion),
// compression, block size, restart interval and bloom filter, and options.file_system.
// Every entry is stored with sequence number 0; the ingestion gives the whole file one
// sequence number (docs/FORMATS.md, "Ingested tables").
//
// Errors: a key not after the previous one (per the comparator; equal keys included) is
// InvalidArgument and leaves the writer usable for a correct key. Any I/O error is sticky.
// Thread safety: one thread at a time. Lifetime: the comparator must outlive the writer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "strata/options.h"
#include "strata/status.h"

namespace strata {

class TableWriter {
 public:
  explicit TableWriter(const Options& options);
  TableWriter(const TableWriter&) = delete;
  TableWriter& operator=(const TableWriter&) = delete;
  // An opened file that was not finished is removed.
  ~TableWriter();

  // Creates (or truncates) the file path. REQUIRES: called once, first.
  Status Open(const std::string& path);
  // Adds key => value. InvalidArgument if key is not after the last key added.
  Status Put(std::string_view key, std::string_view value);
  // Adds a deletion of key: ingested, it hides older values of key in the database.
  Status Delete(std::string_view key);
  // Writes the index, filter, properties and footer, syncs and closes the file. An empty
  // file (no key added) is InvalidArgument, and removed.
  Status Finish();

  uint64_t NumEntries() const;
  // Bytes of the table so far, some perhaps still buffered (up to one 64 KiB chunk: an I/O
  // error may surface a few Puts later, or at Finish); the file's size after Finish.
  uint64_t FileSize() const;

 private:
  struct Rep;
  std::unique_ptr<Rep> rep_;
};

}  // namespace strata
