#include "iceberg/parquet_reader.h"

#include <arrow/api.h>
#include <arrow/io/file.h>
#include <gtest/gtest.h>
#include <parquet/arrow/writer.h>

#include <string>
#include <vector>

#include "iceberg/batch_builder.h"
#include "iceberg/parquet_writer.h"
#include "iceberg/testing_python.h"

namespace clickstream::iceberg {
namespace {

Schema TwoColumns() {
  return {0, {{1, "user_id", TypeId::kString, true, ""}, {2, "n", TypeId::kLong, false, ""}}};
}

class ParquetReaderTest : public testing::TempDirTest {
 protected:
  std::string WriteFile() {
    BatchBuilder builder(TwoColumns());
    for (int64_t i = 0; i < 3; ++i) {
      std::string user = "u" + std::to_string(i);
      std::vector<Value> row = {std::string_view(user), i == 1 ? Value{} : Value{i * 10}};
      EXPECT_TRUE(builder.Append(row).has_value());
    }
    std::string path = (dir_ / "f.parquet").string();
    auto writer = ParquetDataFileWriter::Open(TwoColumns(), path);
    EXPECT_TRUE((*writer)->Write(**builder.Finish()).has_value());
    EXPECT_TRUE((*writer)->Close().has_value());
    return path;
  }
};

TEST_F(ParquetReaderTest, MatchesColumnsByFieldIdAndFillsMissingOnesWithNull) {
  std::string path = WriteFile();
  // The table renamed user_id to visitor, reordered the columns and added column 3 since.
  Schema evolved{1,
                 {{2, "n", TypeId::kLong, false, ""},
                  {3, "added", TypeId::kString, false, ""},
                  {1, "visitor", TypeId::kString, true, ""}}};
  auto table = ReadDataFile(evolved, path);
  ASSERT_TRUE(table.has_value()) << table.error().message;
  ASSERT_EQ((*table)->num_rows(), 3);
  EXPECT_EQ((*table)->schema()->field(2)->name(), "visitor");
  auto batch = (*table)->CombineChunksToBatch().ValueOrDie();
  auto n = std::static_pointer_cast<arrow::Int64Array>(batch->column(0));
  EXPECT_EQ(n->Value(2), 20);
  EXPECT_TRUE(n->IsNull(1));
  EXPECT_EQ(batch->column(1)->null_count(), 3);
  auto visitor = std::static_pointer_cast<arrow::StringArray>(batch->column(2));
  EXPECT_EQ(visitor->GetString(0), "u0");
}

TEST_F(ParquetReaderTest, ForEachRowGroupHandsOverOneRowGroupAtATime) {
  // The three rows of WriteFile's table, written as three row groups of one row each.
  auto whole = ReadDataFile(TwoColumns(), WriteFile());
  ASSERT_TRUE(whole.has_value()) << whole.error().message;
  std::string path = (dir_ / "groups.parquet").string();
  auto out = arrow::io::FileOutputStream::Open(path).ValueOrDie();
  ASSERT_TRUE(parquet::arrow::WriteTable(**whole, arrow::default_memory_pool(), out, 1).ok());
  ASSERT_TRUE(out->Close().ok());

  std::vector<std::shared_ptr<arrow::Table>> groups;
  auto read = ForEachRowGroup(TwoColumns(), path, [&](std::shared_ptr<arrow::Table> rows) {
    groups.push_back(std::move(rows));
    return Ok();
  });
  ASSERT_TRUE(read.has_value()) << read.error().message;
  ASSERT_EQ(groups.size(), 3u);
  for (const auto& g : groups) EXPECT_EQ(g->num_rows(), 1);
  auto joined = arrow::ConcatenateTables(groups).ValueOrDie();
  EXPECT_TRUE(joined->Equals(**whole));

  // An error of `consume` stops the reading and is returned.
  int calls = 0;
  auto stopped = ForEachRowGroup(TwoColumns(), path, [&](std::shared_ptr<arrow::Table>) {
    ++calls;
    return Internal("enough");
  });
  EXPECT_FALSE(stopped.has_value());
  EXPECT_EQ(calls, 1);
}

TEST_F(ParquetReaderTest, MissingRequiredColumnOrWrongTypeIsCorrupt) {
  std::string path = WriteFile();
  Schema required{0, {{1, "user_id", TypeId::kString, true, ""}, {9, "x", TypeId::kInt, true, ""}}};
  EXPECT_EQ(ReadDataFile(required, path).error().code, ErrorCode::kCorrupt);
  Schema retyped{0, {{1, "user_id", TypeId::kLong, true, ""}}};
  EXPECT_EQ(ReadDataFile(retyped, path).error().code, ErrorCode::kCorrupt);
  EXPECT_FALSE(ReadDataFile(TwoColumns(), (dir_ / "none.parquet").string()).has_value());
}

TEST_F(ParquetReaderTest, ReadsLargeStringAndLargeBinaryColumnsAsPyicebergWritesThem) {
  // pyiceberg writes string and binary columns as Arrow large_string / large_binary.
  testing::RunPython(R"(
import sys, pyarrow as pa, pyarrow.parquet as pq
ids = lambda i: {b'PARQUET:field_id': str(i).encode()}
schema = pa.schema([pa.field('user_id', pa.large_string(), metadata=ids(1)),
                    pa.field('raw', pa.large_binary(), metadata=ids(2))])
table = pa.table({'user_id': ['a', None, 'ccc'], 'raw': [b'\x00\x01', b'', None]}, schema=schema)
pq.write_table(table.slice(0, 2), sys.argv[1] + '/large.parquet')
pq.write_table(table, sys.argv[1] + '/large3.parquet', row_group_size=2)
)",
                     dir_);
  Schema schema{
      0, {{1, "user_id", TypeId::kString, false, ""}, {2, "raw", TypeId::kBinary, false, ""}}};
  auto table = ReadDataFile(schema, (dir_ / "large3.parquet").string());
  ASSERT_TRUE(table.has_value()) << table.error().message;
  auto batch = (*table)->CombineChunksToBatch().ValueOrDie();
  ASSERT_EQ(batch->num_rows(), 3);
  EXPECT_TRUE(batch->column(0)->type()->Equals(arrow::utf8()));
  EXPECT_TRUE(batch->column(1)->type()->Equals(arrow::binary()));
  auto users = std::static_pointer_cast<arrow::StringArray>(batch->column(0));
  EXPECT_EQ(users->GetString(0), "a");
  EXPECT_TRUE(users->IsNull(1));
  EXPECT_EQ(users->GetString(2), "ccc");
  auto raw = std::static_pointer_cast<arrow::BinaryArray>(batch->column(1));
  EXPECT_EQ(raw->GetString(0), std::string("\x00\x01", 2));
  EXPECT_EQ(raw->GetString(1), "");
  EXPECT_TRUE(raw->IsNull(2));
  EXPECT_TRUE(ReadDataFile(schema, (dir_ / "large.parquet").string()).has_value());
}

}  // namespace
}  // namespace clickstream::iceberg
