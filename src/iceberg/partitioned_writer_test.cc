#include "iceberg/partitioned_writer.h"

#include <arrow/api.h>
#include <arrow/io/api.h>
#include <gtest/gtest.h>
#include <parquet/arrow/reader.h>

#include <array>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/testing_temp_dir.h"
#include "iceberg/location.h"
#include "iceberg/testing_disk_full.h"
#include "iceberg/testing_schemas.h"

namespace clickstream::iceberg {
namespace {

namespace fs = std::filesystem;

using clickstream::testing::TempDir;

using testing::ClicksSchema;

PartitionSpec PageSpec() { return PartitionSpec{0, {PartitionField{2, 1000, "page", "identity"}}}; }

Status AppendClick(PartitionedWriter& writer, std::string_view user, std::string_view page,
                   int64_t ts) {
  std::array<Value, 3> row{Value(user), Value(page), Value(ts)};
  return writer.Append(row);
}

// Every (page, click_timestamp) of a data file, read back through parquet::arrow.
std::vector<std::pair<std::string, int64_t>> ReadRows(const std::string& location) {
  auto source = arrow::io::ReadableFile::Open(LocalPath(location).value().string()).ValueOrDie();
  auto reader = parquet::arrow::OpenFile(source, arrow::system_memory_pool()).ValueOrDie();
  auto table = reader->ReadTable().ValueOrDie()->CombineChunks().ValueOrDie();
  auto pages = std::static_pointer_cast<arrow::StringArray>(table->column(1)->chunk(0));
  auto ts = std::static_pointer_cast<arrow::TimestampArray>(table->column(2)->chunk(0));
  std::vector<std::pair<std::string, int64_t>> rows;
  for (int64_t i = 0; i < table->num_rows(); ++i) {
    rows.emplace_back(std::string(pages->GetView(i)), ts->Value(i));
  }
  return rows;
}

TEST(PartitionPathTest, EscapesLikeJavaUrlEncoder) {
  EXPECT_EQ(EscapePartitionPathComponent("/products/12"), "%2Fproducts%2F12");
  EXPECT_EQ(EscapePartitionPathComponent("a b*~.-_Z9"), "a+b*%7E.-_Z9");
  EXPECT_EQ(EscapePartitionPathComponent("é/%"), "%C3%A9%2F%25");
  EXPECT_EQ(EscapePartitionPathComponent(".."), "..");
}

TEST(PartitionPathTest, UsesHumanValuesAndNull) {
  std::vector<Literal> cart{Literal(std::string("/cart"))};
  EXPECT_EQ(PartitionPath(ClicksSchema(), PageSpec(), cart).value(), "page=%2Fcart");
  std::vector<Literal> none{Literal()};
  EXPECT_EQ(PartitionPath(ClicksSchema(), PageSpec(), none).value(), "page=null");

  Schema s{0, {Field{1, "d", TypeId::kDate, false, ""}, Field{2, "n", TypeId::kLong, false, ""}}};
  PartitionSpec spec{
      0, {PartitionField{1, 1000, "d", "identity"}, PartitionField{2, 1001, "n", "identity"}}};
  std::vector<Literal> values{Literal(int32_t{20415}), Literal(int64_t{-7})};
  EXPECT_EQ(PartitionPath(s, spec, values).value(), "d=2025-11-23/n=-7");
  std::vector<Literal> epoch{Literal(int32_t{-1}), Literal(int64_t{0})};
  EXPECT_EQ(PartitionPath(s, spec, epoch).value(), "d=1969-12-31/n=0");
}

TEST(PartitionedWriterTest, WritesOneFilePerPageUnderItsPartitionDirectory) {
  TempDir dir;
  const std::string location = "file://" + (dir.path() / "clicks").string();
  PartitionedWriterOptions options;
  options.write_id = "w1";
  auto writer = PartitionedWriter::Make(ClicksSchema(), PageSpec(), location, options).value();
  std::vector<std::string> pages;
  for (int p = 0; p < 10; ++p) pages.push_back("/products/" + std::to_string(p));
  for (int i = 0; i < 5000; ++i) {
    ASSERT_TRUE(
        AppendClick(*writer, "user_" + std::to_string(i % 37), pages[(i * 7) % 10], i).has_value());
  }
  EXPECT_EQ(writer->num_rows(), 5000);
  std::vector<DataFile> files = writer->Close().value();
  ASSERT_EQ(files.size(), 10u);

  std::set<std::string> seen_pages;
  int64_t total = 0;
  for (const DataFile& f : files) {
    ASSERT_EQ(f.partition.size(), 1u);
    const std::string page = std::get<std::string>(f.partition[0]);
    seen_pages.insert(page);
    EXPECT_EQ(f.spec_id, 0);
    const std::string dir_prefix =
        location + "/data/page=" + EscapePartitionPathComponent(page) + "/00000-0-w1-";
    EXPECT_TRUE(f.file_path.starts_with(dir_prefix)) << f.file_path;
    EXPECT_TRUE(f.file_path.ends_with(".parquet")) << f.file_path;
    EXPECT_EQ(f.record_count, 500);
    EXPECT_EQ(f.lower_bounds.at(2), page);
    EXPECT_EQ(f.upper_bounds.at(2), page);
    auto rows = ReadRows(f.file_path);
    ASSERT_EQ(static_cast<int64_t>(rows.size()), f.record_count);
    for (const auto& [row_page, ts] : rows) EXPECT_EQ(row_page, page);
    total += f.record_count;
  }
  EXPECT_EQ(total, 5000);
  EXPECT_EQ(seen_pages, std::set<std::string>(pages.begin(), pages.end()));
  EXPECT_TRUE(fs::is_directory(dir.path() / "clicks" / "data" / "page=%2Fproducts%2F3"));
}

TEST(PartitionedWriterTest, BoundsOpenFilesByClosingTheLeastRecentlyWritten) {
  TempDir dir;
  PartitionedWriterOptions options;
  options.max_open_files = 2;
  options.row_group_rows = 1;  // every row is flushed, so every partition wants an open file
  auto writer =
      PartitionedWriter::Make(ClicksSchema(), PageSpec(), dir.path().string(), options).value();
  const std::array<std::string_view, 5> pages{"/a", "/b", "/c", "/d", "/e"};
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(AppendClick(*writer, "u", pages[i % 5], i).has_value());
    ASSERT_LE(writer->open_files(), 2);
  }
  std::vector<DataFile> files = writer->Close().value();
  // Round robin over 5 pages with 2 open files: each row lands in a new file.
  EXPECT_EQ(files.size(), 50u);
  std::set<std::string> paths;
  std::map<std::string, int64_t> rows_per_page;
  for (const DataFile& f : files) {
    paths.insert(f.file_path);
    for (const auto& [page, ts] : ReadRows(f.file_path)) {
      EXPECT_EQ(page, std::get<std::string>(f.partition[0]));
      rows_per_page[page] += 1;
    }
  }
  EXPECT_EQ(paths.size(), files.size()) << "file names must be unique";
  // The generated write id is a UUID: "00000-0-xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx-NNNNN.parquet".
  const std::string name = fs::path(files[0].file_path).filename().string();
  ASSERT_EQ(name.size(), 8 + 36 + 6 + 8u) << name;
  EXPECT_EQ(name[8 + 14], '4') << name;
  for (std::string_view page : pages) EXPECT_EQ(rows_per_page[std::string(page)], 10);
}

TEST(PartitionedWriterTest, BoundsBufferedMemoryByWritingTheLargestPartition) {
  TempDir dir;
  PartitionedWriterOptions options;
  options.max_buffered_bytes = 4096;
  auto writer =
      PartitionedWriter::Make(ClicksSchema(), PageSpec(), dir.path().string(), options).value();
  for (int i = 0; i < 3000; ++i) {
    ASSERT_TRUE(
        AppendClick(*writer, "user_" + std::to_string(i), i % 10 == 0 ? "/rare" : "/home", i)
            .has_value());
    ASSERT_LE(writer->buffered_bytes(), 4096);
  }
  std::vector<DataFile> files = writer->Close().value();
  ASSERT_EQ(files.size(), 2u);
  for (const DataFile& f : files) {
    const std::string page = std::get<std::string>(f.partition[0]);
    EXPECT_EQ(f.record_count, page == "/rare" ? 300 : 2700);
    // The busy page was written in several row groups of one file.
    if (page == "/home") {
      EXPECT_GT(f.split_offsets.size(), 2u);
    }
    EXPECT_EQ(static_cast<int64_t>(ReadRows(f.file_path).size()), f.record_count);
  }
}

TEST(PartitionedWriterTest, RollsFilesPastTargetSize) {
  TempDir dir;
  PartitionedWriterOptions options;
  options.row_group_rows = 100;
  options.target_file_size_bytes = 1;  // every row group closes its file
  auto writer =
      PartitionedWriter::Make(ClicksSchema(), PageSpec(), dir.path().string(), options).value();
  for (int i = 0; i < 1050; ++i) ASSERT_TRUE(AppendClick(*writer, "u", "/x", i).has_value());
  std::vector<DataFile> files = writer->Close().value();
  ASSERT_EQ(files.size(), 11u);
  int64_t total = 0;
  for (const DataFile& f : files) total += f.record_count;
  EXPECT_EQ(total, 1050);
}

TEST(PartitionedWriterTest, NullPartitionValueGoesToPageNull) {
  TempDir dir;
  auto writer = PartitionedWriter::Make(ClicksSchema(), PageSpec(), dir.path().string()).value();
  std::array<Value, 3> row{Value(std::string_view("u")), Value(), Value(int64_t{1})};
  ASSERT_TRUE(writer->Append(row).has_value());
  std::vector<DataFile> files = writer->Close().value();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(files[0].partition.at(0)));
  EXPECT_EQ(fs::path(files[0].file_path).parent_path(), dir.path() / "data" / "page=null");
  EXPECT_EQ(files[0].null_value_counts.at(2), 1);
  EXPECT_FALSE(files[0].lower_bounds.contains(2));
}

TEST(PartitionedWriterTest, UnpartitionedTableWritesUnderData) {
  TempDir dir;
  auto writer =
      PartitionedWriter::Make(ClicksSchema(), PartitionSpec{}, dir.path().string()).value();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(AppendClick(*writer, "u", "/p", i).has_value());
  std::vector<DataFile> files = writer->Close().value();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_TRUE(files[0].partition.empty());
  EXPECT_EQ(fs::path(files[0].file_path).parent_path(), dir.path() / "data");
}

TEST(PartitionedWriterTest, AbortDeletesEveryFileWritten) {
  TempDir dir;
  PartitionedWriterOptions options;
  options.row_group_rows = 10;
  options.target_file_size_bytes = 1;
  auto writer =
      PartitionedWriter::Make(ClicksSchema(), PageSpec(), dir.path().string(), options).value();
  for (int i = 0; i < 95; ++i) ASSERT_TRUE(AppendClick(*writer, "u", "/x", i).has_value());
  writer->Abort();
  int remaining = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir.path())) {
    remaining += entry.is_regular_file();
  }
  EXPECT_EQ(remaining, 0);
  EXPECT_TRUE(writer->Close().value().empty());
}

TEST(PartitionPathTest, ShortensLongValuesWithAReadablePrefixAndAHash) {
  const std::string search = "/search?q=" + std::string(290, 'x');
  std::vector<Literal> value{Literal(search)};
  const std::string path = PartitionPath(ClicksSchema(), PageSpec(), value).value();
  EXPECT_LE(path.size(), 5 + kMaxPartitionPathComponentBytes);
  EXPECT_TRUE(path.starts_with("page=%2Fsearch%3Fq%3Dxxx")) << path;
  // Same prefix, different tail: different directories.
  std::vector<Literal> other{Literal(search + "y")};
  EXPECT_NE(PartitionPath(ClicksSchema(), PageSpec(), other).value(), path);
  // Short values are untouched; a cut never splits a %XX escape.
  EXPECT_EQ(ShortenPartitionPathComponent("abc"), "abc");
  for (std::size_t pad = 0; pad < 3; ++pad) {
    const std::string escaped =
        EscapePartitionPathComponent(std::string(pad, 'a') + std::string(100, '/'));
    const std::string shortened = ShortenPartitionPathComponent(escaped);
    EXPECT_LE(shortened.size(), kMaxPartitionPathComponentBytes);
    const std::string prefix = shortened.substr(0, shortened.size() - 17);
    EXPECT_TRUE(escaped.starts_with(prefix));
    EXPECT_EQ((prefix.size() - pad) % 3, 0u) << shortened;
  }
}

TEST(PartitionedWriterTest, WritesPagesOfAnyLengthWithTheFullValueInTheDataFile) {
  TempDir dir;
  auto writer = PartitionedWriter::Make(ClicksSchema(), PageSpec(), dir.path().string()).value();
  const std::string long_page = "/search?q=" + std::string(300, 'z') + "&lang=en";
  const std::string huge_page(60'000, '%');  // 180,000 bytes once escaped
  ASSERT_TRUE(AppendClick(*writer, "u1", long_page, 1).has_value());
  ASSERT_TRUE(AppendClick(*writer, "u2", huge_page, 2).has_value());
  ASSERT_TRUE(AppendClick(*writer, "u3", "/home", 3).has_value());
  std::vector<DataFile> files = writer->Close().value();
  ASSERT_EQ(files.size(), 3u);
  std::set<std::string> pages;
  for (const DataFile& f : files) {
    const std::string page = std::get<std::string>(f.partition.at(0));
    pages.insert(page);
    for (const auto& part :
         fs::path(LocalPath(f.file_path).value()).lexically_relative(dir.path())) {
      EXPECT_LE(part.string().size(), 255u);
    }
    ASSERT_EQ(ReadRows(f.file_path).size(), 1u);
    EXPECT_EQ(ReadRows(f.file_path)[0].first, page);
  }
  EXPECT_EQ(pages, (std::set<std::string>{long_page, huge_page, "/home"}));
}

TEST(PartitionedWriterTest, CountsWhatEveryDistinctPartitionCostsInMemory) {
  TempDir dir;
  auto writer = PartitionedWriter::Make(ClicksSchema(), PageSpec(), dir.path().string()).value();
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(AppendClick(*writer, "u", "/p/" + std::to_string(i), i).has_value());
  }
  EXPECT_GE(writer->memory_bytes(), 1000 * kPartitionOverheadBytes);
  EXPECT_LT(writer->buffered_bytes(), writer->memory_bytes());
  EXPECT_EQ(writer->Close().value().size(), 1000u);
  EXPECT_EQ(writer->memory_bytes(), 0);
}

int RegularFilesUnder(const fs::path& dir) {
  int n = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) n += entry.is_regular_file();
  return n;
}

TEST(PartitionedWriterTest, DiskFullFailsCloseAndLeavesNoFileBehind) {
  TempDir dir;
  PartitionedWriterOptions options;
  options.row_group_rows = 5000;
  auto writer =
      PartitionedWriter::Make(ClicksSchema(), PageSpec(), dir.path().string(), options).value();
  Status appended = Ok();
  Result<std::vector<DataFile>> closed;
  {
    testing::FileSizeLimit full(16 << 10);
    for (int i = 0; i < 60'000 && appended; ++i) {
      appended = AppendClick(*writer, "user_" + std::to_string(i), "/p" + std::to_string(i % 3), i);
    }
    if (appended) closed = writer->Close();
  }
  ASSERT_FALSE(appended && closed) << "16 KiB files cannot hold 20,000 rows each";
  if (appended) {
    EXPECT_EQ(closed.error().code, ErrorCode::kIoError);
  } else {
    writer->Abort();
  }
  EXPECT_EQ(RegularFilesUnder(dir.path()), 0);
  // The writer is usable again once there is room.
  ASSERT_TRUE(AppendClick(*writer, "u", "/p", 1).has_value());
  EXPECT_EQ(writer->Close().value().size(), 1u);
}

TEST(PartitionedWriterTest, DestroyingAnUnclosedWriterDeletesItsFiles) {
  TempDir dir;
  PartitionedWriterOptions options;
  options.row_group_rows = 10;
  options.target_file_size_bytes = 1;
  {
    auto writer =
        PartitionedWriter::Make(ClicksSchema(), PageSpec(), dir.path().string(), options).value();
    for (int i = 0; i < 95; ++i) ASSERT_TRUE(AppendClick(*writer, "u", "/x", i).has_value());
    EXPECT_GT(RegularFilesUnder(dir.path()), 0);
  }
  EXPECT_EQ(RegularFilesUnder(dir.path()), 0);
}

TEST(PartitionedWriterTest, RejectsUnsupportedSpecsAndBadRows) {
  TempDir dir;
  PartitionSpec bucket{0, {PartitionField{1, 1000, "b", "bucket[16]"}}};
  EXPECT_FALSE(PartitionedWriter::Make(ClicksSchema(), bucket, dir.path().string()).has_value());
  PartitionSpec by_ts{0, {PartitionField{3, 1000, "ts", "identity"}}};
  EXPECT_FALSE(PartitionedWriter::Make(ClicksSchema(), by_ts, dir.path().string()).has_value());
  EXPECT_FALSE(PartitionedWriter::Make(ClicksSchema(), PageSpec(), "relative/dir").has_value());

  auto writer = PartitionedWriter::Make(ClicksSchema(), PageSpec(), dir.path().string()).value();
  std::array<Value, 2> short_row{Value(std::string_view("u")), Value(std::string_view("/p"))};
  EXPECT_FALSE(writer->Append(short_row).has_value());
  std::array<Value, 3> int_page{Value(std::string_view("u")), Value(int64_t{5}), Value(int64_t{1})};
  auto st = writer->Append(int_page);
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
  std::array<Value, 3> text_ts{Value(std::string_view("u")), Value(std::string_view("/p")),
                               Value(std::string_view("yesterday"))};
  EXPECT_FALSE(writer->Append(text_ts).has_value());
  EXPECT_EQ(writer->num_rows(), 0);
}

}  // namespace
}  // namespace clickstream::iceberg
