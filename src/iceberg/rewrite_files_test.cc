#include "iceberg/rewrite_files.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "catalog/sqlite_catalog.h"
#include "iceberg/table.h"
#include "iceberg/testing_python.h"
#include "iceberg/testing_schemas.h"

namespace clickstream::iceberg {
namespace {

namespace fs = std::filesystem;

using testing::ClicksSchema;
PartitionSpec ByPage() { return PartitionSpec{0, {PartitionField{2, 1000, "page", "identity"}}}; }

class RewriteFilesTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    catalog_ = std::move(catalog::OpenSqliteCatalog((dir_ / "catalog.db").string())).value();
    auto table = Table::Create(*catalog_, (dir_ / "wh").string(), {"website", "clicks"},
                               ClicksSchema(), ByPage());
    ASSERT_TRUE(table.has_value()) << table.error().message;
    table_.emplace(std::move(*table));
  }

  // A data file recorded by its metrics; `real` files exist on disk so deletion can be observed.
  DataFile File(const std::string& page, const std::string& name, int64_t rows, bool real = false) {
    DataFile f;
    f.file_path = (dir_ / "wh" / "data" / (name + ".parquet")).string();
    f.partition = {page};
    f.record_count = rows;
    f.file_size_in_bytes = 10 * rows;
    if (real) {
      fs::create_directories(dir_ / "wh" / "data");
      std::ofstream(f.file_path) << "x";
    }
    return f;
  }

  void AppendOne(const DataFile& f) {
    std::vector<DataFile> files = {f};
    auto s = table_->Append(files);
    ASSERT_TRUE(s.has_value()) << s.error().message;
  }

  std::map<std::string, ManifestEntry> AllEntries() {
    std::map<std::string, ManifestEntry> out;
    auto manifests = ReadManifestList(table_->metadata().CurrentSnapshot()->manifest_list);
    for (const auto& m : *manifests) {
      auto entries = ReadManifest(m.manifest_path, &m);
      for (auto& e : *entries) {
        out[e.data_file.file_path + (e.status == EntryStatus::kDeleted ? "#deleted" : "")] = e;
      }
    }
    return out;
  }

  std::unique_ptr<catalog::Catalog> catalog_;
  std::optional<Table> table_;
};

TEST_F(RewriteFilesTest, ReplaceSnapshotDeletesInputsWithTheirSequenceNumbersAndAddsOutputs) {
  AppendOne(File("/a", "a1", 10));
  AppendOne(File("/a", "a2", 20));
  AppendOne(File("/b", "b1", 5));
  auto before = AllEntries();
  DataFile out = File("/a", "a-compacted", 30);
  RewriteFiles op(
      {RewriteGroup{{File("/a", "a1", 0).file_path, File("/a", "a2", 0).file_path}, {out}}});
  auto committed = table_->Commit(op);
  ASSERT_TRUE(committed.has_value()) << committed.error().message;
  const Snapshot* s = table_->metadata().CurrentSnapshot();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->summary.at("operation"), "replace");
  EXPECT_EQ(s->summary.at("deleted-data-files"), "2");
  EXPECT_EQ(s->summary.at("added-data-files"), "1");
  EXPECT_EQ(s->summary.at("deleted-records"), "30");
  EXPECT_EQ(s->summary.at("added-records"), "30");
  EXPECT_EQ(s->summary.at("removed-files-size"), "300");
  EXPECT_EQ(s->summary.at("added-files-size"), "300");
  EXPECT_EQ(s->summary.at("total-data-files"), "2");
  EXPECT_EQ(s->summary.at("total-records"), "35");
  EXPECT_EQ(s->summary.at("changed-partition-count"), "1");

  auto after = AllEntries();
  for (const char* name : {"a1", "a2"}) {
    const std::string path = File("/a", name, 0).file_path;
    ASSERT_TRUE(after.contains(path + "#deleted")) << name;
    const ManifestEntry& d = after[path + "#deleted"];
    EXPECT_EQ(d.snapshot_id, s->snapshot_id);
    EXPECT_EQ(d.sequence_number, before[path].sequence_number);
    EXPECT_EQ(d.file_sequence_number, before[path].file_sequence_number);
    EXPECT_FALSE(after.contains(path));
  }
  EXPECT_EQ(after[out.file_path].status, EntryStatus::kAdded);
  EXPECT_EQ(after[out.file_path].sequence_number, s->sequence_number);
  const std::string b1 = File("/b", "b1", 0).file_path;
  EXPECT_EQ(after[b1].sequence_number, before[b1].sequence_number);
  auto live = table_->CurrentFiles();
  EXPECT_EQ(live->size(), 2u);
}

TEST_F(RewriteFilesTest, NextCommitsDropTheManifestsThatHoldOnlyDeletedEntries) {
  AppendOne(File("/a", "a1", 10));
  AppendOne(File("/a", "a2", 20));
  RewriteFiles op({RewriteGroup{{File("/a", "a1", 0).file_path, File("/a", "a2", 0).file_path},
                                {File("/a", "a-compacted", 30)}}});
  ASSERT_TRUE(table_->Commit(op).has_value());
  auto listed = [&] {
    return ReadManifestList(table_->metadata().CurrentSnapshot()->manifest_list).value();
  };
  // The rewrite itself lists the entries it deleted (spec: a snapshot's own deletes).
  auto deleted_only = [](const std::vector<ManifestFile>& manifests) {
    return std::count_if(manifests.begin(), manifests.end(),
                         [](const ManifestFile& m) { return !HasLiveFiles(m); });
  };
  ASSERT_EQ(deleted_only(listed()), 1);  // a1 and a2 as DELETED, apart from any live entry
  AppendOne(File("/b", "b1", 5));
  EXPECT_EQ(deleted_only(listed()), 0);
  EXPECT_EQ(listed().size(), 2u);
  EXPECT_EQ(table_->CurrentFiles()->size(), 2u);
  RewriteFiles again({RewriteGroup{{File("/b", "b1", 0).file_path}, {File("/b", "b2", 5)}}});
  ASSERT_TRUE(table_->Commit(again).has_value());
  auto after = listed();
  EXPECT_EQ(deleted_only(after), 1);  // b1's, this snapshot's own; a1/a2's are gone
  int64_t deleted = 0;
  for (const auto& m : after) deleted += m.deleted_files_count;
  EXPECT_EQ(deleted, 1);
}

TEST_F(RewriteFilesTest, RemovedAndKeptEntriesOfOneManifestGoToSeparateManifests) {
  std::vector<DataFile> both = {File("/a", "a1", 10), File("/b", "b1", 5)};
  ASSERT_TRUE(table_->Append(both).has_value());
  RewriteFiles op({RewriteGroup{{File("/a", "a1", 0).file_path}, {File("/a", "a2", 10)}}});
  ASSERT_TRUE(table_->Commit(op).has_value());
  auto manifests = ReadManifestList(table_->metadata().CurrentSnapshot()->manifest_list).value();
  ASSERT_EQ(manifests.size(), 3u);
  for (const auto& m : manifests) {
    const int kinds =
        (m.added_files_count > 0) + (m.existing_files_count > 0) + (m.deleted_files_count > 0);
    EXPECT_EQ(kinds, 1) << m.manifest_path;
  }
  AppendOne(File("/c", "c1", 1));
  manifests = ReadManifestList(table_->metadata().CurrentSnapshot()->manifest_list).value();
  EXPECT_EQ(manifests.size(), 3u);  // c1's, a2's, b1's; a1's DELETED entry is history now
  for (const auto& m : manifests) EXPECT_EQ(m.deleted_files_count, 0) << m.manifest_path;
  EXPECT_EQ(table_->CurrentFiles()->size(), 3u);
}

TEST_F(RewriteFilesTest, GroupWhoseInputsChangedIsDroppedAndItsFilesDeleted) {
  for (const char* name : {"a1", "a2", "b1", "b2"}) {
    AppendOne(File(name[0] == 'a' ? "/a" : "/b", name, 10));
  }
  // Another rewrite removes b2 first.
  DataFile other = File("/b", "b2-other", 10, true);
  RewriteFiles first({RewriteGroup{{File("/b", "b2", 0).file_path}, {other}}});
  ASSERT_TRUE(table_->Commit(first).has_value());

  DataFile a_out = File("/a", "a-out", 20, true);
  DataFile b_out = File("/b", "b-out", 20, true);
  RewriteFiles op(
      {RewriteGroup{{File("/a", "a1", 0).file_path, File("/a", "a2", 0).file_path}, {a_out}},
       RewriteGroup{{File("/b", "b1", 0).file_path, File("/b", "b2", 0).file_path}, {b_out}}});
  auto committed = table_->Commit(op);
  ASSERT_TRUE(committed.has_value()) << committed.error().message;
  EXPECT_EQ(op.committed_groups(), std::vector<std::size_t>{0});
  EXPECT_EQ(op.dropped_groups(), std::set<std::size_t>{1});
  EXPECT_TRUE(fs::exists(a_out.file_path));
  EXPECT_FALSE(fs::exists(b_out.file_path));
  std::set<std::string> live;
  auto files = table_->CurrentFiles();
  for (const auto& e : *files) live.insert(e.data_file.file_path);
  EXPECT_EQ(live, (std::set<std::string>{a_out.file_path, File("/b", "b1", 0).file_path,
                                         other.file_path}));
  EXPECT_EQ(table_->metadata().CurrentSnapshot()->summary.at("total-records"), "40");
}

TEST_F(RewriteFilesTest, EveryGroupDroppedIsAConflictAndDeletesTheNewFiles) {
  AppendOne(File("/a", "a1", 10));
  DataFile out = File("/a", "a-out", 10, true);
  RewriteFiles op({RewriteGroup{{File("/a", "gone", 0).file_path}, {out}}});
  std::string before = table_->metadata_location();
  auto committed = table_->Commit(op);
  ASSERT_FALSE(committed.has_value());
  EXPECT_EQ(committed.error().code, ErrorCode::kConflict);
  EXPECT_FALSE(fs::exists(out.file_path));
  ASSERT_TRUE(table_->Refresh().has_value());
  EXPECT_EQ(table_->metadata_location(), before);
}

}  // namespace
}  // namespace clickstream::iceberg
