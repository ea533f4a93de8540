// The C API (include/strata/c.h): thin wrappers that translate C arguments to the C++ API and
// Status to error strings. No engine logic lives here.
#include "strata/c.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "strata/cache.h"
#include "strata/db.h"
#include "strata/options.h"
#include "strata/write_batch.h"

using strata::Status;

struct strata_t {
  std::unique_ptr<strata::DB> db;
};
struct strata_iterator_t {
  std::unique_ptr<strata::Iterator> it;
};
struct strata_writebatch_t {
  strata::WriteBatch rep;
};
struct strata_snapshot_t {
  const strata::Snapshot* rep;
};
struct strata_options_t {
  strata::Options rep;
};
struct strata_readoptions_t {
  strata::ReadOptions rep;
};
struct strata_writeoptions_t {
  strata::WriteOptions rep;
};
struct strata_cache_t {
  std::shared_ptr<strata::Cache> rep;
};

namespace {

// A malloc'd copy, so that strata_free (free) releases it.
char* CopyOut(std::string_view bytes, bool nul_terminate) {
  char* out = static_cast<char*>(std::malloc(bytes.size() + (nul_terminate ? 1 : 0)));
  if (out == nullptr) return nullptr;
  if (!bytes.empty()) std::memcpy(out, bytes.data(), bytes.size());
  if (nul_terminate) out[bytes.size()] = '\0';
  return out;
}

// Reports s through errptr as c.h describes; true if s is an error.
bool SaveError(char** errptr, const Status& s) {
  if (s.ok()) return false;
  if (errptr != nullptr) {
    std::free(*errptr);
    *errptr = CopyOut(s.ToString(), true);
  }
  return true;
}

std::string_view Bytes(const char* p, size_t n) {
  return n == 0 ? std::string_view() : std::string_view(p, n);
}

}  // namespace

extern "C" {

strata_t* strata_open(const strata_options_t* options, const char* name, char** errptr) {
  std::unique_ptr<strata::DB> db;
  if (SaveError(errptr, strata::DB::Open(options->rep, name, &db))) return nullptr;
  return new strata_t{std::move(db)};
}

void strata_close(strata_t* db) { delete db; }

void strata_put(strata_t* db, const strata_writeoptions_t* options, const char* key, size_t keylen,
                const char* val, size_t vallen, char** errptr) {
  SaveError(errptr, db->db->Put(options->rep, Bytes(key, keylen), Bytes(val, vallen)));
}

void strata_delete(strata_t* db, const strata_writeoptions_t* options, const char* key,
                   size_t keylen, char** errptr) {
  SaveError(errptr, db->db->Delete(options->rep, Bytes(key, keylen)));
}

void strata_write(strata_t* db, const strata_writeoptions_t* options, strata_writebatch_t* batch,
                  char** errptr) {
  SaveError(errptr, db->db->Write(options->rep, &batch->rep));
}

char* strata_get(strata_t* db, const strata_readoptions_t* options, const char* key, size_t keylen,
                 size_t* vallen, char** errptr) {
  std::string value;
  Status s = db->db->Get(options->rep, Bytes(key, keylen), &value);
  *vallen = 0;
  if (s.IsNotFound()) return nullptr;
  if (SaveError(errptr, s)) return nullptr;
  *vallen = value.size();
  return CopyOut(value, false);
}

strata_iterator_t* strata_create_iterator(strata_t* db, const strata_readoptions_t* options) {
  return new strata_iterator_t{db->db->NewIterator(options->rep)};
}

const strata_snapshot_t* strata_create_snapshot(strata_t* db) {
  return new strata_snapshot_t{db->db->GetSnapshot()};
}

void strata_release_snapshot(strata_t* db, const strata_snapshot_t* snapshot) {
  db->db->ReleaseSnapshot(snapshot->rep);
  delete snapshot;
}

char* strata_property_value(strata_t* db, const char* propname) {
  std::string value;
  if (!db->db->GetProperty(propname, &value)) return nullptr;
  return CopyOut(value, true);
}

void strata_compact_range(strata_t* db, const char* start_key, size_t start_key_len,
                          const char* limit_key, size_t limit_key_len) {
  char* err = nullptr;
  strata_compact_range_err(db, start_key, start_key_len, limit_key, limit_key_len, &err);
  std::free(err);
}

void strata_compact_range_err(strata_t* db, const char* start_key, size_t start_key_len,
                              const char* limit_key, size_t limit_key_len, char** errptr) {
  std::string_view begin = Bytes(start_key, start_key_len);
  std::string_view end = Bytes(limit_key, limit_key_len);
  SaveError(errptr, db->db->CompactRange(start_key ? &begin : nullptr, limit_key ? &end : nullptr));
}

void strata_flush(strata_t* db, char** errptr) { SaveError(errptr, db->db->Flush()); }

void strata_sync_wal(strata_t* db, char** errptr) { SaveError(errptr, db->db->SyncWAL()); }

void strata_destroy_db(const strata_options_t* options, const char* name, char** errptr) {
  SaveError(errptr, strata::DestroyDB(name, options->rep));
}

void strata_iter_destroy(strata_iterator_t* iter) { delete iter; }
unsigned char strata_iter_valid(const strata_iterator_t* iter) { return iter->it->Valid(); }
void strata_iter_seek_to_first(strata_iterator_t* iter) { iter->it->SeekToFirst(); }
void strata_iter_seek_to_last(strata_iterator_t* iter) { iter->it->SeekToLast(); }
void strata_iter_seek(strata_iterator_t* iter, const char* k, size_t klen) {
  iter->it->Seek(Bytes(k, klen));
}
void strata_iter_next(strata_iterator_t* iter) { iter->it->Next(); }
void strata_iter_prev(strata_iterator_t* iter) { iter->it->Prev(); }

const char* strata_iter_key(const strata_iterator_t* iter, size_t* klen) {
  std::string_view k = iter->it->key();
  *klen = k.size();
  return k.data();
}

const char* strata_iter_value(const strata_iterator_t* iter, size_t* vlen) {
  std::string_view v = iter->it->value();
  *vlen = v.size();
  return v.data();
}

void strata_iter_get_error(const strata_iterator_t* iter, char** errptr) {
  SaveError(errptr, iter->it->status());
}

strata_writebatch_t* strata_writebatch_create(void) { return new strata_writebatch_t; }
void strata_writebatch_destroy(strata_writebatch_t* batch) { delete batch; }
void strata_writebatch_clear(strata_writebatch_t* batch) { batch->rep.Clear(); }
void strata_writebatch_put(strata_writebatch_t* batch, const char* key, size_t klen,
                           const char* val, size_t vlen) {
  batch->rep.Put(Bytes(key, klen), Bytes(val, vlen));
}
void strata_writebatch_delete(strata_writebatch_t* batch, const char* key, size_t klen) {
  batch->rep.Delete(Bytes(key, klen));
}

void strata_writebatch_merge(strata_writebatch_t* batch, const char* key, size_t klen,
                             const char* operand, size_t olen) {
  batch->rep.Merge(Bytes(key, klen), Bytes(operand, olen));
}
void strata_writebatch_delete_range(strata_writebatch_t* batch, const char* begin, size_t blen,
                                    const char* end, size_t elen) {
  batch->rep.DeleteRange(Bytes(begin, blen), Bytes(end, elen));
}

void strata_writebatch_iterate(const strata_writebatch_t* batch, void* state,
                               void (*put)(void*, const char*, size_t, const char*, size_t),
                               void (*deleted)(void*, const char*, size_t)) {
  strata_writebatch_iterate_all(batch, state, put, deleted, nullptr, nullptr);
}

void strata_writebatch_iterate_all(const strata_writebatch_t* batch, void* state,
                                   void (*put)(void*, const char*, size_t, const char*, size_t),
                                   void (*deleted)(void*, const char*, size_t),
                                   void (*merge)(void*, const char*, size_t, const char*, size_t),
                                   void (*delete_range)(void*, const char*, size_t, const char*,
                                                        size_t)) {
  // A null merge or delete_range callback skips those operations (strata_writebatch_iterate).
  class CallbackHandler : public strata::WriteBatch::Handler {
   public:
    CallbackHandler(void* state, decltype(put) put_fn, decltype(deleted) delete_fn,
                    decltype(merge) merge_fn, decltype(delete_range) range_fn)
        : state_(state), put_(put_fn), delete_(delete_fn), merge_(merge_fn), range_(range_fn) {}
    void Put(std::string_view key, std::string_view value) override {
      put_(state_, key.data(), key.size(), value.data(), value.size());
    }
    void Delete(std::string_view key) override { delete_(state_, key.data(), key.size()); }
    void Merge(std::string_view key, std::string_view operand) override {
      if (merge_ != nullptr) merge_(state_, key.data(), key.size(), operand.data(), operand.size());
    }
    void DeleteRange(std::string_view begin, std::string_view end) override {
      if (range_ != nullptr) range_(state_, begin.data(), begin.size(), end.data(), end.size());
    }

   private:
    void* state_;
    decltype(put) put_;
    decltype(deleted) delete_;
    decltype(merge) merge_;
    decltype(delete_range) range_;
  };
  CallbackHandler handler(state, put, deleted, merge, delete_range);
  // A batch built through this API is always well formed, so there is no error to report.
  batch->rep.Iterate(&handler).PermitUncheckedError();
}

void strata_writebatch_append(strata_writebatch_t* destination, const strata_writebatch_t* source) {
  destination->rep.Append(source->rep);
}

strata_options_t* strata_options_create(void) { return new strata_options_t; }
void strata_options_destroy(strata_options_t* options) { delete options; }
void strata_options_set_create_if_missing(strata_options_t* o, unsigned char v) {
  o->rep.create_if_missing = v;
}
void strata_options_set_error_if_exists(strata_options_t* o, unsigned char v) {
  o->rep.error_if_exists = v;
}
void strata_options_set_paranoid_checks(strata_options_t* o, unsigned char v) {
  o->rep.paranoid_checks = v;
}
void strata_options_set_write_buffer_size(strata_options_t* o, size_t v) {
  o->rep.write_buffer_size = v;
}
void strata_options_set_max_open_files(strata_options_t* o, int v) { o->rep.max_open_files = v; }
void strata_options_set_cache(strata_options_t* o, strata_cache_t* cache) {
  o->rep.block_cache = cache ? cache->rep : nullptr;
}
void strata_options_set_block_size(strata_options_t* o, size_t v) { o->rep.block_size = v; }
void strata_options_set_block_restart_interval(strata_options_t* o, int v) {
  o->rep.block_restart_interval = v;
}
void strata_options_set_index_block_restart_interval(strata_options_t* o, int v) {
  o->rep.index_block_restart_interval = v;
}
void strata_options_set_max_file_size(strata_options_t* o, size_t v) {
  o->rep.target_file_size_base = v;
}
void strata_options_set_bloom_bits_per_key(strata_options_t* o, int v) {
  o->rep.bloom_bits_per_key = v;
}
void strata_options_set_max_background_jobs(strata_options_t* o, int v) {
  o->rep.max_background_jobs = v;
}
void strata_options_set_compression(strata_options_t* o, int v) {
  // An unknown value is stored as is so that Options::Validate names it at open.
  o->rep.compression = static_cast<strata::CompressionType>(v);
}

strata_readoptions_t* strata_readoptions_create(void) { return new strata_readoptions_t; }
void strata_readoptions_destroy(strata_readoptions_t* o) { delete o; }
void strata_readoptions_set_verify_checksums(strata_readoptions_t* o, unsigned char v) {
  o->rep.verify_checksums = v;
}
void strata_readoptions_set_fill_cache(strata_readoptions_t* o, unsigned char v) {
  o->rep.fill_cache = v;
}
void strata_readoptions_set_readahead_size(strata_readoptions_t* o, size_t v) {
  o->rep.readahead_size = v;
}
void strata_readoptions_set_snapshot(strata_readoptions_t* o, const strata_snapshot_t* snap) {
  o->rep.snapshot = snap ? snap->rep : nullptr;
}

strata_writeoptions_t* strata_writeoptions_create(void) { return new strata_writeoptions_t; }
void strata_writeoptions_destroy(strata_writeoptions_t* o) { delete o; }
void strata_writeoptions_set_sync(strata_writeoptions_t* o, unsigned char v) { o->rep.sync = v; }

strata_cache_t* strata_cache_create_lru(size_t capacity) {
  return new strata_cache_t{strata::NewLRUCache(capacity)};
}
void strata_cache_destroy(strata_cache_t* cache) { delete cache; }

void strata_free(void* ptr) { std::free(ptr); }

int strata_major_version(void) { return STRATA_VERSION_MAJOR; }
int strata_minor_version(void) { return STRATA_VERSION_MINOR; }

}  // extern "C"
