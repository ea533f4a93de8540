#include "sstable/merging_iterator.h"

#include <cassert>

#include "keys/internal_key.h"

namespace strata {
namespace {

class MergingIterator final : public Iterator {
 public:
  MergingIterator(const Comparator* cmp, std::vector<std::unique_ptr<Iterator>> children)
      : cmp_(cmp),
        icmp_(dynamic_cast<const InternalKeyComparator*>(cmp)),
        children_(std::move(children)) {
    heap_.reserve(children_.size());
  }

  bool Valid() const override { return !heap_.empty(); }

  void SeekToFirst() override {
    for (auto& c : children_) c->SeekToFirst();
    Rebuild(kForward);
  }
  void SeekToLast() override {
    for (auto& c : children_) c->SeekToLast();
    Rebuild(kBackward);
  }
  void Seek(std::string_view target) override {
    for (auto& c : children_) c->Seek(target);
    Rebuild(kForward);
  }
  void SeekForPrev(std::string_view target) override {
    for (auto& c : children_) c->SeekForPrev(target);
    Rebuild(kBackward);
  }

  void Next() override {
    assert(Valid());
    if (direction_ != kForward) {
      // Every other child must be positioned just after key(): the backward scan left them
      // at or before it.
      SwitchDirection(kForward);
      if (!Valid()) return;
    }
    heap_.front().iter->Next();
    AfterTopMoved();
  }

  void Prev() override {
    assert(Valid());
    if (direction_ != kBackward) {
      SwitchDirection(kBackward);
      if (!Valid()) return;
    }
    heap_.front().iter->Prev();
    AfterTopMoved();
  }

  std::string_view key() const override { return heap_.front().key; }
  std::string_view value() const override { return heap_.front().iter->value(); }

  Status status() const override {
    if (!error_.ok()) return error_;
    for (const auto& c : children_) {
      Status s = c->status();
      if (!s.ok()) return s;
    }
    return Status::OK();
  }

 private:
  enum Direction { kForward, kBackward };

  // A valid child and its key. The key is read once per move of the child (it stays valid
  // until the child moves): a sift compares it up to twice per heap level, and reading it
  // through the child each time was a chain of virtual calls (level -> table -> block).
  struct Child {
    Iterator* iter;
    std::string_view key;
  };
  static Child Entry(Iterator* iter) { return {iter, iter->key()}; }

  int Compare(std::string_view a, std::string_view b) const {
    // The DB's internal key comparator is final: called through its own type, the compare
    // (an inline memcmp for bytewise keys) needs no virtual call.
    return icmp_ != nullptr ? icmp_->Compare(a, b) : cmp_->Compare(a, b);
  }

  // True if a should be above b in the heap.
  bool Before(const Child& a, const Child& b) const {
    int r = Compare(a.key, b.key);
    return direction_ == kForward ? r < 0 : r > 0;
  }

  void SiftDown(size_t i) {
    const size_t n = heap_.size();
    const Child item = heap_[i];
    while (true) {
      size_t child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && Before(heap_[child + 1], heap_[child])) child++;
      if (!Before(heap_[child], item)) break;
      heap_[i] = heap_[child];
      i = child;
    }
    heap_[i] = item;
  }

  // Fills the heap with the valid children; any failed child fails the whole iterator.
  void Rebuild(Direction d) {
    direction_ = d;
    heap_.clear();
    error_ = Status::OK();
    for (auto& c : children_) {
      if (c->Valid()) {
        heap_.push_back(Entry(c.get()));
      } else if (!c->status().ok()) {
        Fail(c->status());
        return;
      }
    }
    for (size_t i = heap_.size() / 2; i-- > 0;) SiftDown(i);
  }

  void AfterTopMoved() {
    Iterator* top = heap_.front().iter;
    if (top->Valid()) {
      heap_.front().key = top->key();
      SiftDown(0);
      return;
    }
    if (!top->status().ok()) {
      Fail(top->status());
      return;
    }
    heap_.front() = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) SiftDown(0);
  }

  // Repositions every child but the current one strictly past key() in direction d.
  void SwitchDirection(Direction d) {
    Iterator* current = heap_.front().iter;
    // The key must survive the children's moves: copy it (direction changes are rare).
    saved_key_.assign(heap_.front().key);
    for (auto& c : children_) {
      if (c.get() == current) continue;
      if (d == kForward) {
        c->Seek(saved_key_);
        if (c->Valid() && cmp_->Compare(c->key(), saved_key_) == 0) c->Next();
      } else {
        c->SeekForPrev(saved_key_);
        if (c->Valid() && cmp_->Compare(c->key(), saved_key_) == 0) c->Prev();
      }
    }
    // Rebuild with the current child at its place; it stays the top (it holds key(), which
    // is before every other child's key in the new direction).
    direction_ = d;
    heap_.clear();
    heap_.push_back(Entry(current));
    for (auto& c : children_) {
      if (c.get() == current) continue;
      if (c->Valid()) {
        heap_.push_back(Entry(c.get()));
      } else if (!c->status().ok()) {
        Fail(c->status());
        return;
      }
    }
    for (size_t i = heap_.size() / 2; i-- > 0;) SiftDown(i);
  }

  void Fail(const Status& s) {
    error_ = s;
    heap_.clear();
  }

  const Comparator* const cmp_;
  const InternalKeyComparator* const icmp_;  // cmp_ if it is one, else null
  std::vector<std::unique_ptr<Iterator>> children_;
  std::vector<Child> heap_;  // valid children; front() is the current entry
  Direction direction_ = kForward;
  Status error_;
  std::string saved_key_;
};

}  // namespace

std::unique_ptr<Iterator> NewMergingIterator(const Comparator* comparator,
                                             std::vector<std::unique_ptr<Iterator>> children) {
  if (children.empty()) return NewEmptyIterator();
  if (children.size() == 1) return std::move(children[0]);
  return std::make_unique<MergingIterator>(comparator, std::move(children));
}

}  // namespace strata
