// The parsed arguments of tail, apply and slot, and the function that runs each (tail.cc,
// apply.cc, slot.cc). Internal to the ctl library.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <ostream>
#include <string>

namespace strata::ctl {

struct LogArgs {
  std::string dir;
  std::optional<uint64_t> from;  // tail --from; slot create/advance SEQ
  bool follow = false;
  std::string slot;
  std::string format = "text";
  bool hex = false;
  std::string slot_action;     // create, advance, drop, list
  std::string merge_operator;  // apply: --merge_operator (add, append), "" for none
};

int RunTail(const LogArgs& a, std::ostream& out, std::ostream& err);
int RunApply(const LogArgs& a, std::istream& in, std::ostream& out, std::ostream& err);
int RunSlot(const LogArgs& a, std::ostream& out, std::ostream& err);

}  // namespace strata::ctl
