#include <arrow/api.h>
#include <arrow/io/api.h>
#include <gtest/gtest.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/writer.h>

#include <filesystem>
#include <memory>
#include <string>

namespace clickstream::iceberg {
namespace {

namespace fs = std::filesystem;

// A directory under the system temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("cs_parquet_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
             "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

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
  auto schema = arrow::schema({arrow::field("name", arrow::utf8()), arrow::field("n", arrow::int64())});
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

}  // namespace
}  // namespace clickstream::iceberg
