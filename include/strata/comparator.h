// Comparator: the total order of user keys. Its Name() is stored in the database so that a
// database is never read with an order other than the one it was written with.
//
// Thread safety: implementations must be safe to call from many threads at once (they are
// usually stateless).
#pragma once

#include <string>
#include <string_view>

namespace strata {

class Comparator {
 public:
  virtual ~Comparator() = default;
  // <0, 0, >0 as a is before, equal to, or after b.
  virtual int Compare(std::string_view a, std::string_view b) const = 0;
  // Stable identifier, e.g. "strata.BytewiseComparator"; change it when the order changes.
  virtual const char* Name() const = 0;

  // Used to make index keys short. Both may leave their argument unchanged.
  // If *start < limit, may change *start to a shorter string in [*start, limit).
  virtual void FindShortestSeparator(std::string* start, std::string_view limit) const {
    (void)start;
    (void)limit;
  }
  // May change *key to a shorter string >= *key.
  virtual void FindShortSuccessor(std::string* key) const { (void)key; }
};

// Lexicographic order of unsigned bytes. The returned object lives forever.
const Comparator* BytewiseComparator();

}  // namespace strata
