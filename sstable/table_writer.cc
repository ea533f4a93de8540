// TableWriter (strata/table_writer.h): a TableBuilder over internal keys with sequence 0,
// checking the order of the user keys it is given.
#include "strata/table_writer.h"

#include "keys/internal_key.h"
#include "sstable/table_builder.h"
#include "sstable/table_options.h"
#include "strata/comparator.h"
#include "strata/file_system.h"

namespace strata {

struct TableWriter::Rep {
  explicit Rep(const Options& o)
      : options(o),
        fs(o.file_system ? o.file_system : FileSystem::Default()),
        ucmp(o.comparator ? o.comparator : BytewiseComparator()),
        icmp(ucmp) {
    options.comparator = ucmp;
    options.block_cache = nullptr;  // writing fills no cache
    table_options = DatabaseTableOptions(options, &icmp);
  }

  Status Add(std::string_view key, std::string_view value, ValueType type) {
    if (!status.ok()) return status;
    if (builder == nullptr) return Status::InvalidArgument("TableWriter: Open was not called");
    if (entries > 0 && ucmp->Compare(key, last_key) <= 0) {
      std::string what(1, '\'');  // (a literal + string trips GCC 12's -Wrestrict)
      what.append(key).append("' is not after '").append(last_key).append("'");
      return Status::InvalidArgument("TableWriter: keys must be added in increasing order", what);
    }
    ikey.clear();
    AppendInternalKey(&ikey, key, 0, type);
    builder->Add(ikey, value);
    status = builder->status();
    if (status.ok()) {
      last_key.assign(key);
      entries++;
    }
    return status;
  }

  Options options;
  std::shared_ptr<FileSystem> fs;
  const Comparator* ucmp;
  InternalKeyComparator icmp;
  TableOptions table_options;
  std::string path;
  std::unique_ptr<WritableFile> file;
  std::unique_ptr<TableBuilder> builder;
  Status status;
  std::string last_key, ikey;
  uint64_t entries = 0;
  bool finished = false;
};

TableWriter::TableWriter(const Options& options) : rep_(std::make_unique<Rep>(options)) {}

TableWriter::~TableWriter() {
  if (rep_->builder != nullptr && !rep_->finished) {
    rep_->builder->Abandon();
    rep_->builder.reset();
    rep_->file.reset();
    rep_->fs->RemoveFile(rep_->path).PermitUncheckedError();
  }
}

Status TableWriter::Open(const std::string& path) {
  Rep* r = rep_.get();
  if (r->builder != nullptr) return Status::InvalidArgument("TableWriter: opened twice");
  Status s = r->options.Validate();
  if (s.ok()) s = r->fs->NewWritableFile(path, &r->file);
  if (!s.ok()) return r->status = s;
  r->path = path;
  r->builder = std::make_unique<TableBuilder>(r->table_options, r->file.get());
  return Status::OK();
}

Status TableWriter::Put(std::string_view key, std::string_view value) {
  return rep_->Add(key, value, ValueType::kValue);
}

Status TableWriter::Delete(std::string_view key) {
  return rep_->Add(key, std::string_view(), ValueType::kDeletion);
}

Status TableWriter::Finish() {
  Rep* r = rep_.get();
  if (r->builder == nullptr) return Status::InvalidArgument("TableWriter: Open was not called");
  if (r->finished) return Status::InvalidArgument("TableWriter: finished twice");
  if (r->status.ok() && r->entries == 0) {
    r->status = Status::InvalidArgument("TableWriter: no key was added", r->path);
  }
  if (!r->status.ok()) return r->status;  // the destructor removes the file
  Status s = r->builder->Finish();
  if (s.ok()) s = r->file->Sync();
  if (s.ok()) s = r->file->Close();
  if (!s.ok()) return r->status = s;
  r->finished = true;
  return Status::OK();
}

uint64_t TableWriter::NumEntries() const { return rep_->entries; }

uint64_t TableWriter::FileSize() const {
  return rep_->builder ? rep_->builder->FileSize() : 0;
}

}  // namespace strata
