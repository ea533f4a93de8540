// Log slots on disk: one file per slot in the directory slots/ of a database (the public
// functions are declared in strata/change_feed.h). This header adds what only the owner of
// the database does: invalidating a slot that fell too far behind.
//
// Files (docs/FORMATS.md, "Log slots"):
//   slots/NAME          the slot's position, written temp + sync + rename by its consumer
//   slots/NAME.invalid  why the owner invalidated it (text), written temp + sync + rename
//   slots/*.tmp         a file being written; never read
// A consumer and the owner never write the same file, so neither can undo the other's
// update: an invalidated slot stays invalidated however its consumer advances it.
//
// Thread safety: the functions keep no state; concurrent calls on different slots are safe.
#pragma once

#include <string>

#include "strata/change_feed.h"
#include "strata/file_system.h"

namespace strata {

std::string LogSlotDir(const std::string& dbname);

// Marks the slot invalidated with reason (kept in slots/NAME.invalid).
Status InvalidateLogSlot(FileSystem* fs, const std::string& dbname, const std::string& name,
                         const std::string& reason);

// Removes every slot file and the slots directory (DestroyDB). OK if there is none.
Status RemoveLogSlots(FileSystem* fs, const std::string& dbname);

// The slot's status as the feed reports it: OK, or NotFound naming the slot and why it is
// gone (dropped, or invalidated and why).
Status LogSlotUsable(FileSystem* fs, const std::string& dbname, const std::string& name);

}  // namespace strata
