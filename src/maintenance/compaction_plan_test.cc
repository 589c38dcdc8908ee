#include "maintenance/compaction_plan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

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

TEST(CompactionPlanTest, SizeRatioMergesSmallFilesAndLeavesTheBigFileUntilTheyAddUpToAQuarter) {
  // A stream's partition: one merged file of 1 MiB, three fresh files of 30 KiB.
  std::vector<ManifestEntry> files{File("/a", 0, 1 * kMiB)};
  for (int i = 1; i <= 3; ++i) files.push_back(File("/a", i, 30 << 10));
  CompactionPlanOptions options;
  options.size_ratio = 4;
  auto groups = PlanCompaction(files, options);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].inputs.size(), 3u);  // 90 KiB < 1 MiB / 4: the big file waits
  EXPECT_EQ(groups[0].input_bytes, 3 * (30 << 10));
  // Once the small files add up to a quarter of it, the big file joins them.
  for (int i = 4; i <= 9; ++i) files.push_back(File("/a", i, 30 << 10));
  groups = PlanCompaction(files, options);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].inputs.size(), 10u);
  // A tiny file first in line does not hold back the files after it.
  files.resize(4);
  files.push_back(File("/a", 20, 100));
  groups = PlanCompaction(files, options);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].inputs.size(), 4u);
  // Spark's bin-pack rewrites the whole partition every time.
  options.size_ratio = 0;
  files.resize(4);
  groups = PlanCompaction(files, options);
  ASSERT_EQ(groups.size(), 0u);  // 4 files < min-input-files
  options.min_input_files = 2;
  ASSERT_EQ(PlanCompaction(files, options).size(), 1u);
  EXPECT_EQ(PlanCompaction(files, options)[0].inputs.size(), 4u);
}

TEST(CompactionPlanTest, FilesBelowTheFloorMergeWhateverTheRatio) {
  // A merged 60 KiB file and one fresh file of 12 KiB: 60 > 4 x 12, so the ratio alone waits.
  std::vector<ManifestEntry> files{File("/a", 0, 12 << 10), File("/a", 1, 60 << 10)};
  CompactionPlanOptions options;
  options.size_ratio = 4;
  EXPECT_TRUE(PlanCompaction(files, options).empty());
  options.floor_bytes = 64 << 10;  // both are below the floor
  auto groups = PlanCompaction(files, options);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].inputs.size(), 2u);
  EXPECT_EQ(groups[0].input_bytes, 72 << 10);  // real bytes, not floored ones
  // Above the floor the ratio rules again: a 1 MiB file waits for a quarter of its size.
  files.push_back(File("/a", 2, 1 * kMiB));
  groups = PlanCompaction(files, options);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].inputs.size(), 2u);
}

TEST(CompactionPlanTest, SizeRatioLeavesALoneFileAndFilesNearTheTargetAndBoundsTheGroup) {
  CompactionPlanOptions options;
  options.size_ratio = 4;
  options.target_file_size_bytes = 8 * kMiB;
  options.max_group_bytes = 8 * kMiB;
  std::vector<ManifestEntry> files{File("/a", 0, 7 * kMiB),      // >= 75% of the target
                                   File("/a", 1, 5 * kMiB + 1),  // would pass the group bound
                                   File("/a", 2, 2 * kMiB), File("/a", 3, 1 * kMiB),
                                   File("/b", 0, 10 << 10)};  // alone in its partition
  auto groups = PlanCompaction(files, options);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].partition, std::vector<Literal>{Literal(std::string("/a"))});
  EXPECT_EQ(groups[0].input_bytes, 3 * kMiB);
}

// Appends `per_commit` files of `bytes` to one partition `commits` times, merging as planned after
// every commit; the bytes the merges rewrote over the bytes appended, and the most files seen.
std::pair<double, size_t> StreamThrough(int commits, int per_commit, int64_t bytes, int ratio) {
  CompactionPlanOptions options;
  options.size_ratio = ratio;
  std::vector<ManifestEntry> files;
  int next = 0;
  int64_t rewritten = 0;
  size_t most = 0;
  for (int c = 0; c < commits; ++c) {
    for (int i = 0; i < per_commit; ++i) files.push_back(File("/a", next++, bytes));
    most = std::max(most, files.size());
    for (const auto& g : PlanCompaction(files, options)) {
      std::erase_if(files, [&](const ManifestEntry& e) {
        return std::any_of(g.inputs.begin(), g.inputs.end(), [&](const ManifestEntry& in) {
          return in.data_file.file_path == e.data_file.file_path;
        });
      });
      files.push_back(File("/a", next++, g.input_bytes));
      rewritten += g.input_bytes;
    }
  }
  return {static_cast<double>(rewritten) / (static_cast<double>(commits) * per_commit * bytes),
          most};
}

TEST(CompactionPlanTest, SizeRatioRewritesEachByteAFewTimesAndKeepsFewFilesPerPartition) {
  // 2,000 commits of two 2 KiB files: 8 MiB in a partition, 4,000 appended files.
  auto [amplification, most] = StreamThrough(2000, 2, 2 << 10, 4);
  // Merging the partition's one growing file with every commit's files would rewrite each byte
  // about 1,000 times; size ratio 4 rewrites it 2-3 times per 5-fold growth (11.7 times here,
  // log5(2048) = 4.7).
  EXPECT_LT(amplification, 16.0);
  EXPECT_GT(amplification, 2.0);
  EXPECT_LE(most, 2u + 7u);  // the two fresh files and about log5(4000) merged ones
}

TEST(CompactionPlanTest, InputBytesBoundKeepsTheSmallestFilesFirstAndAlwaysOneGroup) {
  std::vector<ManifestEntry> files;
  for (int i = 0; i < 4; ++i) files.push_back(File("/a", i, 8 * kMiB));  // merged ones
  for (int i = 0; i < 4; ++i) files.push_back(File("/b", i, 20 << 10));  // fresh ones
  CompactionPlanOptions options;
  options.size_ratio = 4;
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
