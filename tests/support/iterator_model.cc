#include "support/iterator_model.h"

#include "util/escape.h"
#include "util/random.h"

namespace strata::test {
namespace {

// Position model: index into the model, or -1 / model.size() for "not valid".
class Checker {
 public:
  Checker(Iterator* it, const KVModel& model, const Comparator* cmp)
      : it_(it), model_(model), cmp_(cmp) {}

  // First index with key >= target.
  long LowerBound(const std::string& target) const {
    long lo = 0, hi = static_cast<long>(model_.size());
    while (lo < hi) {
      long mid = lo + (hi - lo) / 2;
      if (cmp_->Compare(model_[mid].first, target) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
  // Last index with key <= target (or -1).
  long FloorIndex(const std::string& target) const {
    long i = LowerBound(target);
    if (i < static_cast<long>(model_.size()) && cmp_->Compare(model_[i].first, target) == 0) {
      return i;
    }
    return i - 1;
  }

  ::testing::AssertionResult At(long i, const std::string& what) const {
    if (!it_->status().ok()) {
      return ::testing::AssertionFailure() << what << ": status " << it_->status().ToString();
    }
    bool expect_valid = i >= 0 && i < static_cast<long>(model_.size());
    if (it_->Valid() != expect_valid) {
      auto f = ::testing::AssertionFailure() << what << ": Valid() is " << it_->Valid()
                                             << ", expected entry " << i << " of " << model_.size();
      if (it_->Valid()) f << " (at key " << EscapeBytes(it_->key()) << ")";
      return f;
    }
    if (expect_valid) {
      if (it_->key() != model_[i].first) {
        return ::testing::AssertionFailure()
               << what << ": key " << EscapeBytes(it_->key()) << ", expected "
               << EscapeBytes(model_[i].first) << " (entry " << i << ")";
      }
      if (it_->value() != model_[i].second) {
        return ::testing::AssertionFailure()
               << what << ": wrong value at key " << EscapeBytes(model_[i].first) << " ("
               << it_->value().size() << " bytes, expected " << model_[i].second.size() << ")";
      }
    }
    return ::testing::AssertionSuccess();
  }

 private:
  Iterator* it_;
  const KVModel& model_;
  const Comparator* cmp_;
};

}  // namespace

::testing::AssertionResult IteratorMatchesModel(Iterator* it, const KVModel& model,
                                                const Comparator* cmp,
                                                const std::vector<std::string>& probes,
                                                uint64_t seed, int walk_steps) {
  Checker c(it, model, cmp);
  const long n = static_cast<long>(model.size());

  it->SeekToFirst();
  for (long i = 0; i < n; i++) {
    if (auto r = c.At(i, "forward scan"); !r) return r;
    it->Next();
  }
  if (auto r = c.At(n, "forward scan end"); !r) return r;

  it->SeekToLast();
  for (long i = n - 1; i >= 0; i--) {
    if (auto r = c.At(i, "backward scan"); !r) return r;
    it->Prev();
  }
  if (auto r = c.At(-1, "backward scan end"); !r) return r;

  std::vector<std::string> targets = probes;
  for (const auto& kv : model) targets.push_back(kv.first);
  for (const auto& t : targets) {
    it->Seek(t);
    if (auto r = c.At(c.LowerBound(t), "Seek(" + EscapeBytes(t) + ")"); !r) return r;
    it->SeekForPrev(t);
    if (auto r = c.At(c.FloorIndex(t), "SeekForPrev(" + EscapeBytes(t) + ")"); !r) return r;
  }
  if (targets.empty()) return ::testing::AssertionSuccess();

  Random rnd(seed);
  long pos = -1;
  it->SeekToFirst();
  pos = n > 0 ? 0 : n;
  std::string history;
  for (int step = 0; step < walk_steps; step++) {
    const bool valid = pos >= 0 && pos < n;
    std::string op;
    switch (rnd.Uniform(valid ? 8 : 4)) {
      case 0:
        it->SeekToFirst();
        pos = n > 0 ? 0 : n;
        op = "SeekToFirst";
        break;
      case 1:
        it->SeekToLast();
        pos = n - 1;
        op = "SeekToLast";
        break;
      case 2: {
        const std::string& t = targets[rnd.Uniform(targets.size())];
        it->Seek(t);
        pos = c.LowerBound(t);
        op = "Seek";
        break;
      }
      case 3: {
        const std::string& t = targets[rnd.Uniform(targets.size())];
        it->SeekForPrev(t);
        pos = c.FloorIndex(t);
        op = "SeekForPrev";
        break;
      }
      case 4:
      case 5:
        it->Next();
        pos++;
        op = "Next";
        break;
      default:
        it->Prev();
        pos--;
        op = "Prev";
        break;
    }
    if (pos < 0 || pos > n) pos = pos < 0 ? -1 : n;
    history += op + " ";
    if (history.size() > 200) history.erase(0, history.size() - 200);
    if (auto r = c.At(pos, "random walk step " + std::to_string(step) + " (..." + history + ")");
        !r) {
      return r;
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace strata::test
