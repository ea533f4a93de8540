#include "db/dbformat.h"

#include <cstring>

namespace strata {

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
