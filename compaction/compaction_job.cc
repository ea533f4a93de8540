#include "compaction/compaction_job.h"

#include <chrono>
#include <deque>
#include <memory>
#include <optional>

#include "compaction/operand_combiner.h"
#include "compaction/output_cutter.h"
#include "compaction/range_del_compaction.h"
#include "sstable/merging_iterator.h"
#include "sstable/table_builder.h"
#include "version/filename.h"
#include "version/level_iterator.h"
#include "version/table_cache.h"

namespace strata {
namespace {

// Each input table is read in pieces of this size (when it is not mapped): one system call
// per 128 blocks of 4 KiB, at a cost of this much memory per table open at once (each level-0
// input, and one table at a time of each deeper level) while the job runs.
constexpr size_t kCompactionReadahead = 512 * 1024;

// The output being written.
struct Output {
  FileMetaData meta;
  std::unique_ptr<WritableFile> file;
  std::unique_ptr<TableBuilder> builder;
};

class Job {
 public:
  Job(Compaction* c, const CompactionJobContext& ctx, CompactionResult* result)
      : c_(c), ctx_(ctx), result_(result), ucmp_(ctx.icmp->user_comparator()) {}

  Status Run() {
    auto start = std::chrono::steady_clock::now();
    for (int which = 0; which < 2; which++) result_->bytes_read += c_->InputBytes(which);
    Status s = range_dels_.Init(*c_, ctx_.table_cache, ucmp_, ctx_.smallest_snapshot);
    if (s.ok()) s = Merge();
    if (s.ok() && !out_.builder && ForOutput(std::nullopt) != nullptr) {
      s = OpenOutput();  // tombstones past the last entry (or no entries at all)
      out_.meta.smallest_seqno = kMaxSequenceNumber;
    }
    if (s.ok() && out_.builder) s = FinishOutput(std::nullopt);
    if (!s.ok()) {
      if (out_.builder) out_.builder->Abandon();
      if (out_.file) out_.file->Close().PermitUncheckedError();
      out_ = Output();
      for (const uint64_t number : written_) {
        ctx_.fs->RemoveFile(TableFileName(ctx_.dbname, number)).PermitUncheckedError();
      }
      result_->outputs.clear();
    }
    result_->micros = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - start)
                          .count();
    return s;
  }

 private:
  std::unique_ptr<Iterator> InputIterator() {
    ReadOptions ro;
    ro.fill_cache = false;  // a compaction reads everything once: do not evict hot blocks
    ro.readahead_size = kCompactionReadahead;
    std::vector<std::unique_ptr<Iterator>> children;
    for (int which = 0; which < 2; which++) {
      const int level = which == 0 ? c_->level : c_->output_level;
      if (c_->inputs[which].empty()) continue;
      // Tables wholly deleted by the compaction's tombstones are left out unread.
      const FileList& inputs = LiveInputs(c_->inputs[which]);
      if (inputs.empty()) continue;
      if (level == 0) {
        for (const auto& f : inputs) {
          children.push_back(
              ctx_.table_cache->NewIterator(ro, f->number, f->file_size, f->global_seqno));
        }
      } else {
        children.push_back(NewLevelIterator(ctx_.icmp, &inputs, ctx_.table_cache, ro));
      }
    }
    return NewMergingIterator(ctx_.icmp, std::move(children));
  }

  Status Merge() {
    std::unique_ptr<Iterator> it = InputIterator();
    std::string current_user_key;
    bool has_current = false;
    SequenceNumber last_sequence_for_key = kMaxSequenceNumber;
    it->SeekToFirst();
    while (it->Valid()) {
      if (ctx_.should_stop && (result_->entries_read & 1023) == 0 && ctx_.should_stop()) {
        return Status::IOError("compaction stopped: database is closing");
      }
      result_->entries_read++;
      std::string_view key = it->key();
      ParsedInternalKey k;
      if (!ParseInternalKey(key, &k)) {
        return Status::Corruption("malformed internal key in compaction input");
      }
      const bool new_user_key = !has_current || ucmp_->Compare(k.user_key, current_user_key) != 0;
      if (new_user_key) {
        current_user_key.assign(k.user_key);
        has_current = true;
        last_sequence_for_key = kMaxSequenceNumber;
      }
      bool drop = false;
      if (last_sequence_for_key <= ctx_.smallest_snapshot) {
        drop = true;  // a newer entry of this key is visible to every reader
      } else if (k.type == ValueType::kDeletion && k.sequence <= ctx_.smallest_snapshot &&
                 c_->IsBaseLevelForKey(ucmp_, k.user_key)) {
        drop = true;  // nothing older below, and every reader sees the deletion
      } else if (range_dels_.CoversEntry(k.user_key, k.sequence)) {
        drop = true;  // under a range deletion every reader sees
      }
      last_sequence_for_key = k.sequence;
      if (drop) {
        result_->entries_dropped++;
        it->Next();
        continue;
      }
      if (k.type == ValueType::kMerge && k.sequence <= ctx_.smallest_snapshot &&
          ctx_.merge_operator != nullptr) [[unlikely]] {
        // Every reader sees this operand and all older entries of the key: combine them. The
        // key's older entries are then hidden from every reader (last_sequence_for_key).
        Status s = CombineOperands(it.get(), k, new_user_key);
        if (!s.ok()) return s;
        continue;  // CombineOperands moved past what it consumed
      }
      if (k.type == ValueType::kValue && k.sequence != 0 && k.sequence <= ctx_.smallest_snapshot &&
          range_dels_.empty() && c_->IsBaseLevelForKey(ucmp_, k.user_key)) {
        zeroed_key_.clear();
        AppendInternalKey(&zeroed_key_, k.user_key, 0, ValueType::kValue);
        k.sequence = 0;
        key = zeroed_key_;  // k.user_key still points into the input's key: same bytes
      }
      Status s = Emit(key, it->value(), k, new_user_key);
      if (!s.ok()) return s;
      it->Next();
    }
    return it->status();
  }

  // Every reader sees operand k and all older entries of its key: one entry replaces them
  // (compaction/operand_combiner.h).
  Status CombineOperands(Iterator* it, const ParsedInternalKey& k, bool new_user_key) {
    if (!combiner_) combiner_.emplace(ctx_.merge_operator, ucmp_);
    return combiner_->Combine(
        it, k,
        [this](std::string_view user_key, SequenceNumber seq) {
          return range_dels_.CoversEntry(user_key, seq);
        },
        c_->IsBaseLevelForKey(ucmp_, k.user_key),
        [&](std::string_view ikey, std::string_view value, const ParsedInternalKey& e, bool first) {
          return Emit(ikey, value, e, new_user_key && first);
        },
        &result_->entries_read, &result_->entries_dropped);
  }

  // Appends one entry to the current output, cutting to a new output first where the cutter
  // says (compaction/output_cutter.h). Outputs are cut only between user keys.
  Status Emit(std::string_view key, std::string_view value, const ParsedInternalKey& k,
              bool new_user_key) {
    if (new_user_key && cutter_.ShouldCutBefore(k.user_key, out_.builder != nullptr,
                                                out_.builder ? out_.builder->FileSize() : 0)) {
      Status s = FinishOutput(k.user_key);
      if (!s.ok()) return s;
    }
    if (!out_.builder) {
      Status s = OpenOutput();
      if (!s.ok()) return s;
      out_.meta.smallest.assign(key);
      out_.meta.smallest_seqno = k.sequence;
      out_.meta.largest_seqno = k.sequence;
    }
    out_.builder->Add(key, value);
    out_.meta.largest.assign(key);
    out_.meta.smallest_seqno = std::min(out_.meta.smallest_seqno, k.sequence);
    out_.meta.largest_seqno = std::max(out_.meta.largest_seqno, k.sequence);
    return Status::OK();
  }

  Status OpenOutput() {
    out_ = Output();
    out_.meta.number = ctx_.new_file_number();
    written_.push_back(out_.meta.number);
    Status s = ctx_.fs->NewWritableFile(TableFileName(ctx_.dbname, out_.meta.number), &out_.file);
    if (!s.ok()) return s;
    out_.builder =
        std::make_unique<TableBuilder>(ctx_.table_cache->OptionsForNewTable(), out_.file.get());
    return Status::OK();
  }

  // The tombstones of the output that ends before upper (none: the last output).
  std::unique_ptr<FragmentedRangeTombstones> ForOutput(std::optional<std::string_view> upper) {
    if (range_dels_.empty()) return nullptr;
    return range_dels_.ForOutput(
        output_lower_ ? std::optional<std::string_view>(*output_lower_) : std::nullopt, upper, *c_);
  }

  // The inputs that may hold a visible entry (all of them, unless tombstones cover some).
  const FileList& LiveInputs(const FileList& files) {
    if (range_dels_.empty()) return files;
    FileList& live = live_inputs_.emplace_back();
    for (const auto& f : files) {
      if (range_dels_.CoversFile(*f)) {
        result_->input_files_skipped++;
        result_->bytes_read -= f->file_size;
      } else {
        live.push_back(f);
      }
    }
    return live;
  }

  Status FinishOutput(std::optional<std::string_view> upper) {
    if (auto tombstones = ForOutput(upper)) {
      out_.builder->SetRangeTombstones(*tombstones);
      ExtendBoundsForTombstones(*tombstones, *ctx_.icmp, &out_.meta.smallest, &out_.meta.largest,
                                &out_.meta.smallest_seqno, &out_.meta.largest_seqno);
    }
    if (upper) output_lower_.emplace(*upper);
    out_.builder->SetSequenceRange(out_.meta.smallest_seqno, out_.meta.largest_seqno);
    Status s = out_.builder->Finish();
    if (s.ok()) s = out_.file->Sync();
    Status close = out_.file->Close();
    if (s.ok()) s = close;
    if (s.ok()) {
      out_.meta.file_size = out_.builder->FileSize();
      // Read it back before it replaces its inputs, and close it: the outputs open for reads
      // once the inputs have closed (DBImpl::OpenOutputs), so that a long compaction never
      // holds the indexes and filters of both.
      s = ctx_.table_cache->Verify(out_.meta.number, out_.meta.file_size);
    }
    if (s.ok()) {
      result_->bytes_written += out_.meta.file_size;
      result_->outputs.push_back(out_.meta);
    }
    out_.builder.reset();
    out_.file.reset();
    return s;
  }

  Compaction* const c_;
  const CompactionJobContext& ctx_;
  CompactionResult* const result_;
  const Comparator* const ucmp_;
  Output out_;
  CompactionRangeDels range_dels_;
  std::optional<std::string> output_lower_;  // where the previous output was cut
  std::deque<FileList> live_inputs_;         // LiveInputs' lists (level iterators point in)
  std::vector<uint64_t> written_;
  OutputCutter cutter_{ucmp_, c_->grandparents, c_->max_output_file_size,
                       c_->max_grandparent_overlap, c_->cut_at_grandparent_boundaries};
  std::optional<OperandCombiner> combiner_;  // made on the first operand
  std::string zeroed_key_;                   // an entry's key renumbered to sequence 0
};

}  // namespace

Status RunCompaction(Compaction* c, const CompactionJobContext& ctx, CompactionResult* result) {
  *result = CompactionResult();
  return Job(c, ctx, result).Run();
}

}  // namespace strata
