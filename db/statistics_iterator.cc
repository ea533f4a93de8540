#include "db/statistics_iterator.h"

#include "util/statistics_util.h"

namespace strata {
namespace {

class StatisticsIterator final : public Iterator {
 public:
  StatisticsIterator(std::unique_ptr<Iterator> iter, Statistics* stats)
      : iter_(std::move(iter)), stats_(stats) {}

  bool Valid() const override { return iter_->Valid(); }
  void SeekToFirst() override {
    Timed([this] { iter_->SeekToFirst(); });
  }
  void SeekToLast() override {
    Timed([this] { iter_->SeekToLast(); });
  }
  void Seek(std::string_view target) override {
    Timed([&] { iter_->Seek(target); });
  }
  void SeekForPrev(std::string_view target) override {
    Timed([&] { iter_->SeekForPrev(target); });
  }
  void Next() override {
    iter_->Next();
    CountEntry();
  }
  void Prev() override {
    iter_->Prev();
    CountEntry();
  }
  std::string_view key() const override { return iter_->key(); }
  std::string_view value() const override { return iter_->value(); }
  Status status() const override { return iter_->status(); }

 private:
  template <class Fn>
  void Timed(Fn&& seek) {
    {
      LatencyTimer timer(stats_, HistogramType::kSeekLatency);
      seek();
    }
    CountEntry();
  }
  // Counts the entry the iterator now rests on, as one the caller may read.
  void CountEntry() {
    if (!iter_->Valid()) return;
    stats_->RecordTick(Ticker::kKeysRead, 1);
    stats_->RecordTick(Ticker::kBytesRead, iter_->key().size() + iter_->value().size());
  }

  std::unique_ptr<Iterator> iter_;
  Statistics* const stats_;
};

}  // namespace

std::unique_ptr<Iterator> NewStatisticsIterator(std::unique_ptr<Iterator> iter, Statistics* stats) {
  return std::make_unique<StatisticsIterator>(std::move(iter), stats);
}

}  // namespace strata
