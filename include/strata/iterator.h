// Iterator: a position in a sorted sequence of (key, value) entries — a table, a memtable or
// a whole database.
//
// Thread safety: one thread at a time per iterator; distinct iterators are independent.
// Lifetime: key() and value() stay valid until the iterator moves or is destroyed. An
// iterator must be destroyed before the object it walks (DB, table).
// Errors: a failed read makes the iterator invalid and status() non-OK; Valid() == false
// with status().ok() means the end was reached.
#pragma once

#include <memory>
#include <string_view>

#include "strata/status.h"

namespace strata {

class Iterator {
 public:
  Iterator() = default;
  Iterator(const Iterator&) = delete;
  Iterator& operator=(const Iterator&) = delete;
  virtual ~Iterator() = default;

  virtual bool Valid() const = 0;
  virtual void SeekToFirst() = 0;
  virtual void SeekToLast() = 0;
  // To the first entry with key >= target.
  virtual void Seek(std::string_view target) = 0;
  // To the last entry with key <= target.
  virtual void SeekForPrev(std::string_view target) = 0;
  // REQUIRES: Valid().
  virtual void Next() = 0;
  // REQUIRES: Valid().
  virtual void Prev() = 0;
  // REQUIRES: Valid().
  virtual std::string_view key() const = 0;
  // REQUIRES: Valid().
  virtual std::string_view value() const = 0;
  virtual Status status() const = 0;
};

// An iterator over nothing, carrying status s (OK for a plain empty sequence).
std::unique_ptr<Iterator> NewEmptyIterator(Status s = Status::OK());

}  // namespace strata
