#include "cli/background_maintenance.h"

#include <gtest/gtest.h>

#include <chrono>
#include <span>

#include "catalog/sqlite_catalog.h"
#include "common/testing_temp_dir.h"
#include "iceberg/table.h"

namespace clickstream::cli {
namespace {

class BackgroundMaintenanceTest : public testing::TempDirTest {
 protected:
  // website.clicks with five one-file appends and properties that make four of them expirable.
  iceberg::Table CreateTable(catalog::Catalog& catalog) {
    iceberg::Schema schema{0, {iceberg::Field{1, "page", iceberg::TypeId::kString, false, ""}}};
    auto table = iceberg::Table::Create(catalog, (dir_ / "wh").string(), id_, schema, {0, {}},
                                        {{"history.expire.max-snapshot-age-ms", "1"},
                                         {"history.expire.min-snapshots-to-keep", "1"}})
                     .value();
    for (int i = 0; i < 5; ++i) {
      iceberg::DataFile file;
      file.file_path = (dir_ / (std::to_string(i) + ".parquet")).string();
      file.record_count = 1;
      file.file_size_in_bytes = 10;
      EXPECT_TRUE(table.Append(std::span(&file, 1)).has_value());
    }
    return table;
  }

  catalog::TableIdentifier id_{"website", "clicks"};
};

TEST_F(BackgroundMaintenanceTest, ARequestedCycleRunsOnItsOwnThreadAndExpires) {
  const std::string uri = (dir_ / "catalog.db").string();
  auto catalog = catalog::OpenSqliteCatalog(uri).value();
  iceberg::Table table = CreateTable(*catalog);
  BackgroundMaintenance maintenance(uri, {id_}, nullptr);
  EXPECT_EQ(maintenance.cycles(), 0);  // nothing runs unasked

  maintenance.Request(std::chrono::seconds(30));
  maintenance.WaitIdle();
  EXPECT_EQ(maintenance.cycles(), 1);
  ASSERT_TRUE(table.Refresh());
  EXPECT_EQ(table.metadata().snapshots.size(), 1u);
  auto files = table.CurrentFiles();
  ASSERT_TRUE(files.has_value()) << files.error().message;
  EXPECT_EQ(files->size(), 5u);
}

TEST_F(BackgroundMaintenanceTest, AMissingCatalogIsRetriedAtTheNextCycleNotFatal) {
  const std::string uri = (dir_ / "catalog.db").string();
  BackgroundMaintenance maintenance(uri, {id_}, nullptr);
  maintenance.Request(std::chrono::seconds(1));
  maintenance.WaitIdle();  // the catalog does not exist yet: nothing is done

  auto catalog = catalog::OpenSqliteCatalog(uri).value();
  iceberg::Table table = CreateTable(*catalog);
  maintenance.Request(std::chrono::seconds(30));
  maintenance.WaitIdle();
  EXPECT_EQ(maintenance.cycles(), 2);
  ASSERT_TRUE(table.Refresh());
  EXPECT_EQ(table.metadata().snapshots.size(), 1u);
}

TEST_F(BackgroundMaintenanceTest, StoppingWithoutARequestEndsTheThread) {
  BackgroundMaintenance maintenance((dir_ / "catalog.db").string(), {id_}, nullptr);
  EXPECT_EQ(maintenance.cycles(), 0);
}

}  // namespace
}  // namespace clickstream::cli
