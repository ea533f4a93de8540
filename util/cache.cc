// NewLRUCache: a Cache split into independently locked shards, each an LRU over its entries.
//
// An entry is one heap block: the Handle below followed by the key bytes. The shard of a key
// is chosen by the high bits of Hash64(key); within the shard, the low bits pick the home slot
// in an open-addressing table of (hash, entry) pairs, so Lookup and Release never allocate.
//
// Invariants, per shard, under its mutex:
// - An entry is "in the cache" (in_cache) exactly while it is in the shard's hash table. refs
//   counts one for being in the cache plus one per unreleased Handle; at zero it is freed.
// - An entry is on the LRU list iff in_cache && refs == 1, i.e. in the cache and pinned by
//   nobody. The list runs from the least (lru_.next) to the most (lru_.prev) recently
//   released entry. Pinned entries are never on it, so eviction never touches them.
// - usage_ is the total charge of the entries in the cache, pinned or not (an erased or
//   replaced entry stops counting even while a handle still pins it).
// - After every operation, usage_ <= capacity_ or the LRU list is empty: Insert evicts
//   unpinned entries from the cold end until the shard fits, and an entry unpinned while the
//   shard is over capacity leaves the cache at once instead of joining the list.
// - Deleters run after the shard's mutex is released (entries to free are collected in a
//   PendingFrees list), so a slow deleter, such as one closing a table file, does
//   not stall the shard, and a deleter may itself use the cache.
#include <atomic>
#include <cassert>
#include <cstring>
#include <memory>
#include <new>

#include "strata/cache.h"
#include "util/checksum.h"
#include "util/mutex.h"

namespace strata {

// The fields are guarded by the mutex of the entry's shard, except value, deleter, charge,
// hash and the key, which never change after Insert.
struct Cache::Handle {
  void* value;
  Deleter deleter;
  Handle* next_free;  // once out of the cache: the next entry to free (PendingFrees)
  Handle* prev;       // LRU list links, while on the list
  Handle* next;
  size_t charge;
  uint64_t hash;
  size_t key_size;
  uint32_t refs;
  bool in_cache;

  // The key bytes follow the Handle in the same allocation.
  std::string_view key() const {
    return std::string_view(reinterpret_cast<const char*>(this + 1), key_size);
  }
};

namespace {

using Handle = Cache::Handle;

// A new entry in the cache, referenced by the cache and by the handle Insert returns.
Handle* NewHandle(std::string_view key, uint64_t hash, void* value, size_t charge,
                  Cache::Deleter deleter) {
  void* mem = ::operator new(sizeof(Handle) + key.size());
  Handle* e = new (mem) Handle{};
  e->refs = 2;
  e->in_cache = true;
  e->value = value;
  e->deleter = deleter;
  e->charge = charge;
  e->hash = hash;
  e->key_size = key.size();
  if (!key.empty()) std::memcpy(e + 1, key.data(), key.size());
  return e;
}

// Entries to free once the shard's mutex is released, in the order they left the cache, linked
// through next_free. The destructor runs their deleters and frees them, so it is declared
// outside the scope that holds the lock.
class PendingFrees {
 public:
  PendingFrees() = default;
  PendingFrees(const PendingFrees&) = delete;
  PendingFrees& operator=(const PendingFrees&) = delete;
  ~PendingFrees() {
    for (Handle* e = head_; e != nullptr;) {
      Handle* next = e->next_free;
      if (e->deleter != nullptr) e->deleter(e->key(), e->value);
      e->~Handle();
      ::operator delete(e);
      e = next;
    }
  }

  void Add(Handle* e) {
    e->next_free = nullptr;
    *tail_ = e;
    tail_ = &e->next_free;
  }

 private:
  Handle* head_ = nullptr;
  Handle** tail_ = &head_;
};

// Open-addressing hash table (linear probing) of entries keyed by (hash, key). Each slot keeps
// its entry's hash beside the pointer, so a probe compares hashes inside the slot array and
// reads an entry only when its hash matches: a lookup that misses usually reads no entry and
// one that hits reads one. (A chained table read every entry on the chain, each a cache miss
// of its own: 70% of a lookup's time in a profile of 1 M random reads.) Not synchronised: the
// shard's mutex guards it. At most half full (grows by doubling, never shrinks); a removal
// shifts the later entries of its probe run back, so there are no tombstones.
class HandleTable {
 public:
  HandleTable() : slots_(new Slot[kInitialSlots]()), mask_(kInitialSlots - 1) {}
  HandleTable(const HandleTable&) = delete;
  HandleTable& operator=(const HandleTable&) = delete;

  Handle* Lookup(std::string_view key, uint64_t hash) const {
    return slots_[FindIndex(key, hash)].e;
  }

  // Adds e and returns the entry of the same key that it displaced (now out of the table), or
  // null.
  Handle* Insert(Handle* e) {
    const size_t i = FindIndex(e->key(), e->hash);
    Handle* old = slots_[i].e;
    slots_[i] = Slot{e->hash, e};
    if (old == nullptr && ++size_ * 2 > mask_ + 1) Grow();
    return old;
  }

  // Takes the entry for key out of the table and returns it, or null if there is none.
  Handle* Remove(std::string_view key, uint64_t hash) {
    const size_t i = FindIndex(key, hash);
    Handle* e = slots_[i].e;
    if (e != nullptr) {
      EraseAt(i);
      --size_;
    }
    return e;
  }

  // Calls f(e) on every entry and empties the table.
  template <class F>
  void RemoveAll(F f) {
    for (size_t i = 0; i <= mask_; i++) {
      if (Handle* e = slots_[i].e) {
        slots_[i] = Slot{};
        f(e);
      }
    }
    size_ = 0;
  }

 private:
  static constexpr size_t kInitialSlots = 32;

  struct Slot {
    uint64_t hash;
    Handle* e;  // null: the slot is empty
  };

  // The slot holding key's entry, or the empty slot that ends its probe run.
  size_t FindIndex(std::string_view key, uint64_t hash) const {
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.e == nullptr || (s.hash == hash && s.e->key() == key)) return i;
    }
  }

  // Empties slot i without breaking a probe run: each later entry of the run that may live at
  // the hole (its home slot is not cyclically within (hole, its slot]) moves there, leaving a
  // new hole, until an empty slot ends the run.
  void EraseAt(size_t hole) {
    for (size_t j = (hole + 1) & mask_; slots_[j].e != nullptr; j = (j + 1) & mask_) {
      const size_t home = slots_[j].hash & mask_;
      const bool home_in_between =
          hole < j ? (home > hole && home <= j) : (home > hole || home <= j);
      if (!home_in_between) {
        slots_[hole] = slots_[j];
        hole = j;
      }
    }
    slots_[hole] = Slot{};
  }

  void Grow() {
    const size_t n = (mask_ + 1) * 2;
    std::unique_ptr<Slot[]> slots(new Slot[n]());  // first: a failed allocation changes nothing
    for (size_t i = 0; i <= mask_; i++) {
      if (slots_[i].e == nullptr) continue;
      size_t j = slots_[i].hash & (n - 1);
      while (slots[j].e != nullptr) j = (j + 1) & (n - 1);
      slots[j] = slots_[i];
    }
    slots_ = std::move(slots);
    mask_ = n - 1;
  }

  std::unique_ptr<Slot[]> slots_;
  size_t mask_;  // the slot count (a power of two) less one
  size_t size_ = 0;
};

// One shard: an LRU cache of its own capacity. Aligned to a cache line so that shards locked
// by different threads do not share one.
class alignas(64) LRUShard {
 public:
  LRUShard() {
    lru_.next = &lru_;
    lru_.prev = &lru_;
  }
  LRUShard(const LRUShard&) = delete;
  LRUShard& operator=(const LRUShard&) = delete;

  // REQUIRES: no handle of this shard is outstanding.
  ~LRUShard() {
    PendingFrees pending;
    table_.RemoveAll([&](Handle* e) {
      assert(e->refs == 1 && "cache destroyed with an unreleased handle");
      e->in_cache = false;
      e->refs = 0;
      pending.Add(e);
    });
  }

  // Called once, before the shard is shared between threads.
  void set_capacity(size_t capacity) { capacity_ = capacity; }

  // With only_if_room, inserts nothing and returns null unless charge more bytes fit
  // without evicting (the shard's share of Cache::InsertIfRoom), decided under the same lock
  // as the insert; the entry is then allocated under it, as a refusal allocates nothing.
  Handle* Insert(std::string_view key, uint64_t hash, void* value, size_t charge,
                 Cache::Deleter deleter, bool only_if_room = false) EXCLUDES(mu_) {
    Handle* e = only_if_room ? nullptr : NewHandle(key, hash, value, charge, deleter);
    PendingFrees to_free;
    {
      MutexLock lock(&mu_);
      if (only_if_room) {
        if (usage_ + charge > capacity_) return nullptr;
        e = NewHandle(key, hash, value, charge, deleter);
      }
      usage_ += charge;
      if (Handle* old = table_.Insert(e)) LeaveCache(old, &to_free);
      EvictToFit(&to_free);
    }
    return e;
  }

  Handle* Lookup(std::string_view key, uint64_t hash) EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    Handle* e = table_.Lookup(key, hash);
    if (e == nullptr) {
      CountUnderLock(misses_);
      return nullptr;
    }
    CountUnderLock(hits_);
    if (e->refs == 1) LruRemove(e);
    e->refs++;
    return e;
  }

  void Release(Handle* e) EXCLUDES(mu_) {
    PendingFrees to_free;
    {
      MutexLock lock(&mu_);
      assert(e->refs > (e->in_cache ? 1u : 0u));
      if (e->in_cache && e->refs == 2 && usage_ > capacity_) {
        // The last pin goes while the shard is over capacity, so the LRU list is empty: this
        // entry is the one to evict, straight from pinned to gone.
        Handle* removed = table_.Remove(e->key(), e->hash);
        assert(removed == e);
        (void)removed;
        e->in_cache = false;
        usage_ -= e->charge;
        e->refs = 0;
        to_free.Add(e);
      } else {
        Unref(e, &to_free);
        if (e->in_cache && e->refs == 1) LruAppend(e);  // the last pin is gone
      }
    }
  }

  void Erase(std::string_view key, uint64_t hash) EXCLUDES(mu_) {
    PendingFrees to_free;
    {
      MutexLock lock(&mu_);
      if (Handle* e = table_.Remove(key, hash)) LeaveCache(e, &to_free);
    }
  }

  size_t usage() const EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    return usage_;
  }
  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  void LruRemove(Handle* e) REQUIRES(mu_) {
    e->prev->next = e->next;
    e->next->prev = e->prev;
    e->prev = e->next = nullptr;
  }
  // As the most recently used.
  void LruAppend(Handle* e) REQUIRES(mu_) {
    e->next = &lru_;
    e->prev = lru_.prev;
    e->prev->next = e;
    lru_.prev = e;
  }

  // Drops one reference; an entry left with none joins to_free.
  void Unref(Handle* e, PendingFrees* to_free) REQUIRES(mu_) {
    if (--e->refs == 0) {
      assert(!e->in_cache);
      to_free->Add(e);
    }
  }

  // e was just taken out of table_: it stops counting, leaves the LRU list if it was on it,
  // and loses the cache's reference.
  void LeaveCache(Handle* e, PendingFrees* to_free) REQUIRES(mu_) {
    assert(e->in_cache);
    if (e->refs == 1) LruRemove(e);
    e->in_cache = false;
    usage_ -= e->charge;
    Unref(e, to_free);
  }

  void EvictToFit(PendingFrees* to_free) REQUIRES(mu_) {
    while (usage_ > capacity_ && lru_.next != &lru_) {
      Handle* victim = lru_.next;
      Handle* removed = table_.Remove(victim->key(), victim->hash);
      assert(removed == victim);
      (void)removed;
      LeaveCache(victim, to_free);
    }
  }

  mutable Mutex mu_;
  size_t capacity_ = 0;  // set before sharing, then read-only
  size_t usage_ GUARDED_BY(mu_) = 0;
  Handle lru_ GUARDED_BY(mu_){};  // list head; only prev and next are used
  HandleTable table_ GUARDED_BY(mu_);
  // Counted under mu_ (so a plain load and store, no locked instruction), read without it.
  static void CountUnderLock(std::atomic<uint64_t>& n) {
    n.store(n.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
};

constexpr int kMaxShardBits = 16;
// NewLRUCache with a negative num_shard_bits keeps at least this much per shard, and at most
// 2^kMaxAutoShardBits shards.
constexpr size_t kMinAutoShardCapacity = 512 << 10;
constexpr int kMaxAutoShardBits = 6;

class ShardedLRUCache final : public Cache {
 public:
  ShardedLRUCache(size_t capacity, int num_shard_bits)
      : capacity_(capacity),
        shard_bits_(num_shard_bits),
        shards_(new LRUShard[size_t{1} << num_shard_bits]) {
    // Split the capacity exactly: the first (capacity mod n) shards get one unit more.
    const size_t n = size_t{1} << num_shard_bits;
    for (size_t i = 0; i < n; i++) {
      shards_[i].set_capacity(capacity / n + (i < capacity % n ? 1 : 0));
    }
  }

  Handle* Insert(std::string_view key, void* value, size_t charge, Deleter deleter) override {
    const uint64_t hash = Hash64(key);
    return ShardOf(hash).Insert(key, hash, value, charge, deleter);
  }
  Handle* InsertIfRoom(std::string_view key, void* value, size_t charge, Deleter deleter) override {
    const uint64_t hash = Hash64(key);
    return ShardOf(hash).Insert(key, hash, value, charge, deleter, /*only_if_room=*/true);
  }
  Handle* Lookup(std::string_view key) override {
    const uint64_t hash = Hash64(key);
    return ShardOf(hash).Lookup(key, hash);
  }
  void Release(Handle* handle) override { ShardOf(handle->hash).Release(handle); }
  void* Value(Handle* handle) override { return handle->value; }
  void Erase(std::string_view key) override {
    const uint64_t hash = Hash64(key);
    ShardOf(hash).Erase(key, hash);
  }
  uint64_t NewId() override { return next_id_.fetch_add(1, std::memory_order_relaxed) + 1; }

  size_t capacity() const override { return capacity_; }
  size_t usage() const override {
    size_t total = 0;
    for (size_t i = 0; i < num_shards(); i++) total += shards_[i].usage();
    return total;
  }
  uint64_t hits() const override {
    uint64_t total = 0;
    for (size_t i = 0; i < num_shards(); i++) total += shards_[i].hits();
    return total;
  }
  uint64_t misses() const override {
    uint64_t total = 0;
    for (size_t i = 0; i < num_shards(); i++) total += shards_[i].misses();
    return total;
  }

 private:
  size_t num_shards() const { return size_t{1} << shard_bits_; }
  LRUShard& ShardOf(uint64_t hash) const {
    return shards_[shard_bits_ == 0 ? 0 : hash >> (64 - shard_bits_)];
  }

  const size_t capacity_;
  const int shard_bits_;
  const std::unique_ptr<LRUShard[]> shards_;
  std::atomic<uint64_t> next_id_{0};
};

}  // namespace

std::shared_ptr<Cache> NewLRUCache(size_t capacity, int num_shard_bits) {
  if (num_shard_bits < 0) {
    num_shard_bits = 0;
    while (num_shard_bits < kMaxAutoShardBits &&
           capacity >> (num_shard_bits + 1) >= kMinAutoShardCapacity) {
      num_shard_bits++;
    }
  }
  if (num_shard_bits > kMaxShardBits) num_shard_bits = kMaxShardBits;
  return std::make_shared<ShardedLRUCache>(capacity, num_shard_bits);
}

}  // namespace strata
