/* Strata's C API: the database from C and from any language with a C foreign-function
 * interface. It has the shape of LevelDB's C API, so a LevelDB C user switches by replacing
 * the prefix leveldb_ with strata_ (custom comparators, filter policies, environments and
 * loggers are not offered here; use the C++ API for those).
 *
 * Conventions:
 * - Objects are opaque pointers made by a strata_*_create (or strata_open) call and freed by
 *   the matching strata_*_destroy (or strata_close). Each object is used by one thread at a
 *   time, except strata_t, whose calls may run concurrently from any threads (as DB's).
 * - Keys and values are byte arrays with explicit lengths; they may contain zero bytes.
 * - Errors: a call that can fail takes `char** errptr`. *errptr must be NULL or a string an
 *   earlier call put there. On success *errptr is left untouched. On failure the call frees
 *   any string already in *errptr (with strata_free) and stores a new NUL-terminated message,
 *   e.g. "IO error: ...", which the caller frees with strata_free. So one `char* err = NULL`
 *   can serve several calls, checked after each.
 * - Memory the library returns (strata_get's value, strata_property_value's text, error
 *   strings) is freed by the caller with strata_free, never with anything else.
 * - Memory the library lends (strata_iter_key, strata_iter_value) stays valid until the
 *   iterator moves or is destroyed; do not free it.
 * - Booleans are unsigned char: 0 is false, anything else true.
 * - Destruction order: iterators, then snapshots (released through strata_release_snapshot),
 *   before strata_close. Options objects may be destroyed as soon as the call that used them
 *   returns; a cache must outlive every database opened with it.
 */
#ifndef STRATA_C_H_
#define STRATA_C_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define STRATA_EXPORT __attribute__((visibility("default")))
#else
#define STRATA_EXPORT
#endif

typedef struct strata_t strata_t;
typedef struct strata_cache_t strata_cache_t;
typedef struct strata_iterator_t strata_iterator_t;
typedef struct strata_options_t strata_options_t;
typedef struct strata_readoptions_t strata_readoptions_t;
typedef struct strata_snapshot_t strata_snapshot_t;
typedef struct strata_writebatch_t strata_writebatch_t;
typedef struct strata_writeoptions_t strata_writeoptions_t;

/* ---- The database ----------------------------------------------------------------------- */

/* The open database, or NULL with *errptr set (a bad option, a database in use by another
 * process or handle, damage, missing and create_if_missing unset...). */
STRATA_EXPORT strata_t* strata_open(const strata_options_t* options, const char* name,
                                    char** errptr);
/* Closes and frees db. NULL is allowed. */
STRATA_EXPORT void strata_close(strata_t* db);

STRATA_EXPORT void strata_put(strata_t* db, const strata_writeoptions_t* options, const char* key,
                              size_t keylen, const char* val, size_t vallen, char** errptr);
STRATA_EXPORT void strata_delete(strata_t* db, const strata_writeoptions_t* options,
                                 const char* key, size_t keylen, char** errptr);
/* Applies the batch atomically. The batch stays the caller's. */
STRATA_EXPORT void strata_write(strata_t* db, const strata_writeoptions_t* options,
                                strata_writebatch_t* batch, char** errptr);

/* The value of key in a new buffer of *vallen bytes (free it with strata_free; it is not
 * NUL-terminated), or NULL: if the key is absent (*errptr untouched, *vallen 0) or on error
 * (*errptr set). */
STRATA_EXPORT char* strata_get(strata_t* db, const strata_readoptions_t* options, const char* key,
                               size_t keylen, size_t* vallen, char** errptr);

/* A new iterator, unpositioned; destroy it with strata_iter_destroy before closing db. */
STRATA_EXPORT strata_iterator_t* strata_create_iterator(strata_t* db,
                                                        const strata_readoptions_t* options);

/* A snapshot of the current state, for strata_readoptions_set_snapshot. Release it (once)
 * with strata_release_snapshot before closing db. */
STRATA_EXPORT const strata_snapshot_t* strata_create_snapshot(strata_t* db);
STRATA_EXPORT void strata_release_snapshot(strata_t* db, const strata_snapshot_t* snapshot);

/* The text of a property (see DB::GetProperty, e.g. "strata.stats") as a NUL-terminated
 * string to free with strata_free, or NULL if the name is unknown. */
STRATA_EXPORT char* strata_property_value(strata_t* db, const char* propname);

/* Compacts the keys in [start, limit]; a NULL start or limit means unbounded. Errors are
 * dropped, as in LevelDB; strata_compact_range_err reports them. */
STRATA_EXPORT void strata_compact_range(strata_t* db, const char* start_key, size_t start_key_len,
                                        const char* limit_key, size_t limit_key_len);
STRATA_EXPORT void strata_compact_range_err(strata_t* db, const char* start_key,
                                            size_t start_key_len, const char* limit_key,
                                            size_t limit_key_len, char** errptr);
/* Writes the memtables to tables (DB::Flush). */
STRATA_EXPORT void strata_flush(strata_t* db, char** errptr);
/* Makes every acknowledged write durable (DB::SyncWAL). */
STRATA_EXPORT void strata_sync_wal(strata_t* db, char** errptr);

/* Deletes the database in name (it must not be open). */
STRATA_EXPORT void strata_destroy_db(const strata_options_t* options, const char* name,
                                     char** errptr);

/* ---- Iterators -------------------------------------------------------------------------- */

STRATA_EXPORT void strata_iter_destroy(strata_iterator_t* iter);
STRATA_EXPORT unsigned char strata_iter_valid(const strata_iterator_t* iter);
STRATA_EXPORT void strata_iter_seek_to_first(strata_iterator_t* iter);
STRATA_EXPORT void strata_iter_seek_to_last(strata_iterator_t* iter);
/* To the first key >= k. */
STRATA_EXPORT void strata_iter_seek(strata_iterator_t* iter, const char* k, size_t klen);
/* REQUIRES: strata_iter_valid. */
STRATA_EXPORT void strata_iter_next(strata_iterator_t* iter);
STRATA_EXPORT void strata_iter_prev(strata_iterator_t* iter);
/* Borrowed bytes, valid until the iterator moves. REQUIRES: strata_iter_valid. */
STRATA_EXPORT const char* strata_iter_key(const strata_iterator_t* iter, size_t* klen);
STRATA_EXPORT const char* strata_iter_value(const strata_iterator_t* iter, size_t* vlen);
/* Sets *errptr if a read failed (the iterator then is not valid). */
STRATA_EXPORT void strata_iter_get_error(const strata_iterator_t* iter, char** errptr);

/* ---- Write batches ---------------------------------------------------------------------- */

STRATA_EXPORT strata_writebatch_t* strata_writebatch_create(void);
STRATA_EXPORT void strata_writebatch_destroy(strata_writebatch_t* batch);
STRATA_EXPORT void strata_writebatch_clear(strata_writebatch_t* batch);
STRATA_EXPORT void strata_writebatch_put(strata_writebatch_t* batch, const char* key, size_t klen,
                                         const char* val, size_t vlen);
STRATA_EXPORT void strata_writebatch_delete(strata_writebatch_t* batch, const char* key,
                                            size_t klen);
/* An operand for the database's merge operator. */
STRATA_EXPORT void strata_writebatch_merge(strata_writebatch_t* batch, const char* key, size_t klen,
                                           const char* operand, size_t olen);
/* Deletes every key in [begin, end). */
STRATA_EXPORT void strata_writebatch_delete_range(strata_writebatch_t* batch, const char* begin,
                                                  size_t blen, const char* end, size_t elen);
/* Calls put or deleted for each operation, in order, passing state through. The bytes are
 * borrowed for the duration of the callback. Merges and range deletions are not passed: use
 * strata_writebatch_iterate_all for batches that may hold them. */
STRATA_EXPORT void strata_writebatch_iterate(const strata_writebatch_t* batch, void* state,
                                             void (*put)(void* state, const char* k, size_t klen,
                                                         const char* v, size_t vlen),
                                             void (*deleted)(void* state, const char* k,
                                                             size_t klen));
/* As strata_writebatch_iterate, and also merge for each merge operand and delete_range for
 * each range deletion ([begin, end)). */
STRATA_EXPORT void strata_writebatch_iterate_all(
    const strata_writebatch_t* batch, void* state,
    void (*put)(void* state, const char* k, size_t klen, const char* v, size_t vlen),
    void (*deleted)(void* state, const char* k, size_t klen),
    void (*merge)(void* state, const char* k, size_t klen, const char* operand, size_t olen),
    void (*delete_range)(void* state, const char* begin, size_t blen, const char* end,
                         size_t elen));
/* Appends source's operations to destination. */
STRATA_EXPORT void strata_writebatch_append(strata_writebatch_t* destination,
                                            const strata_writebatch_t* source);

/* ---- Options ---------------------------------------------------------------------------- */

/* Defaults are those of strata::Options. Bad values are reported by strata_open. */
STRATA_EXPORT strata_options_t* strata_options_create(void);
STRATA_EXPORT void strata_options_destroy(strata_options_t* options);
STRATA_EXPORT void strata_options_set_create_if_missing(strata_options_t* options, unsigned char v);
STRATA_EXPORT void strata_options_set_error_if_exists(strata_options_t* options, unsigned char v);
STRATA_EXPORT void strata_options_set_paranoid_checks(strata_options_t* options, unsigned char v);
STRATA_EXPORT void strata_options_set_write_buffer_size(strata_options_t* options, size_t v);
STRATA_EXPORT void strata_options_set_max_open_files(strata_options_t* options, int v);
/* The cache is shared, not copied: it must outlive the databases opened with it. NULL
 * means a private cache of the default capacity. */
STRATA_EXPORT void strata_options_set_cache(strata_options_t* options, strata_cache_t* cache);
STRATA_EXPORT void strata_options_set_block_size(strata_options_t* options, size_t v);
STRATA_EXPORT void strata_options_set_block_restart_interval(strata_options_t* options, int v);
STRATA_EXPORT void strata_options_set_index_block_restart_interval(strata_options_t* options,
                                                                   int v);
/* Target size of table files (Options::target_file_size_base). */
STRATA_EXPORT void strata_options_set_max_file_size(strata_options_t* options, size_t v);
STRATA_EXPORT void strata_options_set_bloom_bits_per_key(strata_options_t* options, int v);
STRATA_EXPORT void strata_options_set_max_background_jobs(strata_options_t* options, int v);

enum { strata_no_compression = 0, strata_lz4_compression = 1 };
/* One of the values above; others make strata_open fail. */
STRATA_EXPORT void strata_options_set_compression(strata_options_t* options, int v);

STRATA_EXPORT strata_readoptions_t* strata_readoptions_create(void);
STRATA_EXPORT void strata_readoptions_destroy(strata_readoptions_t* options);
STRATA_EXPORT void strata_readoptions_set_verify_checksums(strata_readoptions_t* options,
                                                           unsigned char v);
STRATA_EXPORT void strata_readoptions_set_fill_cache(strata_readoptions_t* options,
                                                     unsigned char v);
/* ReadOptions::readahead_size: bytes an iterator reads at once from a table read with pread;
   0 (the default) reads ahead automatically once a scan runs on. */
STRATA_EXPORT void strata_readoptions_set_readahead_size(strata_readoptions_t* options, size_t v);
/* NULL means the latest state. The snapshot must stay unreleased while reads use it. */
STRATA_EXPORT void strata_readoptions_set_snapshot(strata_readoptions_t* options,
                                                   const strata_snapshot_t* snapshot);

STRATA_EXPORT strata_writeoptions_t* strata_writeoptions_create(void);
STRATA_EXPORT void strata_writeoptions_destroy(strata_writeoptions_t* options);
STRATA_EXPORT void strata_writeoptions_set_sync(strata_writeoptions_t* options, unsigned char v);

/* An LRU block cache of capacity bytes, for strata_options_set_cache. */
STRATA_EXPORT strata_cache_t* strata_cache_create_lru(size_t capacity);
STRATA_EXPORT void strata_cache_destroy(strata_cache_t* cache);

/* ---- Utility ---------------------------------------------------------------------------- */

/* Frees memory the library returned (values, property text, error strings). NULL is
 * allowed. Use this rather than free(): the library and the caller may not share a heap. */
STRATA_EXPORT void strata_free(void* ptr);

STRATA_EXPORT int strata_major_version(void);
STRATA_EXPORT int strata_minor_version(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* STRATA_C_H_ */
