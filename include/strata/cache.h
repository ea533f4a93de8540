// Cache: a bounded map from byte-string keys to opaque values, evicting the least recently
// used unpinned entries. Used for uncompressed table blocks; one cache may be shared by
// several databases (Options::block_cache).
//
// Thread safety: every method may be called from any thread.
// Lifetime: a Handle pins its entry (it is not freed, even if erased or evicted) until
// Release; the cache must outlive every handle. Values are freed by their deleter once the
// entry is both out of the cache and unpinned.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace strata {

class Cache {
 public:
  struct Handle;  // opaque
  using Deleter = void (*)(std::string_view key, void* value);

  Cache() = default;
  Cache(const Cache&) = delete;
  Cache& operator=(const Cache&) = delete;
  // REQUIRES: no handle is outstanding.
  virtual ~Cache() = default;

  // Inserts key → value, replacing any entry of the same key, and returns a handle to the
  // new entry. charge counts against the capacity. The entry may be evicted at once if it
  // does not fit, but the returned handle keeps it usable.
  virtual Handle* Insert(std::string_view key, void* value, size_t charge, Deleter deleter) = 0;
  // A handle to the entry for key, or null.
  virtual Handle* Lookup(std::string_view key) = 0;
  // REQUIRES: handle came from this cache and has not been released.
  virtual void Release(Handle* handle) = 0;
  // REQUIRES: handle is unreleased.
  virtual void* Value(Handle* handle) = 0;
  // Drops the entry for key (still pinned entries live on until released).
  virtual void Erase(std::string_view key) = 0;
  // A number unique within this cache, for clients sharing it to prefix their keys.
  virtual uint64_t NewId() = 0;

  virtual size_t capacity() const = 0;
  // Total charge of the entries held (pinned ones included).
  virtual size_t usage() const = 0;
  // Lookups that found / did not find their key, since creation.
  virtual uint64_t hits() const = 0;
  virtual uint64_t misses() const = 0;

  // As Insert, but only while the entry fits beside the present ones: when it would push one
  // out, returns null and the caller keeps value (the deleter is not called). For reads that
  // may use spare room but should not evict what other reads rely on (long scans, and blocks
  // not admitted by the block admission policy, sstable/block_admission.h). The
  // sharded LRU cache checks the key's shard and inserts under the same lock; the default
  // asks usage() and capacity() first, not atomically with the insert, so a concurrent
  // Insert may still leave it evicting.
  // (Declared last so that adding it left the other virtual functions where they were.)
  virtual Handle* InsertIfRoom(std::string_view key, void* value, size_t charge, Deleter deleter) {
    if (usage() + charge > capacity()) return nullptr;
    return Insert(key, value, charge, deleter);
  }
};

// An LRU cache split into 2^num_shard_bits independently locked shards (negative: chosen
// from the capacity, at most 64 shards).
std::shared_ptr<Cache> NewLRUCache(size_t capacity, int num_shard_bits = -1);

}  // namespace strata
