// Telling the listeners (include/strata/listener.h) about background errors and write
// stalls. Listeners always run with mu_ released, as the header promises.
#include "db/db_impl.h"

namespace strata {

void DBImpl::SetBackgroundError(const Status& s, const char* what) {
  if (s.ok() || !bg_error_.ok()) return;
  bg_error_ = s;
  info_log_->Log("%s failed, writes stopped until reopen: %s", what, s.ToString().c_str());
  if (options_.listeners.empty()) return;
  error_reported_ = true;
  mu_.Unlock();
  NotifyListeners([&s](EventListener& l) { l.OnBackgroundError(s); });
  mu_.Lock();
}

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
