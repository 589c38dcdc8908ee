#include "iceberg/rewrite_manifests.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "catalog/sqlite_catalog.h"
#include "iceberg/table.h"
#include "iceberg/testing_python.h"
#include "iceberg/testing_schemas.h"

namespace clickstream::iceberg {
namespace {

using testing::ClicksSchema;
PartitionSpec ByPage() { return PartitionSpec{0, {PartitionField{2, 1000, "page", "identity"}}}; }

DataFile File(const std::string& page, int n) {
  DataFile f;
  f.file_path = "/data/page=" + page + "/" + std::to_string(n) + ".parquet";
  f.partition = {page};
  f.record_count = 10 + n;
  f.file_size_in_bytes = 1000;
  return f;
}

ManifestEntry Entry(int spec_id, const std::string& page, int n) {
  ManifestEntry e;
  e.data_file = File(page, n);
  e.data_file.spec_id = spec_id;
  return e;
}

std::vector<std::string> Paths(const std::vector<ManifestEntry>& run) {
  std::vector<std::string> out;
  for (const auto& e : run) out.push_back(e.data_file.file_path);
  return out;
}

TEST(ClusterEntriesTest, SortsByPartitionAndCutsRunsBySizeAndSpec) {
  auto runs = ClusterEntries({Entry(0, "/b", 1), Entry(0, "/a", 2), Entry(1, "/a", 3),
                              Entry(0, "/a", 1), Entry(0, "/c", 1)},
                             3);
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(Paths(runs[0]),
            (std::vector<std::string>{"/data/page=/a/1.parquet", "/data/page=/a/2.parquet",
                                      "/data/page=/b/1.parquet"}));
  EXPECT_EQ(Paths(runs[1]), std::vector<std::string>{"/data/page=/c/1.parquet"});
  EXPECT_EQ(Paths(runs[2]), std::vector<std::string>{"/data/page=/a/3.parquet"});
}

class RewriteManifestsTest : public testing::TempDirTest {};

TEST_F(RewriteManifestsTest, ClustersEveryDataManifestKeepingEntriesAndSequenceNumbers) {
  auto catalog = std::move(catalog::OpenSqliteCatalog((dir_ / "catalog.db").string())).value();
  auto table = Table::Create(*catalog, (dir_ / "wh").string(), {"website", "clicks"},
                             ClicksSchema(), ByPage());
  ASSERT_TRUE(table.has_value());
  for (int n = 0; n < 6; ++n) {
    std::vector<DataFile> files = {File("/a", n), File("/b", n)};
    ASSERT_TRUE(table->Append(files).has_value());
  }
  auto live = [&] {
    std::map<std::string, std::pair<int64_t, int64_t>> out;  // path -> (sequence, snapshot)
    auto files = table->CurrentFiles();
    for (const auto& e : *files) {
      out[e.data_file.file_path] = {*e.sequence_number, *e.snapshot_id};
    }
    return out;
  };
  auto before = live();
  auto parent_summary = table->metadata().CurrentSnapshot()->summary;

  RewriteManifests op;
  auto committed = table->Commit(op);
  ASSERT_TRUE(committed.has_value()) << committed.error().message;
  const Snapshot* s = table->metadata().CurrentSnapshot();
  EXPECT_EQ(s->summary.at("operation"), "replace");
  EXPECT_EQ(s->summary.at("manifests-replaced"), "6");
  EXPECT_EQ(s->summary.at("manifests-created"), "1");
  EXPECT_EQ(s->summary.at("manifests-kept"), "0");
  EXPECT_EQ(s->summary.at("entries-processed"), "12");
  EXPECT_EQ(s->summary.at("total-records"), parent_summary.at("total-records"));
  EXPECT_EQ(s->summary.at("total-data-files"), "12");
  EXPECT_FALSE(s->summary.contains("added-data-files"));
  auto manifests = ReadManifestList(s->manifest_list);
  ASSERT_EQ(manifests->size(), 1u);
  EXPECT_EQ((*manifests)[0].existing_files_count, 12);
  EXPECT_EQ((*manifests)[0].added_files_count, 0);
  EXPECT_EQ((*manifests)[0].min_sequence_number, 1);
  EXPECT_EQ(live(), before);
}

}  // namespace
}  // namespace clickstream::iceberg
