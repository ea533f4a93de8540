// strata_ctl apply: applies a binary change feed stream to a database exactly once. The
// position (the last applied source sequence) is written in the same batch as the data it
// covers, so a crash at any point leaves both or neither; on restart, records at or below the
// position are skipped and the next record must start right after it. A slot named by the
// stream is advanced only to what is synced here, so the source never drops a log this
// database may still need after a power loss. An ingestion on the source (a record with no
// operation at a sequence above 0) stops it with NotSupported: the ingested keys are not in
// the log; a checkpoint of the source, with --from, starts a follower again past it.
#include <chrono>

#include "db/write_batch_internal.h"
#include "strata/change_feed.h"
#include "strata/db.h"
#include "tools/ctl/commands.h"
#include "tools/ctl/ctl.h"
#include "tools/ctl/feed_stream.h"
#include "tools/ctl/log_commands.h"
#include "tools/ctl/log_commands_impl.h"

namespace strata::ctl {

namespace {

int Fail(std::ostream& err, const std::string& what, const Status& s) {
  err << "strata_ctl: apply: " << what << ": " << s.ToString() << "\n";
  return ExitStatusOf(s);
}

// Sync this database, then tell the source's slot how far it may forget.
Status Confirm(DB* db, const FeedHeader& header, uint64_t applied) {
  if (header.slot.empty()) return Status::OK();
  Status s = db->SyncWAL();
  if (s.ok()) s = AdvanceLogSlot(header.source, header.slot, applied + 1);
  return s;
}

}  // namespace

int RunApply(const LogArgs& a, std::istream& in, std::ostream& out, std::ostream& err) {
  Options options;
  options.create_if_missing = true;
  if (!a.merge_operator.empty()) options.merge_operator = MergeOperatorNamed(a.merge_operator);
  std::unique_ptr<DB> db;
  Status s = DB::Open(options, a.dir, &db);
  if (!s.ok()) {
    const int status = Fail(err, "cannot open " + a.dir, s);
    err << MergeOperatorHint(s);
    return status;
  }
  uint64_t applied = 0;
  std::string value;
  s = db->Get(ReadOptions(), kAppliedSequenceKey, &value);
  if (s.ok()) {
    char* end = nullptr;
    applied = std::strtoull(value.c_str(), &end, 10);
    if (value.empty() || *end != '\0') {
      return Fail(err, a.dir, Status::Corruption("bad applied-sequence value '" + value + "'"));
    }
  } else if (!s.IsNotFound()) {
    return Fail(err, "reading the applied sequence", s);
  }
  if (a.from) {
    // A checkpoint of the source holds no applied sequence: --from says where it stands.
    if (*a.from == 0) return Fail(err, a.dir, Status::InvalidArgument("--from starts at 1"));
    if (s.ok() && *a.from != applied + 1) {
      return Fail(err, a.dir,
                  Status::InvalidArgument(
                      "it has applied the source up to sequence " + std::to_string(applied),
                      "--from must be " + std::to_string(applied + 1) + " or left out"));
    }
    if (s.IsNotFound()) {
      // Stored at once, so that a run that ends before its first record resumes there.
      applied = *a.from - 1;
      WriteOptions synced;
      synced.sync = true;
      s = db->Put(synced, kAppliedSequenceKey, std::to_string(applied));
      if (!s.ok()) return Fail(err, "storing the applied sequence", s);
    }
  }
  out << "apply: resuming after sequence " << applied << " (next " << applied + 1 << ")\n";
  out.flush();

  FrameReader reader(&in);
  FeedHeader header;
  bool have_header = false;
  uint64_t batches = 0, skipped = 0;
  auto last_confirm = std::chrono::steady_clock::now();
  uint64_t confirmed = applied;
  std::string payload;
  WriteBatch batch;
  while (true) {
    FrameType type;
    bool more = false;
    s = reader.Next(&type, &payload, &more);
    if (!s.ok() || !more) break;
    if (type == FrameType::kHeader) {
      s = DecodeHeader(payload, &header);
      if (!s.ok()) break;
      have_header = true;
      continue;
    }
    if (!have_header) {
      s = Status::Corruption("feed stream: a batch before the header");
      break;
    }
    s = WriteBatch::FromBytes(payload, &batch);
    if (!s.ok()) break;
    const uint64_t first = WriteBatchInternal::Sequence(batch);
    if (first == 0) {
      if (batch.Count() == 0) continue;  // a sync marker (a feed hands none out)
      s = Status::Corruption("feed stream: a record with operations at sequence 0");
      break;
    }
    const uint64_t last = WriteBatchInternal::LastSequence(batch);
    if (last <= applied) {
      skipped++;
      continue;
    }
    if (batch.Count() == 0 && first == applied + 1) {
      s = Status::NotSupported(
          "feed stream: the source's sequence " + std::to_string(first) +
              " was taken by an ingestion (IngestExternalFiles)",
          "the ingested keys are not in the log, so this database cannot follow past it: "
          "start again from a checkpoint of the source (apply --from, see --help)");
      break;
    }
    if (first != applied + 1) {
      s = Status::Corruption("feed stream: record at sequence " + std::to_string(first) +
                                 " where " + std::to_string(applied + 1) + " was due",
                             first > applied + 1
                                 ? "records are missing: restart the tail from the slot or from " +
                                       std::to_string(applied + 1)
                                 : "it overlaps what was applied");
      break;
    }
    batch.Put(kAppliedSequenceKey, std::to_string(last));
    s = db->Write(WriteOptions(), &batch);
    if (!s.ok()) break;
    applied = last;
    batches++;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_confirm >= std::chrono::milliseconds(100)) {
      s = Confirm(db.get(), header, applied);
      if (!s.ok()) break;
      confirmed = applied;
      last_confirm = now;
    }
  }
  Status confirm = applied != confirmed ? Confirm(db.get(), header, applied) : db->SyncWAL();
  out << "apply: applied " << batches << " records (" << skipped
      << " already held), now at sequence " << applied << "\n";
  if (!s.ok()) {
    const int status = Fail(err, "stopped", s);
    err << MergeOperatorHint(s);
    return status;
  }
  if (!confirm.ok()) return Fail(err, "confirming to the source's slot", confirm);
  return kCtlOk;
}

}  // namespace strata::ctl
