#include "maintenance/table_health.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "catalog/sqlite_catalog.h"
#include "iceberg/testing_python.h"

namespace clickstream::maintenance {
namespace {

using iceberg::DataFile;
using iceberg::Table;

class TableHealthTest : public iceberg::testing::TempDirTest {};

DataFile File(const std::string& page, int64_t bytes, int n) {
  DataFile f;
  f.file_path = "/data/page=" + page + "/" + std::to_string(n) + ".parquet";
  f.partition = {page};
  f.record_count = 1;
  f.file_size_in_bytes = bytes;
  return f;
}

TEST_F(TableHealthTest, CountsFilesSmallFilesSnapshotsAndMetadata) {
  auto catalog = catalog::OpenSqliteCatalog((dir_ / "catalog.db").string()).value();
  iceberg::Schema schema{0, {iceberg::Field{1, "page", iceberg::TypeId::kString, false, ""}}};
  iceberg::PartitionSpec spec{0, {iceberg::PartitionField{1, 1000, "page", "identity"}}};
  auto table = Table::Create(*catalog, (dir_ / "wh").string(), {"website", "clicks"}, schema, spec,
                             {{"write.target-file-size-bytes", "4000"}})
                   .value();
  std::vector<DataFile> files = {File("home", 100, 1), File("home", 200, 2), File("cart", 1000, 3),
                                 File("cart", 3000, 4)};
  ASSERT_TRUE(table.Append(std::span(files.data(), 2)));
  ASSERT_TRUE(table.Append(std::span(files.data() + 2, 2)));
  auto health = MeasureHealth(table);
  ASSERT_TRUE(health.has_value()) << health.error().message;
  EXPECT_EQ(health->data_files, 4);
  EXPECT_EQ(health->data_bytes, 4300);
  EXPECT_EQ(health->partitions, 2);
  EXPECT_EQ(health->small_file_threshold_bytes, 1000);
  EXPECT_EQ(health->small_files, 2);            // below 4000 / 4
  EXPECT_EQ(health->mergeable_small_files, 2);  // both in /home
  EXPECT_EQ(health->snapshots, 2);
  EXPECT_EQ(health->manifests, 2);
  EXPECT_EQ(health->metadata_files, 3 + 2 + 2);  // metadata files, manifests, manifest lists
  EXPECT_GT(health->metadata_dir_bytes, health->current_metadata_bytes);
  auto json = HealthToJson(*health, *health->last_commit_ms + 1500);
  EXPECT_EQ(json["last_commit_age_ms"], 1500);
  EXPECT_DOUBLE_EQ(json["small_file_share"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(json["average_file_bytes"].get<double>(), 1075.0);
  EXPECT_NE(HealthToText(*health, 0).find("4 in 2 partitions"), std::string::npos);
}

TEST_F(TableHealthTest, AnEmptyTableHasNoFilesAndNoSnapshots) {
  auto catalog = catalog::OpenSqliteCatalog((dir_ / "catalog.db").string()).value();
  iceberg::Schema schema{0, {iceberg::Field{1, "page", iceberg::TypeId::kString, false, ""}}};
  auto table =
      Table::Create(*catalog, (dir_ / "wh").string(), {"website", "t"}, schema, {0, {}}).value();
  auto health = MeasureHealth(table);
  ASSERT_TRUE(health.has_value()) << health.error().message;
  EXPECT_EQ(health->data_files, 0);
  EXPECT_EQ(health->snapshots, 0);
  EXPECT_EQ(health->metadata_files, 1);
  EXPECT_DOUBLE_EQ(health->small_file_share(), 0.0);
}

}  // namespace
}  // namespace clickstream::maintenance
