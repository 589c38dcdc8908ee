#include "maintenance/compaction_plan.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace clickstream::maintenance {
namespace {

using iceberg::Literal;
using iceberg::ManifestEntry;

constexpr int64_t kMiB = 1 << 20;

ManifestEntry File(const std::string& page, int index, int64_t bytes, int spec_id = 0) {
  ManifestEntry e;
  e.status = iceberg::EntryStatus::kExisting;
  e.data_file.file_path = "/t/data/page=" + page + "/" + std::to_string(index) + ".parquet";
  e.data_file.spec_id = spec_id;
  e.data_file.partition = {Literal(page)};
  e.data_file.file_size_in_bytes = bytes;
  e.data_file.record_count = bytes / 10;
  return e;
}

iceberg::Schema Schema() {
  return {0,
          {{1, "user_id", iceberg::TypeId::kString, false, ""},
           {2, "page", iceberg::TypeId::kString, false, ""}}};
}
iceberg::PartitionSpec Spec() { return {0, {{2, 1000, "page", "identity"}}}; }

TEST(CompactionPlanTest, GroupsSmallFilesOfEachPartitionAndSkipsFewFiles) {
  std::vector<ManifestEntry> files;
  for (int i = 0; i < 6; ++i) files.push_back(File("/a", i, 1 * kMiB));
  for (int i = 0; i < 4; ++i) files.push_back(File("/b", i, 1 * kMiB));  // below min-input-files
  files.push_back(File("/a", 99, 100 * kMiB));                           // already near the target
  CompactionPlanOptions options;
  auto groups = PlanCompaction(files, options);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].partition, std::vector<Literal>{Literal(std::string("/a"))});
  EXPECT_EQ(groups[0].inputs.size(), 6u);
  EXPECT_EQ(groups[0].input_bytes, 6 * kMiB);
  EXPECT_EQ(groups[0].input_records, 6 * (kMiB / 10));
  options.min_input_files = 4;
  EXPECT_EQ(PlanCompaction(files, options).size(), 2u);
}

TEST(CompactionPlanTest, SplitsPartitionsIntoGroupsOfBoundedSize) {
  std::vector<ManifestEntry> files;
  for (int i = 0; i < 30; ++i) files.push_back(File("/a", i, 10 * kMiB));
  CompactionPlanOptions options;
  options.target_file_size_bytes = 32 * kMiB;
  options.max_group_bytes = 100 * kMiB;
  auto groups = PlanCompaction(files, options);
  ASSERT_EQ(groups.size(), 3u);
  std::size_t total = 0;
  for (const auto& g : groups) {
    EXPECT_LE(g.input_bytes, 100 * kMiB);
    total += g.inputs.size();
  }
  EXPECT_EQ(total, 30u);
}

TEST(CompactionPlanTest, OversizedFileIsSplitAndRewriteAllTakesEverything) {
  std::vector<ManifestEntry> files = {File("/a", 0, 300 * kMiB), File("/b", 0, 128 * kMiB)};
  CompactionPlanOptions options;
  auto groups = PlanCompaction(files, options);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].inputs[0].data_file.file_path, "/t/data/page=/a/0.parquet");
  options.rewrite_all = true;
  EXPECT_EQ(PlanCompaction(files, options).size(), 2u);
}

TEST(CompactionPlanTest, WhereSelectsPartitionsAndDeleteFilesAreNeverPlanned) {
  std::vector<ManifestEntry> files;
  for (int i = 0; i < 5; ++i) files.push_back(File("/a", i, kMiB));
  for (int i = 0; i < 5; ++i) files.push_back(File("/cart", i, kMiB));
  files.push_back(File("/cart", 50, kMiB));
  files.back().content = 1;  // position deletes
  for (int i = 0; i < 5; ++i) files.push_back(File("/cart", 100 + i, kMiB, /*spec_id=*/1));
  CompactionPlanOptions options;
  auto where = PartitionFilter::Parse("page = '/cart'", Schema(), Spec());
  ASSERT_TRUE(where.has_value());
  options.where = *where;
  auto groups = PlanCompaction(files, options);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].partition, std::vector<Literal>{Literal(std::string("/cart"))});
  EXPECT_EQ(groups[0].spec_id, 0);
  EXPECT_EQ(groups[0].inputs.size(), 5u);
  for (const auto& e : groups[0].inputs) EXPECT_EQ(e.content, 0);
}

TEST(CompactionPlanTest, SizeTiersFollowTheBaseAndTheFanout) {
  constexpr int64_t kBase = 256 << 10;
  EXPECT_EQ(SizeTier(1, kBase, 4), 0);
  EXPECT_EQ(SizeTier(kBase - 1, kBase, 4), 0);
  EXPECT_EQ(SizeTier(kBase, kBase, 4), 1);
  EXPECT_EQ(SizeTier(4 * kBase - 1, kBase, 4), 1);
  EXPECT_EQ(SizeTier(4 * kBase, kBase, 4), 2);
  EXPECT_EQ(SizeTier(16 * kBase, kBase, 4), 3);
  EXPECT_EQ(SizeTier(INT64_MAX, kBase, 4), 23);  // 1 + floor(log4(2^63 / 2^18)), no overflow
  EXPECT_EQ(SizeTier(16 * kBase, kBase, 0), 0);  // tiers off
}

TEST(CompactionPlanTest, TiersMergeOnlyFilesOfOneSizeAndLeaveTheBigFileAlone) {
  // A stream's partition: one big merged file, three medium ones, five fresh small ones.
  std::vector<ManifestEntry> files{File("/a", 0, 40 * kMiB)};
  for (int i = 1; i <= 3; ++i) files.push_back(File("/a", i, 2 * kMiB));
  for (int i = 10; i < 15; ++i) files.push_back(File("/a", i, 30 << 10));
  CompactionPlanOptions options;
  options.tier_fanout = 4;
  auto groups = PlanCompaction(files, options);
  ASSERT_EQ(groups.size(), 1u);  // the medium tier has 3 < 4 files: not yet
  EXPECT_EQ(groups[0].inputs.size(), 5u);
  EXPECT_EQ(groups[0].input_bytes, 5 * (30 << 10));
  // Spark's bin-pack rewrites the whole partition every time.
  options.tier_fanout = 0;
  groups = PlanCompaction(files, options);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].inputs.size(), 9u);
}

TEST(CompactionPlanTest, InputBytesBoundKeepsTheSmallestTiersFirstAndAlwaysOneGroup) {
  std::vector<ManifestEntry> files;
  for (int i = 0; i < 4; ++i) files.push_back(File("/a", i, 8 * kMiB));  // tier of 8 MiB files
  for (int i = 0; i < 4; ++i) files.push_back(File("/b", i, 20 << 10));  // fresh ones
  CompactionPlanOptions options;
  options.tier_fanout = 4;
  options.max_input_bytes = 1 * kMiB;
  auto groups = PlanCompaction(files, options);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].partition, std::vector<Literal>{Literal(std::string("/b"))});
  options.max_input_bytes = 1;  // smaller than any group: the first still goes
  EXPECT_EQ(PlanCompaction(files, options).size(), 1u);
  options.max_input_bytes = 0;
  EXPECT_EQ(PlanCompaction(files, options).size(), 2u);
}

}  // namespace
}  // namespace clickstream::maintenance
