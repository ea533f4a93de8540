// Table reader. Open reads and verifies the footer, index, metaindex, properties and filter
// (checksums always verified) and keeps the index block and filter in memory for the table's
// life. Data blocks are read on demand, verified per ReadOptions::verify_checksums, and, with
// a block cache and ReadOptions::fill_cache, cached uncompressed under a 16-byte key: the
// table's cache id (Cache::NewId at Open) and the block's offset, both fixed64.
//
// Long scans: once a table iterator has read blocks of its table in a row, in one direction,
// for more than an eighth of the block cache's capacity (and at least kMinLongScanSteps
// blocks), a block it reads enters the cache only if the cache has room for it; otherwise the
// iterator owns the block until it moves on. A scan reads each block once: evicting other
// reads' blocks for it gains nothing, costs the eviction, and leaves each new block in
// memory the processor has not touched lately, where an owned block's buffer goes back to
// this thread's spare list and takes the next block while still in the processor's cache (a
// 1 M key readseq ran 1.3 times as fast alone, 1.4 times with two threads). Blocks of scans
// shorter than an eighth of the cache and of point reads enter a cache with room; a full one
// only if TableOptions::block_admission admits them (sstable/block_admission.h). The price: a range
// longer than an eighth of the cache, scanned again and again while the cache is full, keeps only
// its first eighth cached (PostgreSQL's sequential scans of tables over a quarter of its buffers
// make the same trade).
//
// Scans that keep nothing (ReadOptions::fill_cache false, as compactions read) through a mapped
// file release the pages behind them every kReleaseStep bytes (RandomAccessFile::ReleasePages),
// so a compaction does not leave its inputs in the resident set; the pages of the last MiB or
// so stay mapped until the file closes.
//
// Pinning: whoever uses a data block holds it through a BlockRef -- a cache handle (released
// when the user moves to another block or finishes) or sole ownership of an uncached block.
// Cached blocks never point into the file's memory, so they may outlive the table.

#include "sstable/table.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <string>

#include "sstable/block.h"
#include "sstable/block_admission.h"
#include "sstable/block_readahead.h"
#include "sstable/bloom.h"
#include "sstable/format.h"
#include "sstable/properties_block.h"
#include "sstable/range_del_block.h"
#include "strata/cache.h"
#include "util/checksum.h"
#include "util/coding.h"
#include "util/perf_context_imp.h"
#include "util/statistics_util.h"

namespace strata {
namespace {

// Whether a block read on a cache miss may push other blocks out of the cache: always, or
// (a long scan's) never.
enum class CacheFill { kEvicting, kIfRoom };

constexpr int kMinLongScanSteps = 16;
// How far a scan that keeps nothing reads on in a mapped file before it releases the pages
// behind it (TableIterator::ReleasePagesBehind): one madvise call per MiB.
constexpr uint64_t kReleaseStep = 1 << 20;

// A data block in use: pinned in the cache, or owned.
class BlockRef {
 public:
  BlockRef() = default;
  BlockRef(const BlockRef&) = delete;
  BlockRef& operator=(const BlockRef&) = delete;
  ~BlockRef() { Reset(); }

  const Block* block() const { return block_; }
  void SetCached(Cache* cache, Cache::Handle* handle) {
    cache_ = cache;
    handle_ = handle;
    block_ = static_cast<const Block*>(cache->Value(handle));
  }
  void SetOwned(std::unique_ptr<Block> block) {
    owned_ = std::move(block);
    block_ = owned_.get();
  }
  void Reset() {
    if (handle_ != nullptr) cache_->Release(handle_);
    handle_ = nullptr;
    owned_.reset();
    block_ = nullptr;
  }

 private:
  const Block* block_ = nullptr;
  Cache* cache_ = nullptr;
  Cache::Handle* handle_ = nullptr;
  std::unique_ptr<Block> owned_;
};

void DeleteCachedBlock(std::string_view /*key*/, void* value) { delete static_cast<Block*>(value); }

// Everything an open table holds; immutable after Open.
struct TableState {
  TableOptions options;
  const Comparator* comparator = nullptr;
  std::string file_name;
  std::unique_ptr<RandomAccessFile> file;
  uint64_t file_size = 0;
  uint64_t blocks_end = 0;  // where the footer starts
  uint64_t cache_id = 0;
  BlockHandle index_handle;
  std::unique_ptr<Block> index_block;
  // A version-3 or -4 index holds user keys: it is searched for the user key of a target, in the
  // user comparator's order.
  bool user_key_index = false;
  const Comparator* index_comparator = nullptr;
  std::unique_ptr<BloomFilter> filter;
  TableProperties properties;
  std::shared_ptr<const FragmentedRangeTombstones> range_tombstones;  // null if none

  // Names the file and the offset in a Corruption from a block or its decoding.
  Status Annotate(const Status& s, uint64_t offset) const {
    if (!s.IsCorruption()) return s;
    return Status::Corruption(std::string(s.message()) + " in " + file_name + " at offset " +
                              std::to_string(offset));
  }

  // What the index is searched for to find the block of target.
  std::string_view IndexKey(std::string_view target) const {
    return user_key_index ? options.filter_key(target) : target;
  }

  Status DecodeIndexValue(const BlockIter& index, BlockHandle* handle) const {
    std::string_view v = index.value();
    if (!handle->DecodeFrom(&v) || !v.empty()) {
      return Annotate(Status::Corruption("bad block handle in index"), index_handle.offset);
    }
    return Status::OK();
  }

  // Hands found the entry data is on, and the following ones while it asks for more: the
  // rest of this block (at block_offset), then the blocks after the one index is on (moving
  // index). REQUIRES: data->Valid().
  Status Feed(const ReadOptions& ro, BlockIter* data, uint64_t block_offset, BlockIter* index,
              Table::GetCallback found, void* arg) const {
    while (found(arg, data->key(), data->value())) [[unlikely]] {
        data->Next();
        if (!data->Valid()) {
          if (!data->status().ok()) return Annotate(data->status(), block_offset);
          return ContinueInNextBlocks(ro, index, found, arg);
        }
      }
    return Status::OK();
  }

  Status ContinueInNextBlocks(const ReadOptions& ro, BlockIter* index, Table::GetCallback found,
                              void* arg) const {
    for (index->Next(); index->Valid(); index->Next()) {
      BlockHandle handle;
      Status s = DecodeIndexValue(*index, &handle);
      if (!s.ok()) return s;
      BlockRef ref;
      s = GetDataBlock(ro, handle, &ref);
      if (!s.ok()) return s;
      BlockIter data(comparator, ref.block());
      for (data.SeekToFirst(); data.Valid(); data.Next()) {
        if (!found(arg, data.key(), data.value())) return Status::OK();
      }
      if (!data.status().ok()) return Annotate(data.status(), handle.offset);
    }
    return Annotate(index->status(), index_handle.offset);
  }

  // Reads (or finds in the cache) the data block at handle; through readahead's window if
  // given. A block read on a miss enters the cache if ro.fill_cache allows; without evicting
  // another for CacheFill::kIfRoom, or when options.block_admission does not admit it.
  Status GetDataBlock(const ReadOptions& ro, const BlockHandle& handle, BlockRef* ref,
                      BlockReadahead* readahead = nullptr,
                      CacheFill fill = CacheFill::kEvicting) const {
    ref->Reset();
    Cache* cache = options.block_cache;
    char key[16];
    if (cache != nullptr) {
      EncodeFixed64(key, cache_id);
      EncodeFixed64(key + 8, handle.offset);
      if (Cache::Handle* h = cache->Lookup(std::string_view(key, sizeof key))) {
        STRATA_PERF_COUNT(block_cache_hits);
        RecordTick(options.statistics, Ticker::kBlockCacheDataHit);
        ref->SetCached(cache, h);
        return Status::OK();
      }
      RecordTick(options.statistics, Ticker::kBlockCacheDataMiss);
    }
    BlockContents contents;
    std::string_view window_bytes;
    bool in_window = false;
    Status s;
    if (readahead != nullptr) {
      s = readahead->Get(*file, blocks_end, handle, &window_bytes, &in_window);
      if (!s.ok()) return s;
    }
    if (in_window) {
      s = DecodeBlock(window_bytes, file_name, handle, ro.verify_checksums, &contents);
    } else {
      s = ReadBlock(*file, file_name, blocks_end, handle, ro.verify_checksums, &contents);
    }
    if (!s.ok()) return s;
    STRATA_PERF_COUNT(block_reads);
    STRATA_PERF_ADD(block_read_bytes, handle.size);
    const bool insert = cache != nullptr && ro.fill_cache;
    if (insert && !contents.heap) {
      // Bytes owned by the file (e.g. mapped): copy, as the cache may outlive the table.
      CopyBlockContents(contents.data, &contents);
    }
    auto block = std::make_unique<Block>(std::move(contents));
    if (!block->ok()) {
      return Annotate(Status::Corruption("malformed block restart array"), handle.offset);
    }
    if (insert) {
      const std::string_view k(key, sizeof key);
      const size_t charge = block->memory_usage();
      const bool may_evict =
          fill == CacheFill::kEvicting && (options.block_admission == nullptr ||
                                           options.block_admission->AdmitAfterMiss(Hash64(k)));
      Cache::Handle* h = may_evict
                             ? cache->Insert(k, block.get(), charge, &DeleteCachedBlock)
                             : cache->InsertIfRoom(k, block.get(), charge, &DeleteCachedBlock);
      if (h != nullptr) {
        block.release();  // the cache owns it now
        ref->SetCached(cache, h);
        return Status::OK();
      }
      if (fill == CacheFill::kIfRoom) {
        STRATA_PERF_COUNT(scan_blocks_not_cached);
      } else {
        STRATA_PERF_COUNT(blocks_not_admitted);
      }
    }
    ref->SetOwned(std::move(block));
    return Status::OK();
  }
};

// Two levels: the index iterator picks a data block, a block iterator walks it. Invariant:
// data_ is positioned within block_, which is the block index_ points at; when index_ runs
// off either end or an error occurs, block_ is released and data_ cleared (invalid).
class TableIterator final : public Iterator {
 public:
  TableIterator(const TableState* table, const ReadOptions& options)
      : table_(table),
        options_(options),
        index_(table->index_comparator, table->index_block.get()),
        readahead_(options.readahead_size),
        long_scan_steps_(LongScanSteps(table->options)),
        release_behind_(!options.fill_cache && table->file->IsMemoryMapped()) {}

  bool Valid() const override { return data_.Valid(); }
  void SeekToFirst() override {
    status_ = Status::OK();
    index_.SeekToFirst();
    if (LoadBlock(0)) data_.SeekToFirst();
    SkipEmptyBlocksForward();
  }
  void SeekToLast() override {
    status_ = Status::OK();
    index_.SeekToLast();
    if (LoadBlock(0)) data_.SeekToLast();
    SkipEmptyBlocksBackward();
  }
  void Seek(std::string_view target) override {
    status_ = Status::OK();
    index_.Seek(table_->IndexKey(target));
    if (LoadBlock(0)) data_.Seek(target);
    SkipEmptyBlocksForward();
  }
  void SeekForPrev(std::string_view target) override {
    // The last key <= target is in the block Seek lands in, or just before it.
    Seek(target);
    if (!status().ok()) return;
    if (!Valid()) {
      SeekToLast();
    } else if (table_->comparator->Compare(data_.key(), target) > 0) {
      Prev();
    }
  }
  void Next() override {
    assert(Valid());
    data_.Next();
    SkipEmptyBlocksForward();
  }
  void Prev() override {
    assert(Valid());
    data_.Prev();
    SkipEmptyBlocksBackward();
  }
  std::string_view key() const override { return data_.key(); }
  std::string_view value() const override { return data_.value(); }
  Status status() const override {
    if (!status_.ok()) return status_;
    if (!index_.status_ok()) return table_->Annotate(index_.status(), table_->index_handle.offset);
    return Status::OK();
  }

 private:
  void ClearBlock() {
    data_.Clear();
    block_.Reset();
  }

  // Steps in a row after which a scan is a long one: an eighth of the cache's capacity in
  // blocks of the table's block size, at least kMinLongScanSteps.
  static int LongScanSteps(const TableOptions& options) {
    if (options.block_cache == nullptr) return kMinLongScanSteps;
    const size_t steps =
        options.block_cache->capacity() / 8 / std::max<size_t>(options.block_size, 1);
    return static_cast<int>(std::clamp<size_t>(steps, kMinLongScanSteps, 1 << 30));
  }

  // Makes block_ the block index_ points at, which it moved to by a step (direction +1 or
  // -1) or a seek (0); false (block cleared) at the index's end or on error.
  bool LoadBlock(int direction) {
    if (!index_.Valid()) {
      ClearBlock();
      return false;
    }
    BlockHandle handle;
    Status s = table_->DecodeIndexValue(index_, &handle);
    if (s.ok() && block_.block() != nullptr && handle.offset == block_offset_) {
      data_.Init(table_->comparator, block_.block());  // same block: keep the pin
      return true;
    }
    ClearBlock();
    readahead_.Moved(direction);
    if (s.ok()) {
      const CacheFill fill =
          readahead_.steps() >= long_scan_steps_ ? CacheFill::kIfRoom : CacheFill::kEvicting;
      s = table_->GetDataBlock(options_, handle, &block_, &readahead_, fill);
    }
    if (!s.ok()) {
      status_ = std::move(s);
      ClearBlock();
      return false;
    }
    block_offset_ = handle.offset;
    data_.Init(table_->comparator, block_.block());
    if (release_behind_) ReleasePagesBehind(direction, handle.offset);
    return true;
  }

  // A forward scan that keeps nothing (fill_cache false: a compaction's) lets go of the mapped
  // pages behind it every kReleaseStep bytes: a compaction reads each of its inputs once, and
  // without this every page it read stayed in the process's resident set until the input file
  // closed (RandomAccessFile::ReleasePages).
  void ReleasePagesBehind(int direction, uint64_t offset) {
    if (direction <= 0 || offset < released_until_) {
      released_until_ = offset;  // a seek, or a step back: start counting here
    } else if (offset - released_until_ >= kReleaseStep) {
      table_->file->ReleasePages(released_until_, offset - released_until_);
      released_until_ = offset;
    }
  }

  // After data_ ran off the end of its block (or found damage), moves to the next block.
  void SkipEmptyBlocksForward() {
    while (!data_.Valid()) {
      if (!data_.status_ok()) {
        status_ = table_->Annotate(data_.status(), block_offset_);
        ClearBlock();
        return;
      }
      if (block_.block() == nullptr) return;  // end of the index, or an error
      index_.Next();
      if (LoadBlock(+1)) data_.SeekToFirst();
    }
  }

  void SkipEmptyBlocksBackward() {
    while (!data_.Valid()) {
      if (!data_.status_ok()) {
        status_ = table_->Annotate(data_.status(), block_offset_);
        ClearBlock();
        return;
      }
      if (block_.block() == nullptr) return;
      index_.Prev();
      if (LoadBlock(-1)) data_.SeekToLast();
    }
  }

  const TableState* const table_;
  const ReadOptions options_;
  Status status_;  // the first read or decoding error since the last Seek*
  BlockIter index_;
  BlockIter data_;
  BlockRef block_;
  uint64_t block_offset_ = 0;
  BlockReadahead readahead_;
  const int long_scan_steps_;
  const bool release_behind_;    // see ReleasePagesBehind
  uint64_t released_until_ = 0;  // where the next release starts (a seek or step back resets it)
};

}  // namespace

struct Table::Rep : TableState {};

Table::Table(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {
  if (rep_->options.reader_memory != nullptr) {
    rep_->options.reader_memory->fetch_add(ApproximateMemoryUsage(), std::memory_order_relaxed);
  }
}

Table::~Table() {
  if (rep_->options.reader_memory != nullptr) {
    rep_->options.reader_memory->fetch_sub(ApproximateMemoryUsage(), std::memory_order_relaxed);
  }
}

uint64_t Table::ApproximateMemoryUsage() const {
  uint64_t n = sizeof(Rep) + rep_->file_name.size();
  // An uncompressed index read from a mapped file is the file's pages, not held memory.
  if (rep_->index_block->owns_contents()) n += rep_->index_block->size();
  n += rep_->index_block->hints_memory_usage();
  // So is a line-aligned filter probed in place.
  if (rep_->filter != nullptr && rep_->filter->owns_lines()) n += rep_->filter->size();
  return n;
}

uint64_t Table::IndexHintsMemoryUsage() const { return rep_->index_block->hints_memory_usage(); }

Status Table::Open(const TableOptions& options, std::string file_name,
                   std::unique_ptr<RandomAccessFile> file, uint64_t file_size,
                   std::unique_ptr<Table>* table) {
  table->reset();
  if (file_size < Footer::kEncodedLength) {
    return Status::Corruption(
        "file too short to be a table (" + std::to_string(file_size) + " bytes)", file_name);
  }
  auto rep = std::make_unique<Rep>();
  rep->options = options;
  rep->comparator = options.comparator ? options.comparator : BytewiseComparator();
  rep->file_name = std::move(file_name);
  rep->file = std::move(file);
  rep->file_size = file_size;
  rep->blocks_end = file_size - Footer::kEncodedLength;
  const std::string& name = rep->file_name;

  char footer_space[Footer::kEncodedLength];
  std::string_view footer_bytes;
  Status s = rep->file->Read(rep->blocks_end, Footer::kEncodedLength, &footer_bytes, footer_space);
  if (!s.ok()) return s;
  if (footer_bytes.size() != Footer::kEncodedLength) {
    return rep->Annotate(Status::Corruption("truncated footer read"), rep->blocks_end);
  }
  Footer footer;
  s = footer.DecodeFrom(footer_bytes, name, rep->blocks_end);
  if (!s.ok()) return s;
  rep->user_key_index = footer.version >= kUserKeyIndexFormatVersion;
  rep->index_comparator = rep->comparator;
  if (rep->user_key_index) {
    if (options.filter_key == nullptr || options.user_comparator == nullptr) {
      return Status::InvalidArgument("table " + name +
                                     " has a user-key index: it needs a user key extractor and "
                                     "a user comparator to be read");
    }
    rep->index_comparator = options.user_comparator;
  }

  // Index: kept in memory (not in the block cache) for the table's life.
  BlockContents contents;
  s = ReadBlock(*rep->file, name, rep->blocks_end, footer.index, true, &contents);
  if (!s.ok()) return s;
  rep->index_handle = footer.index;
  rep->index_block = std::make_unique<Block>(std::move(contents));
  if (!rep->index_block->ok()) {
    return rep->Annotate(Status::Corruption("malformed index block"), footer.index.offset);
  }
  // Every Get searches the index; hints keep that search out of the index's own bytes, which
  // at 100 M keys no longer stay in the processor's caches (sstable/restart_hints.h).
  if (rep->index_comparator == BytewiseComparator()) rep->index_block->AddRestartHints();

  // Metaindex: where the filter and the properties are.
  s = ReadBlock(*rep->file, name, rep->blocks_end, footer.metaindex, true, &contents);
  if (!s.ok()) return s;
  BlockHandle filter_handle, properties_handle, range_del_handle;
  bool has_filter = false, has_properties = false, has_range_del = false;
  {
    Block metaindex(std::move(contents));
    BlockIter it(BytewiseComparator(), &metaindex);
    for (it.SeekToFirst(); it.Valid(); it.Next()) {
      BlockHandle* handle = nullptr;
      if (it.key() == kFilterBlockName) {
        handle = &filter_handle;
        has_filter = true;
      } else if (it.key() == kPropertiesBlockName) {
        handle = &properties_handle;
        has_properties = true;
      } else if (it.key() == kRangeDelBlockName && footer.version >= 2) {
        handle = &range_del_handle;
        has_range_del = true;
      } else {
        continue;  // a meta block this version does not use
      }
      std::string_view v = it.value();
      if (!handle->DecodeFrom(&v) || !v.empty()) {
        return rep->Annotate(Status::Corruption("bad block handle in metaindex"),
                             footer.metaindex.offset);
      }
    }
    if (!it.status().ok()) return rep->Annotate(it.status(), footer.metaindex.offset);
  }
  if (!has_properties) {
    return rep->Annotate(Status::Corruption("no properties block"), footer.metaindex.offset);
  }

  s = ReadBlock(*rep->file, name, rep->blocks_end, properties_handle, true, &contents);
  if (!s.ok()) return s;
  s = DecodePropertiesBlock(contents.data, &rep->properties);
  if (!s.ok()) return rep->Annotate(s, properties_handle.offset);
  if (rep->properties.comparator_name != rep->comparator->Name()) {
    return Status::InvalidArgument("table " + name + " was written with comparator " +
                                   rep->properties.comparator_name + ", opened with " +
                                   rep->comparator->Name());
  }

  if (has_filter) {
    // A mapped file's lines are probed in place (they live as long as the table); otherwise
    // the filter's memory is taken before the read's (BloomFilter::ReserveLines), if the
    // handle's size agrees with the checksummed properties (a damaged handle reserves nothing
    // before its block's checksum is checked).
    const bool mapped = rep->file->IsMemoryMapped();
    const bool trusted_size = BlockFitsBefore(filter_handle, rep->blocks_end) &&
                              filter_handle.size <= rep->properties.filter_size;
    BloomFilter::Lines lines =
        BloomFilter::ReserveLines(!mapped && trusted_size ? filter_handle.size : 0);
    s = ReadBlock(*rep->file, name, rep->blocks_end, filter_handle, true, &contents);
    if (!s.ok()) return s;
    rep->filter = BloomFilter::Parse(contents.data, contents.heap.data() == nullptr && mapped,
                                     std::move(lines));
    if (rep->filter == nullptr) {
      return rep->Annotate(Status::Corruption("malformed filter block"), filter_handle.offset);
    }
  }

  if (has_range_del) {
    s = ReadBlock(*rep->file, name, rep->blocks_end, range_del_handle, true, &contents);
    if (!s.ok()) return s;
    s = DecodeRangeDelBlock(
        contents.data, options.user_comparator ? options.user_comparator : BytewiseComparator(),
        &rep->range_tombstones);
    if (!s.ok()) return rep->Annotate(s, range_del_handle.offset);
    if (rep->range_tombstones->empty()) rep->range_tombstones.reset();
  }

  if (options.block_cache != nullptr) rep->cache_id = options.block_cache->NewId();
  table->reset(new Table(std::move(rep)));
  return Status::OK();
}

std::unique_ptr<Iterator> Table::NewIterator(const ReadOptions& options) const {
  return std::make_unique<TableIterator>(rep_.get(), options);
}

Status Table::Get(const ReadOptions& options, std::string_view key, std::string_view filter_key,
                  GetCallback found, void* arg, bool* has_filter) const {
  const TableState& t = *rep_;
  if (has_filter != nullptr) *has_filter = t.filter != nullptr;
  if (t.filter != nullptr) {
    STRATA_PERF_COUNT(filter_checks);
    RecordTick(t.options.statistics, Ticker::kBloomFilterChecked);
    if (!t.filter->KeyMayMatch(filter_key)) {
      STRATA_PERF_COUNT(filter_negatives);
      RecordTick(t.options.statistics, Ticker::kBloomFilterUseful);
      return Status::OK();
    }
  }
  BlockIter index(t.index_comparator, t.index_block.get());
  index.Seek(t.IndexKey(key));
  if (!index.Valid()) return t.Annotate(index.status(), t.index_handle.offset);
  BlockHandle handle;
  Status s = t.DecodeIndexValue(index, &handle);
  if (!s.ok()) return s;
  BlockRef ref;
  s = t.GetDataBlock(options, handle, &ref);
  if (!s.ok()) return s;
  BlockIter data(t.comparator, ref.block());
  data.Seek(key);
  if (!data.Valid()) return t.Annotate(data.status(), handle.offset);
  return t.Feed(options, &data, handle.offset, &index, found, arg);
}

void Table::MultiGet(const ReadOptions& options, std::span<Lookup> lookups) const {
  const TableState& t = *rep_;
  BlockIter index(t.index_comparator, t.index_block.get());
  BlockRef ref;  // the block of the previous lookup, kept pinned
  uint64_t ref_offset = 0;
  for (Lookup& l : lookups) {
    l.status = Status::OK();
    if (t.filter != nullptr && !t.filter->KeyMayMatch(l.filter_key)) continue;
    index.Seek(t.IndexKey(l.key));
    if (!index.Valid()) {
      l.status = t.Annotate(index.status(), t.index_handle.offset);
      continue;
    }
    BlockHandle handle;
    l.status = t.DecodeIndexValue(index, &handle);
    if (!l.status.ok()) continue;
    if (ref.block() == nullptr || handle.offset != ref_offset) {
      ref.Reset();
      l.status = t.GetDataBlock(options, handle, &ref);
      if (!l.status.ok()) {
        ref.Reset();
        continue;
      }
      ref_offset = handle.offset;
    }
    BlockIter data(t.comparator, ref.block());
    data.Seek(l.key);
    if (!data.Valid()) {
      l.status = t.Annotate(data.status(), handle.offset);
      continue;
    }
    l.status = t.Feed(options, &data, handle.offset, &index, l.found, l.arg);
  }
}

bool Table::KeyMayMatch(std::string_view filter_key) const {
  return rep_->filter == nullptr || rep_->filter->KeyMayMatch(filter_key);
}

void Table::PrefetchFilter(uint64_t filter_key_hash) const {
  if (rep_->filter != nullptr) rep_->filter->Prefetch(filter_key_hash);
}

uint64_t Table::ApproximateOffsetOf(std::string_view key) const {
  BlockIter index(rep_->index_comparator, rep_->index_block.get());
  index.Seek(rep_->IndexKey(key));
  BlockHandle handle;
  if (index.Valid() && rep_->DecodeIndexValue(index, &handle).ok()) return handle.offset;
  return rep_->file_size;
}

const TableProperties& Table::properties() const { return rep_->properties; }

const std::shared_ptr<const FragmentedRangeTombstones>& Table::range_tombstones() const {
  return rep_->range_tombstones;
}

}  // namespace strata
