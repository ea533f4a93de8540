#include "db/db_impl.h"

namespace strata {

Status DBImpl::GetApproximateSizes(std::span<const Range>, std::vector<uint64_t>*, bool) {
  return Status::NotSupported("not yet");
}
void DBImpl::MultiGet(const ReadOptions&, std::span<const std::string_view>,
                      std::vector<std::string>*, std::vector<Status>*) {}

}  // namespace strata
