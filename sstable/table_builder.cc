#include "sstable/table_builder.h"

#include <cassert>
#include <chrono>
#include <string>

#include "sstable/block_builder.h"
#include "sstable/bloom.h"
#include "sstable/format.h"
#include "sstable/properties_block.h"
#include "sstable/range_del_block.h"
#include "util/chunked_writer.h"

namespace strata {

struct TableBuilder::Rep {
  Rep(const TableOptions& opts, WritableFile* f)
      : options(opts),
        comparator(opts.comparator ? opts.comparator : BytewiseComparator()),
        out(f, opts.write_chunk),
        data_block(opts.block_restart_interval),
        index_block(opts.index_block_restart_interval) {
    if (opts.filter_key != nullptr && opts.user_comparator != nullptr) {
      user_key_index = std::make_unique<BlockBuilder>(opts.index_block_restart_interval);
    }
    if (opts.bloom_bits_per_key > 0) {
      filter = std::make_unique<BloomFilterBuilder>(opts.bloom_bits_per_key);
    }
  }

  // Compresses *raw if options and savings allow, appends the trailer, and returns the
  // string now holding the block's bytes on disk (*raw or *compressed_out).
  std::string* Seal(std::string* raw, CompressionType compression, std::string* compressed_out) {
    std::string* out = raw;
    CompressionType type = CompressionType::kNone;
    if (CompressBlock(compression, *raw, compressed_out)) {
      out = compressed_out;
      type = CompressionType::kLZ4;
    }
    AppendBlockTrailer(out, type);
    return out;
  }

  // Appends sealed block bytes (contents + trailer) and sets *handle to them.
  void Emit(const std::string& sealed, BlockHandle* handle) {
    handle->offset = offset;
    handle->size = sealed.size() - kBlockTrailerSize;
    status = out.Append(sealed);
    if (status.ok()) offset += sealed.size();
  }

  void FlushDataBlock() {
    if (data_block.empty() || !status.ok()) return;
    Emit(*Seal(&data_block.Finish(), options.compression, &compressed), &pending_handle);
    data_block.Reset();
    if (status.ok()) {
      pending_index_entry = true;
      props.num_data_blocks++;
    }
  }

  // True if key, due in a full data block, should still go into it: it is a version of the
  // block's last user key, the index still holds user keys, and the block has not grown past
  // kMaxBlockGrowth times its target size (many versions of one key then take several blocks).
  bool KeepsUserKeyTogether(std::string_view key) const {
    static constexpr size_t kMaxBlockGrowth = 4;
    return user_key_index != nullptr &&
           data_block.CurrentSizeEstimate() < kMaxBlockGrowth * options.block_size &&
           options.user_comparator->Compare(options.filter_key(key),
                                            options.filter_key(last_key)) == 0;
  }

  // Adds the index entry of the block that ended with last_key; next_key is the first key of
  // the next block, or null after the last block. Both indexes get the entry (their separators
  // shortened by their own comparators) until a user key turns out to span two blocks.
  void AddIndexEntry(const std::string_view* next_key) {
    index_value.clear();
    pending_handle.EncodeTo(&index_value);
    if (user_key_index != nullptr) {
      const Comparator* ucmp = options.user_comparator;
      const std::string_view last_user = options.filter_key(last_key);
      const std::string_view next_user =
          next_key != nullptr ? options.filter_key(*next_key) : std::string_view();
      if (next_key != nullptr && ucmp->Compare(last_user, next_user) == 0) {
        user_key_index.reset();  // the key's versions are in both blocks: internal keys needed
      } else {
        separator.assign(last_user);
        if (next_key == nullptr) {
          ucmp->FindShortSuccessor(&separator);
        } else {
          ucmp->FindShortestSeparator(&separator, next_user);
        }
        // A user comparator's shortening is checked, not trusted: a separator outside
        // [last user key, next user key) would send lookups to the wrong block. The last user
        // key itself is always a valid separator.
        if (ucmp->Compare(separator, last_user) < 0 ||
            (next_key != nullptr && ucmp->Compare(separator, next_user) >= 0)) {
          separator.assign(last_user);
        }
        user_key_index->Add(separator, index_value);
      }
    }
    if (next_key == nullptr) {
      comparator->FindShortSuccessor(&last_key);
    } else {
      comparator->FindShortestSeparator(&last_key, *next_key);
    }
    index_block.Add(last_key, index_value);
    pending_index_entry = false;
  }

  const TableOptions options;
  const Comparator* const comparator;
  // The file, written a whole aligned chunk at a time (see ChunkedWriter for why).
  ChunkedWriter out;
  uint64_t offset = 0;  // bytes of the table so far, buffered ones included
  Status status;
  bool closed = false;

  BlockBuilder data_block;
  // Separators as internal keys, and as user keys while that stays possible (null once a user
  // key spanned two blocks, or for a table whose keys have no user key); Finish writes the
  // user-key index if it survived, as it is smaller and faster to search (format version 3, now 4).
  BlockBuilder index_block;
  std::unique_ptr<BlockBuilder> user_key_index;
  std::string separator;  // scratch for the user-key separator
  std::unique_ptr<BloomFilterBuilder> filter;
  std::string last_key;
  // The index entry of the last data block waits for the next key, so that its separator can
  // be shortened against it (or, at Finish, against nothing).
  bool pending_index_entry = false;
  BlockHandle pending_handle;
  std::string index_value;
  std::string compressed;  // reused compression output
  std::string range_del;   // encoded range deletion block; empty if none
  TableProperties props;
};

TableBuilder::TableBuilder(const TableOptions& options, WritableFile* file)
    : rep_(std::make_unique<Rep>(options, file)) {}

TableBuilder::~TableBuilder() { assert(rep_->closed); }

void TableBuilder::Add(std::string_view key, std::string_view value) {
  Rep* r = rep_.get();
  assert(!r->closed);
  if (!r->status.ok() || r->closed) return;
  if (r->props.num_entries > 0 && r->comparator->Compare(key, r->last_key) <= 0) {
    r->status = Status::InvalidArgument("table keys added out of order");
    return;
  }
  // A full block is cut when the next key arrives, so that the versions of one user key can
  // stay in one block (up to a bound) and the index keep user keys.
  if (r->data_block.CurrentSizeEstimate() >= r->options.block_size &&
      !r->KeepsUserKeyTogether(key)) {
    r->FlushDataBlock();
  }
  if (r->pending_index_entry) r->AddIndexEntry(&key);
  if (r->filter) r->filter->AddKey(r->options.filter_key ? r->options.filter_key(key) : key);
  if (r->props.num_entries == 0) r->props.smallest_key.assign(key);
  r->last_key.assign(key);
  r->props.num_entries++;
  r->props.raw_key_size += key.size();
  r->props.raw_value_size += value.size();

  r->data_block.Add(key, value);
}

void TableBuilder::SetRangeTombstones(const FragmentedRangeTombstones& tombstones) {
  rep_->range_del.clear();
  if (!tombstones.empty()) rep_->range_del = EncodeRangeDelBlock(tombstones);
}

void TableBuilder::SetSequenceRange(uint64_t smallest, uint64_t largest) {
  rep_->props.smallest_seqno = smallest;
  rep_->props.largest_seqno = largest;
}

Status TableBuilder::Finish() {
  Rep* r = rep_.get();
  assert(!r->closed);
  r->FlushDataBlock();
  r->closed = true;
  if (!r->status.ok()) return r->status;

  TableProperties& props = r->props;
  props.data_size = r->offset;
  if (props.num_entries > 0) props.largest_key = r->last_key;
  if (r->pending_index_entry) r->AddIndexEntry(nullptr);
  // The index is written last but sealed first, so the properties can give its size.
  Footer footer;
  BlockBuilder* index_block = &r->index_block;
  if (r->user_key_index != nullptr) {
    index_block = r->user_key_index.get();
    footer.version = kLineAlignedFilterFormatVersion;
  } else {
    footer.version = kInternalKeyIndexFormatVersion;
  }
  std::string index_compressed;
  const std::string* index =
      r->Seal(&index_block->Finish(), r->options.compression, &index_compressed);
  props.index_size = index->size();
  props.compression = static_cast<uint32_t>(r->options.compression);
  props.comparator_name = r->comparator->Name();
  if (r->options.user_comparator != nullptr) {
    props.user_comparator_name = r->options.user_comparator->Name();
  }
  props.creation_time =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count());

  BlockBuilder metaindex(1);
  std::string handle_encoding;
  if (r->filter) {
    // Bloom bits do not compress.
    std::string filter;
    // Readers of version 2 know only the unpadded kind.
    if (footer.version >= kLineAlignedFilterFormatVersion) {
      r->filter->FinishLineAligned(r->offset, &filter);
    } else {
      r->filter->Finish(&filter);
    }
    BlockHandle handle;
    r->Emit(*r->Seal(&filter, CompressionType::kNone, &r->compressed), &handle);
    props.filter_size = filter.size();
    handle.EncodeTo(&handle_encoding);
    metaindex.Add(kFilterBlockName, handle_encoding);  // names in bytewise order
  }
  if (r->status.ok()) {
    std::string encoded = EncodePropertiesBlock(props);
    BlockHandle handle;
    r->Emit(*r->Seal(&encoded, r->options.compression, &r->compressed), &handle);
    handle_encoding.clear();
    handle.EncodeTo(&handle_encoding);
    metaindex.Add(kPropertiesBlockName, handle_encoding);
  }
  if (r->status.ok() && !r->range_del.empty()) {
    BlockHandle handle;
    r->Emit(*r->Seal(&r->range_del, r->options.compression, &r->compressed), &handle);
    handle_encoding.clear();
    handle.EncodeTo(&handle_encoding);
    metaindex.Add(kRangeDelBlockName, handle_encoding);
  }
  if (r->status.ok()) {
    r->Emit(*r->Seal(&metaindex.Finish(), r->options.compression, &r->compressed),
            &footer.metaindex);
  }
  if (r->status.ok()) r->Emit(*index, &footer.index);
  if (r->status.ok()) {
    std::string encoded;
    footer.EncodeTo(&encoded);
    r->status = r->out.Append(encoded);
    if (r->status.ok()) r->offset += encoded.size();
  }
  if (r->status.ok()) r->status = r->out.Flush();
  return r->status;
}

void TableBuilder::Abandon() { rep_->closed = true; }

Status TableBuilder::status() const { return rep_->status; }

uint64_t TableBuilder::NumEntries() const { return rep_->props.num_entries; }

uint64_t TableBuilder::FileSize() const { return rep_->offset; }

const TableProperties& TableBuilder::properties() const { return rep_->props; }

}  // namespace strata
