#include "version/level_iterator.h"

#include <algorithm>

#include "version/table_cache.h"

namespace strata {
namespace {

class LevelIterator final : public Iterator {
 public:
  LevelIterator(const InternalKeyComparator* icmp, const FileList* files, TableCache* tables,
                const ReadOptions& options)
      : icmp_(icmp), files_(*files), tables_(tables), options_(options) {}

  bool Valid() const override { return file_iter_ != nullptr && file_iter_->Valid(); }

  void SeekToFirst() override {
    if (!Open(0)) return;
    file_iter_->SeekToFirst();
    SkipEmptyForward();
  }
  void SeekToLast() override {
    if (!Open(files_.empty() ? 0 : files_.size() - 1)) return;
    file_iter_->SeekToLast();
    SkipEmptyBackward();
  }
  void Seek(std::string_view target) override {
    if (!Open(FindFile(target))) return;
    file_iter_->Seek(target);
    SkipEmptyForward();
  }
  void SeekForPrev(std::string_view target) override {
    // The first file that may hold keys >= target holds the last key <= target, or the file
    // before it does.
    size_t i = FindFile(target);
    if (i == files_.size() && i > 0) i--;
    if (!Open(i)) return;
    file_iter_->SeekForPrev(target);
    SkipEmptyBackward();
  }
  void Next() override {
    file_iter_->Next();
    SkipEmptyForward();
  }
  void Prev() override {
    file_iter_->Prev();
    SkipEmptyBackward();
  }
  std::string_view key() const override { return file_iter_->key(); }
  std::string_view value() const override { return file_iter_->value(); }
  Status status() const override {
    if (!status_.ok()) return status_;
    return file_iter_ ? file_iter_->status() : Status::OK();
  }

 private:
  // The first file whose largest key is >= target (files_.size() if none).
  size_t FindFile(std::string_view target) const {
    auto it =
        std::lower_bound(files_.begin(), files_.end(), target,
                         [this](const std::shared_ptr<const FileMetaData>& f, std::string_view k) {
                           return icmp_->Compare(f->largest, k) < 0;
                         });
    return static_cast<size_t>(it - files_.begin());
  }

  // Positions file_iter_ on file i (unpositioned); false (and invalid) past the end.
  bool Open(size_t i) {
    status_ = Status::OK();
    if (i >= files_.size()) {
      file_iter_.reset();
      index_ = files_.size();
      return false;
    }
    if (file_iter_ == nullptr || index_ != i) {
      index_ = i;
      file_iter_ = tables_->NewIterator(options_, files_[i]->number, files_[i]->file_size,
                                        files_[i]->global_seqno);
    }
    return true;
  }

  // An exhausted file moves the scan to the next one; a failed one stops it.
  bool StopOnError() {
    Status s = file_iter_->status();
    if (s.ok()) return false;
    status_ = s;
    file_iter_.reset();
    return true;
  }
  void SkipEmptyForward() {
    while (file_iter_ != nullptr && !file_iter_->Valid()) {
      if (StopOnError()) return;
      if (!Open(index_ + 1)) return;
      file_iter_->SeekToFirst();
    }
  }
  void SkipEmptyBackward() {
    while (file_iter_ != nullptr && !file_iter_->Valid()) {
      if (StopOnError()) return;
      if (index_ == 0) {
        file_iter_.reset();
        return;
      }
      Open(index_ - 1);
      file_iter_->SeekToLast();
    }
  }

  const InternalKeyComparator* const icmp_;
  const FileList& files_;
  TableCache* const tables_;
  const ReadOptions options_;
  size_t index_ = 0;
  std::unique_ptr<Iterator> file_iter_;
  Status status_;
};

}  // namespace

std::unique_ptr<Iterator> NewLevelIterator(const InternalKeyComparator* icmp, const FileList* files,
                                           TableCache* tables, const ReadOptions& options) {
  return std::make_unique<LevelIterator>(icmp, files, tables, options);
}

}  // namespace strata
