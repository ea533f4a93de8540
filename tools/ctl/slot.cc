// strata_ctl slot: create, advance, drop and list log slots (strata/change_feed.h), on the
// files of the database directly.
#include "strata/change_feed.h"
#include "tools/ctl/commands.h"
#include "tools/ctl/ctl.h"
#include "tools/ctl/log_commands_impl.h"

namespace strata::ctl {

int RunSlot(const LogArgs& a, std::ostream& out, std::ostream& err) {
  Status s;
  if (a.slot_action == "create") {
    s = CreateLogSlot(a.dir, a.slot, *a.from);
  } else if (a.slot_action == "advance") {
    s = AdvanceLogSlot(a.dir, a.slot, *a.from);
  } else if (a.slot_action == "drop") {
    s = DropLogSlot(a.dir, a.slot);
  } else {
    std::vector<LogSlot> slots;
    s = ListLogSlots(a.dir, &slots);
    for (const LogSlot& slot : slots) {
      out << slot.name << " " << slot.sequence;
      if (slot.invalidated) out << " INVALIDATED: " << slot.invalidation;
      out << "\n";
    }
  }
  if (!s.ok()) {
    err << "strata_ctl: slot " << a.slot_action << (a.slot.empty() ? "" : " " + a.slot) << ": "
        << s.ToString() << "\n";
    return ExitStatusOf(s);
  }
  return kCtlOk;
}

}  // namespace strata::ctl
