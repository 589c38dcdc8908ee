#include "iceberg/table.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "catalog/sqlite_catalog.h"
#include "iceberg/snapshot_summary.h"
#include "iceberg/testing_python.h"
#include "iceberg/testing_schemas.h"

namespace clickstream::iceberg {
namespace {

namespace fs = std::filesystem;
using catalog::TableIdentifier;

const TableIdentifier kClicks{"website", "clicks"};

using testing::ClicksSchema;
PartitionSpec ByPage() { return PartitionSpec{0, {PartitionField{2, 1000, "page", "identity"}}}; }

// Metadata-level tests record data files by their metrics only; the e2e tests write real ones.
DataFile File(const std::string& page, int64_t rows, int n) {
  DataFile f;
  f.file_path = "/data/page=" + page + "/" + std::to_string(n) + ".parquet";
  f.partition = {page};
  f.record_count = rows;
  f.file_size_in_bytes = 100 * rows;
  return f;
}

class TableTest : public testing::TempDirTest {
 protected:
  std::unique_ptr<catalog::Catalog> OpenCatalog() {
    auto c = catalog::OpenSqliteCatalog((dir_ / "catalog.db").string());
    EXPECT_TRUE(c.has_value());
    return std::move(c).value();
  }
  std::string warehouse() const { return (dir_ / "warehouse").string(); }
};

TEST_F(TableTest, CreateWritesMetadataUnderTheWarehouseAndRegistersIt) {
  auto catalog = OpenCatalog();
  auto table = Table::Create(*catalog, warehouse(), kClicks, ClicksSchema(), ByPage());
  ASSERT_TRUE(table.has_value()) << table.error().message;
  EXPECT_EQ(table->metadata().location, (dir_ / "warehouse" / "website" / "clicks").string());
  EXPECT_TRUE(fs::exists(table->metadata_location()));
  EXPECT_TRUE(
      table->metadata_location().starts_with(table->metadata().location + "/metadata/00000-"));
  EXPECT_EQ(catalog->LoadTable(kClicks)->metadata_location, table->metadata_location());
  EXPECT_TRUE(catalog->NamespaceExists("website").value());

  auto again = Table::Create(*catalog, warehouse(), kClicks, ClicksSchema(), ByPage());
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);

  auto loaded = Table::Load(*catalog, kClicks);
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->metadata().table_uuid, table->metadata().table_uuid);
  EXPECT_EQ(Table::Load(*catalog, {"website", "nope"}).error().code, ErrorCode::kNotFound);
}

TEST_F(TableTest, TableLocationStaysInsideTheWarehouse) {
  auto location = TableLocation("relative/wh/", kClicks);
  ASSERT_TRUE(location.has_value());
  EXPECT_EQ(*location, (fs::current_path() / "relative/wh/website/clicks").string());
  for (const TableIdentifier& bad :
       {TableIdentifier{"..", "x"}, TableIdentifier{"website", ".."}, TableIdentifier{"a/b", "c"},
        TableIdentifier{"website", ""}, TableIdentifier{"website", std::string(500, 'x')}}) {
    EXPECT_EQ(TableLocation(warehouse(), bad).error().code, ErrorCode::kInvalidArgument);
  }
}

TEST_F(TableTest, ANestedNamespaceIsADirectoryPerLevel) {
  EXPECT_EQ(TableLocation("/wh", {"analytics.daily", "clicks"}).value(),
            "/wh/analytics/daily/clicks");
  EXPECT_EQ(TableLocation("s3://bucket/wh", {"analytics.daily", "clicks"}).value(),
            "s3://bucket/wh/analytics/daily/clicks");
  auto catalog = OpenCatalog();
  const TableIdentifier nested{"analytics.daily", "clicks"};
  auto table = Table::Create(*catalog, warehouse(), nested, ClicksSchema(), ByPage());
  ASSERT_TRUE(table.has_value()) << table.error().message;
  std::vector<DataFile> files = {File("/home", 10, 0)};
  ASSERT_TRUE(table->Append(files, {}).has_value());
  EXPECT_TRUE(catalog->NamespaceExists("analytics.daily").value());
  EXPECT_EQ(
      Table::Load(*catalog, nested)->metadata().CurrentSnapshot()->summary.at("total-records"),
      "10");
  for (const TableIdentifier& bad :
       {TableIdentifier{"analytics..daily", "x"}, TableIdentifier{"analytics.", "x"}}) {
    EXPECT_EQ(TableLocation(warehouse(), bad).error().code, ErrorCode::kInvalidArgument);
  }
}

TEST_F(TableTest, AppendsAccumulateSnapshotsManifestsAndTotals) {
  auto catalog = OpenCatalog();
  auto table = Table::Create(*catalog, warehouse(), kClicks, ClicksSchema(), ByPage()).value();
  std::string first_metadata = table.metadata_location();
  for (int i = 0; i < 3; ++i) {
    std::vector<DataFile> files = {File("/home", 10, 2 * i), File("/cart", 5, 2 * i + 1)};
    auto snapshot = table.Append(files, {.summary = {{"writer.batch", std::to_string(i)}},
                                         .set_properties = {{"writer.next", std::to_string(i)}}});
    ASSERT_TRUE(snapshot.has_value()) << snapshot.error().message;
    EXPECT_EQ(snapshot->sequence_number, i + 1);
    EXPECT_EQ(snapshot->summary.at("added-records"), "15");
    EXPECT_EQ(snapshot->summary.at("total-records"), std::to_string(15 * (i + 1)));
    EXPECT_EQ(snapshot->summary.at("total-data-files"), std::to_string(2 * (i + 1)));
    EXPECT_EQ(snapshot->summary.at("changed-partition-count"), "2");
    EXPECT_EQ(snapshot->summary.at("operation"), "append");
  }
  auto reloaded = Table::Load(*catalog, kClicks).value();
  const TableMetadata& m = reloaded.metadata();
  EXPECT_EQ(m.snapshots.size(), 3u);
  EXPECT_EQ(m.last_sequence_number, 3);
  EXPECT_EQ(m.snapshot_log.size(), 3u);
  ASSERT_EQ(m.metadata_log.size(), 3u);
  EXPECT_EQ(m.metadata_log[0].metadata_file, first_metadata);
  EXPECT_TRUE(reloaded.metadata_location().find("/metadata/00003-") != std::string::npos);
  EXPECT_EQ(m.refs["main"]["snapshot-id"], *m.current_snapshot_id);
  EXPECT_EQ(m.CurrentSnapshot()->parent_snapshot_id, m.snapshots[1].snapshot_id);

  auto manifests = ReadManifestList(m.CurrentSnapshot()->manifest_list);
  ASSERT_TRUE(manifests.has_value());
  ASSERT_EQ(manifests->size(), 3u);
  EXPECT_EQ(manifests->at(0).sequence_number, 3);  // newest first
  EXPECT_EQ(manifests->at(2).sequence_number, 1);
  auto files = reloaded.CurrentFiles();
  ASSERT_TRUE(files.has_value());
  ASSERT_EQ(files->size(), 6u);
  int64_t rows = 0;
  for (const auto& e : *files) rows += e.data_file.record_count;
  EXPECT_EQ(rows, 45);

  EXPECT_EQ(m.CurrentSnapshot()->summary.at("writer.batch"), "2");
  EXPECT_EQ(m.properties.at("writer.next"), "2");
}

TEST_F(TableTest, AppendRejectsSummaryKeysThatTheTableWrites) {
  auto catalog = OpenCatalog();
  auto table = Table::Create(*catalog, warehouse(), kClicks, ClicksSchema(), ByPage()).value();
  DataFile f = File("/home", 1, 0);
  auto result = table.Append(std::span(&f, 1), {.summary = {{"total-records", "0"}}});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(Table::Load(*catalog, kClicks)->metadata().snapshots.size(), 0u);
}

TEST_F(TableTest, AppendRetriesAfterConcurrentCommit) {
  auto catalog_a = OpenCatalog();
  auto catalog_b = OpenCatalog();
  ASSERT_TRUE(Table::Create(*catalog_a, warehouse(), kClicks, ClicksSchema(), ByPage()));
  auto writer_a = Table::Load(*catalog_a, kClicks).value();
  auto writer_b = Table::Load(*catalog_b, kClicks).value();  // B's view goes stale below

  DataFile a = File("/home", 10, 1);
  DataFile b = File("/cart", 7, 2);
  auto snap_a = writer_a.Append(std::span(&a, 1));
  ASSERT_TRUE(snap_a.has_value());
  auto snap_b = writer_b.Append(std::span(&b, 1));
  ASSERT_TRUE(snap_b.has_value()) << snap_b.error().message;
  EXPECT_EQ(snap_b->parent_snapshot_id, snap_a->snapshot_id);
  EXPECT_EQ(snap_b->sequence_number, 2);
  EXPECT_EQ(snap_b->summary.at("total-records"), "17");

  auto files = Table::Load(*catalog_a, kClicks)->CurrentFiles();
  ASSERT_TRUE(files.has_value());
  EXPECT_EQ(files->size(), 2u);
}

TEST_F(TableTest, CommitConditionIsRecheckedAgainstTheRereadTable) {
  auto catalog_a = OpenCatalog();
  auto catalog_b = OpenCatalog();
  ASSERT_TRUE(Table::Create(*catalog_a, warehouse(), kClicks, ClicksSchema(), ByPage()));
  auto zombie = Table::Load(*catalog_b, kClicks).value();

  // The zombie may commit offsets [0, 5) only while nobody recorded an offset for partition 0.
  int checks = 0;
  CommitCondition unclaimed = [&checks](const TableMetadata& current) -> Status {
    ++checks;
    auto it = current.properties.find("offset.0");
    if (it != current.properties.end()) return Conflict("partition 0 moved on to " + it->second);
    return Ok();
  };
  auto live = Table::Load(*catalog_a, kClicks).value();
  DataFile f1 = File("/home", 5, 1);
  ASSERT_TRUE(live.Append(std::span(&f1, 1), {.set_properties = {{"offset.0", "5"}}}));

  DataFile f2 = File("/home", 5, 2);
  auto result = zombie.Append(std::span(&f2, 1),
                              {.set_properties = {{"offset.0", "5"}}, .condition = unclaimed});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kConflict);
  EXPECT_NE(result.error().message.find("moved on to 5"), std::string::npos);
  EXPECT_GE(checks, 1);

  auto table = Table::Load(*catalog_a, kClicks).value();
  EXPECT_EQ(table.metadata().snapshots.size(), 1u);
  // The aborted append left no manifest behind: one manifest, one list, two metadata files.
  int avro_files = 0;
  for (const auto& entry : fs::directory_iterator(table.metadata().location + "/metadata")) {
    avro_files += entry.path().extension() == ".avro";
  }
  EXPECT_EQ(avro_files, 2);
}

TEST_F(TableTest, ConcurrentAppendersNeverLoseASnapshot) {
  {
    auto catalog = OpenCatalog();
    ASSERT_TRUE(Table::Create(*catalog, warehouse(), kClicks, ClicksSchema(), ByPage()));
  }
  constexpr int kWriters = 3;
  constexpr int kAppendsEach = 15;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      auto catalog = OpenCatalog();
      auto table = Table::Load(*catalog, kClicks);
      if (!table.has_value()) {
        ++failures;
        return;
      }
      for (int i = 0; i < kAppendsEach; ++i) {
        DataFile f = File("/p" + std::to_string(w), 1 + i, w * 100 + i);
        auto snapshot = table->Append(
            std::span(&f, 1),
            {.set_properties = {{"offset." + std::to_string(w), std::to_string(i + 1)}}});
        if (!snapshot.has_value()) {
          ADD_FAILURE() << snapshot.error().message;
          ++failures;
          return;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(failures.load(), 0);
  auto catalog = OpenCatalog();
  auto table = Table::Load(*catalog, kClicks).value();
  const TableMetadata& m = table.metadata();
  EXPECT_EQ(m.snapshots.size(), static_cast<std::size_t>(kWriters * kAppendsEach));
  EXPECT_EQ(m.last_sequence_number, kWriters * kAppendsEach);
  int64_t expected_rows = kWriters * (kAppendsEach * (kAppendsEach + 1) / 2);
  EXPECT_EQ(m.CurrentSnapshot()->summary.at("total-records"), std::to_string(expected_rows));
  auto files = table.CurrentFiles();
  ASSERT_TRUE(files.has_value());
  EXPECT_EQ(files->size(), static_cast<std::size_t>(kWriters * kAppendsEach));
  // Every writer's last property update survived the others' commits.
  for (int w = 0; w < kWriters; ++w) {
    EXPECT_EQ(m.properties.at("offset." + std::to_string(w)), std::to_string(kAppendsEach));
  }
}

TEST_F(TableTest, SmallManifestsAreMergedKeepingEveryFileAndItsSequenceNumber) {
  auto catalog = OpenCatalog();
  auto table = Table::Create(*catalog, warehouse(), kClicks, ClicksSchema(), ByPage()).value();
  AppendOptions options;
  options.manifest_merge_min_count = 4;
  for (int i = 0; i < 10; ++i) {
    DataFile f = File(i % 2 ? "/home" : "/cart", i + 1, i);
    ASSERT_TRUE(table.Append(std::span(&f, 1), options).has_value());
    auto manifests = ReadManifestList(table.metadata().CurrentSnapshot()->manifest_list).value();
    EXPECT_LT(manifests.size(), 4u) << "after append " << i;
  }
  auto files = table.CurrentFiles();
  ASSERT_TRUE(files.has_value());
  ASSERT_EQ(files->size(), 10u);
  std::map<std::string, int64_t> sequence_by_path;
  for (const auto& e : *files) sequence_by_path[e.data_file.file_path] = *e.sequence_number;
  for (int i = 0; i < 10; ++i) {
    // File i was added by the (i+1)-th commit and keeps that data sequence number when merged.
    EXPECT_EQ(sequence_by_path.at(File(i % 2 ? "/home" : "/cart", 1, i).file_path), i + 1);
  }
  EXPECT_EQ(table.metadata().CurrentSnapshot()->summary.at("total-records"), "55");

  // pyiceberg reads the merged manifests the same way.
  std::string out = testing::RunPython(R"(
import json, sys
from pyiceberg.catalog.sql import SqlCatalog
d = sys.argv[1]
c = SqlCatalog('catalog', uri='sqlite:///' + d + '/catalog.db', warehouse='file://' + d + '/warehouse')
t = c.load_table('website.clicks')
entries = t.inspect.entries().to_pylist()
print(json.dumps(sorted([e['data_file']['file_path'], e['sequence_number'], e['status']] for e in entries)))
print(json.dumps(sorted(task.file.file_path for task in t.scan().plan_files())))
)",
                                       dir_);
  auto newline = out.find('\n');
  auto entries = nlohmann::json::parse(out.substr(0, newline));
  auto planned = nlohmann::json::parse(out.substr(newline + 1));
  ASSERT_EQ(entries.size(), 10u);
  ASSERT_EQ(planned.size(), 10u);
  for (const auto& e : entries) {
    EXPECT_EQ(e[1], sequence_by_path.at(e[0].get<std::string>())) << e;
  }
}

TEST(SnapshotSummaryTest, NewestSnapshotOfTheMainBranchWins) {
  TableMetadata m;
  auto add = [&m](int64_t id, std::optional<int64_t> parent, std::map<std::string, std::string> s) {
    Snapshot snap;
    snap.snapshot_id = id;
    snap.parent_snapshot_id = parent;
    snap.summary = std::move(s);
    m.snapshots.push_back(snap);
    m.current_snapshot_id = id;
  };
  add(1, std::nullopt, {{"k.a", "10"}, {"k.b", "3"}});
  add(2, 1, {{"k.a", "20"}, {"other", "1"}});
  add(3, 2, {{"operation", "append"}});
  // A snapshot off the main branch (not an ancestor of the current one) is ignored.
  Snapshot orphan;
  orphan.snapshot_id = 9;
  orphan.summary = {{"k.b", "1000"}};
  m.snapshots.push_back(orphan);

  EXPECT_EQ(MainBranchHistory(m).size(), 3u);
  EXPECT_EQ(LatestSummaryValues(m, "k."),
            (std::map<std::string, std::string>{{"k.a", "20"}, {"k.b", "3"}}));
}

}  // namespace
}  // namespace clickstream::iceberg
