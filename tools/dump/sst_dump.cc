// strata_dump sst: a table's footer, properties and index, and on request its entries, its
// blocks and a checksum check of every block. Read through sstable/ (Footer, ReadBlock,
// Block, Table), with the keys ordered as a database writes them.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keys/internal_key.h"
#include "sstable/block.h"
#include "sstable/format.h"
#include "sstable/table.h"
#include "tools/dump/dump.h"
#include "tools/dump/dump_util.h"
#include "tools/dump/file_check.h"
#include "util/escape.h"

namespace strata::dump {

namespace {

std::string_view UserKeyOf(std::string_view ikey) {
  return ikey.size() < kInternalKeyTrailer ? ikey : ExtractUserKey(ikey);
}

const char* CompressionName(int type) {
  switch (type) {
    case 0:
      return "none";
    case 1:
      return "lz4";
    default:
      return "unknown";
  }
}

struct NamedBlock {
  std::string name;  // "data", "index", "metaindex", or the metaindex entry's name
  BlockHandle handle;
  std::string last_key;  // data blocks: the index separator (a user key in versions 3 and 4)
};

class TableDump {
 public:
  TableDump(const std::string& path, const DumpOptions& options, std::ostream& out)
      : path_(path), options_(options), out_(out), icmp_(BytewiseComparator()) {
    if (options.json) json_ = std::make_unique<JsonWriter>(&out);
  }

  int Run(std::ostream& err);

  // What Run found, for CheckTable.
  void Report(FileCheck* check, std::optional<TableProperties>* properties) const;
  const Status& open_status() const { return open_status_; }

 private:
  void Damage(uint64_t offset, const std::string& reason);
  // Reads the block at handle (checksum checked) into *block; damage is reported.
  bool Load(const BlockHandle& handle, std::unique_ptr<Block>* block);
  // Entries of a block as (key, handle) pairs: the index, or the metaindex.
  void ReadHandles(const Block& block, const Comparator* cmp, const std::string& what,
                   uint64_t offset, std::vector<NamedBlock>* handles);
  void PrintFooter(const Footer& footer);
  void PrintProperties(const TableProperties& p);
  void PrintIndexSummary();
  // An index separator as text: an internal key, or a user key in a version-3 or -4 table.
  std::string ShowSeparator(std::string_view separator) const;
  void WalkBlocks();
  void Scan(const Table& table);
  // The range deletion block's fragments, if the table has any.
  void PrintRangeTombstones(const Table& table);

  const std::string& path_;
  const DumpOptions& options_;
  std::ostream& out_;
  std::unique_ptr<JsonWriter> json_;
  InternalKeyComparator icmp_;
  bool user_key_index_ = false;  // the footer's version says the separators are user keys
  std::unique_ptr<RandomAccessFile> file_;
  uint64_t file_size_ = 0;
  uint64_t blocks_end_ = 0;  // where the footer starts
  std::vector<NamedBlock> data_blocks_;
  std::vector<NamedBlock> meta_blocks_;
  std::vector<std::pair<uint64_t, std::string>> damage_;
  std::optional<TableProperties> properties_;
  uint64_t blocks_read_ = 0;
  uint64_t damaged_blocks_ = 0;
  uint64_t scanned_entries_ = 0;
  uint64_t range_tombstone_fragments_ = 0;
  Status open_status_;  // why the file could not be read at all
};

void TableDump::Report(FileCheck* check, std::optional<TableProperties>* properties) const {
  check->records = scanned_entries_;
  check->range_tombstones = range_tombstone_fragments_;
  check->blocks = blocks_read_;
  check->damaged_blocks = damaged_blocks_;
  for (const auto& [offset, reason] : damage_) check->problems.push_back({offset, reason, false});
  *properties = properties_;
}

void TableDump::Damage(uint64_t offset, const std::string& reason) {
  damage_.emplace_back(offset, reason);
  if (json_) return;
  if (offset != kUnknownOffset) out_ << "@" << offset << " ";
  out_ << "DAMAGE in " << path_ << ": " << reason << "\n";
}

bool TableDump::Load(const BlockHandle& handle, std::unique_ptr<Block>* block) {
  BlockContents contents;
  Status s = ReadBlock(*file_, path_, blocks_end_, handle, /*verify_checksum=*/true, &contents);
  if (!s.ok()) {
    Damage(handle.offset, s.ToString());
    return false;
  }
  *block = std::make_unique<Block>(std::move(contents));
  if (!(*block)->ok()) {
    Damage(handle.offset, "block has a damaged restart array");
    return false;
  }
  return true;
}

void TableDump::ReadHandles(const Block& block, const Comparator* cmp, const std::string& what,
                            uint64_t offset, std::vector<NamedBlock>* handles) {
  BlockIter it(cmp, &block);
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    std::string_view value = it.value();
    NamedBlock b;
    if (!b.handle.DecodeFrom(&value)) {
      Damage(offset, what + " entry holds a malformed block handle");
      continue;
    }
    b.name = what == "index" ? "data" : std::string(it.key());
    if (what == "index") {
      if (!user_key_index_ && it.key().size() < kInternalKeyTrailer) {
        Damage(offset, "index entry " + HexBytes(it.key()) + " is not an internal key");
        continue;
      }
      b.last_key = std::string(it.key());
    }
    handles->push_back(std::move(b));
  }
  if (!it.status().ok()) Damage(offset, what + " block: " + it.status().ToString());
}

std::string TableDump::ShowSeparator(std::string_view separator) const {
  if (!user_key_index_) return ShowInternalKey(separator, options_);
  if (options_.hex) return HexBytes(separator);
  std::string quoted = "'";
  quoted += EscapeBytes(separator);
  quoted += '\'';
  return quoted;
}

void TableDump::PrintFooter(const Footer& footer) {
  if (json_) {
    json_->Key("footer");
    json_->BeginObject();
    json_->Field("offset", blocks_end_);
    json_->Field("version", static_cast<uint64_t>(footer.version));
    json_->Field("metaindex_offset", footer.metaindex.offset);
    json_->Field("metaindex_size", footer.metaindex.size);
    json_->Field("index_offset", footer.index.offset);
    json_->Field("index_size", footer.index.size);
    json_->EndObject();
    return;
  }
  out_ << "footer @" << blocks_end_ << ": format version " << footer.version << ", metaindex @"
       << footer.metaindex.offset << " (" << footer.metaindex.size << " bytes), index @"
       << footer.index.offset << " (" << footer.index.size << " bytes)\n";
}

void TableDump::PrintProperties(const TableProperties& p) {
  if (json_) {
    json_->Key("properties");
    json_->BeginObject();
    json_->Field("num_entries", p.num_entries);
    json_->Field("raw_key_size", p.raw_key_size);
    json_->Field("raw_value_size", p.raw_value_size);
    json_->Field("data_size", p.data_size);
    json_->Field("index_size", p.index_size);
    json_->Field("filter_size", p.filter_size);
    json_->Field("num_data_blocks", p.num_data_blocks);
    json_->Field("smallest_key", ShowInternalKey(p.smallest_key, options_));
    json_->Field("largest_key", ShowInternalKey(p.largest_key, options_));
    json_->Field("smallest_seqno", p.smallest_seqno);
    json_->Field("largest_seqno", p.largest_seqno);
    json_->Field("compression", CompressionName(static_cast<int>(p.compression)));
    json_->Field("comparator", p.comparator_name);
    json_->Field("creation_time", p.creation_time);
    json_->EndObject();
    return;
  }
  out_ << "properties:\n";
  std::string text = p.ToString();
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line = std::string_view(text).substr(start, end - start);
    start = end + 1;
    // ToString escapes the keys whole; a table's keys are internal keys, shown decoded.
    if (line.starts_with("smallest_key:")) {
      out_ << "  smallest_key: " << ShowInternalKey(p.smallest_key, options_) << "\n";
    } else if (line.starts_with("largest_key:")) {
      out_ << "  largest_key: " << ShowInternalKey(p.largest_key, options_) << "\n";
    } else {
      out_ << "  " << line << "\n";
    }
  }
}

void TableDump::PrintIndexSummary() {
  if (json_) {
    json_->Key("index");
    json_->BeginObject();
    json_->Field("entries", static_cast<uint64_t>(data_blocks_.size()));
    if (!data_blocks_.empty()) {
      json_->Field("first_key", ShowSeparator(data_blocks_.front().last_key));
      json_->Field("last_key", ShowSeparator(data_blocks_.back().last_key));
    }
    json_->EndObject();
    return;
  }
  out_ << "index: " << data_blocks_.size() << " data blocks";
  if (!data_blocks_.empty()) {
    out_ << ", separators " << ShowSeparator(data_blocks_.front().last_key) << " .. "
         << ShowSeparator(data_blocks_.back().last_key);
  }
  out_ << "\n";
}

// Reads every block (data, then meta) with its checksum checked: --blocks lists them,
// --verify also walks each data block's entries and checks their order.
void TableDump::WalkBlocks() {
  std::vector<const NamedBlock*> all;
  for (const auto& b : data_blocks_) all.push_back(&b);
  for (const auto& b : meta_blocks_) all.push_back(&b);
  if (json_ && options_.blocks) {
    json_->Key("blocks");
    json_->BeginArray();
  } else if (options_.blocks) {
    out_ << "blocks:\n";
  }
  uint64_t damaged = 0;
  for (const NamedBlock* b : all) {
    const size_t damage_before = damage_.size();
    BlockContents contents;
    Status s = ReadBlock(*file_, path_, blocks_end_, b->handle, true, &contents);
    uint64_t raw_size = 0;
    int type = -1;
    if (s.ok()) {
      raw_size = contents.data.size();
      char scratch[1];
      std::string_view byte;
      // The trailer's type byte: ReadBlock has just checked it with the checksum.
      s = file_->Read(b->handle.offset + b->handle.size, 1, &byte, scratch);
      if (s.ok() && byte.size() == 1) type = static_cast<unsigned char>(byte[0]);
      if (!s.ok()) Damage(b->handle.offset, s.ToString());
    } else {
      Damage(b->handle.offset, s.ToString());
    }
    if (s.ok() && options_.verify && b->name == "data") {
      Block block(std::move(contents));
      BlockIter it(&icmp_, &block);
      std::string prev;
      bool first = true;
      for (it.SeekToFirst(); it.Valid(); it.Next()) {
        // Too short to compare as an internal key (the comparator reads the trailer).
        if (it.key().size() < kInternalKeyTrailer) {
          Damage(b->handle.offset,
                 "data block key " + HexBytes(it.key()) + " is not an internal key");
          break;
        }
        if (!first && icmp_.Compare(prev, it.key()) >= 0) {
          Damage(b->handle.offset,
                 "data block keys out of order at " + ShowInternalKey(it.key(), options_));
          break;
        }
        const bool past = user_key_index_ ? BytewiseComparator()->Compare(ExtractUserKey(it.key()),
                                                                          b->last_key) > 0
                                          : icmp_.Compare(it.key(), b->last_key) > 0;
        if (past) {
          Damage(b->handle.offset, "data block key " + ShowInternalKey(it.key(), options_) +
                                       " is past its index separator");
          break;
        }
        prev.assign(it.key());
        first = false;
      }
      if (!it.status().ok()) Damage(b->handle.offset, "data block: " + it.status().ToString());
    }
    const bool ok = damage_.size() == damage_before;
    if (!ok) damaged++;
    if (!options_.blocks) continue;
    double ratio = b->handle.size == 0 ? 1.0 : static_cast<double>(raw_size) / b->handle.size;
    if (json_) {
      json_->BeginObject();
      json_->Field("kind", b->name);
      json_->Field("offset", b->handle.offset);
      json_->Field("size", b->handle.size);
      json_->Field("ok", ok);
      if (ok) {
        json_->Field("raw_size", raw_size);
        json_->Field("compression", CompressionName(type));
        json_->Key("ratio");
        json_->Double(ratio);
      }
      json_->EndObject();
    } else if (ok) {
      char ratio_text[32];
      std::snprintf(ratio_text, sizeof ratio_text, "%.2f", ratio);
      out_ << "  @" << b->handle.offset << " " << b->name << ": " << b->handle.size
           << " bytes stored, " << raw_size << " raw, " << CompressionName(type) << ", ratio "
           << ratio_text << "\n";
    }
  }
  if (json_ && options_.blocks) json_->EndArray();
  blocks_read_ = all.size();
  damaged_blocks_ = damaged;
  if (options_.verify) {
    if (json_) {
      json_->Key("verify");
      json_->BeginObject();
      json_->Field("blocks", static_cast<uint64_t>(all.size()));
      json_->Field("damaged_blocks", damaged);
      json_->EndObject();
    } else {
      out_ << "verify: " << all.size() << " blocks read, " << damaged << " damaged\n";
    }
  }
}

void TableDump::PrintRangeTombstones(const Table& table) {
  const auto& tombstones = table.range_tombstones();
  if (tombstones == nullptr) return;
  range_tombstone_fragments_ = tombstones->size();
  if (json_) {
    json_->Key("range_tombstones");
    json_->BeginArray();
  } else {
    out_ << "range tombstones: " << tombstones->size() << " fragments\n";
  }
  for (const auto& f : tombstones->fragments()) {
    const SequenceNumber* seqs = tombstones->SeqsOf(f);
    if (json_) {
      json_->BeginObject();
      json_->Field("begin", ShowBytes(f.begin, options_));
      json_->Field("end", ShowBytes(f.end, options_));
      json_->Key("sequences");
      json_->BeginArray();
      for (uint32_t i = 0; i < f.seq_count; i++) json_->Uint(seqs[i]);
      json_->EndArray();
      json_->EndObject();
    } else {
      out_ << "  ['" << ShowBytes(f.begin, options_) << "', '" << ShowBytes(f.end, options_)
           << "') @";
      for (uint32_t i = 0; i < f.seq_count; i++) out_ << " " << seqs[i];
      out_ << " range deletion\n";
    }
  }
  if (json_) json_->EndArray();
}

void TableDump::Scan(const Table& table) {
  if (json_) {
    json_->Key("entries");
    json_->BeginArray();
  } else {
    out_ << "entries:\n";
  }
  ReadOptions read;
  read.fill_cache = false;
  std::unique_ptr<Iterator> it = table.NewIterator(read);
  uint64_t count = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    count++;
    ParsedInternalKey k;
    if (!ParseInternalKey(it->key(), &k)) {
      Damage(kUnknownOffset, "entry " + std::to_string(count) + " has a malformed internal key " +
                                 HexBytes(it->key()));
      continue;
    }
    // A put carries its value, a merge its operand (as in the WAL dump), a deletion nothing.
    const bool carries = k.type != ValueType::kDeletion;
    if (json_) {
      json_->BeginObject();
      json_->Field("key", ShowBytes(k.user_key, options_));
      json_->Field("sequence", k.sequence);
      json_->Field("type", OperationName(k.type));
      if (carries) json_->Field(ValueFieldName(k.type), ShowBytes(it->value(), options_));
      json_->EndObject();
    } else {
      out_ << "  '" << ShowBytes(k.user_key, options_) << "' @ " << k.sequence << " "
           << OperationName(k.type);
      if (carries) {
        out_ << (k.type == ValueType::kMerge ? " <= '" : " => '")
             << ShowBytes(it->value(), options_) << "'";
      }
      out_ << "\n";
    }
  }
  if (json_) json_->EndArray();
  if (!it->status().ok()) {
    Damage(kUnknownOffset,
           "scan stopped after " + std::to_string(count) + " entries: " + it->status().ToString());
  } else if (count != table.properties().num_entries) {
    Damage(kUnknownOffset, "scan found " + std::to_string(count) + " entries, properties say " +
                               std::to_string(table.properties().num_entries));
  }
  scanned_entries_ = count;
  if (json_) {
    json_->Field("scanned_entries", count);
  } else {
    out_ << "scanned " << count << " entries\n";
  }
}

int TableDump::Run(std::ostream& err) {
  FileSystem* fs = FileSystemOf(options_);
  Status s = fs->GetFileSize(path_, &file_size_);
  if (s.ok()) s = fs->NewRandomAccessFile(path_, &file_);
  if (!s.ok()) {
    err << "strata_dump: " << path_ << ": " << s.ToString() << "\n";
    open_status_ = s;
    return kDumpError;
  }
  if (json_) {
    json_->BeginObject();
    json_->Field("file", path_);
    json_->Field("kind", "sst");
    json_->Field("file_size", file_size_);
  } else {
    out_ << "sst " << path_ << " (" << file_size_ << " bytes)\n";
  }

  Footer footer;
  bool footer_ok = false;
  if (file_size_ < Footer::kEncodedLength) {
    Damage(0, "file too short to be a table");
  } else {
    blocks_end_ = file_size_ - Footer::kEncodedLength;
    char scratch[Footer::kEncodedLength];
    std::string_view bytes;
    s = file_->Read(blocks_end_, Footer::kEncodedLength, &bytes, scratch);
    if (s.ok() && bytes.size() != Footer::kEncodedLength) {
      s = Status::Corruption("short read of the footer");
    }
    if (s.ok()) s = footer.DecodeFrom(bytes, path_, blocks_end_);
    if (s.ok()) {
      footer_ok = true;
    } else {
      Damage(blocks_end_, s.ToString());
    }
  }

  if (footer_ok) {
    PrintFooter(footer);
    user_key_index_ = footer.version >= kUserKeyIndexFormatVersion;
    std::unique_ptr<Block> block;
    if (Load(footer.index, &block)) {
      ReadHandles(*block, &icmp_, "index", footer.index.offset, &data_blocks_);
    }
    if (Load(footer.metaindex, &block)) {
      ReadHandles(*block, BytewiseComparator(), "metaindex", footer.metaindex.offset,
                  &meta_blocks_);
    }
    meta_blocks_.push_back({"metaindex", footer.metaindex, {}});
    meta_blocks_.push_back({"index", footer.index, {}});

    // The engine's reader checks everything else it keeps (properties, filter).
    TableOptions table_options;
    table_options.comparator = &icmp_;
    table_options.filter_key = &UserKeyOf;
    table_options.user_comparator = BytewiseComparator();
    std::unique_ptr<RandomAccessFile> table_file;
    std::unique_ptr<Table> table;
    s = fs->NewRandomAccessFile(path_, &table_file);
    if (!s.ok()) {
      err << "strata_dump: " << path_ << ": " << s.ToString() << "\n";
      open_status_ = s;
      return kDumpError;
    }
    s = Table::Open(table_options, path_, std::move(table_file), file_size_, &table);
    if (!s.ok()) {
      Damage(blocks_end_, "table does not open: " + s.ToString());
    } else {
      properties_ = table->properties();
      PrintProperties(table->properties());
      PrintRangeTombstones(*table);
    }
    PrintIndexSummary();
    if (options_.blocks || options_.verify) WalkBlocks();
    if (options_.scan && table) Scan(*table);
  }

  if (json_) {
    json_->Key("damage");
    json_->BeginArray();
    for (const auto& [offset, reason] : damage_) {
      json_->BeginObject();
      if (offset != kUnknownOffset) json_->Field("offset", offset);
      json_->Field("reason", reason);
      json_->EndObject();
    }
    json_->EndArray();
    json_->EndObject();
  } else {
    out_ << "summary: " << damage_.size() << " problems found\n";
  }
  if (damage_.empty()) return kDumpSound;
  err << "strata_dump: " << path_ << ": " << damage_.size() << " problem"
      << (damage_.size() == 1 ? "" : "s") << " found, first ";
  if (damage_[0].first != kUnknownOffset) err << "at offset " << damage_[0].first << ": ";
  err << damage_[0].second << "\n";
  return kDumpDamaged;
}

}  // namespace

int DumpTable(const std::string& path, const DumpOptions& options, std::ostream& out,
              std::ostream& err) {
  TableDump dump(path, options, out);
  return dump.Run(err);
}

Status CheckTable(const std::string& path, const DumpOptions& options, FileCheck* check,
                  std::optional<TableProperties>* properties) {
  DumpOptions quiet = options;
  quiet.json = false;
  quiet.blocks = false;
  quiet.scan = true;
  quiet.verify = true;
  std::ostream discard(nullptr);  // writes to a stream without a buffer go nowhere
  TableDump dump(path, quiet, discard);
  if (dump.Run(discard) == kDumpError) return dump.open_status();
  dump.Report(check, properties);
  return Status::OK();
}

}  // namespace strata::dump
