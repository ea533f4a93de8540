// EventListener (include/strata/listener.h): what each callback reports, and that callbacks
// run without the database's mutex (each one below calls into the DB, which would deadlock
// otherwise).
#include "strata/listener.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "strata/db.h"
#include "strata/file_system.h"
#include "support/db_test_util.h"
#include "support/fault_injection_fs.h"
#include "support/gate.h"
#include "support/test_util.h"
#include "version/filename.h"

namespace strata {
namespace {

// Records every event; a test waits for one with WaitFor.
class RecordingListener : public EventListener {
 public:
  void OnFlushCompleted(const FlushJobInfo& info) override {
    TouchDB();
    std::lock_guard<std::mutex> l(mu_);
    flushes.push_back(info);
    cv_.notify_all();
  }
  void OnCompactionCompleted(const CompactionJobInfo& info) override {
    TouchDB();
    std::lock_guard<std::mutex> l(mu_);
    compactions.push_back(info);
    cv_.notify_all();
  }
  void OnBackgroundError(const Status& error) override {
    TouchDB();
    std::lock_guard<std::mutex> l(mu_);
    errors.push_back(error);
    cv_.notify_all();
  }
  void OnBackgroundErrorCleared() override {
    std::lock_guard<std::mutex> l(mu_);
    cleared++;
  }
  void OnStallConditionsChanged(const WriteStallInfo& info) override {
    TouchDB();
    std::lock_guard<std::mutex> l(mu_);
    stalls.push_back(info);
    cv_.notify_all();
  }

  template <class Pred>
  void WaitFor(Pred pred) {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return pred(*this); });
  }

  DB* db = nullptr;  // set after Open; events during Open do not touch it
  std::vector<FlushJobInfo> flushes;
  std::vector<CompactionJobInfo> compactions;
  std::vector<Status> errors;
  std::vector<WriteStallInfo> stalls;
  int cleared = 0;

 private:
  // Takes the DB's mutex (snapshots live under it): proves the caller does not hold it.
  void TouchDB() {
    if (db == nullptr) return;
    db->ReleaseSnapshot(db->GetSnapshot());
  }
  std::mutex mu_;
  std::condition_variable cv_;
};

class ListenerTest : public testing::Test {
 protected:
  ListenerTest() {
    options_.create_if_missing = true;
    options_.listeners.push_back(listener_);
    dbname_ = dir_.Child("db");
  }
  void Open() {
    ASSERT_OK(DB::Open(options_, dbname_, &db_));
    listener_->db = db_.get();
  }
  void Close() {
    listener_->db = nullptr;
    db_.reset();
  }
  uint64_t FileSize(const std::string& path) {
    uint64_t size = 0;
    EXPECT_OK(FileSystem::Default()->GetFileSize(path, &size));
    return size;
  }

  test::TempDir dir_;
  std::string dbname_;
  Options options_;
  std::shared_ptr<RecordingListener> listener_ = std::make_shared<RecordingListener>();
  std::unique_ptr<DB> db_;
};

TEST_F(ListenerTest, FlushReportsTheTableItWrote) {
  Open();
  ASSERT_OK(db_->Put(WriteOptions(), "a", "1"));
  ASSERT_OK(db_->Put(WriteOptions(), "b", "2"));
  ASSERT_OK(db_->Flush());
  listener_->WaitFor([](auto& l) { return l.flushes.size() == 1; });
  const FlushJobInfo info = listener_->flushes[0];
  EXPECT_EQ(dbname_, info.db_name);
  EXPECT_EQ(FlushReason::kManual, info.reason);
  EXPECT_EQ(2u, info.num_entries);
  const std::string table = TableFileName(dbname_, info.file_number);
  EXPECT_EQ(FileSize(table), info.file_size);
  EXPECT_EQ(std::vector<std::string>{table}, test::FilesOfType(dbname_, FileType::kTable));
}

TEST_F(ListenerTest, FullMemtableFlushSaysSo) {
  options_.write_buffer_size = 64 << 10;
  Open();
  for (int i = 0; i < 2000; i++) {  // about three memtables' worth
    ASSERT_OK(db_->Put(WriteOptions(), test::NumberKey(i), std::string(100, 'v')));
  }
  listener_->WaitFor([](auto& l) { return !l.flushes.empty(); });
  EXPECT_EQ(FlushReason::kWriteBufferFull, listener_->flushes[0].reason);
}

TEST_F(ListenerTest, CompactionReportsInputsAndOutputs) {
  options_.level0_file_num_compaction_trigger = 10;  // only the manual compaction runs
  Open();
  for (int round = 0; round < 2; round++) {
    for (int i = 0; i < 100; i++) {
      ASSERT_OK(db_->Put(WriteOptions(), test::NumberKey(i), std::to_string(round)));
    }
    ASSERT_OK(db_->Flush());
  }
  listener_->WaitFor([](auto& l) { return l.flushes.size() == 2; });
  const uint64_t first = listener_->flushes[0].file_number;
  const uint64_t second = listener_->flushes[1].file_number;
  ASSERT_OK(db_->CompactRange(nullptr, nullptr));
  listener_->WaitFor([](auto& l) { return !l.compactions.empty(); });
  const CompactionJobInfo info = listener_->compactions[0];
  EXPECT_OK(info.status);
  EXPECT_EQ(CompactionReason::kManual, info.reason);
  EXPECT_EQ(0, info.input_level);
  EXPECT_EQ(1, info.output_level);
  EXPECT_FALSE(info.trivial_move);
  std::vector<uint64_t> inputs = info.input_files;
  std::sort(inputs.begin(), inputs.end());
  EXPECT_EQ((std::vector<uint64_t>{first, second}), inputs);
  ASSERT_EQ(1u, info.output_files.size());
  const std::string out = TableFileName(dbname_, info.output_files[0]);
  EXPECT_EQ(std::vector<std::string>{out}, test::FilesOfType(dbname_, FileType::kTable));
  EXPECT_EQ(FileSize(out), info.bytes_written);
  EXPECT_GT(info.bytes_read, info.bytes_written) << "the first round's values were dropped";
}

// A failed flush raises the background error; closing the DB ends it.
TEST_F(ListenerTest, BackgroundErrorRaisedAndCleared) {
  auto fs = std::make_shared<test::FaultInjectionFileSystem>(FileSystem::Default());
  options_.file_system = fs;
  Open();
  ASSERT_OK(db_->Put(WriteOptions(), "a", "1"));
  fs->FailAlways(test::OpKind::kAppend, test::ErrorKind::kEIO, ".sst");
  EXPECT_FALSE(db_->Flush().ok());
  listener_->WaitFor([](auto& l) { return !l.errors.empty(); });
  EXPECT_TRUE(listener_->errors[0].IsIOError()) << listener_->errors[0].ToString();
  EXPECT_EQ(0, listener_->cleared);
  EXPECT_FALSE(db_->Put(WriteOptions(), "b", "2").ok()) << "writes stop";
  Close();
  EXPECT_EQ(1u, listener_->errors.size()) << "raised once";
  EXPECT_EQ(1, listener_->cleared);
}

// Holds the creation of table files at a gate (from the gated_from-th one on), so that a
// flush or compaction waits while the test writes.
class GatedTableFileSystem : public FileSystemWrapper {
 public:
  explicit GatedTableFileSystem(int gated_from = 1)
      : FileSystemWrapper(FileSystem::Default()), gated_from_(gated_from) {}
  Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* r) override {
    if (path.ends_with(".sst") && ++tables_ >= gated_from_) gate.Pass();
    return FileSystemWrapper::NewWritableFile(path, r);
  }
  test::Gate gate;

 private:
  const int gated_from_;
  std::atomic<int> tables_{0};
};

TEST_F(ListenerTest, WriteStallBeginsAndEnds) {
  auto fs = std::make_shared<GatedTableFileSystem>();
  options_.file_system = fs;
  options_.write_buffer_size = 64 << 10;
  options_.max_write_buffer_number = 2;
  Open();
  fs->gate.Close();
  std::thread writer([&] {
    // Two memtables' worth: the second fills while the first waits for its flush.
    for (int i = 0; i < 2000; i++) {
      ASSERT_OK(db_->Put(WriteOptions(), test::NumberKey(i), std::string(100, 'v')));
    }
  });
  listener_->WaitFor([](auto& l) { return !l.stalls.empty(); });
  EXPECT_EQ(WriteStallCondition::kNormal, listener_->stalls[0].previous);
  EXPECT_EQ(WriteStallCondition::kStopped, listener_->stalls[0].current);
  fs->gate.Open();
  writer.join();
  listener_->WaitFor([](auto& l) { return l.stalls.size() >= 2; });
  EXPECT_EQ(WriteStallCondition::kStopped, listener_->stalls[1].previous);
  EXPECT_EQ(WriteStallCondition::kNormal, listener_->stalls[1].current);
}

// Level 0 at the slowdown trigger delays writes; the compaction that empties it ends that.
TEST_F(ListenerTest, WriteDelayBeginsAndEnds) {
  auto fs = std::make_shared<GatedTableFileSystem>(/*gated_from=*/3);  // the compaction's output
  options_.file_system = fs;
  options_.level0_file_num_compaction_trigger = 2;
  options_.level0_slowdown_writes_trigger = 2;
  Open();
  fs->gate.Close();
  for (int round = 0; round < 2; round++) {
    ASSERT_OK(db_->Put(WriteOptions(), "k" + std::to_string(round), "v"));
    ASSERT_OK(db_->Flush());
  }
  ASSERT_OK(db_->Put(WriteOptions(), "delayed", "v"));  // two L0 tables, compaction held
  listener_->WaitFor([](auto& l) { return !l.stalls.empty(); });
  EXPECT_EQ(WriteStallCondition::kNormal, listener_->stalls[0].previous);
  EXPECT_EQ(WriteStallCondition::kDelayed, listener_->stalls[0].current);
  fs->gate.Open();
  listener_->WaitFor([](auto& l) { return !l.compactions.empty(); });
  ASSERT_OK(db_->Put(WriteOptions(), "normal", "v"));
  listener_->WaitFor([](auto& l) { return l.stalls.size() >= 2; });
  EXPECT_EQ(WriteStallCondition::kDelayed, listener_->stalls[1].previous);
  EXPECT_EQ(WriteStallCondition::kNormal, listener_->stalls[1].current);
}

}  // namespace
}  // namespace strata
