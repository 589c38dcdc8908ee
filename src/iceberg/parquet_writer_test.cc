#include "iceberg/parquet_writer.h"

#include <arrow/api.h>
#include <arrow/io/api.h>
#include <gtest/gtest.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/writer.h>
#include <parquet/file_reader.h>
#include <parquet/metadata.h>
#include <parquet/schema.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "common/testing_temp_dir.h"
#include "iceberg/batch_builder.h"
#include "iceberg/bounds.h"
#include "iceberg/testing_disk_full.h"

namespace clickstream::iceberg {
namespace {

namespace fs = std::filesystem;

using clickstream::testing::TempDir;

// The proof that Arrow and Parquet from the pyarrow wheel link and run with our toolchain: a
// table goes through parquet::arrow to a file and comes back equal.
TEST(ParquetWheelTest, WritesAndReadsBackThroughParquetArrow) {
  TempDir dir;
  arrow::MemoryPool* pool = arrow::system_memory_pool();

  arrow::StringBuilder names(pool);
  arrow::Int64Builder counts(pool);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(names.Append("page_" + std::to_string(i % 7)).ok());
    ASSERT_TRUE(counts.Append(i * 3).ok());
  }
  std::shared_ptr<arrow::Array> name_array;
  std::shared_ptr<arrow::Array> count_array;
  ASSERT_TRUE(names.Finish(&name_array).ok());
  ASSERT_TRUE(counts.Finish(&count_array).ok());
  auto schema =
      arrow::schema({arrow::field("name", arrow::utf8()), arrow::field("n", arrow::int64())});
  auto table = arrow::Table::Make(schema, {name_array, count_array});

  std::string path = (dir.path() / "proof.parquet").string();
  auto sink = arrow::io::FileOutputStream::Open(path);
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  auto props = parquet::WriterProperties::Builder().compression(arrow::Compression::ZSTD)->build();
  arrow::Status written = parquet::arrow::WriteTable(*table, pool, *sink, 256, props);
  ASSERT_TRUE(written.ok()) << written.ToString();
  ASSERT_TRUE((*sink)->Close().ok());

  auto source = arrow::io::ReadableFile::Open(path, pool);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  auto reader = parquet::arrow::OpenFile(*source, pool);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->parquet_reader()->metadata()->num_row_groups(), 4);
  auto read = (*reader)->ReadTable();
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  std::shared_ptr<arrow::Table> back = *read;
  EXPECT_EQ(back->num_rows(), 1000);
  EXPECT_TRUE(back->Equals(*table)) << back->ToString();
}

Schema ClicksSchema() {
  return Schema{
      0,
      {Field{1, "user_id", TypeId::kString, false, ""}, Field{2, "page", TypeId::kString, true, ""},
       Field{3, "click_timestamp", TypeId::kTimestamptz, false, ""}}};
}

std::string LongBytes(int64_t v) { return SerializeValue(TypeId::kLong, Literal(v)).value(); }

std::unique_ptr<parquet::ParquetFileReader> OpenParquet(const std::string& path) {
  return parquet::ParquetFileReader::OpenFile(path, /*memory_map=*/false);
}

// Rows of the clicks schema with known extremes: users user_000..user_099 (and nulls every 10th
// row), pages /p0../p4, timestamps base + i.
std::shared_ptr<arrow::RecordBatch> ClicksBatch(int rows, int64_t base) {
  BatchBuilder builder(ClicksSchema());
  std::vector<std::string> users, pages;
  for (int i = 0; i < rows; ++i) {
    char user[16];
    std::snprintf(user, sizeof(user), "user_%03d", i % 100);
    std::string page = "/p" + std::to_string(i % 5);
    std::array<Value, 3> row{i % 10 == 3 ? Value() : Value(std::string_view(user)),
                             Value(std::string_view(page)), Value(base + i)};
    EXPECT_TRUE(builder.Append(row).has_value());
  }
  return builder.Finish().value();
}

TEST(ParquetDataFileWriterTest, WritesIcebergFieldIdsZstdDictionaryAndUtcMicros) {
  TempDir dir;
  std::string location = (dir.path() / "data" / "f1.parquet").string();
  auto writer = ParquetDataFileWriter::Open(ClicksSchema(), location).value();
  ASSERT_TRUE(writer->Write(*ClicksBatch(1000, 1'700'000'000'000'000)).has_value());
  DataFile file = writer->Close().value();
  EXPECT_EQ(file.file_path, location);

  auto reader = OpenParquet(location);
  const parquet::SchemaDescriptor& schema = *reader->metadata()->schema();
  ASSERT_EQ(schema.num_columns(), 3);
  EXPECT_EQ(schema.Column(0)->name(), "user_id");
  EXPECT_EQ(schema.Column(0)->schema_node()->field_id(), 1);
  EXPECT_EQ(schema.Column(1)->schema_node()->field_id(), 2);
  EXPECT_EQ(schema.Column(2)->schema_node()->field_id(), 3);
  EXPECT_EQ(schema.Column(1)->schema_node()->repetition(), parquet::Repetition::REQUIRED);
  EXPECT_EQ(schema.Column(0)->schema_node()->repetition(), parquet::Repetition::OPTIONAL);
  EXPECT_TRUE(schema.Column(0)->logical_type()->is_string());
  EXPECT_EQ(schema.Column(2)->physical_type(), parquet::Type::INT64);
  const auto& ts =
      static_cast<const parquet::TimestampLogicalType&>(*schema.Column(2)->logical_type());
  EXPECT_TRUE(ts.is_adjusted_to_utc());
  EXPECT_EQ(ts.time_unit(), parquet::LogicalType::TimeUnit::MICROS);

  auto rg = reader->metadata()->RowGroup(0);
  for (int c = 0; c < 3; ++c) {
    EXPECT_EQ(rg->ColumnChunk(c)->compression(), arrow::Compression::ZSTD) << c;
  }
  EXPECT_TRUE(rg->ColumnChunk(0)->has_dictionary_page());
  EXPECT_TRUE(rg->ColumnChunk(1)->has_dictionary_page());
  EXPECT_FALSE(rg->ColumnChunk(2)->has_dictionary_page());  // timestamps: plain, no dictionary

  // The data reads back with the Iceberg types.
  auto source = arrow::io::ReadableFile::Open(location).ValueOrDie();
  auto arrow_reader = parquet::arrow::OpenFile(source, arrow::system_memory_pool()).ValueOrDie();
  auto table = arrow_reader->ReadTable().ValueOrDie();
  EXPECT_EQ(table->num_rows(), 1000);
  EXPECT_TRUE(
      table->schema()->field(2)->type()->Equals(arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")));
  EXPECT_TRUE(table->Equals(
      *arrow::Table::FromRecordBatches({ClicksBatch(1000, 1'700'000'000'000'000)}).ValueOrDie()));
}

TEST(ParquetDataFileWriterTest, MetricsMatchTheDataWritten) {
  TempDir dir;
  std::string location = "file://" + (dir.path() / "m.parquet").string();
  auto writer = ParquetDataFileWriter::Open(ClicksSchema(), location).value();
  const int64_t base = 1'795'474'500'123'456;
  ASSERT_TRUE(writer->Write(*ClicksBatch(500, base)).has_value());
  ASSERT_TRUE(writer->Write(*ClicksBatch(300, base - 1000)).has_value());
  ASSERT_EQ(writer->num_rows(), 800);
  DataFile file = writer->Close().value();

  EXPECT_EQ(file.file_path, location);
  EXPECT_EQ(file.file_format, "PARQUET");
  EXPECT_EQ(file.record_count, 800);
  EXPECT_EQ(file.file_size_in_bytes, static_cast<int64_t>(fs::file_size(dir.path() / "m.parquet")));
  EXPECT_EQ(file.value_counts, (std::map<int, int64_t>{{1, 800}, {2, 800}, {3, 800}}));
  // Every 10th row (i % 10 == 3) has a null user: 50 of 500, 30 of 300.
  EXPECT_EQ(file.null_value_counts, (std::map<int, int64_t>{{1, 80}, {2, 0}, {3, 0}}));
  EXPECT_TRUE(file.nan_value_counts.empty());
  EXPECT_EQ(file.lower_bounds.at(1), "user_000");
  EXPECT_EQ(file.upper_bounds.at(1), "user_099");
  EXPECT_EQ(file.lower_bounds.at(2), "/p0");
  EXPECT_EQ(file.upper_bounds.at(2), "/p4");
  EXPECT_EQ(file.lower_bounds.at(3), LongBytes(base - 1000));
  EXPECT_EQ(file.upper_bounds.at(3), LongBytes(base + 499));
  ASSERT_EQ(file.column_sizes.size(), 3u);
  int64_t column_total = 0;
  for (const auto& [id, size] : file.column_sizes) {
    EXPECT_GT(size, 0) << id;
    column_total += size;
  }
  EXPECT_LT(column_total, file.file_size_in_bytes);

  // One split offset per row group, where each row group's first page starts.
  auto reader = OpenParquet((dir.path() / "m.parquet").string());
  ASSERT_EQ(reader->metadata()->num_row_groups(), 2);
  ASSERT_EQ(file.split_offsets.size(), 2u);
  EXPECT_EQ(file.split_offsets[0], 4);  // right after the "PAR1" magic
  auto second = reader->metadata()->RowGroup(1)->ColumnChunk(0);
  EXPECT_EQ(file.split_offsets[1], second->has_dictionary_page() ? second->dictionary_page_offset()
                                                                 : second->data_page_offset());
  EXPECT_LT(file.split_offsets[0], file.split_offsets[1]);
}

TEST(ParquetDataFileWriterTest, LongStringBoundsAreTruncatedAndStillContainTheValues) {
  TempDir dir;
  Schema schema{0, {Field{1, "url", TypeId::kString, true, ""}}};
  BatchBuilder builder(schema);
  for (std::string_view v : {"/products/category/aaaa", "/products/category/zzzz", "/a"}) {
    std::array<Value, 1> row{Value(v)};
    ASSERT_TRUE(builder.Append(row).has_value());
  }
  auto writer = ParquetDataFileWriter::Open(schema, (dir.path() / "s.parquet").string()).value();
  ASSERT_TRUE(writer->Write(*builder.Finish().value()).has_value());
  DataFile file = writer->Close().value();
  EXPECT_EQ(file.lower_bounds.at(1), "/a");
  EXPECT_EQ(file.upper_bounds.at(1), "/products/categp");
  EXPECT_GT(file.upper_bounds.at(1), std::string("/products/category/zzzz"));
}

TEST(ParquetDataFileWriterTest, CountsNaNsAndKeepsThemOutOfBounds) {
  TempDir dir;
  Schema schema{
      0, {Field{1, "x", TypeId::kDouble, false, ""}, Field{2, "n", TypeId::kInt, false, ""}}};
  BatchBuilder builder(schema);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (double x : {1.5, nan, -2.0, nan}) {
    std::array<Value, 2> row{Value(x), Value()};
    ASSERT_TRUE(builder.Append(row).has_value());
  }
  auto writer = ParquetDataFileWriter::Open(schema, (dir.path() / "n.parquet").string()).value();
  ASSERT_TRUE(writer->Write(*builder.Finish().value()).has_value());
  DataFile file = writer->Close().value();
  EXPECT_EQ(file.nan_value_counts, (std::map<int, int64_t>{{1, 2}}));
  EXPECT_EQ(file.lower_bounds.at(1), SerializeValue(TypeId::kDouble, Literal(-2.0)).value());
  EXPECT_EQ(file.upper_bounds.at(1), SerializeValue(TypeId::kDouble, Literal(1.5)).value());
  // The all-null column has counts but no bounds.
  EXPECT_EQ(file.null_value_counts.at(2), 4);
  EXPECT_EQ(file.value_counts.at(2), 4);
  EXPECT_FALSE(file.lower_bounds.contains(2));
  EXPECT_FALSE(file.upper_bounds.contains(2));
}

TEST(ParquetDataFileWriterTest, RejectsBatchWithoutFieldIds) {
  TempDir dir;
  auto writer =
      ParquetDataFileWriter::Open(ClicksSchema(), (dir.path() / "r.parquet").string()).value();
  auto batch = ClicksBatch(10, 0);
  auto stripped = arrow::RecordBatch::Make(batch->schema()->RemoveMetadata()->WithMetadata(nullptr),
                                           batch->num_rows(), batch->columns());
  arrow::FieldVector plain;
  for (const auto& f : batch->schema()->fields()) plain.push_back(f->RemoveMetadata());
  auto no_ids = arrow::RecordBatch::Make(arrow::schema(plain), batch->num_rows(), batch->columns());
  auto st = writer->Write(*no_ids);
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(writer->Write(*stripped).has_value());  // field metadata intact: accepted
}

TEST(ParquetDataFileWriterTest, RejectsALocationOfAnUnknownScheme) {
  auto w = ParquetDataFileWriter::Open(ClicksSchema(), "hdfs://namenode/x.parquet");
  ASSERT_FALSE(w.has_value());
  EXPECT_EQ(w.error().code, ErrorCode::kInvalidArgument);
}

TEST(ParquetDataFileWriterTest, DiskFullIsAnErrorAndAbandonDeletesTheFile) {
  TempDir dir;
  const fs::path path = dir.path() / "full.parquet";
  auto writer = ParquetDataFileWriter::Open(ClicksSchema(), path.string()).value();
  Status written = Ok();
  Result<DataFile> closed;
  {
    testing::FileSizeLimit full(32 << 10);
    for (int i = 0; i < 20 && written; ++i) written = writer->Write(*ClicksBatch(20'000, i));
    closed = writer->Close();
  }
  ASSERT_FALSE(written && closed) << "32 KiB cannot hold 400,000 rows";
  EXPECT_EQ(closed ? ErrorCode::kIoError : closed.error().code, ErrorCode::kIoError);
  EXPECT_TRUE(fs::exists(path));
  writer->Abandon();
  EXPECT_FALSE(fs::exists(path));
}

}  // namespace
}  // namespace clickstream::iceberg
