#include "version/ingested_table.h"

namespace strata {

namespace {

// The stored key with its sequence replaced by seq (the type kept).
void Rewrite(std::string_view stored, SequenceNumber seq, std::string* out) {
  out->assign(stored.data(), stored.size() - kInternalKeyTrailer);
  PutFixed64(out, PackSequenceAndType(seq, static_cast<ValueType>(ExtractTrailer(stored) & 0xff)));
}

class IngestedTableIterator final : public Iterator {
 public:
  IngestedTableIterator(std::unique_ptr<Iterator> inner, const Comparator* icmp, SequenceNumber seq)
      : inner_(std::move(inner)), icmp_(icmp), seq_(seq) {}

  bool Valid() const override { return inner_->Valid(); }
  void SeekToFirst() override {
    inner_->SeekToFirst();
    Update();
  }
  void SeekToLast() override {
    inner_->SeekToLast();
    Update();
  }
  void Seek(std::string_view target) override {
    inner_->Seek(target);
    Update();
    // The stored (k, 0) is at or after every (k, S); the real (k, G) is before (k, S) when
    // G > S, so it is skipped.
    if (Valid() && icmp_->Compare(key_, target) < 0) Next();
  }
  void SeekForPrev(std::string_view target) override {
    Seek(target);
    if (!Valid()) {
      SeekToLast();
    } else if (icmp_->Compare(key_, target) > 0) {
      Prev();
    }
  }
  void Next() override {
    inner_->Next();
    Update();
  }
  void Prev() override {
    inner_->Prev();
    Update();
  }
  std::string_view key() const override { return key_; }
  std::string_view value() const override { return inner_->value(); }
  Status status() const override { return inner_->status(); }

 private:
  void Update() {
    if (inner_->Valid() && inner_->key().size() >= kInternalKeyTrailer) {
      Rewrite(inner_->key(), seq_, &key_);
    } else {
      key_.clear();
    }
  }

  std::unique_ptr<Iterator> inner_;
  const Comparator* const icmp_;
  const SequenceNumber seq_;
  std::string key_;
};

}  // namespace

std::unique_ptr<Iterator> NewIngestedTableIterator(std::unique_ptr<Iterator> inner,
                                                   const Comparator* icmp,
                                                   SequenceNumber global_seqno) {
  return std::make_unique<IngestedTableIterator>(std::move(inner), icmp, global_seqno);
}

bool IngestedLookup::Callback(void* self, std::string_view key, std::string_view value) {
  auto* l = static_cast<IngestedLookup*>(self);
  if (key.size() < kInternalKeyTrailer) {
    return l->found(l->arg, key, value);  // malformed: let the callback report it
  }
  const SequenceNumber lookup_seq = ExtractTrailer(l->lookup_key) >> 8;
  if (l->global_seqno > lookup_seq &&
      l->ucmp->Compare(ExtractUserKey(key), ExtractUserKey(l->lookup_key)) == 0) {
    return false;  // written after the sequence looked up at
  }
  Rewrite(key, l->global_seqno, &l->scratch);
  return l->found(l->arg, l->scratch, value);
}

}  // namespace strata
