#include "maintenance/orphan_files.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "catalog/sqlite_catalog.h"
#include "iceberg/testing_python.h"

namespace clickstream::maintenance {
namespace {

namespace fs = std::filesystem;
using iceberg::DataFile;
using iceberg::Table;
using ::testing::ElementsAre;

constexpr int64_t kHour = 3'600'000;

class OrphanFilesTest : public iceberg::testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    catalog_ = catalog::OpenSqliteCatalog((dir_ / "catalog.db").string()).value();
    iceberg::Schema schema{0, {iceberg::Field{1, "page", iceberg::TypeId::kString, false, ""}}};
    iceberg::PartitionSpec spec{0, {iceberg::PartitionField{1, 1000, "page", "identity"}}};
    table_.emplace(
        Table::Create(*catalog_, (dir_ / "wh").string(), {"website", "clicks"}, schema, spec)
            .value());
  }
  // A file under the table location, last modified `age_ms` ago.
  std::string Touch(const std::string& relative, int64_t age_ms, int64_t bytes = 10) {
    fs::path path = fs::path(table_->metadata().location) / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << std::string(bytes, 'x');
    fs::last_write_time(path, fs::file_time_type::clock::now() - std::chrono::milliseconds(age_ms));
    return path.string();
  }
  DataFile Referenced(const std::string& name, int64_t bytes) {
    DataFile f;
    f.file_path = Touch("data/page=home/" + name, 2 * kHour, bytes);
    f.partition = {std::string("home")};
    f.record_count = 1;
    f.file_size_in_bytes = bytes;
    return f;
  }
  std::unique_ptr<catalog::Catalog> catalog_;
  std::optional<Table> table_;
};

TEST_F(OrphanFilesTest, ListsOnlyOldUnreferencedFilesAndDeletesThemUnlessDryRun) {
  DataFile kept = Referenced("kept.parquet", 10);
  ASSERT_TRUE(table_->Append(std::span(&kept, 1)));
  // Everything the commit wrote (metadata, manifest, list) is young; age it so only references
  // protect it.
  for (const auto& e : fs::recursive_directory_iterator(table_->metadata().location)) {
    if (e.is_regular_file()) {
      fs::last_write_time(e.path(), fs::file_time_type::clock::now() - std::chrono::hours(3));
    }
  }
  std::string old_orphan = Touch("data/page=home/crashed-writer.parquet", 2 * kHour);
  std::string old_manifest = Touch("metadata/abandoned-m0.avro", 2 * kHour);
  std::string young = Touch("data/page=home/in-flight.parquet", 60'000);
  // Hadoop's checksums live as long as their file.
  std::string kept_crc = Touch("data/page=home/.kept.parquet.crc", 2 * kHour);
  std::string orphan_crc = Touch("data/page=home/.gone.parquet.crc", 2 * kHour);
  // Another table nested under this one's location is not ours to clean.
  Touch("nested/metadata/00000-x.metadata.json", 2 * kHour);
  std::string nested = Touch("nested/data/f.parquet", 2 * kHour);

  OrphanScanOptions options{.older_than = std::chrono::hours(1), .dry_run = true};
  auto listed = RemoveOrphanFiles(*table_, options, iceberg::NowMillis());
  ASSERT_TRUE(listed.has_value()) << listed.error().message;
  std::vector<std::string> paths;
  for (const auto& o : listed->orphans) paths.push_back(o.path);
  EXPECT_THAT(paths, ElementsAre(orphan_crc, old_orphan, old_manifest));
  EXPECT_EQ(listed->deleted_files, 0);
  EXPECT_TRUE(fs::exists(old_orphan));

  options.dry_run = false;
  auto removed = RemoveOrphanFiles(*table_, options, iceberg::NowMillis());
  ASSERT_TRUE(removed.has_value()) << removed.error().message;
  EXPECT_EQ(removed->deleted_files, 3);
  EXPECT_TRUE(fs::exists(kept_crc));
  EXPECT_FALSE(fs::exists(old_orphan));
  EXPECT_FALSE(fs::exists(old_manifest));
  EXPECT_TRUE(fs::exists(kept.file_path));
  EXPECT_TRUE(fs::exists(young));
  EXPECT_TRUE(fs::exists(nested));
  EXPECT_TRUE(fs::exists(table_->metadata_location()));
  EXPECT_TRUE(fs::exists(table_->metadata().metadata_log.at(0).metadata_file));
  EXPECT_TRUE(fs::exists(table_->metadata().CurrentSnapshot()->manifest_list));
  // The table still reads.
  EXPECT_TRUE(table_->CurrentFiles().has_value());
}

TEST_F(OrphanFilesTest, AnUnreadableManifestDeletesNothing) {
  DataFile kept = Referenced("kept.parquet", 10);
  ASSERT_TRUE(table_->Append(std::span(&kept, 1)));
  std::string orphan = Touch("data/page=home/orphan.parquet", 2 * kHour);
  fs::remove(table_->metadata().CurrentSnapshot()->manifest_list);
  auto result = RemoveOrphanFiles(*table_, {}, iceberg::NowMillis());
  ASSERT_FALSE(result.has_value());
  EXPECT_TRUE(fs::exists(orphan));
  EXPECT_TRUE(fs::exists(kept.file_path));
}

}  // namespace
}  // namespace clickstream::maintenance
