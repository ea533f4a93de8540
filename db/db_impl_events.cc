// Telling the listeners (include/strata/listener.h) about write stalls (background errors:
// db_impl_error_recovery.cc). Listeners always run with mu_ released, as the header promises.
#include "db/db_impl.h"

namespace strata {

bool DBImpl::SetStallCondition(WriteStallCondition condition) {
  if (condition == stall_condition_) return false;
  WriteStallInfo info;
  info.db_name = dbname_;
  info.previous = stall_condition_;
  info.current = condition;
  stall_condition_ = condition;
  if (options_.listeners.empty()) return false;
  mu_.Unlock();
  NotifyListeners([&info](EventListener& l) { l.OnStallConditionsChanged(info); });
  mu_.Lock();
  return true;
}

}  // namespace strata
