/* The same from C, through <strata/c.h>: the README's C example.
 * Usage: example_c DB_DIR */
#include <strata/c.h>

#include <stdio.h>
#include <string.h>

int main(int argc, char** argv) {
  char* err = NULL;
  size_t len = 0;
  char* value;
  strata_options_t* options;
  strata_writeoptions_t* wo;
  strata_readoptions_t* ro;
  strata_t* db;
  int ok;

  if (argc != 2) return 2;
  options = strata_options_create();
  strata_options_set_create_if_missing(options, 1);
  db = strata_open(options, argv[1], &err);
  strata_options_destroy(options);
  if (err != NULL) {
    fprintf(stderr, "open: %s\n", err);
    strata_free(err);
    return 1;
  }

  wo = strata_writeoptions_create();
  ro = strata_readoptions_create();
  strata_put(db, wo, "key", 3, "value", 5, &err);
  value = err == NULL ? strata_get(db, ro, "key", 3, &len, &err) : NULL;
  ok = err == NULL && value != NULL && len == 5 && memcmp(value, "value", 5) == 0;
  if (err != NULL) fprintf(stderr, "%s\n", err);
  strata_free(value); /* NULL (not found) is fine too */
  strata_free(err);
  strata_readoptions_destroy(ro);
  strata_writeoptions_destroy(wo);
  strata_close(db);
  printf("%s\n", ok ? "key => value" : "failed");
  return ok ? 0 : 1;
}
