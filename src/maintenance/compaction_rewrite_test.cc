#include "maintenance/compaction_rewrite.h"

#include <arrow/api.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "iceberg/batch_builder.h"
#include "iceberg/parquet_reader.h"
#include "iceberg/parquet_writer.h"
#include "iceberg/testing_python.h"
#include "iceberg/testing_schemas.h"

namespace clickstream::maintenance {
namespace {

namespace fs = std::filesystem;
using iceberg::DataFile;
using iceberg::Literal;
using iceberg::Value;

using iceberg::testing::ClicksSchema;
iceberg::PartitionSpec ByPage() { return {0, {{2, 1000, "page", "identity"}}}; }

class CompactionRewriteTest : public iceberg::testing::TempDirTest {
 protected:
  // Writes one small data file of page "/a": rows (user_<(seed * 7 + i) % 13>, ts = seed*1000+i).
  iceberg::ManifestEntry WriteInput(int seed, int rows) {
    iceberg::BatchBuilder builder(ClicksSchema());
    for (int i = 0; i < rows; ++i) {
      std::string user = "user_" + std::to_string((seed * 7 + i) % 13);
      std::vector<Value> row = {std::string_view(user), std::string_view("/a"),
                                int64_t{seed * 1000 + i}};
      EXPECT_TRUE(builder.Append(row).has_value());
    }
    auto batch = builder.Finish();
    std::string path = (dir_ / "in" / (std::to_string(seed) + ".parquet")).string();
    auto writer = iceberg::ParquetDataFileWriter::Open(ClicksSchema(), path);
    EXPECT_TRUE(writer.has_value());
    EXPECT_TRUE((*writer)->Write(**batch).has_value());
    auto file = (*writer)->Close();
    EXPECT_TRUE(file.has_value());
    iceberg::ManifestEntry e;
    e.data_file = *file;
    e.data_file.partition = {Literal(std::string("/a"))};
    return e;
  }

  FileGroup Group(int files, int rows_each) {
    FileGroup g{0, {Literal(std::string("/a"))}, {}, 0, 0};
    for (int i = 0; i < files; ++i) {
      g.inputs.push_back(WriteInput(i, rows_each));
      g.input_bytes += g.inputs.back().data_file.file_size_in_bytes;
      g.input_records += rows_each;
    }
    return g;
  }

  GroupRewriteOptions Options() {
    GroupRewriteOptions o;
    o.schema = ClicksSchema();
    o.spec = ByPage();
    o.table_location = (dir_ / "table").string();
    o.write_id = "test";
    return o;
  }

  // (user_id, click_timestamp) of every row of the files, in file and row order.
  std::vector<std::pair<std::string, int64_t>> Rows(const std::vector<DataFile>& files) {
    std::vector<std::pair<std::string, int64_t>> rows;
    for (const auto& f : files) {
      auto table = iceberg::ReadDataFile(ClicksSchema(), f.file_path);
      EXPECT_TRUE(table.has_value()) << table.error().message;
      auto combined = (*table)->CombineChunksToBatch().ValueOrDie();
      auto users = std::static_pointer_cast<arrow::StringArray>(combined->column(0));
      auto ts = std::static_pointer_cast<arrow::TimestampArray>(combined->column(2));
      for (int64_t i = 0; i < combined->num_rows(); ++i) {
        rows.emplace_back(users->GetString(i), ts->Value(i));
      }
    }
    return rows;
  }
};

TEST_F(CompactionRewriteTest, BinPacksSmallFilesIntoOneFileWithTheSameRows) {
  FileGroup group = Group(20, 50);
  std::vector<DataFile> inputs;
  for (const auto& e : group.inputs) inputs.push_back(e.data_file);
  auto out = RewriteFileGroup(group, Options());
  ASSERT_TRUE(out.has_value()) << out.error().message;
  ASSERT_EQ(out->size(), 1u);
  const DataFile& f = (*out)[0];
  EXPECT_EQ(f.record_count, 1000);
  EXPECT_EQ(f.partition, group.partition);
  EXPECT_TRUE(f.file_path.starts_with((dir_ / "table" / "data" / "page=%2Fa").string() + "/"))
      << f.file_path;
  EXPECT_EQ(f.value_counts.at(1), 1000);
  EXPECT_EQ(f.lower_bounds.at(3).size(), 8u);  // metrics come from the project's writer
  EXPECT_EQ(Rows(*out), Rows(inputs));         // unsorted: input order kept
}

TEST_F(CompactionRewriteTest, SortByOrdersRowsAndSmallTargetRollsFiles) {
  FileGroup group = Group(10, 200);
  GroupRewriteOptions options = Options();
  options.sort_by = {"user_id", "click_timestamp"};
  options.row_group_rows = 100;
  options.target_file_size_bytes = 1;  // every row group closes its file
  auto out = RewriteFileGroup(group, options);
  ASSERT_TRUE(out.has_value()) << out.error().message;
  EXPECT_EQ(out->size(), 20u);
  auto rows = Rows(*out);
  ASSERT_EQ(rows.size(), 2000u);
  EXPECT_TRUE(std::is_sorted(rows.begin(), rows.end()));
  int64_t total = 0;
  for (const auto& f : *out) total += f.record_count;
  EXPECT_EQ(total, 2000);
}

TEST_F(CompactionRewriteTest, FailureDeletesEveryFileItWrote) {
  FileGroup group = Group(3, 10);
  iceberg::ManifestEntry missing = group.inputs.back();
  missing.data_file.file_path = (dir_ / "in" / "gone.parquet").string();
  group.inputs.push_back(missing);
  GroupRewriteOptions options = Options();
  options.row_group_rows = 5;  // the first files are written before the missing one is read
  options.target_file_size_bytes = 1;
  auto out = RewriteFileGroup(group, options);
  ASSERT_FALSE(out.has_value());
  auto data = dir_ / "table" / "data";
  int left = 0;
  if (fs::exists(data)) {
    for (const auto& entry : fs::recursive_directory_iterator(data))
      left += entry.is_regular_file();
  }
  EXPECT_EQ(left, 0);
}

TEST_F(CompactionRewriteTest, UnknownSortColumnIsAUsageError) {
  EXPECT_EQ(ValidateSortColumns(ClicksSchema(), {"user_id", "nope"}).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_TRUE(ValidateSortColumns(ClicksSchema(), {"page"}).has_value());
}

}  // namespace
}  // namespace clickstream::maintenance
