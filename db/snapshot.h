// Snapshots: a sequence number to read at, and the list of those alive, so that compaction
// keeps every version some snapshot can see.
//
// Thread safety: SnapshotImpl is immutable. SnapshotList requires the DB mutex.
#pragma once

#include <cstddef>

#include "keys/internal_key.h"
#include "strata/db.h"

namespace strata {

class SnapshotImpl final : public Snapshot {
 public:
  explicit SnapshotImpl(SequenceNumber seq) : sequence(seq) {}
  const SequenceNumber sequence;

 private:
  friend class SnapshotList;
  // Circular doubly linked list through the list's head, oldest first.
  SnapshotImpl* prev_ = nullptr;
  SnapshotImpl* next_ = nullptr;
};

class SnapshotList {
 public:
  SnapshotList() : head_(0) { head_.prev_ = head_.next_ = &head_; }
  SnapshotList(const SnapshotList&) = delete;
  SnapshotList& operator=(const SnapshotList&) = delete;
  // Frees snapshots a careless caller never released (their pointers become invalid).
  ~SnapshotList() {
    while (!empty()) Delete(head_.next_);
  }

  bool empty() const { return head_.next_ == &head_; }
  // REQUIRES: !empty().
  SequenceNumber oldest() const { return head_.next_->sequence; }
  size_t size() const { return size_; }

  // REQUIRES: seq >= the newest snapshot's sequence (sequences only grow).
  const SnapshotImpl* New(SequenceNumber seq) {
    auto* s = new SnapshotImpl(seq);
    s->next_ = &head_;
    s->prev_ = head_.prev_;
    s->prev_->next_ = s;
    head_.prev_ = s;
    size_++;
    return s;
  }
  void Delete(const SnapshotImpl* snapshot) {
    auto* s = const_cast<SnapshotImpl*>(snapshot);
    s->prev_->next_ = s->next_;
    s->next_->prev_ = s->prev_;
    size_--;
    delete s;
  }

 private:
  SnapshotImpl head_;
  size_t size_ = 0;
};

}  // namespace strata
