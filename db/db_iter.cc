#include "db/db_iter.h"

#include <algorithm>
#include <cassert>
#include <optional>
#include <string>
#include <vector>

#include "keys/merge_context.h"
#include "util/bytewise_compare.h"

#include "util/perf_context_imp.h"

namespace strata {
namespace {

// After this many hidden entries of one user key in a row, seek past the key instead of
// stepping: a key overwritten thousands of times costs one seek, not thousands of steps.
constexpr int kMaxSkipsBeforeSeek = 16;

class DBIter final : public Iterator {
 public:
  DBIter(const Comparator* ucmp, std::unique_ptr<Iterator> iter, const DBIterOptions& options,
         std::shared_ptr<const void> pin)
      : ucmp_(ucmp),
        bytewise_(ucmp == BytewiseComparator()),
        iter_(std::move(iter)),
        sequence_(options.sequence),
        lower_(options.lower_bound),
        upper_(options.upper_bound),
        range_dels_(options.range_dels),
        merge_operator_(options.merge_operator),
        read_sample_(options.read_sample),
        pin_(std::move(pin)) {
    if (read_sample_) bytes_until_sample_ = SamplePeriod();
  }

  bool Valid() const override { return valid_; }

  std::string_view key() const override {
    assert(valid_);
    return direction_ == kForward && !merged_ ? ExtractUserKey(iter_->key())
                                              : std::string_view(saved_key_);
  }
  std::string_view value() const override {
    assert(valid_);
    return direction_ == kForward && !merged_ ? iter_->value() : std::string_view(saved_value_);
  }
  Status status() const override { return status_.ok() ? iter_->status() : status_; }

  void SeekToFirst() override {
    STRATA_PERF_COUNT(iterator_seeks);
    status_ = Status::OK();  // a failed merge or bad key ends one positioning, not the iterator
    if (lower_) {
      Seek(*lower_);
      return;
    }
    direction_ = kForward;
    iter_->SeekToFirst();
    FindNextUserEntry(false);
  }

  void SeekToLast() override {
    STRATA_PERF_COUNT(iterator_seeks);
    status_ = Status::OK();  // a failed merge or bad key ends one positioning, not the iterator
    direction_ = kBackward;
    if (upper_) {
      SeekInternal(*upper_, kMaxSequenceNumber, kValueTypeForSeek, /*for_prev=*/true);
    } else {
      iter_->SeekToLast();
    }
    FindPrevUserEntry();
  }

  void Seek(std::string_view target) override {
    STRATA_PERF_COUNT(iterator_seeks);
    status_ = Status::OK();  // a failed merge or bad key ends one positioning, not the iterator
    direction_ = kForward;
    if (lower_ && CompareUser(target, *lower_) < 0) target = *lower_;
    // A seek searches every source that may hold the target (no filter helps it): each one
    // is a sample.
    if (read_sample_) read_sample_(target);
    SeekInternal(target, sequence_, kValueTypeForSeek, /*for_prev=*/false);
    FindNextUserEntry(false);
  }

  void SeekForPrev(std::string_view target) override {
    STRATA_PERF_COUNT(iterator_seeks);
    status_ = Status::OK();  // a failed merge or bad key ends one positioning, not the iterator
    direction_ = kBackward;
    const bool past_upper = upper_ && CompareUser(target, *upper_) >= 0;
    if (read_sample_) read_sample_(past_upper ? *upper_ : target);
    if (past_upper) {
      // Everything below the (exclusive) upper bound.
      SeekInternal(*upper_, kMaxSequenceNumber, kValueTypeForSeek, /*for_prev=*/true);
    } else {
      // The oldest entry of target sorts last among its entries: land at or before it.
      SeekInternal(target, 0, ValueType::kDeletion, /*for_prev=*/true);
    }
    FindPrevUserEntry();
  }

  void Next() override {
    assert(valid_);
    if (direction_ == kBackward) {
      // The internal iterator is before every entry of saved_key_: step onto them, then
      // past them.
      direction_ = kForward;
      if (iter_->Valid()) {
        iter_->Next();
      } else {
        iter_->SeekToFirst();
      }
      skip_key_.swap(saved_key_);
      FindNextUserEntry(true);
      return;
    }
    if (merged_) {
      // The operands are behind; skip_key_ (the current key) hides what is left of it.
      FindNextUserEntry(true);
      return;
    }
    // Skip the rest of the current key's entries.
    skip_key_.assign(ExtractUserKey(iter_->key()));
    iter_->Next();
    FindNextUserEntry(true);
  }

  void Prev() override {
    assert(valid_);
    if (direction_ == kForward) {
      // Move before every entry of the current key.
      if (merged_) {
        // The internal iterator is past the key (or at its base entry): step back from there.
        if (!iter_->Valid()) {
          if (!iter_->status().ok()) {
            valid_ = false;
            return;
          }
          iter_->SeekToLast();
        }
      } else {
        saved_key_.assign(ExtractUserKey(iter_->key()));
      }
      while (iter_->Valid() && CompareUser(ExtractUserKey(iter_->key()), saved_key_) >= 0) {
        iter_->Prev();
      }
      direction_ = kBackward;
      merged_ = false;
      if (!CheckInternal()) return;
      FindPrevUserEntry();
      return;
    }
    FindPrevUserEntry();
  }

 private:
  enum Direction { kForward, kBackward };

  void SeekInternal(std::string_view user_key, SequenceNumber seq, ValueType type, bool for_prev) {
    seek_key_.clear();
    AppendInternalKey(&seek_key_, user_key, seq, type);
    if (for_prev) {
      iter_->SeekForPrev(seek_key_);
    } else {
      iter_->Seek(seek_key_);
    }
  }

  // False (and invalid) if the internal iterator failed.
  bool CheckInternal() {
    if (iter_->Valid() || iter_->status().ok()) return true;
    valid_ = false;
    return false;
  }

  bool Parse(ParsedInternalKey* k) {
    if (ParseInternalKey(iter_->key(), k)) [[likely]] {
      if (read_sample_) [[unlikely]] {
        bytes_until_sample_ -= static_cast<int64_t>(iter_->key().size() + iter_->value().size());
        if (bytes_until_sample_ < 0) {
          bytes_until_sample_ += SamplePeriod();
          read_sample_(k->user_key);
        }
      }
      return true;
    }
    status_ = Status::Corruption("malformed internal key while iterating");
    valid_ = false;
    return false;
  }

  // True if a range tombstone visible at sequence_ hides entry k (and, being newer than k,
  // every older entry of its key too).
  bool Covered(const ParsedInternalKey& k) const {
    return range_dels_ != nullptr && range_dels_->ShouldDelete(k.user_key, k.sequence, sequence_);
  }

  // Forward: from the internal position, find the first visible, live entry whose user key
  // is after skip_key_ (if skipping).
  void FindNextUserEntry(bool skipping) {
    int skipped = 0;
    valid_ = false;
    merged_ = false;
    while (iter_->Valid()) {
      ParsedInternalKey k;
      if (!Parse(&k)) return;
      if (upper_ && CompareUser(k.user_key, *upper_) >= 0) return;
      if (k.sequence <= sequence_) {
        if (skipping && CompareUser(k.user_key, skip_key_) <= 0) {
          // A hidden older version (or the key we just left).
          if (++skipped > kMaxSkipsBeforeSeek) {
            skipped = 0;
            SeekInternal(skip_key_, 0, ValueType::kDeletion, /*for_prev=*/false);
            continue;
          }
        } else if (k.type == ValueType::kDeletion || Covered(k)) {
          // Everything older of this key is deleted: skip it all.
          skip_key_.assign(k.user_key);
          skipping = true;
          skipped = 0;
        } else if (k.type == ValueType::kMerge) [[unlikely]] {
          MergeForward(k.user_key);
          return;
        } else {
          valid_ = true;
          return;
        }
      }
      STRATA_PERF_COUNT(internal_entries_skipped);
      iter_->Next();
    }
    CheckInternal();
  }

  // Forward, on the newest visible entry of user_key, a merge operand: collects it and the
  // operands under it down to a base (a value; a deletion or range-covered entry means
  // none), merges them into saved_value_ and leaves the internal iterator past them, with
  // skip_key_ hiding the rest of the key.
  void MergeForward(std::string_view user_key) {
    saved_key_.assign(user_key);
    skip_key_.assign(user_key);
    operands_.clear();
    operands_.emplace_back(iter_->value());
    bool has_base = false;  // saved_value_ holds it
    for (iter_->Next(); iter_->Valid(); iter_->Next()) {
      ParsedInternalKey k;
      if (!Parse(&k)) return;
      if (CompareUser(k.user_key, saved_key_) != 0) break;
      if (k.type == ValueType::kDeletion || Covered(k)) break;
      if (k.type == ValueType::kValue) {
        saved_value_.assign(iter_->value());
        has_base = true;
        break;
      }
      operands_.emplace_back(iter_->value());
    }
    if (!CheckInternal()) return;
    std::reverse(operands_.begin(), operands_.end());  // oldest first
    Finish(has_base ? &saved_value_ : nullptr);
    merged_ = valid_;
  }

  // Merges operands_ (oldest first) onto base (which may be saved_value_ itself) into
  // saved_value_; valid_ says whether it worked (a failure is status_).
  void Finish(const std::string* base) {
    std::vector<std::string_view> views(operands_.begin(), operands_.end());
    const std::string_view base_view = base ? std::string_view(*base) : std::string_view();
    Status s =
        ApplyMerge(merge_operator_, saved_key_, base ? &base_view : nullptr, views, &saved_value_);
    valid_ = s.ok();
    if (!s.ok()) status_ = s;
  }

  // Backward: from the internal position (just before the entries of the key we leave),
  // find the previous user key whose newest visible entry is a value, and copy it out.
  // Entries come oldest first here: operands_ gathers the operands above the newest base seen
  // (a value, kept in saved_value_, or a deletion).
  void FindPrevUserEntry() {
    ValueType value_type = ValueType::kDeletion;  // of the newest visible entry of saved_key_
    bool has_base = false;                        // saved_value_ holds the base of operands_
    saved_key_.clear();
    merged_ = false;
    while (iter_->Valid()) {
      ParsedInternalKey k;
      if (!Parse(&k)) return;
      const bool above_upper = upper_ && CompareUser(k.user_key, *upper_) >= 0;
      if (!above_upper && k.sequence <= sequence_) {
        if (value_type != ValueType::kDeletion && CompareUser(k.user_key, saved_key_) < 0) {
          break;  // an older key: saved_key_ is the answer
        }
        if (lower_ && CompareUser(k.user_key, *lower_) < 0) break;
        const ValueType type = Covered(k) ? ValueType::kDeletion : k.type;
        if (type == ValueType::kDeletion) {
          saved_key_.clear();
          saved_value_.clear();
          operands_.clear();
        } else if (type == ValueType::kValue) {
          saved_key_.assign(k.user_key);
          saved_value_.assign(iter_->value());
          operands_.clear();
          has_base = true;
        } else {
          if (value_type == ValueType::kDeletion) {  // a new key, or after a deletion
            saved_key_.assign(k.user_key);
            has_base = false;
            operands_.clear();  // those of a later key, from the previous call
          }
          operands_.emplace_back(iter_->value());
        }
        value_type = type;
      }
      iter_->Prev();
    }
    if (!CheckInternal()) return;
    if (value_type == ValueType::kMerge) [[unlikely]] {
      Finish(has_base ? &saved_value_ : nullptr);
      return;
    }
    valid_ = value_type != ValueType::kDeletion;
  }

  // The user comparator, called inline for the default order: a scan compares every entry's
  // user key with the one before it, and the virtual call was 4% of a scan's time.
  int CompareUser(std::string_view a, std::string_view b) const {
    return bytewise_ ? BytewiseCompare(a, b) : ucmp_->Compare(a, b);
  }

  const Comparator* const ucmp_;
  const bool bytewise_;
  const std::unique_ptr<Iterator> iter_;
  const SequenceNumber sequence_;
  const std::optional<std::string_view> lower_;
  const std::optional<std::string_view> upper_;
  const std::shared_ptr<const RangeDelAggregator> range_dels_;
  const MergeOperator* const merge_operator_;
  const std::function<void(std::string_view)> read_sample_;
  const std::shared_ptr<const void> pin_;

  // Uniform in [0, 2 MiB): a mean of one sample per MiB, without a stride that a regular
  // key layout could keep in step with (xorshift32; the state starts from this object).
  int64_t SamplePeriod() {
    if (rng_ == 0) rng_ = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(this) >> 4) | 1;
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 17;
    rng_ ^= rng_ << 5;
    return rng_ % (2 << 20);
  }
  int64_t bytes_until_sample_ = 0;
  uint32_t rng_ = 0;

  Direction direction_ = kForward;
  bool valid_ = false;
  Status status_;
  std::string saved_key_;              // backward: the current key
  std::string saved_value_;            // backward: the current value
  bool merged_ = false;                // forward: the current value was merged (saved_key_/_value_)
  std::vector<std::string> operands_;  // merge operands of the key being read
  std::string skip_key_;               // forward: entries of user keys <= this are hidden
  std::string seek_key_;               // reused buffer for internal seek targets
};

}  // namespace

std::unique_ptr<Iterator> NewDBIterator(const Comparator* user_comparator,
                                        std::unique_ptr<Iterator> internal,
                                        const DBIterOptions& options,
                                        std::shared_ptr<const void> pin) {
  return std::make_unique<DBIter>(user_comparator, std::move(internal), options, std::move(pin));
}

}  // namespace strata
