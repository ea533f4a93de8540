#include "keys/internal_key.h"

#include <cstring>

#include "util/escape.h"

namespace strata {

std::string InternalKeyDebugString(std::string_view ikey) {
  ParsedInternalKey k;
  std::string r;
  if (!ParseInternalKey(ikey, &k)) {
    r = EscapeBytes(ikey);
    r.append(" (bad internal key)");
    return r;
  }
  r.push_back('\'');
  r.append(EscapeBytes(k.user_key));
  r.append("' @ ");
  r.append(std::to_string(k.sequence));
  r.append(" : ");
  r.append(ValueTypeName(k.type));
  return r;
}

void InternalKeyComparator::FindShortestSeparator(std::string* start,
                                                  std::string_view limit) const {
  std::string_view user_start = ExtractUserKey(*start);
  std::string_view user_limit = ExtractUserKey(limit);
  std::string tmp(user_start);
  user_->FindShortestSeparator(&tmp, user_limit);
  if (tmp.size() < user_start.size() && user_->Compare(user_start, tmp) < 0) {
    // A physically shorter but logically larger user key: the earliest trailer keeps it
    // before every entry of that user key.
    PutFixed64(&tmp, PackSequenceAndType(kMaxSequenceNumber, kValueTypeForSeek));
    start->swap(tmp);
  }
}

void InternalKeyComparator::FindShortSuccessor(std::string* key) const {
  std::string_view user_key = ExtractUserKey(*key);
  std::string tmp(user_key);
  user_->FindShortSuccessor(&tmp);
  if (tmp.size() < user_key.size() && user_->Compare(user_key, tmp) < 0) {
    PutFixed64(&tmp, PackSequenceAndType(kMaxSequenceNumber, kValueTypeForSeek));
    key->swap(tmp);
  }
}

LookupKey::LookupKey(std::string_view user_key, SequenceNumber snapshot) {
  size_t ikey_len = user_key.size() + kInternalKeyTrailer;
  size_t needed = ikey_len + kMaxVarint32Bytes;
  start_ = needed <= sizeof space_ ? space_ : new char[needed];
  kstart_ = EncodeVarint32(start_, static_cast<uint32_t>(ikey_len));
  std::memcpy(kstart_, user_key.data(), user_key.size());
  EncodeFixed64(kstart_ + user_key.size(), PackSequenceAndType(snapshot, kValueTypeForSeek));
  end_ = kstart_ + ikey_len;
}

}  // namespace strata
