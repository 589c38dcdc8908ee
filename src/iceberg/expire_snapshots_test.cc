#include "iceberg/expire_snapshots.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "catalog/sqlite_catalog.h"
#include "iceberg/reachable_files.h"
#include "iceberg/table.h"
#include "iceberg/testing_python.h"

namespace clickstream::iceberg {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

// A linear main branch of snapshots 1..n committed at 1000 * id ms.
TableMetadata Chain(int n) {
  TableMetadata m;
  for (int id = 1; id <= n; ++id) {
    Snapshot s;
    s.snapshot_id = id;
    if (id > 1) s.parent_snapshot_id = id - 1;
    s.sequence_number = id;
    s.timestamp_ms = 1000 * id;
    s.manifest_list = "/t/metadata/snap-" + std::to_string(id) + ".avro";
    s.summary = {{"operation", "append"}};
    m.snapshots.push_back(s);
  }
  m.current_snapshot_id = n;
  m.refs["main"] = {{"snapshot-id", n}, {"type", "branch"}};
  return m;
}

TEST(PlanExpiryTest, KeepsTheNewestAncestorsAndWhatRefsPointAt) {
  TableMetadata m = Chain(6);
  m.refs["audit"] = {{"snapshot-id", 2}, {"type", "tag"}};
  ExpiryPlan plan = PlanExpiry(m, {.older_than_ms = 100'000, .retain_last = 2}, 100'000);
  EXPECT_THAT(plan.expired, ElementsAre(1, 3, 4));
  EXPECT_THAT(plan.kept_for_engines, IsEmpty());
}

TEST(PlanExpiryTest, NeverExpiresTheCurrentSnapshotEvenWithRetainLastZero) {
  TableMetadata m = Chain(3);
  ExpiryPlan plan = PlanExpiry(m, {.older_than_ms = 100'000, .retain_last = 0}, 100'000);
  EXPECT_THAT(plan.expired, ElementsAre(1, 2));
}

TEST(PlanExpiryTest, DefaultsComeFromTheTableProperties) {
  TableMetadata m = Chain(6);
  m.properties = {{"history.expire.max-snapshot-age-ms", "3000"},
                  {"history.expire.min-snapshots-to-keep", "1"}};
  // Cutoff 6500 - 3000 = 3500: snapshots 4, 5 and 6 are young enough.
  EXPECT_THAT(PlanExpiry(m, {}, 6500).expired, ElementsAre(1, 2, 3));
  // Without properties, Iceberg's 5 days keep everything.
  EXPECT_THAT(PlanExpiry(Chain(6), {}, 6500).expired, IsEmpty());
  // A branch's own max-snapshot-age-ms overrides the table's.
  m.refs["main"]["max-snapshot-age-ms"] = 2000;
  EXPECT_THAT(PlanExpiry(m, {}, 6500).expired, ElementsAre(1, 2, 3, 4));
}

TEST(PlanExpiryTest, KeepsTheNewestSnapshotOfEveryFlinkJobAndSparkQuery) {
  TableMetadata m = Chain(6);
  auto flink = [](int checkpoint) {
    return std::map<std::string, std::string>{
        {"operation", "append"},
        {"flink.job-id", "job"},
        {"flink.operator-id", "op"},
        {"flink.max-committed-checkpoint-id", std::to_string(checkpoint)}};
  };
  m.snapshots[1].summary = flink(1);
  m.snapshots[2].summary = flink(2);
  m.snapshots[0].summary = {{"operation", "append"},
                            {"spark.sql.streaming.queryId", "q"},
                            {"spark.sql.streaming.epochId", "7"}};
  ExpiryPlan plan = PlanExpiry(m, {.older_than_ms = 100'000, .retain_last = 1}, 100'000);
  EXPECT_THAT(plan.expired, ElementsAre(2, 4, 5));
  EXPECT_THAT(plan.kept_for_engines, ElementsAre(1, 3));
}

TEST(PlanExpiryTest, KeepsTheNewestSnapshotOfASparkForeachBatchQueryWithLowercasedKeys) {
  TableMetadata m = Chain(4);
  // engines/spark/click_processor.py: write options arrive lowercased in the summary.
  for (int i : {0, 1}) {
    m.snapshots[i].summary = {{"operation", "append"},
                              {"spark.sql.streaming.queryid", "q"},
                              {"spark.sql.streaming.epochid", std::to_string(i)}};
  }
  ExpiryPlan plan = PlanExpiry(m, {.older_than_ms = 100'000, .retain_last = 1}, 100'000);
  EXPECT_THAT(plan.expired, ElementsAre(1, 3));
  EXPECT_THAT(plan.kept_for_engines, ElementsAre(2));
}

TEST(PlanExpiryTest, SnapshotsOffEveryBranchGoByAgeAlone) {
  TableMetadata m = Chain(3);
  Snapshot staged = m.snapshots[0];
  staged.snapshot_id = 10;
  staged.timestamp_ms = 5000;  // a staged (WAP) snapshot no ref points at
  m.snapshots.push_back(staged);
  EXPECT_THAT(PlanExpiry(m, {.older_than_ms = 4000, .retain_last = 1}, 9000).expired,
              ElementsAre(1, 2));
  EXPECT_THAT(PlanExpiry(m, {.older_than_ms = 6000, .retain_last = 1}, 9000).expired,
              ElementsAre(1, 2, 10));
}

class ExpiredFilesTest : public testing::TempDirTest {
 protected:
  DataFile RealFile(const std::string& page, int n) {
    DataFile f;
    f.file_path =
        (dir_ / "warehouse/website/clicks/data" / (page + std::to_string(n) + ".parquet")).string();
    fs::create_directories(fs::path(f.file_path).parent_path());
    std::ofstream(f.file_path) << "x";
    f.partition = {page};
    f.record_count = 1;
    f.file_size_in_bytes = 1;
    return f;
  }
};

// Appends three snapshots, then (by hand) a replace snapshot that deletes the first two appends'
// files and adds a compacted one, keeping the third append's manifest.
TEST_F(ExpiredFilesTest, OnlyFilesNoRetainedSnapshotReachesAreDeleted) {
  auto catalog = catalog::OpenSqliteCatalog((dir_ / "catalog.db").string()).value();
  Schema schema{0,
                {Field{1, "user_id", TypeId::kString, false, ""},
                 Field{2, "page", TypeId::kString, false, ""}}};
  PartitionSpec spec{0, {PartitionField{2, 1000, "page", "identity"}}};
  auto table =
      Table::Create(*catalog, (dir_ / "warehouse").string(), {"website", "clicks"}, schema, spec)
          .value();
  std::vector<DataFile> appended;
  for (int i = 0; i < 3; ++i) {
    appended.push_back(RealFile("home", i));
    ASSERT_TRUE(table.Append(std::span(&appended.back(), 1)));
  }
  TableMetadata m = table.metadata();
  auto manifests = ReadManifestList(m.CurrentSnapshot()->manifest_list).value();
  ASSERT_EQ(manifests.size(), 3u);  // newest first
  std::vector<ManifestEntry> entries;
  for (int i = 1; i <= 2; ++i) {
    auto read = ReadManifest(manifests[i].manifest_path, &manifests[i]).value();
    for (auto e : read) {
      e.status = EntryStatus::kDeleted;
      e.snapshot_id = 99;
      entries.push_back(e);
    }
  }
  ManifestEntry compacted;
  compacted.data_file = RealFile("home", 100);
  entries.push_back(compacted);
  ManifestContext context{m.CurrentSchemaJson().value(), spec};
  std::string base = m.location + "/metadata/";
  auto rewritten = WriteManifestEntries(base + "r.avro", context, 99, 4, entries).value();
  std::vector<ManifestFile> list{rewritten, manifests[0]};
  ASSERT_TRUE(WriteManifestList(base + "snap-99.avro", 99, m.current_snapshot_id, 4, list));
  Snapshot replace{
      99, m.current_snapshot_id, 4, NowMillis(), base + "snap-99.avro", {{"operation", "replace"}},
      0};
  m.snapshots.push_back(replace);
  m.current_snapshot_id = 99;
  m.refs["main"]["snapshot-id"] = 99;

  std::vector<int64_t> expired = {m.snapshots[0].snapshot_id, m.snapshots[1].snapshot_id,
                                  m.snapshots[2].snapshot_id};
  auto files = FilesOnlyReachedBy(m, expired);
  ASSERT_TRUE(files.has_value()) << files.error().message;
  EXPECT_THAT(files->content_files,
              UnorderedElementsAre(appended[0].file_path, appended[1].file_path));
  EXPECT_THAT(files->manifests, UnorderedElementsAre(NormalizedPath(manifests[2].manifest_path),
                                                     NormalizedPath(manifests[1].manifest_path)))
      << "the third append's manifest is still listed by the replace snapshot";
  EXPECT_EQ(files->manifest_lists.size(), 3u);

  DeletedFiles deleted = DeleteExpiredFiles(*files);
  EXPECT_EQ(deleted.content_files, 2);
  EXPECT_EQ(deleted.manifests, 2);
  EXPECT_EQ(deleted.manifest_lists, 3);
  EXPECT_EQ(deleted.failed, 0);
  EXPECT_FALSE(fs::exists(appended[0].file_path));
  EXPECT_TRUE(fs::exists(appended[2].file_path));
  EXPECT_TRUE(fs::exists(compacted.data_file.file_path));

  // What is left is exactly what the replace snapshot reaches.
  std::vector<int64_t> kept = {99};
  auto reachable = FindReachableFiles(m, std::span<const int64_t>(kept));
  ASSERT_TRUE(reachable.has_value()) << reachable.error().message;
  EXPECT_EQ(reachable->live_content_files.size(), 2u);
}

TEST_F(ExpiredFilesTest, AnUnreadableManifestListIsAnErrorNotAnEmptySet) {
  TableMetadata m = Chain(2);
  std::vector<int64_t> expired = {1};
  auto files = FilesOnlyReachedBy(m, expired);
  ASSERT_FALSE(files.has_value());
}

}  // namespace
}  // namespace clickstream::iceberg
