// Reading an ingested table: its entries are stored with sequence 0 and read as the file's
// global sequence number G (FileMetaData::global_seqno), given at ingestion. TableCache
// applies these to every iterator and lookup of such a file, so that nothing above it
// (merging, compaction, Get) sees the stored sequence.
//
// Why the sequence is not rewritten in the file: the file may be hard-linked from the
// user's copy, and it is immutable once written; the MANIFEST records G instead.
//
// Thread safety: the iterator follows the Iterator rules (one thread at a time); the lookup
// adapter is used by one Get call.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "keys/internal_key.h"
#include "sstable/table.h"
#include "strata/comparator.h"
#include "strata/iterator.h"

namespace strata {

// Wraps an iterator over a table with sequence-0 entries so that every key reads with
// sequence global_seqno, and seeks honour it: an entry (k, G) is after a target (k, S)
// when G > S, although the stored (k, 0) is not.
std::unique_ptr<Iterator> NewIngestedTableIterator(std::unique_ptr<Iterator> inner,
                                                   const Comparator* icmp,
                                                   SequenceNumber global_seqno);

// Table::Get's callback for an ingested table: passes entries on to the real callback with
// the global sequence, and drops the entry of the looked-up user key when the lookup's
// sequence is below the global one (the lookup must not see it, and stops there: the next
// entry in the table is another user key).
struct IngestedLookup {
  SequenceNumber global_seqno;
  std::string_view lookup_key;  // the internal key looked up
  const Comparator* ucmp;
  Table::GetCallback found;
  void* arg;
  std::string scratch;

  static bool Callback(void* self, std::string_view key, std::string_view value);
};

}  // namespace strata
