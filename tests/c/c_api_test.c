/* The C API (include/strata/c.h), driven from C11 as a C user would: the happy paths, every
 * error path that reports through errptr, and who frees what. Run under ASan (the asan
 * preset), a leak or double free of anything the API hands out fails the test. */
#define _XOPEN_SOURCE 700 /* mkdtemp, opendir */

#include "strata/c.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char* phase = "";

#define CHECK(cond)                                                                        \
  do {                                                                                     \
    if (!(cond)) {                                                                         \
      fprintf(stderr, "%s:%d: [%s] check failed: %s\n", __FILE__, __LINE__, phase, #cond); \
      exit(1);                                                                             \
    }                                                                                      \
  } while (0)
#define CHECK_NO_ERROR(err)                                                                  \
  do {                                                                                       \
    if ((err) != NULL) {                                                                     \
      fprintf(stderr, "%s:%d: [%s] unexpected error: %s\n", __FILE__, __LINE__, phase, err); \
      exit(1);                                                                               \
    }                                                                                        \
  } while (0)

/* Takes the error, checks it names what it should, and frees it as c.h says. */
static void ExpectError(char** err, const char* fragment) {
  CHECK(*err != NULL);
  if (strstr(*err, fragment) == NULL) {
    fprintf(stderr, "[%s] error '%s' lacks '%s'\n", phase, *err, fragment);
    exit(1);
  }
  strata_free(*err);
  *err = NULL;
}

static void CheckGet(strata_t* db, const strata_readoptions_t* ro, const char* key,
                     const char* expected) {
  char* err = NULL;
  size_t len = 99;
  char* value = strata_get(db, ro, key, strlen(key), &len, &err);
  CHECK_NO_ERROR(err);
  if (expected == NULL) {
    CHECK(value == NULL);
    CHECK(len == 0);
  } else {
    CHECK(value != NULL);
    CHECK(len == strlen(expected) && memcmp(value, expected, len) == 0);
  }
  strata_free(value);
}

static void CheckIter(strata_iterator_t* iter, const char* key, const char* val) {
  size_t len;
  const char* p;
  CHECK(strata_iter_valid(iter));
  p = strata_iter_key(iter, &len);
  CHECK(len == strlen(key) && memcmp(p, key, len) == 0);
  p = strata_iter_value(iter, &len);
  CHECK(len == strlen(val) && memcmp(p, val, len) == 0);
}

/* Records a batch's operations as text, e.g. "put(a,1)del(b)". */
typedef struct {
  char text[256];
} Trace;
static void TracePut(void* state, const char* k, size_t klen, const char* v, size_t vlen) {
  Trace* t = (Trace*)state;
  size_t used = strlen(t->text);
  snprintf(t->text + used, sizeof t->text - used, "put(%.*s,%.*s)", (int)klen, k, (int)vlen, v);
}
static void TraceDelete(void* state, const char* k, size_t klen) {
  Trace* t = (Trace*)state;
  size_t used = strlen(t->text);
  snprintf(t->text + used, sizeof t->text - used, "del(%.*s)", (int)klen, k);
}

static void TraceMerge(void* state, const char* k, size_t klen, const char* v, size_t vlen) {
  Trace* t = (Trace*)state;
  size_t used = strlen(t->text);
  snprintf(t->text + used, sizeof t->text - used, "merge(%.*s,%.*s)", (int)klen, k, (int)vlen, v);
}
static void TraceDeleteRange(void* state, const char* b, size_t blen, const char* e, size_t elen) {
  Trace* t = (Trace*)state;
  size_t used = strlen(t->text);
  snprintf(t->text + used, sizeof t->text - used, "range(%.*s,%.*s)", (int)blen, b, (int)elen, e);
}

static void WriteFile(const char* path, const char* bytes) {
  FILE* f = fopen(path, "wb");
  CHECK(f != NULL);
  CHECK(fwrite(bytes, 1, strlen(bytes), f) == strlen(bytes));
  CHECK(fclose(f) == 0);
}

/* Flips every byte from offset 16 to 15 bytes before the end of the first table in dir (the
 * data blocks), so any read of its entries fails its checksum. Returns 1 if one was found. */
static int DamageFirstTable(const char* dir) {
  DIR* d = opendir(dir);
  struct dirent* e;
  int found = 0;
  CHECK(d != NULL);
  while (!found && (e = readdir(d)) != NULL) {
    size_t n = strlen(e->d_name);
    if (n > 4 && strcmp(e->d_name + n - 4, ".sst") == 0) {
      char path[2300];
      FILE* f;
      long size, i;
      snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
      f = fopen(path, "r+b");
      CHECK(f != NULL);
      CHECK(fseek(f, 0, SEEK_END) == 0);
      size = ftell(f);
      CHECK(size > 64);
      for (i = 16; i < 48; i++) {
        int c;
        CHECK(fseek(f, i, SEEK_SET) == 0);
        c = fgetc(f);
        CHECK(fseek(f, i, SEEK_SET) == 0);
        CHECK(fputc(c ^ 0x5a, f) != EOF);
      }
      CHECK(fclose(f) == 0);
      found = 1;
    }
  }
  closedir(d);
  return found;
}

int main(void) {
  char dir_template[1024];
  const char* tmp = getenv("TMPDIR");
  char* dir;
  char path[1100];
  char* err = NULL;
  strata_options_t* options;
  strata_readoptions_t* ro;
  strata_writeoptions_t* wo;
  strata_cache_t* cache;
  strata_t* db;

  snprintf(dir_template, sizeof dir_template, "%s/strata_c_api_XXXXXX", tmp ? tmp : "/tmp");
  dir = mkdtemp(dir_template);
  CHECK(dir != NULL);
  snprintf(path, sizeof path, "%s/db", dir);

  CHECK(strata_major_version() == 0);
  CHECK(strata_minor_version() >= 1);

  options = strata_options_create();
  ro = strata_readoptions_create();
  wo = strata_writeoptions_create();
  cache = strata_cache_create_lru(1 << 20);
  strata_options_set_cache(options, cache);

  phase = "open missing";
  db = strata_open(options, path, &err);
  CHECK(db == NULL);
  ExpectError(&err, "InvalidArgument");

  phase = "bad option";
  strata_options_set_create_if_missing(options, 1);
  strata_options_set_write_buffer_size(options, 1);
  db = strata_open(options, path, &err);
  CHECK(db == NULL);
  ExpectError(&err, "write_buffer_size");
  strata_options_set_write_buffer_size(options, 1 << 20);
  strata_options_set_compression(options, 7);
  db = strata_open(options, path, &err);
  CHECK(db == NULL);
  ExpectError(&err, "compression");
  strata_options_set_compression(options, strata_lz4_compression);

  phase = "put/get/delete";
  db = strata_open(options, path, &err);
  CHECK_NO_ERROR(err);
  CHECK(db != NULL);
  strata_put(db, wo, "a", 1, "1", 1, &err);
  CHECK_NO_ERROR(err);
  strata_put(db, wo, "b", 1, "2", 1, &err);
  CHECK_NO_ERROR(err);
  {
    /* Keys and values are bytes: an embedded zero survives. */
    size_t len = 0;
    char* value;
    strata_put(db, wo, "z\0z", 3, "v\0v", 3, &err);
    CHECK_NO_ERROR(err);
    value = strata_get(db, ro, "z\0z", 3, &len, &err);
    CHECK_NO_ERROR(err);
    CHECK(value != NULL && len == 3 && memcmp(value, "v\0v", 3) == 0);
    strata_free(value);
    strata_delete(db, wo, "z\0z", 3, &err);
    CHECK_NO_ERROR(err);
  }
  CheckGet(db, ro, "a", "1");
  CheckGet(db, ro, "missing", NULL);
  strata_delete(db, wo, "b", 1, &err);
  CHECK_NO_ERROR(err);
  CheckGet(db, ro, "b", NULL);

  phase = "write batch";
  {
    strata_writebatch_t* batch = strata_writebatch_create();
    strata_writebatch_t* more = strata_writebatch_create();
    Trace trace = {""};
    strata_writebatch_put(batch, "x", 1, "10", 2);
    strata_writebatch_delete(batch, "a", 1);
    strata_writebatch_put(more, "y", 1, "20", 2);
    strata_writebatch_append(batch, more);
    strata_writebatch_destroy(more);
    strata_writebatch_iterate(batch, &trace, TracePut, TraceDelete);
    CHECK(strcmp(trace.text, "put(x,10)del(a)put(y,20)") == 0);
    {
      /* Merges and range deletions reach only the callbacks that know them. */
      strata_writebatch_t* other = strata_writebatch_create();
      strata_writebatch_merge(other, "m", 1, "1", 1);
      strata_writebatch_delete_range(other, "b", 1, "d", 1);
      strata_writebatch_put(other, "z", 1, "9", 1);
      trace.text[0] = '\0';
      strata_writebatch_iterate(other, &trace, TracePut, TraceDelete);
      CHECK(strcmp(trace.text, "put(z,9)") == 0);
      trace.text[0] = '\0';
      strata_writebatch_iterate_all(other, &trace, TracePut, TraceDelete, TraceMerge,
                                    TraceDeleteRange);
      CHECK(strcmp(trace.text, "merge(m,1)range(b,d)put(z,9)") == 0);
      strata_writebatch_destroy(other);
      trace.text[0] = '\0';
    }
    strata_write(db, wo, batch, &err);
    CHECK_NO_ERROR(err);
    strata_writebatch_clear(batch);
    trace.text[0] = '\0';
    strata_writebatch_iterate(batch, &trace, TracePut, TraceDelete);
    CHECK(trace.text[0] == '\0');
    strata_writebatch_destroy(batch);
  }
  CheckGet(db, ro, "a", NULL);
  CheckGet(db, ro, "x", "10");
  CheckGet(db, ro, "y", "20");

  phase = "snapshot";
  {
    const strata_snapshot_t* snap = strata_create_snapshot(db);
    strata_readoptions_t* at_snap = strata_readoptions_create();
    strata_readoptions_set_snapshot(at_snap, snap);
    strata_put(db, wo, "x", 1, "11", 2, &err);
    CHECK_NO_ERROR(err);
    CheckGet(db, at_snap, "x", "10");
    CheckGet(db, ro, "x", "11");
    strata_readoptions_set_snapshot(at_snap, NULL);
    CheckGet(db, at_snap, "x", "11");
    strata_readoptions_destroy(at_snap);
    strata_release_snapshot(db, snap);
  }

  phase = "iterator";
  {
    strata_iterator_t* iter = strata_create_iterator(db, ro);
    CHECK(!strata_iter_valid(iter));
    strata_iter_seek_to_first(iter);
    CheckIter(iter, "x", "11");
    strata_iter_next(iter);
    CheckIter(iter, "y", "20");
    strata_iter_next(iter);
    CHECK(!strata_iter_valid(iter));
    strata_iter_seek_to_last(iter);
    CheckIter(iter, "y", "20");
    strata_iter_prev(iter);
    CheckIter(iter, "x", "11");
    strata_iter_seek(iter, "xa", 2);
    CheckIter(iter, "y", "20");
    strata_iter_get_error(iter, &err);
    CHECK_NO_ERROR(err);
    strata_iter_destroy(iter);
  }

  phase = "property, flush, compact";
  {
    char* text = strata_property_value(db, "strata.last-sequence");
    CHECK(text != NULL && atoi(text) > 0);
    strata_free(text);
    CHECK(strata_property_value(db, "strata.no-such-property") == NULL);
    strata_flush(db, &err);
    CHECK_NO_ERROR(err);
    strata_sync_wal(db, &err);
    CHECK_NO_ERROR(err);
    text = strata_property_value(db, "strata.num-files-at-level0");
    CHECK(text != NULL && strcmp(text, "1") == 0);
    strata_free(text);
    strata_compact_range(db, NULL, 0, NULL, 0);
    strata_compact_range_err(db, "a", 1, "z", 1, &err);
    CHECK_NO_ERROR(err);
    CheckGet(db, ro, "x", "11");

    /* A table scanned with a fixed read-ahead window reads the same, both ways. */
    strata_readoptions_t* ahead = strata_readoptions_create();
    strata_readoptions_set_readahead_size(ahead, 1 << 20);
    strata_readoptions_set_fill_cache(ahead, 0);
    strata_iterator_t* iter = strata_create_iterator(db, ahead);
    strata_iter_seek_to_first(iter);
    CheckIter(iter, "x", "11");
    strata_iter_next(iter);
    CheckIter(iter, "y", "20");
    strata_iter_seek_to_last(iter);
    CheckIter(iter, "y", "20");
    strata_iter_get_error(iter, &err);
    CHECK_NO_ERROR(err);
    strata_iter_destroy(iter);
    strata_readoptions_destroy(ahead);
  }

  phase = "locked database";
  {
    strata_t* second = strata_open(options, path, &err);
    CHECK(second == NULL);
    ExpectError(&err, "Busy");
    /* destroy refuses an open database too */
    strata_destroy_db(options, path, &err);
    ExpectError(&err, "Busy");
  }

  phase = "error string reuse";
  {
    /* A second failure replaces (and frees) the first message; ASan reports a leak if not. */
    strata_t* second = strata_open(options, path, &err);
    CHECK(second == NULL && err != NULL);
    second = strata_open(options, path, &err);
    CHECK(second == NULL);
    ExpectError(&err, "Busy");
  }
  strata_close(db);
  strata_close(NULL);

  phase = "damaged table";
  strata_options_set_paranoid_checks(options, 0);
  {
    strata_cache_t* fresh = strata_cache_create_lru(1 << 20);
    strata_options_set_cache(options, fresh); /* nothing cached from before the damage */
    CHECK(DamageFirstTable(path));
    db = strata_open(options, path, &err);
    CHECK_NO_ERROR(err);
    {
      size_t len = 0;
      char* value = strata_get(db, ro, "x", 1, &len, &err);
      CHECK(value == NULL && len == 0);
      ExpectError(&err, "Corruption");
    }
    {
      strata_iterator_t* iter = strata_create_iterator(db, ro);
      strata_iter_seek_to_first(iter);
      CHECK(!strata_iter_valid(iter));
      strata_iter_get_error(iter, &err);
      ExpectError(&err, "Corruption");
      strata_iter_destroy(iter);
    }
    strata_close(db);
    strata_options_set_cache(options, NULL);
    strata_cache_destroy(fresh);
  }

  phase = "damaged CURRENT";
  snprintf(path + strlen(path), sizeof path - strlen(path), "/CURRENT");
  WriteFile(path, "not a manifest name\n");
  path[strlen(path) - strlen("/CURRENT")] = '\0';
  db = strata_open(options, path, &err);
  CHECK(db == NULL);
  ExpectError(&err, "Corruption");

  phase = "destroy";
  strata_destroy_db(options, path, &err);
  CHECK_NO_ERROR(err);
  CHECK(access(path, F_OK) != 0);

  strata_options_destroy(options);
  strata_readoptions_destroy(ro);
  strata_writeoptions_destroy(wo);
  strata_cache_destroy(cache);
  CHECK(rmdir(dir) == 0);
  printf("c_api_test: all checks passed\n");
  return 0;
}
