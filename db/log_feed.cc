// The change feed's reader of log files (see db/log_feed.h for how it reads and why).
#include "db/log_feed.h"

#include <algorithm>
#include <thread>
#include <utility>
#include <vector>

#include "db/log_slots.h"
#include "db/write_batch_internal.h"
#include "version/filename.h"
#include "wal/log_reader.h"

namespace strata {

namespace {

class CollectingReporter final : public LogReader::Reporter {
 public:
  void Corruption(const LogCorruption& c) override { reports.push_back(c); }
  std::vector<LogCorruption> reports;
};

Status ListLogs(FileSystem* fs, const std::string& dbname, std::vector<uint64_t>* logs) {
  logs->clear();
  std::vector<std::string> names;
  Status s = fs->GetChildren(dbname, &names);
  if (!s.ok()) return s;
  for (const std::string& name : names) {
    uint64_t number;
    FileType type;
    if (ParseFileName(name, &number, &type) && type == FileType::kLog) logs->push_back(number);
  }
  std::sort(logs->begin(), logs->end());
  return Status::OK();
}

// Everything but a torn tail (and an I/O error, reported as such) is damage.
Status Judge(const std::string& fname, const std::vector<LogCorruption>& reports, bool* torn) {
  *torn = false;
  for (const LogCorruption& c : reports) {
    const std::string where = fname + " at offset " + std::to_string(c.offset) + ": " +
                              LogCorruptionKindName(c.kind) + " (" + c.reason + ")";
    if (c.kind == LogCorruption::Kind::kIOError) return Status::IOError("change feed", where);
    if (c.kind != LogCorruption::Kind::kTruncatedTail) {
      return Status::Corruption("change feed: damaged log", where);
    }
    *torn = true;
  }
  return Status::OK();
}

class LogFeed final : public ChangeFeed {
 public:
  LogFeed(std::shared_ptr<FileSystem> fs, std::string dbname, uint64_t from, FeedOptions options,
          std::unique_ptr<FeedBound> bound)
      : fs_(std::move(fs)),
        dbname_(std::move(dbname)),
        from_(std::max<uint64_t>(from, 1)),
        next_(from_),
        options_(std::move(options)),
        bound_(std::move(bound)) {}

  // Locates the log to start in; fails at once if the history asked for is gone.
  Status Start() {
    Status s = CheckSlot();
    if (!s.ok()) return s;
    std::vector<uint64_t> logs;
    s = ListLogs(fs_.get(), dbname_, &logs);
    if (!s.ok()) return s;
    bool any = false;
    uint64_t oldest = 0;
    log_ = logs.empty() ? 0 : logs.front();
    for (uint64_t number : logs) {
      uint64_t first = 0;
      bool found = false;
      s = FirstSequenceOfLog(fs_.get(), LogFileName(dbname_, number), &first, &found);
      if (!s.ok()) return s;
      if (!found) continue;
      if (!any) oldest = first;
      any = true;
      if (first <= from_) log_ = number;
    }
    if (any && oldest > from_) return Gone(oldest);
    // No record at all in the logs, but the database has written past from: all flushed
    // and deleted.
    const uint64_t limit = bound_->Limit();
    if (!any && bound_->Acknowledged() && limit >= from_) return Gone(limit + 1);
    have_log_ = !logs.empty();
    return Status::OK();
  }

  Status Next(std::chrono::milliseconds wait, ChangeBatch* out, bool* ready) override {
    *ready = false;
    if (!error_.ok()) return error_;
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (true) {
      Status s = TryRead(out, ready);
      if (!s.ok()) {
        // A slot invalidated meanwhile is the real reason history went missing.
        Status slot = CheckSlot();
        error_ = slot.ok() ? s : slot;
        return error_;
      }
      if (*ready) return s;
      if (std::chrono::steady_clock::now() >= deadline) return CheckSlot();
      s = CheckSlot();
      if (!s.ok()) return error_ = s;
      bound_->Wait(next_ - 1, deadline);
    }
  }

 private:
  Status Gone(uint64_t oldest) {
    return Status::NotFound(
        "change feed: sequence " + std::to_string(next_) + " is no longer in the logs",
        "the oldest still available is " + std::to_string(oldest));
  }

  Status CheckSlot() {
    if (options_.slot.empty()) return Status::OK();
    return LogSlotUsable(fs_.get(), dbname_, options_.slot);
  }

  // Opens log_ at offset_. *wait: nothing to read yet (reader_ stays null).
  Status OpenReader(bool* wait) {
    *wait = false;
    const std::string fname = LogFileName(dbname_, log_);
    std::unique_ptr<SequentialFile> file;
    Status s = fs_->NewSequentialFile(fname, &file);
    if (!s.ok()) {
      if (!fs_->FileExists(fname)) return FollowDeletedLog(wait);
      return s;
    }
    reporter_.reports.clear();
    reader_ = std::make_unique<LogReader>(std::move(file), &reporter_);
    return reader_->SkipTo(offset_);
  }

  // The log being read was deleted under the feed: its memtable is in a table and nothing
  // kept the log (no retention, no slot). If the next log with a record starts with the
  // sequence the feed needs next, the feed had read all it needed of the deleted one and
  // goes on there. Otherwise the history is gone.
  Status FollowDeletedLog(bool* wait) {
    std::vector<uint64_t> logs;
    Status s = ListLogs(fs_.get(), dbname_, &logs);
    if (!s.ok()) return s;
    bool newer = false;
    for (auto it = std::upper_bound(logs.begin(), logs.end(), log_); it != logs.end(); ++it) {
      newer = true;
      uint64_t first = 0;
      bool found = false;
      s = FirstSequenceOfLog(fs_.get(), LogFileName(dbname_, *it), &first, &found);
      if (!s.ok()) return s;
      if (!found) continue;  // no record yet (or none at all): the next one decides
      // Before the first record handed out, records below `from` are skipped as they come.
      if (first > next_ || (started_ && first != next_)) return GoneFromLog();
      log_ = *it;
      offset_ = 0;
      finishing_ = false;
      return OpenReader(wait);
    }
    // No newer log holds a record yet. In process the record due is acknowledged (TryRead
    // reads only then), so it was in the deleted log; out of process it may come.
    if (!newer || bound_->Acknowledged()) return GoneFromLog();
    *wait = true;
    return Status::OK();
  }

  Status GoneFromLog() {
    std::vector<uint64_t> logs;
    uint64_t oldest = 0;
    bool found = false;
    if (ListLogs(fs_.get(), dbname_, &logs).ok()) {
      for (uint64_t n : logs) {
        if (FirstSequenceOfLog(fs_.get(), LogFileName(dbname_, n), &oldest, &found).ok() && found) {
          break;
        }
      }
    }
    return Status::NotFound("change feed: sequence " + std::to_string(next_) +
                                " is no longer in the logs (" + LogFileName(dbname_, log_) +
                                " was deleted)",
                            found ? "the oldest still available is " + std::to_string(oldest)
                                  : "no log holds a record");
  }

  // A newer log than the one being read, if any.
  Status NewerLog(bool* exists, uint64_t* number) {
    std::vector<uint64_t> logs;
    Status s = ListLogs(fs_.get(), dbname_, &logs);
    *exists = false;
    if (!s.ok()) return s;
    auto it = std::upper_bound(logs.begin(), logs.end(), log_);
    if (it != logs.end()) {
      *exists = true;
      *number = *it;
    }
    return Status::OK();
  }

  Status TryRead(ChangeBatch* out, bool* ready) {
    if (!have_log_) {
      std::vector<uint64_t> logs;
      Status s = ListLogs(fs_.get(), dbname_, &logs);
      if (!s.ok() || logs.empty()) return s;
      log_ = logs.front();
      have_log_ = true;
    }
    const uint64_t limit = bound_->Limit();
    if (next_ > limit) return Status::OK();  // nothing acknowledged beyond what we gave
    bool opened_now = false;  // the reader saw the file as it is now, not at an older EOF
    while (true) {
      if (reader_ == nullptr) {
        bool wait = false;
        Status s = OpenReader(&wait);
        if (!s.ok() || wait) return s;
        opened_now = true;
      }
      std::string_view record;
      const bool more = reader_->ReadRecord(&record, &scratch_);
      bool torn = false;
      Status s;
      if (!reporter_.reports.empty()) {
        const uint64_t damage_at = reporter_.reports.front().offset;
        s = Judge(LogFileName(dbname_, log_), reporter_.reports, &torn);
        reporter_.reports.clear();
        if (s.IsCorruption() && unconfirmed_damage_ != std::make_pair(log_, damage_at)) {
          // A log written through a mapping is preallocated with zeros, and a live writer may
          // fill the block we read as zeros (or held in the middle of a copy) before we read
          // ahead into the next one, which then looks like a hole. The writer fills the log
          // in order, so a fresh read sees what we saw beyond the damage and everything
          // before it: damage seen again at the same place is real.
          unconfirmed_damage_ = {log_, damage_at};
          reader_.reset();
          continue;
        }
        if (!s.ok()) return s;
      }
      if (more && !torn) {
        const uint64_t at = reader_->LastRecordOffset();
        s = WriteBatch::FromBytes(record, &out->batch);
        if (!s.ok()) {
          return Status::Corruption(
              "change feed: " + LogFileName(dbname_, log_) + " at offset " + std::to_string(at),
              "intact record holds an invalid batch: " + s.ToString());
        }
        const uint64_t first = WriteBatchInternal::Sequence(out->batch);
        const uint32_t count = WriteBatchInternal::Count(out->batch);
        if (WriteBatchInternal::IsSyncMarker(out->batch)) {
          offset_ = reader_->LastRecordEnd();
          continue;
        }
        // An ingestion's sequence marker is handed out too, with count 0, so that the
        // consumer learns an ingestion took its sequence (docs/FORMATS.md).
        const uint64_t last = WriteBatchInternal::LastSequence(out->batch);
        if (last < next_ && !started_) {  // before the record holding `from`
          offset_ = reader_->LastRecordEnd();
          continue;
        }
        if (first > next_ || (started_ && first != next_)) {
          if (!started_) return Gone(first);
          return Status::Corruption(
              "change feed: " + LogFileName(dbname_, log_) + " at offset " + std::to_string(at),
              "sequence " + std::to_string(first) + " where " + std::to_string(next_) +
                  " was due: the log history has a gap");
        }
        if (last > limit) {
          // Written but not yet acknowledged (or not yet synced): read it again later.
          reader_.reset();
          return Status::OK();
        }
        offset_ = reader_->LastRecordEnd();
        out->sequence = first;
        out->count = count;
        next_ = last + 1;
        started_ = true;
        *ready = true;
        return Status::OK();
      }
      // The end of what this log held when the reader read its last block.
      reader_.reset();
      if (!opened_now) continue;  // it may have grown since: look again
      bool newer = false;
      uint64_t number = 0;
      s = NewerLog(&newer, &number);
      if (!s.ok()) return s;
      if (!newer) return Status::OK();
      if (!finishing_) {
        // The log may have grown between our read and the newer log's creation; it is
        // complete now, so one more read to its end sees all of it.
        finishing_ = true;
        continue;
      }
      finishing_ = false;
      log_ = number;
      offset_ = 0;
      opened_now = false;
    }
  }

  const std::shared_ptr<FileSystem> fs_;
  const std::string dbname_;
  const uint64_t from_;
  uint64_t next_;  // the sequence the next record must start with (or hold, before started_)
  const FeedOptions options_;
  const std::unique_ptr<FeedBound> bound_;
  bool have_log_ = false;
  bool started_ = false;    // a record was handed out: from now on sequences must run on
  bool finishing_ = false;  // a newer log exists: reading the current one to its end
  uint64_t log_ = 0;        // the log being read
  uint64_t offset_ = 0;     // where its next record starts
  // Damage seen once (log, offset), to be confirmed by a fresh read before it is reported.
  std::pair<uint64_t, uint64_t> unconfirmed_damage_{0, UINT64_MAX};
  std::unique_ptr<LogReader> reader_;
  CollectingReporter reporter_;
  std::string scratch_;
  Status error_;
};

// Out of process: the files are the only truth, and waiting is polling.
class DirectoryBound final : public FeedBound {
 public:
  explicit DirectoryBound(std::chrono::milliseconds poll) : poll_(poll) {}
  uint64_t Limit() override { return UINT64_MAX; }
  bool Acknowledged() const override { return false; }
  void Wait(uint64_t, std::chrono::steady_clock::time_point deadline) override {
    const auto now = std::chrono::steady_clock::now();
    if (now < deadline)
      std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(poll_, deadline - now));
  }

 private:
  const std::chrono::milliseconds poll_;
};

}  // namespace

Status FirstSequenceOfLog(FileSystem* fs, const std::string& path, uint64_t* first, bool* found) {
  *found = false;
  std::unique_ptr<SequentialFile> file;
  Status s = fs->NewSequentialFile(path, &file);
  if (!s.ok()) return s;
  LogReader reader(std::move(file), nullptr);
  std::string scratch;
  std::string_view record;
  while (reader.ReadRecord(&record, &scratch)) {
    if (record.size() < kWriteBatchHeader) return Status::OK();
    // A sync marker holds no sequence; an ingestion's sequence marker holds its one.
    const uint64_t sequence = DecodeFixed64(record.data());
    if (DecodeFixed32(record.data() + 8) == 0 && sequence == 0) continue;
    *first = sequence;
    *found = true;
    return Status::OK();
  }
  return Status::OK();
}

Status NewLogFeed(std::shared_ptr<FileSystem> fs, const std::string& dbname, uint64_t from,
                  const FeedOptions& options, std::unique_ptr<FeedBound> bound,
                  std::unique_ptr<ChangeFeed>* feed) {
  feed->reset();
  auto f = std::make_unique<LogFeed>(std::move(fs), dbname, from, options, std::move(bound));
  Status s = f->Start();
  if (s.ok()) *feed = std::move(f);
  return s;
}

Status OpenChangeFeed(const std::string& dbname, uint64_t from, const FeedOptions& options,
                      std::unique_ptr<ChangeFeed>* feed) {
  feed->reset();
  if (options.durable_only) {
    return Status::NotSupported(
        "change feed: durable_only needs the database's own process (DB::NewChangeFeed)");
  }
  std::shared_ptr<FileSystem> fs =
      options.file_system ? options.file_system : FileSystem::Default();
  if (!fs->FileExists(dbname + "/CURRENT")) {
    return Status::InvalidArgument(dbname, "is not a database (no CURRENT)");
  }
  return NewLogFeed(fs, dbname, from, options,
                    std::make_unique<DirectoryBound>(options.poll_interval), feed);
}

}  // namespace strata
