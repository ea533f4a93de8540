// Damaged files through the whole DB (support/damage_battery.h): every kind of file in a
// database with data in two logs, L0 and L1 gets flipped bytes, zeroed runs and cuts; each
// copy is opened (under each WAL recovery mode for log damage), read key by key, scanned both
// ways, compacted, read again and reopened. The default run damages a strided sample of
// positions; tests/long/damage_battery_long_test.cc runs the full density.
#include "support/damage_battery.h"

#include <iostream>

#include "util/sanitizers.h"

namespace strata::test {
namespace {

constexpr WalRecoveryMode kAllModes[] = {
    WalRecoveryMode::kTolerateCorruptedTailRecords, WalRecoveryMode::kAbsoluteConsistency,
    WalRecoveryMode::kPointInTimeRecovery, WalRecoveryMode::kSkipAnyCorruptedRecords};

// Sanitizer builds run every case several times slower: sample more sparsely there.
constexpr int kSlowdown = STRATA_ASAN ? 10 : 1;

Damage At(const DamageBattery& battery, const std::string& file, DamageKind kind, uint64_t offset) {
  Damage d;
  d.file = file;
  d.kind = kind;
  d.offset = offset;
  d.mask = 0x10;
  d.length = battery.FileSize(file) - offset;  // kZero: to the end of the file
  return d;
}

// Each mode's documented behaviour, spelled out for a few damages of each log.
void CheckEachRecoveryMode(DamageBattery* battery) {
  const std::string last = battery->logs().back();
  const std::string older = battery->logs().front();
  const uint64_t size = battery->FileSize(last);
  const uint64_t older_size = battery->FileSize(older);
  constexpr Outcome kRefused = Outcome::kOpenCorruption;
  constexpr Outcome kDropped = Outcome::kDropped;
  struct Expect {
    WalRecoveryMode mode;
    Outcome changed;  // written bytes of the last log changed (a flip with records after it)
    // The last log cut inside its last record, zero from its start on, or its last 20 bytes
    // zeroed (a torn last sector: the write's start reached the disk, its end did not).
    Outcome torn;
    // The older log cut inside its last record; a newer log without a sync marker follows
    // it, as a switch that parked the older log unsynced leaves (RecoveryModeTest covers the
    // newer log with a marker, which turns the default mode's answer into a refusal).
    Outcome older;
  } expect[] = {
      {WalRecoveryMode::kTolerateCorruptedTailRecords, kRefused, kDropped, kDropped},
      {WalRecoveryMode::kAbsoluteConsistency, kRefused, kRefused, kRefused},
      {WalRecoveryMode::kPointInTimeRecovery, kDropped, kDropped, kDropped},
      {WalRecoveryMode::kSkipAnyCorruptedRecords, kDropped, kDropped, kDropped},
  };
  for (const Expect& e : expect) {
    SCOPED_TRACE(WalRecoveryModeName(e.mode));
    EXPECT_EQ(e.changed, battery->RunCase(At(*battery, last, DamageKind::kFlip, size / 2), e.mode));
    EXPECT_EQ(e.torn, battery->RunCase(At(*battery, last, DamageKind::kZero, size - 20), e.mode));
    EXPECT_EQ(e.torn,
              battery->RunCase(At(*battery, last, DamageKind::kTruncate, size - 2), e.mode));
    EXPECT_EQ(e.torn,
              battery->RunCase(At(*battery, last, DamageKind::kZero, battery->LastRecordOffset()),
                               e.mode));
    EXPECT_EQ(e.older,
              battery->RunCase(At(*battery, older, DamageKind::kTruncate, older_size - 2), e.mode));
  }
  EXPECT_EQ(0, battery->failures());
}

class DamageBatteryTest : public testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(battery_.Build()); }
  void TearDown() override {
    std::cout << battery_.cases() << " cases:\n";
    battery_.PrintTallies(std::cout);
    EXPECT_EQ(0, battery_.failures());
  }

  DamageBattery battery_;
};

TEST_F(DamageBatteryTest, EachRecoveryMode) { CheckEachRecoveryMode(&battery_); }

// The same on the POSIX file system (the other cases run in memory, for speed).
TEST(DamageBatteryOnDiskTest, EachRecoveryMode) {
  DamageBattery battery(/*on_disk=*/true);
  ASSERT_NO_FATAL_FAILURE(battery.Build());
  CheckEachRecoveryMode(&battery);
}

TEST_F(DamageBatteryTest, LogsUnderEveryRecoveryMode) {
  Density density;
  density.random_positions = 100;
  density.edge_radius = 2;
  density.stride = 3 * kSlowdown;
  std::vector<WalRecoveryMode> modes(std::begin(kAllModes), std::end(kAllModes));
  for (const std::string& log : battery_.logs()) battery_.DamageFile(log, density, modes);
  // The sample reaches every documented behaviour.
  EXPECT_GT(battery_.Count("wal/last tolerate-tail", Outcome::kDropped), 0);
  EXPECT_GT(battery_.Count("wal/last tolerate-tail", Outcome::kOpenCorruption), 0);
  EXPECT_GT(battery_.Count("wal/older tolerate-tail", Outcome::kOpenCorruption), 0);
  EXPECT_GT(battery_.Count("wal/last absolute", Outcome::kOpenCorruption), 0);
  EXPECT_GT(battery_.Count("wal/older point-in-time", Outcome::kDropped), 0);
  EXPECT_GT(battery_.Count("wal/older skip-any", Outcome::kDropped), 0);
}

TEST_F(DamageBatteryTest, Tables) {
  Density density;
  density.random_positions = 40;
  density.edge_radius = 1;
  density.stride = 3 * kSlowdown;
  for (const std::string& table : battery_.Files(FileType::kTable)) {
    battery_.DamageFile(table, density, {WalRecoveryMode::kTolerateCorruptedTailRecords});
  }
  // Every byte of a table is under a checksum or the magic: no damage goes unnoticed. With
  // paranoid_checks, damage to a table's footer, index, filter or properties fails Open;
  // damage to a data block is met by the first read of it.
  EXPECT_GT(battery_.cases(), 0);
  EXPECT_GT(battery_.Count("sst", Outcome::kOpenCorruption), 0);
  EXPECT_GT(battery_.Count("sst", Outcome::kReadError), 0);
  EXPECT_EQ(battery_.cases(), battery_.Count("sst", Outcome::kOpenCorruption) +
                                  battery_.Count("sst", Outcome::kReadError));
}

// Every position: most cases end at Open, so they are cheap.
TEST_F(DamageBatteryTest, ManifestAndCurrent) {
  Density density;
  for (FileType type : {FileType::kManifest, FileType::kCurrent}) {
    for (const std::string& file : battery_.Files(type)) {
      battery_.DamageFile(file, density, {WalRecoveryMode::kTolerateCorruptedTailRecords});
    }
  }
  EXPECT_GT(battery_.Count("MANIFEST", Outcome::kOpenCorruption), 0);
  EXPECT_GT(battery_.Count("CURRENT", Outcome::kOpenCorruption), 0);
}

TEST_F(DamageBatteryTest, InfoLogDoesNotMatter) {
  for (const std::string& file : battery_.Files(FileType::kInfoLog)) {
    battery_.DamageFile(file, Density(), {WalRecoveryMode::kTolerateCorruptedTailRecords});
  }
  EXPECT_GT(battery_.Count("LOG", Outcome::kCorrect), 0);
  EXPECT_EQ(battery_.cases(), battery_.Count("LOG", Outcome::kCorrect));
}

}  // namespace
}  // namespace strata::test
