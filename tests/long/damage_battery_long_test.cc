// The damaged-files battery at full density (ctest -L long): every byte of CURRENT, the
// MANIFEST and the last log record, and for the logs and tables every byte around each block
// and record edge plus hundreds of random positions, each flipped, zeroed and cut; log damage
// under all four recovery modes. Then a sample of the same on the POSIX file system, to show
// the in-memory runs stand for the real one. Prints the outcome of every case by file kind.
#include <chrono>
#include <iostream>

#include "support/damage_battery.h"

namespace strata::test {
namespace {

constexpr WalRecoveryMode kAllModes[] = {
    WalRecoveryMode::kTolerateCorruptedTailRecords, WalRecoveryMode::kAbsoluteConsistency,
    WalRecoveryMode::kPointInTimeRecovery, WalRecoveryMode::kSkipAnyCorruptedRecords};
const std::vector<WalRecoveryMode> kDefaultMode = {WalRecoveryMode::kTolerateCorruptedTailRecords};

void RunAll(DamageBattery* battery, int stride) {
  const auto start = std::chrono::steady_clock::now();
  Density dense;
  dense.every_byte_up_to = 4096;
  dense.edge_radius = 8;
  dense.random_positions = 400;
  dense.stride = stride;
  const std::vector<WalRecoveryMode> modes(std::begin(kAllModes), std::end(kAllModes));
  for (const std::string& log : battery->logs()) {
    std::cout << log << ": " << battery->FileSize(log) << " bytes\n";
    battery->DamageFile(log, dense, modes);
  }
  Density tables = dense;
  tables.edge_radius = 4;
  tables.random_positions = 300;
  for (const std::string& table : battery->Files(FileType::kTable)) {
    std::cout << table << ": " << battery->FileSize(table) << " bytes\n";
    battery->DamageFile(table, tables, kDefaultMode);
  }
  for (FileType type : {FileType::kManifest, FileType::kCurrent, FileType::kInfoLog}) {
    for (const std::string& file : battery->Files(type)) {
      std::cout << file << ": " << battery->FileSize(file) << " bytes\n";
      battery->DamageFile(file, dense, kDefaultMode);
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << battery->cases() << " cases in " << seconds << " s:\n";
  battery->PrintTallies(std::cout);
}

TEST(DamageBatteryLongTest, EveryFileInMemory) {
  DamageBattery battery;
  ASSERT_NO_FATAL_FAILURE(battery.Build());
  RunAll(&battery, 1);
  EXPECT_EQ(0, battery.failures());
}

TEST(DamageBatteryLongTest, SampleOnDisk) {
  DamageBattery battery(/*on_disk=*/true);
  ASSERT_NO_FATAL_FAILURE(battery.Build());
  RunAll(&battery, 29);
  EXPECT_EQ(0, battery.failures());
}

}  // namespace
}  // namespace strata::test
