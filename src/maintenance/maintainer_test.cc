#include "maintenance/maintainer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "catalog/sqlite_catalog.h"
#include "iceberg/testing_python.h"

namespace clickstream::maintenance {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using Task = MaintenanceTask;

TEST(DueTasksTest, EachTaskRunsWhenItsThresholdIsCrossed) {
  MaintenancePolicy policy;  // 50 new files, 20 manifests, expire every 10 s, orphans hourly
  TableState state;
  state.last_expire_ms = 0;
  state.last_orphan_scan_ms = 0;
  TableSignals quiet;
  quiet.total_data_files = 10;
  quiet.appended_files_since_rewrite = 10;
  quiet.manifests = 3;
  EXPECT_THAT(DueTasks(quiet, state, policy, 1000), IsEmpty());

  TableSignals busy{.total_data_files = 500,
                    .appended_files_since_rewrite = 250,
                    .manifests = 21,
                    .expirable_snapshots = 4,
                    .current_snapshot_id = 7};
  EXPECT_THAT(DueTasks(busy, state, policy, 3'600'000),
              ElementsAre(Task::kExpireSnapshots, Task::kRewriteDataFiles, Task::kRewriteManifests,
                          Task::kRemoveOrphanFiles));
  // Expiry waits for its interval; orphans for theirs.
  EXPECT_THAT(DueTasks(busy, state, policy, 5'000),
              ElementsAre(Task::kRewriteDataFiles, Task::kRewriteManifests));
  // A rewrite that found nothing to merge is not retried until enough new files arrived.
  state.idle_rewrite_at_files = 480;
  state.idle_manifests_at_snapshot = 7;
  EXPECT_THAT(DueTasks(busy, state, policy, 5'000), IsEmpty());
  busy.total_data_files = 530;
  EXPECT_THAT(DueTasks(busy, state, policy, 5'000), ElementsAre(Task::kRewriteDataFiles));
  // A table whose owner turned maintenance off is left alone.
  policy.enabled = false;
  EXPECT_THAT(DueTasks(busy, TableState{}, policy, 5'000), IsEmpty());
}

TEST(DueTasksTest, AFreshMaintainerScansForOrphansOnceAtStart) {
  EXPECT_THAT(DueTasks(TableSignals{}, TableState{}, MaintenancePolicy{}, 5),
              ElementsAre(Task::kRemoveOrphanFiles));
}

class MaintainerTest : public iceberg::testing::TempDirTest {};

TEST_F(MaintainerTest, ExpiresByTablePropertiesAndDeletesWhatOnlyExpiredSnapshotsReached) {
  auto catalog = catalog::OpenSqliteCatalog((dir_ / "catalog.db").string()).value();
  iceberg::Schema schema{0, {iceberg::Field{1, "page", iceberg::TypeId::kString, false, ""}}};
  catalog::TableIdentifier id{"website", "clicks"};
  auto table = iceberg::Table::Create(*catalog, (dir_ / "wh").string(), id, schema, {0, {}},
                                      {{"history.expire.max-snapshot-age-ms", "1"},
                                       {"history.expire.min-snapshots-to-keep", "2"},
                                       {"write.metadata.delete-after-commit.enabled", "true"},
                                       {"write.metadata.previous-versions-max", "3"}})
                   .value();
  std::vector<std::string> lists;
  for (int i = 0; i < 5; ++i) {
    iceberg::DataFile f;
    f.file_path = "/data/" + std::to_string(i) + ".parquet";
    f.record_count = 1;
    f.file_size_in_bytes = 10;
    auto snapshot = table.Append(std::span(&f, 1));
    ASSERT_TRUE(snapshot.has_value()) << snapshot.error().message;
    lists.push_back(snapshot->manifest_list);
  }
  Maintainer maintainer(*catalog);
  std::vector<catalog::TableIdentifier> tables{id};
  auto actions = maintainer.RunCycle(tables, std::chrono::seconds(30));
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_EQ(actions[0].task, Task::kExpireSnapshots);
  EXPECT_TRUE(actions[0].ok) << actions[0].detail;
  EXPECT_THAT(actions[0].detail, ::testing::HasSubstr("expired 3 snapshots"));
  EXPECT_THAT(actions[0].detail, ::testing::HasSubstr("3 manifest lists"));
  EXPECT_EQ(actions[1].task, Task::kRemoveOrphanFiles);
  EXPECT_TRUE(actions[1].ok) << actions[1].detail;

  ASSERT_TRUE(table.Refresh());
  EXPECT_EQ(table.metadata().snapshots.size(), 2u);
  EXPECT_FALSE(std::filesystem::exists(lists[0]));
  EXPECT_TRUE(std::filesystem::exists(lists[4]));
  auto files = table.CurrentFiles();
  ASSERT_TRUE(files.has_value()) << files.error().message;
  EXPECT_EQ(files->size(), 5u);  // fast appends share manifests: every file is still live
  // Nothing is due right after: the next cycle does no work.
  EXPECT_THAT(maintainer.RunCycle(tables, std::chrono::seconds(30)), IsEmpty());
}

TEST_F(MaintainerTest, FilesAppendedAfterTheLastRewritesBaseCount) {
  auto catalog = catalog::OpenSqliteCatalog((dir_ / "catalog.db").string()).value();
  iceberg::Schema schema{0, {iceberg::Field{1, "page", iceberg::TypeId::kString, false, ""}}};
  auto table = iceberg::Table::Create(*catalog, (dir_ / "wh").string(), {"website", "clicks"},
                                      schema, {0, {}}, {})
                   .value();
  std::vector<int64_t> snapshots;
  for (int files : {3, 4, 5}) {
    std::vector<iceberg::DataFile> batch(files);
    for (int i = 0; i < files; ++i) {
      batch[i].file_path = "/data/" + std::to_string(files) + "-" + std::to_string(i) + ".parquet";
      batch[i].record_count = 1;
      batch[i].file_size_in_bytes = 10;
    }
    auto snapshot = table.Append(batch);
    ASSERT_TRUE(snapshot.has_value()) << snapshot.error().message;
    snapshots.push_back(snapshot->snapshot_id);
  }
  auto all = ReadSignals(table.metadata(), 0);
  ASSERT_TRUE(all.has_value()) << all.error().message;
  EXPECT_EQ(all->appended_files_since_rewrite, 12);
  // A rewrite planned on the first snapshot left what came after it for the next one.
  auto after_base = ReadSignals(table.metadata(), 0, snapshots[0]);
  ASSERT_TRUE(after_base.has_value()) << after_base.error().message;
  EXPECT_EQ(after_base->appended_files_since_rewrite, 9);
  EXPECT_EQ(ReadSignals(table.metadata(), 0, snapshots[2])->appended_files_since_rewrite, 0);
}

TEST_F(MaintainerTest, AMissingTableIsReportedNotFatal) {
  auto catalog = catalog::OpenSqliteCatalog((dir_ / "catalog.db").string()).value();
  Maintainer maintainer(*catalog);
  std::vector<catalog::TableIdentifier> tables{{"website", "nope"}};
  auto actions = maintainer.RunCycle(tables, std::chrono::seconds(1));
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_FALSE(actions[0].ok);
  EXPECT_THAT(ActionText(actions[0]), ::testing::HasSubstr("website.nope"));
}

}  // namespace
}  // namespace clickstream::maintenance
