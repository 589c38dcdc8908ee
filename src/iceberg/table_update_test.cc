#include "iceberg/table_update.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "catalog/sqlite_catalog.h"
#include "iceberg/table.h"
#include "iceberg/testing_python.h"

namespace clickstream::iceberg {
namespace {

Snapshot MakeSnapshot(int64_t id, std::optional<int64_t> parent, int64_t sequence) {
  Snapshot s;
  s.snapshot_id = id;
  s.parent_snapshot_id = parent;
  s.sequence_number = sequence;
  s.timestamp_ms = 1000 * id;
  s.manifest_list = "/t/metadata/snap-" + std::to_string(id) + ".avro";
  s.summary = {{"operation", "append"}};
  return s;
}

// A table whose main branch is snapshots 1 <- 2 <- 3.
TableMetadata ThreeSnapshots() {
  TableMetadata base;
  base.table_uuid = "uuid-1";
  base.location = "/t";
  TableChange change;
  for (int64_t id = 1; id <= 3; ++id) {
    change.updates.push_back(
        AddSnapshot{MakeSnapshot(id, id > 1 ? std::optional<int64_t>(id - 1) : std::nullopt, id)});
    change.updates.push_back(SetSnapshotRef{"main", id, "branch"});
  }
  auto next = ApplyTableChange(base, "", change);
  EXPECT_TRUE(next.has_value()) << next.error().message;
  return next.value_or(base);
}

TEST(TableUpdateTest, AddSnapshotAndSetRefMoveTheMainBranch) {
  TableMetadata m = ThreeSnapshots();
  EXPECT_EQ(m.current_snapshot_id, 3);
  EXPECT_EQ(m.last_sequence_number, 3);
  EXPECT_EQ(m.refs["main"]["snapshot-id"], 3);
  ASSERT_EQ(m.snapshot_log.size(), 3u);
  EXPECT_EQ(m.snapshot_log.back().snapshot_id, 3);
  EXPECT_TRUE(m.metadata_log.empty());
}

TEST(TableUpdateTest, RequirementsThatDoNotHoldAreConflicts) {
  TableMetadata m = ThreeSnapshots();
  TableChange stale{{AssertRefSnapshotId{"main", 2}}, {SetProperties{{{"k", "v"}}}}};
  auto result = ApplyTableChange(m, "/t/metadata/00003.json", stale);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kConflict);
  EXPECT_NE(result.error().message.find("snapshot 3"), std::string::npos);

  TableChange other_table{{AssertTableUuid{"uuid-2"}}, {}};
  EXPECT_EQ(ApplyTableChange(m, "", other_table).error().code, ErrorCode::kConflict);

  TableChange fresh{{AssertTableUuid{"uuid-1"}, AssertRefSnapshotId{"main", 3}},
                    {SetProperties{{{"k", "v"}}}}};
  auto applied = ApplyTableChange(m, "/t/metadata/00003.json", fresh);
  ASSERT_TRUE(applied.has_value());
  EXPECT_EQ(applied->properties.at("k"), "v");
  ASSERT_EQ(applied->metadata_log.size(), 1u);
  EXPECT_EQ(applied->metadata_log[0].metadata_file, "/t/metadata/00003.json");
}

TEST(TableUpdateTest, RemoveSnapshotsDropsTheirRefsStatisticsAndEarlierHistory) {
  TableMetadata m = ThreeSnapshots();
  m.refs["audit"] = {{"snapshot-id", 1}, {"type", "tag"}};
  m.extra["statistics"] = nlohmann::json::array({{{"snapshot-id", 1}, {"statistics-path", "/s1"}},
                                                 {{"snapshot-id", 3}, {"statistics-path", "/s3"}}});
  auto next = ApplyTableChange(m, "", TableChange{{}, {RemoveSnapshots{{1, 2}}}});
  ASSERT_TRUE(next.has_value()) << next.error().message;
  ASSERT_EQ(next->snapshots.size(), 1u);
  EXPECT_EQ(next->snapshots[0].snapshot_id, 3);
  EXPECT_FALSE(next->refs.contains("audit"));
  ASSERT_EQ(next->snapshot_log.size(), 1u);
  EXPECT_EQ(next->snapshot_log[0].snapshot_id, 3);
  ASSERT_EQ(next->extra["statistics"].size(), 1u);
  EXPECT_EQ(next->extra["statistics"][0]["snapshot-id"], 3);

  auto current = ApplyTableChange(m, "", TableChange{{}, {RemoveSnapshots{{3}}}});
  ASSERT_FALSE(current.has_value());
  EXPECT_EQ(current.error().code, ErrorCode::kInvalidArgument);
}

TEST(TableUpdateTest, MetadataLogKeepsPreviousVersionsMaxAndNamesWhatDropped) {
  TableMetadata m = ThreeSnapshots();
  m.properties[std::string(kMetadataPreviousVersionsMax)] = "2";
  TableMetadata current = m;
  std::vector<std::string> dropped;
  for (int i = 0; i < 4; ++i) {
    std::string location = "/t/metadata/0000" + std::to_string(i) + ".json";
    auto next = ApplyTableChange(current, location, TableChange{{}, {SetProperties{{{"i", "x"}}}}});
    ASSERT_TRUE(next.has_value());
    for (auto& file : DroppedMetadataFiles(current, location, *next)) dropped.push_back(file);
    current = std::move(*next);
  }
  ASSERT_EQ(current.metadata_log.size(), 2u);
  EXPECT_EQ(current.metadata_log[0].metadata_file, "/t/metadata/00002.json");
  EXPECT_EQ(current.metadata_log[1].metadata_file, "/t/metadata/00003.json");
  EXPECT_EQ(dropped,
            (std::vector<std::string>{"/t/metadata/00000.json", "/t/metadata/00001.json"}));
}

// Sets a property only, as an offset reset does.
class SetPropertyOperation final : public TableOperation {
 public:
  std::string_view name() const override { return "set property"; }
  Result<TableChange> Apply(const TableMetadata& base, std::string_view, CommitAttempt&) override {
    ++applied;
    return TableChange{{AssertTableUuid{base.table_uuid}}, {SetProperties{{{"k", "v"}}}}};
  }
  int applied = 0;
};

class TableCommitTest : public testing::TempDirTest {};

TEST_F(TableCommitTest, OldMetadataFilesAreDeletedWhenTheTableSaysSo) {
  auto catalog = catalog::OpenSqliteCatalog((dir_ / "catalog.db").string()).value();
  Schema schema{0, {Field{1, "id", TypeId::kLong, false, ""}}};
  auto table =
      Table::Create(*catalog, (dir_ / "wh").string(), {"ns", "t"}, schema, PartitionSpec{0, {}},
                    {{std::string(kMetadataDeleteAfterCommit), "true"},
                     {std::string(kMetadataPreviousVersionsMax), "3"}})
          .value();
  for (int i = 0; i < 6; ++i) {
    SetPropertyOperation operation;
    ASSERT_TRUE(table.Commit(operation).has_value());
    EXPECT_EQ(operation.applied, 1);
  }
  int metadata_files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_ / "wh/ns/t/metadata")) {
    metadata_files += entry.path().string().ends_with(".metadata.json");
  }
  EXPECT_EQ(metadata_files, 4);  // the current one and three previous versions
  EXPECT_EQ(table.metadata().metadata_log.size(), 3u);
  EXPECT_EQ(table.metadata().properties.at("k"), "v");
}

}  // namespace
}  // namespace clickstream::iceberg

namespace clickstream::iceberg {
namespace {

// The real SQLite catalog behind a connection that loses the answer of the first commit, as a
// REST catalog timing out does: the commit may or may not have happened (kCommitStateUnknown).
class UnansweredFirstCommit final : public catalog::Catalog {
 public:
  UnansweredFirstCommit(std::unique_ptr<catalog::Catalog> inner, bool lands)
      : inner_(std::move(inner)), lands_(lands) {}
  const std::string& name() const override { return inner_->name(); }
  Status CreateNamespace(std::string_view ns,
                         const std::map<std::string, std::string>& p) override {
    return inner_->CreateNamespace(ns, p);
  }
  Result<bool> NamespaceExists(std::string_view ns) override { return inner_->NamespaceExists(ns); }
  Result<std::vector<std::string>> ListNamespaces() override { return inner_->ListNamespaces(); }
  Status CreateTable(const catalog::TableIdentifier& id, std::string_view location) override {
    return inner_->CreateTable(id, location);
  }
  Result<std::vector<catalog::TableIdentifier>> ListTables(std::string_view ns) override {
    return inner_->ListTables(ns);
  }
  Result<catalog::TableEntry> LoadTable(const catalog::TableIdentifier& id) override {
    return inner_->LoadTable(id);
  }
  Status DropTable(const catalog::TableIdentifier& id) override { return inner_->DropTable(id); }
  Result<catalog::TableEntry> CommitTable(const catalog::TableCommit& commit) override {
    if (commits_++ > 0) return inner_->CommitTable(commit);
    if (lands_) CS_RETURN_IF_ERROR(inner_->CommitTable(commit));
    return MakeError(ErrorCode::kCommitStateUnknown, "the catalog did not answer");
  }

 private:
  std::unique_ptr<catalog::Catalog> inner_;
  bool lands_;
  int commits_ = 0;
};

class CommitStateUnknownTest : public testing::TempDirTest,
                               public ::testing::WithParamInterface<bool> {};

TEST_P(CommitStateUnknownTest, AnAppendWhoseAnswerWasLostLandsExactlyOnce) {
  const bool lands = GetParam();
  UnansweredFirstCommit catalog(catalog::OpenSqliteCatalog((dir_ / "catalog.db").string()).value(),
                                lands);
  Schema schema{0, {Field{1, "id", TypeId::kLong, false, ""}}};
  auto table =
      Table::Create(catalog, (dir_ / "wh").string(), {"ns", "t"}, schema, PartitionSpec{0, {}})
          .value();
  DataFile file;
  file.file_path = (dir_ / "f.parquet").string();
  file.record_count = 3;
  file.file_size_in_bytes = 30;
  auto snapshot = table.Append(std::span(&file, 1));
  ASSERT_TRUE(snapshot.has_value()) << snapshot.error().message;
  auto reloaded = Table::Load(catalog, {"ns", "t"}).value();
  ASSERT_EQ(reloaded.metadata().snapshots.size(), 1u);
  EXPECT_EQ(reloaded.metadata().CurrentSnapshot()->snapshot_id, snapshot->snapshot_id);
  EXPECT_EQ(reloaded.CurrentFiles()->size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(LandedOrNot, CommitStateUnknownTest, ::testing::Bool());

}  // namespace
}  // namespace clickstream::iceberg
