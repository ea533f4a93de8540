// NoSyncFileSystem: the POSIX file system with every fsync left out (WritableFile::Sync,
// SyncDir, and the directory syncs inside RenameFile, RemoveFile and CreateDir), for tests
// that simulate power loss with FaultInjectionFileSystem (which models durability itself)
// or never lose power at all, and would otherwise spend their time waiting for the disk.
// Nothing it writes is durable against a real crash of the machine.
//
// Thread safety: as FileSystem::Default().
#pragma once

#include <memory>

#include "strata/file_system.h"

namespace strata::test {

std::shared_ptr<FileSystem> NewNoSyncFileSystem();

}  // namespace strata::test
