// ProfileDirectory against the real SQLite catalog and profiles written by GenerateProfiles in a
// temporary directory. Position deletes written by Spark are tested end to end in
// tests/e2e/test_enrichment_deletes.py.
#include "pipeline/profile_directory.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "catalog/sqlite_catalog.h"
#include "iceberg/location.h"
#include "iceberg/table.h"
#include "iceberg/testing_python.h"
#include "pipeline/profile_generator.h"

namespace clickstream::pipeline {
namespace {

class ProfileDirectoryTest : public iceberg::testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    auto catalog = catalog::OpenSqliteCatalog((dir_ / "catalog.db").string());
    ASSERT_TRUE(catalog.has_value()) << catalog.error().message;
    catalog_ = std::move(*catalog);
  }

  void Generate(int64_t users) {
    auto written = GenerateProfiles(*catalog_, (dir_ / "warehouse").string(), id_, users, 7);
    ASSERT_TRUE(written.has_value()) << written.error().message;
  }

  // The local path of the data file the current snapshot added last.
  std::filesystem::path NewestDataFile() {
    auto table = iceberg::Table::Load(*catalog_, id_);
    EXPECT_TRUE(table.has_value());
    auto files = table->CurrentFiles();
    EXPECT_TRUE(files.has_value() && !files->empty());
    const iceberg::ManifestEntry* newest = &files->front();
    for (const auto& entry : *files) {
      if (entry.sequence_number > newest->sequence_number) newest = &entry;
    }
    return *iceberg::LocalPath(newest->data_file.file_path);
  }

  std::unique_ptr<catalog::Catalog> catalog_;
  catalog::TableIdentifier id_{"website", "user_profiles"};
};

TEST_F(ProfileDirectoryTest, AnUnreadableSnapshotKeepsTheLastGoodProfilesUntilTheTableChanges) {
  Generate(10);
  auto directory = ProfileDirectory::Open(*catalog_, id_);
  ASSERT_TRUE(directory.has_value()) << directory.error().message;
  ASSERT_EQ((*directory)->size(), 10u);
  const std::optional<int64_t> good_snapshot = (*directory)->snapshot_id();

  Generate(20);  // a second data file, then gone from the disk
  const std::filesystem::path lost = NewestDataFile();
  const std::filesystem::path away = lost.string() + ".away";
  std::filesystem::rename(lost, away);

  Status refreshed = (*directory)->Refresh();
  ASSERT_FALSE(refreshed.has_value());
  EXPECT_NE(refreshed.error().message.find("website.user_profiles"), std::string::npos);
  EXPECT_EQ((*directory)->size(), 10u);
  EXPECT_EQ((*directory)->snapshot_id(), good_snapshot);
  ASSERT_NE((*directory)->Find("user_3"), nullptr);
  EXPECT_EQ((*directory)->Find("user_13"), nullptr);
  // The same metadata is not read again: the same error, even with the file back.
  std::filesystem::rename(away, lost);
  Status again = (*directory)->Refresh();
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().message, refreshed.error().message);

  Generate(25);  // the table changed: read again, every profile there
  ASSERT_TRUE((*directory)->Refresh().has_value());
  EXPECT_EQ((*directory)->size(), 25u);
  EXPECT_NE((*directory)->snapshot_id(), good_snapshot);
  EXPECT_NE((*directory)->Find("user_13"), nullptr);
}

TEST_F(ProfileDirectoryTest, UnreadStartsEmptyAndAMissingTableReadsAsEmpty) {
  auto directory = ProfileDirectory::Unread(*catalog_, id_);
  EXPECT_EQ(directory->size(), 0u);
  ASSERT_TRUE(directory->Refresh().has_value());
  EXPECT_EQ(directory->size(), 0u);
  Generate(5);
  ASSERT_TRUE(directory->Refresh().has_value());
  EXPECT_EQ(directory->size(), 5u);
}

}  // namespace
}  // namespace clickstream::pipeline
