// strata_ctl tail: prints a change feed read from the log files (OpenChangeFeed), as text,
// JSON lines, or the binary framing apply reads.
#include <filesystem>

#include "strata/change_feed.h"
#include "tools/ctl/bytes.h"
#include "tools/ctl/commands.h"
#include "tools/ctl/ctl.h"
#include "tools/ctl/feed_stream.h"
#include "tools/ctl/log_commands_impl.h"
#include "tools/dump/json_writer.h"

namespace strata::ctl {

namespace {

using namespace std::chrono_literals;

int Fail(std::ostream& err, const std::string& what, const Status& s) {
  err << "strata_ctl: " << what << ": " << s.ToString() << "\n";
  return ExitStatusOf(s);
}

class TextPrinter final : public WriteBatch::Handler {
 public:
  TextPrinter(std::ostream* out, bool hex) : out_(out), hex_(hex) {}
  void Put(std::string_view key, std::string_view value) override {
    *out_ << "  put '" << ShowBytes(key, hex_) << "' => '" << ShowBytes(value, hex_) << "'\n";
  }
  void Delete(std::string_view key) override {
    *out_ << "  delete '" << ShowBytes(key, hex_) << "'\n";
  }
  void Merge(std::string_view key, std::string_view operand) override {
    *out_ << "  merge '" << ShowBytes(key, hex_) << "' <= '" << ShowBytes(operand, hex_) << "'\n";
  }
  void DeleteRange(std::string_view begin, std::string_view end) override {
    *out_ << "  deleterange ['" << ShowBytes(begin, hex_) << "', '" << ShowBytes(end, hex_)
          << "')\n";
  }

 private:
  std::ostream* const out_;
  const bool hex_;
};

class JsonPrinter final : public WriteBatch::Handler {
 public:
  JsonPrinter(dump::JsonWriter* json, bool hex) : json_(json), hex_(hex) {}
  void Put(std::string_view key, std::string_view value) override {
    json_->BeginObject();
    json_->Field("op", "put");
    json_->Field("key", ShowBytes(key, hex_));
    json_->Field("value", ShowBytes(value, hex_));
    json_->EndObject();
  }
  void Delete(std::string_view key) override {
    json_->BeginObject();
    json_->Field("op", "delete");
    json_->Field("key", ShowBytes(key, hex_));
    json_->EndObject();
  }
  void Merge(std::string_view key, std::string_view operand) override {
    json_->BeginObject();
    json_->Field("op", "merge");
    json_->Field("key", ShowBytes(key, hex_));
    json_->Field("operand", ShowBytes(operand, hex_));
    json_->EndObject();
  }
  void DeleteRange(std::string_view begin, std::string_view end) override {
    json_->BeginObject();
    json_->Field("op", "deleterange");
    json_->Field("begin", ShowBytes(begin, hex_));
    json_->Field("end", ShowBytes(end, hex_));
    json_->EndObject();
  }

 private:
  dump::JsonWriter* const json_;
  const bool hex_;
};

Status Print(const LogArgs& a, const ChangeBatch& b, std::ostream& out, std::string* frame) {
  if (a.format == "binary") {
    frame->clear();
    AppendFrame(FrameType::kBatch, b.batch.Data(), frame);
    out.write(frame->data(), static_cast<std::streamsize>(frame->size()));
    return Status::OK();
  }
  if (a.format == "json") {
    dump::JsonWriter json(&out);
    json.BeginObject();
    json.Key("sequence");
    json.Uint(b.sequence);
    json.Key("count");
    json.Uint(b.count);
    if (b.count == 0) {
      json.Key("ingestion_marker");
      json.Bool(true);
    }
    json.Key("ops");
    json.BeginArray();
    JsonPrinter printer(&json, a.hex);
    Status s = b.batch.Iterate(&printer);
    json.EndArray();
    json.EndObject();  // the writer ends a top-level value with a newline
    return s;
  }
  out << "sequence " << b.sequence << " count " << b.count;
  if (b.count == 0) out << " (an ingestion took this sequence: its keys are not in the log)";
  out << "\n";
  TextPrinter printer(&out, a.hex);
  return b.batch.Iterate(&printer);
}

}  // namespace

int RunTail(const LogArgs& a, std::ostream& out, std::ostream& err) {
  uint64_t from = a.from.value_or(1);
  if (!a.slot.empty()) {
    LogSlot slot;
    Status s = GetLogSlot(a.dir, a.slot, &slot);
    if (s.IsNotFound() && a.from) {
      s = CreateLogSlot(a.dir, a.slot, from);
      if (!s.ok()) return Fail(err, "tail: creating slot '" + a.slot + "'", s);
      err << "strata_ctl: tail: created slot '" << a.slot << "' at sequence " << from << "\n";
    } else if (s.IsNotFound()) {
      return Fail(err, "tail",
                  Status::NotFound("no log slot '" + a.slot + "' in " + a.dir,
                                   "give --from SEQ to create it"));
    } else if (!s.ok()) {
      return Fail(err, "tail: slot '" + a.slot + "'", s);
    } else if (slot.invalidated) {
      return Fail(err, "tail",
                  Status::NotFound("log slot '" + a.slot + "' was invalidated", slot.invalidation));
    } else if (!a.from) {
      from = slot.sequence;
    }
  }
  FeedOptions options;
  options.slot = a.slot;
  std::unique_ptr<ChangeFeed> feed;
  Status s = OpenChangeFeed(a.dir, from, options, &feed);
  if (!s.ok()) return Fail(err, "tail " + a.dir, s);

  std::string frame;
  if (a.format == "binary") {
    FeedHeader header;
    std::error_code ec;
    header.source = std::filesystem::absolute(a.dir, ec).string();
    if (ec) header.source = a.dir;
    header.slot = a.slot;
    AppendFrame(FrameType::kHeader, EncodeHeader(header), &frame);
    out.write(frame.data(), static_cast<std::streamsize>(frame.size()));
    out.flush();
  }
  ChangeBatch batch;
  while (true) {
    bool ready = false;
    s = feed->Next(0ms, &batch, &ready);
    if (s.ok() && !ready) {
      // Nothing more right now: let the reader have what was written, then wait.
      out.flush();
      if (!a.follow) break;
      s = feed->Next(1000ms, &batch, &ready);
    }
    if (!s.ok()) {
      out.flush();
      return Fail(err, "tail " + a.dir, s);
    }
    if (!ready) continue;
    s = Print(a, batch, out, &frame);
    if (!s.ok()) return Fail(err, "tail: record at sequence " + std::to_string(batch.sequence), s);
    if (!out) {
      err << "strata_ctl: tail: cannot write the output\n";
      return kCtlError;
    }
  }
  out.flush();
  return kCtlOk;
}

}  // namespace strata::ctl
