// Stores a key, reads it back and scans the database: the README's C++ example.
// Usage: example DB_DIR
#include <strata/db.h>

#include <cstdio>
#include <memory>
#include <string>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  strata::Options options;
  options.create_if_missing = true;
  std::unique_ptr<strata::DB> db;
  strata::Status s = strata::DB::Open(options, argv[1], &db);
  if (s.ok()) s = db->Put(strata::WriteOptions(), "key", "value");
  std::string value;
  if (s.ok()) s = db->Get(strata::ReadOptions(), "key", &value);
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  std::unique_ptr<strata::Iterator> it = db->NewIterator(strata::ReadOptions());
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::printf("%.*s => %.*s\n", int(it->key().size()), it->key().data(),
                int(it->value().size()), it->value().data());
  }
  return value == "value" && it->status().ok() ? 0 : 1;
}
