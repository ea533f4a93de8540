// make_seeds OUT_DIR: writes seed inputs for every fuzz target into OUT_DIR/<target>/, made by
// the engine's own writers (LogWriter, BlockBuilder, TableBuilder, VersionEdit, WriteBatch),
// so that the corpora follow the formats as the code writes them today and no binary blob is
// kept in the repository. Each seed starts with the flags bytes its target expects (see the
// header of each *_fuzzer.cc).
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "db/write_batch_internal.h"
#include "keys/internal_key.h"
#include "sstable/block_builder.h"
#include "sstable/table_builder.h"
#include "strata/file_system.h"
#include "strata/write_batch.h"
#include "support/in_memory_file.h"
#include "util/coding.h"
#include "version/version_edit.h"
#include "wal/log_format.h"
#include "wal/log_writer.h"

namespace strata {
namespace {

class SeedWriter {
 public:
  explicit SeedWriter(std::string dir) : fs_(FileSystem::Default()), dir_(std::move(dir)) {}

  // Writes one seed file for target; the first error is kept and reported by status().
  void Write(const std::string& target, const std::string& contents) {
    if (!status_.ok()) return;
    const std::string target_dir = dir_ + "/" + target;
    status_ = fs_->CreateDir(target_dir);
    if (!status_.ok()) return;
    char name[32];
    std::snprintf(name, sizeof name, "/seed-%03d", count_[target]++);
    std::unique_ptr<WritableFile> file;
    status_ = fs_->NewWritableFile(target_dir + name, &file);
    if (status_.ok()) status_ = file->Append(contents);
    if (status_.ok()) status_ = file->Close();
  }

  Status CreateRoot() { return fs_->CreateDir(dir_); }
  const Status& status() const { return status_; }
  int total() const {
    int n = 0;
    for (const auto& [target, c] : count_) n += c;
    return n;
  }

 private:
  std::shared_ptr<FileSystem> fs_;
  std::string dir_;
  std::map<std::string, int> count_;
  Status status_;
};

std::string Key(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "key%06d", i);
  return buf;
}

std::string InternalKey(int i, SequenceNumber seq, ValueType type) {
  std::string k;
  AppendInternalKey(&k, Key(i), seq, type);
  return k;
}

WriteBatch SampleBatch(int first, int n, SequenceNumber seq) {
  WriteBatch b;
  for (int i = first; i < first + n; i++) {
    if (i % 5 == 4) {
      b.Delete(Key(i));
    } else {
      b.Put(Key(i), std::string(i % 17, static_cast<char>('a' + i % 26)));
    }
  }
  WriteBatchInternal::SetSequence(&b, seq);
  return b;
}

// --- WAL -----------------------------------------------------------------------------------

std::string Log(const std::vector<std::string>& records) {
  std::string contents;
  LogWriter writer(std::make_unique<test::InMemoryWritableFile>(&contents));
  for (const std::string& r : records) {
    if (!writer.AddRecord(r).ok()) std::abort();
  }
  return contents;
}

void WalSeeds(SeedWriter* out) {
  std::vector<std::string> logs;
  // Write batches, as the WAL holds them.
  std::vector<std::string> batches;
  SequenceNumber seq = 1;
  for (int i = 0; i < 6; i++) {
    WriteBatch b = SampleBatch(i * 10, 1 + i * 3, seq);
    seq += b.Count();
    batches.emplace_back(WriteBatchInternal::Contents(b));
  }
  logs.push_back(Log(batches));
  // Records spanning blocks (first, middle, last fragments), and one that leaves block
  // padding behind it.
  logs.push_back(Log({std::string(100, 'x'), std::string(70000, 'y'), "tail"}));
  logs.push_back(Log({std::string(kLogBlockSize - kLogHeaderSize - 3, 'p'), "after padding"}));
  logs.push_back(Log({}));
  logs.push_back(Log({"", "", "one", ""}));
  // A torn tail: the last record cut short, and a zero-filled tail.
  std::string torn = Log({"complete", std::string(300, 'z')});
  torn.resize(torn.size() - 100);
  logs.push_back(torn);
  std::string zeros = Log({"complete"});
  zeros.append(200, '\0');
  logs.push_back(zeros);

  for (const std::string& log : logs) {
    out->Write("wal_reader", std::string(1, '\0') + log);
    out->Write("wal_reader", std::string(1, '\1') + log);
  }
  // I/O errors on the first and on the second read.
  out->Write("wal_reader", std::string(1, '\2') + logs[1]);
  out->Write("wal_reader", std::string(1, '\6') + logs[1]);
}

// --- Blocks --------------------------------------------------------------------------------

// Ops appended to a block seed: (kind, arg) pairs covering every kind.
std::string BlockOps() {
  std::string ops;
  const unsigned char kinds[] = {0, 4, 4, 5, 1, 5, 2, 4, 3, 5, 2, 3};
  for (size_t i = 0; i < sizeof kinds; i++) {
    ops.push_back(static_cast<char>(kinds[i]));
    ops.push_back(static_cast<char>(i * 13));
  }
  return ops;
}

void BlockSeed(SeedWriter* out, uint8_t flags, const std::string& body) {
  const std::string ops = BlockOps();
  std::string seed;
  seed.push_back(static_cast<char>(flags));
  seed.push_back(static_cast<char>(ops.size() / 2));
  seed += body;
  seed += ops;
  out->Write("block", seed);
}

void BlockSeeds(SeedWriter* out) {
  for (int interval : {1, 4, 16}) {
    BlockBuilder b(interval);
    for (int i = 0; i < 60; i++) b.Add(Key(i * 3), std::string(i % 11, 'v'));
    BlockSeed(out, 0, b.Finish());
  }
  {
    BlockBuilder b(16);
    BlockSeed(out, 0, b.Finish());  // empty: just the restart array
  }
  {
    // Internal keys, several versions of a key, as data blocks in the database hold them.
    BlockBuilder b(4);
    for (int i = 0; i < 30; i++) {
      for (SequenceNumber s = 3; s >= 1; s--) {
        b.Add(InternalKey(i, 100 * i + s, s == 1 ? ValueType::kDeletion : ValueType::kValue),
              s == 1 ? "" : "value");
      }
    }
    BlockSeed(out, 1, b.Finish());
  }
  {
    // Long keys that share long prefixes (the key buffer's heap path).
    BlockBuilder b(8);
    for (int i = 0; i < 20; i++) b.Add(std::string(200, 'k') + Key(i), "v");
    BlockSeed(out, 0, b.Finish());
  }
  // Model mode: length-prefixed pairs, built by the target itself.
  for (uint8_t flags : {2, 2 | (3 << 2), 3 | (15 << 2)}) {
    std::string pairs;
    for (int i = 0; i < 25; i++) {
      PutLengthPrefixed(&pairs, flags & 1 ? InternalKey(i, i, ValueType::kValue) : Key(i * 7));
      PutLengthPrefixed(&pairs, std::string(i % 5, 'w'));
    }
    BlockSeed(out, flags, pairs);
  }
}

// --- Tables --------------------------------------------------------------------------------

std::string_view UserKeyOf(std::string_view ikey) { return ExtractUserKey(ikey); }

std::string TableFile(const TableOptions& options, int n, bool internal) {
  std::string contents;
  test::InMemoryWritableFile file(&contents);
  TableBuilder builder(options, &file);
  for (int i = 0; i < n; i++) {
    std::string value(i % 23, static_cast<char>('a' + i % 7));
    builder.Add(internal ? InternalKey(i, 1000 + i, ValueType::kValue) : Key(i), value);
  }
  if (internal && n > 0) builder.SetSequenceRange(1000, 1000 + n - 1);
  if (internal && n > 0) {
    // A range deletion block, so that mutations reach its decoding.
    builder.SetRangeTombstones(FragmentedRangeTombstones(
        BytewiseComparator(),
        {{Key(3), Key(9), 2000}, {Key(5), Key(20), 2001}, {Key(40), Key(41), 7}}));
  }
  if (!builder.Finish().ok()) std::abort();
  return contents;
}

void TableSeeds(SeedWriter* out) {
  static const InternalKeyComparator icmp(BytewiseComparator());
  TableOptions plain;
  plain.comparator = BytewiseComparator();
  plain.compression = CompressionType::kNone;
  plain.bloom_bits_per_key = 0;
  plain.block_size = 512;
  TableOptions compressed = plain;
  compressed.compression = CompressionType::kLZ4;
  compressed.bloom_bits_per_key = 10;
  TableOptions db = compressed;  // as the database writes its tables
  db.comparator = &icmp;
  db.filter_key = &UserKeyOf;
  db.user_comparator = BytewiseComparator();  // a user-key index: format version 3
  db.block_size = 256;
  db.block_restart_interval = 4;
  db.index_block_restart_interval = 4;
  TableOptions db_v2 = db;  // an internal-key index: format version 2
  db_v2.user_comparator = nullptr;

  struct Seed {
    std::string file;
    uint8_t flags;
  };
  const std::vector<Seed> tables = {
      {TableFile(plain, 120, false), 0},       // uncompressed, no filter
      {TableFile(compressed, 150, false), 0},  // LZ4 with a filter
      {TableFile(db, 100, true), 8},           // internal keys, filter over user keys
      {TableFile(db_v2, 100, true), 8},        // the same, indexed by internal keys
      {TableFile(plain, 0, false), 0},         // empty
  };
  for (const Seed& t : tables) {
    for (uint8_t extra : {0, 1, 2 | 4, 1 | 16}) {
      out->Write("table", std::string(1, static_cast<char>(t.flags | extra)) + t.file);
    }
  }
}

// --- Version edits and write batches ------------------------------------------------------

void VersionEditSeeds(SeedWriter* out) {
  VersionEdit full;
  full.SetComparatorName("strata.BytewiseComparator");
  full.SetMergeOperatorName("strata.UInt64Add");
  full.SetLogNumber(12);
  full.SetNextFileNumber(40);
  full.SetLastSequence(123456);
  full.RemoveFile(0, 7);
  full.RemoveFile(3, 9);
  for (int level = 0; level < 3; level++) {
    FileMetaData f;
    f.number = 20 + level;
    f.file_size = 4096 * (level + 1);
    f.smallest = InternalKey(level * 100, 5, ValueType::kValue);
    f.largest = InternalKey(level * 100 + 50, 9, ValueType::kDeletion);
    f.smallest_seqno = 5;
    f.largest_seqno = 9;
    full.AddFile(level, f);
  }
  VersionEdit counters;
  counters.SetLogNumber(3);
  counters.SetLastSequence(kMaxSequenceNumber);
  VersionEdit removal;
  removal.RemoveFile(63, ~0ull);
  for (const VersionEdit* e : {&full, &counters, &removal}) {
    std::string encoded;
    e->EncodeTo(&encoded);
    out->Write("version_edit", encoded);
  }
  out->Write("version_edit", "");
}

void WriteBatchSeeds(SeedWriter* out) {
  out->Write("write_batch", std::string(WriteBatchInternal::Contents(WriteBatch())));
  out->Write("write_batch", std::string(WriteBatchInternal::Contents(SampleBatch(0, 12, 1))));
  WriteBatch big;
  big.Put("k", std::string(300, 'v'));  // two-byte varint lengths
  big.Delete("k");
  big.Put("", "");
  WriteBatchInternal::SetSequence(&big, kMaxSequenceNumber - 3);
  out->Write("write_batch", std::string(WriteBatchInternal::Contents(big)));
  WriteBatch merges;  // operands on a value, on a deletion and on nothing
  merges.Put("a", "1");
  merges.Merge("a", "2");
  merges.Delete("b");
  merges.Merge("b", "3");
  merges.Merge("c", "4");
  merges.Merge("c", "5");
  out->Write("write_batch", std::string(WriteBatchInternal::Contents(merges)));
}

}  // namespace
}  // namespace strata

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
    return 2;
  }
  strata::SeedWriter out(argv[1]);
  strata::Status s = out.CreateRoot();
  if (s.ok()) {
    strata::WalSeeds(&out);
    strata::BlockSeeds(&out);
    strata::TableSeeds(&out);
    strata::VersionEditSeeds(&out);
    strata::WriteBatchSeeds(&out);
    s = out.status();
  }
  if (!s.ok()) {
    std::fprintf(stderr, "make_seeds: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("make_seeds: %d seeds in %s\n", out.total(), argv[1]);
  return 0;
}
