#include "pipeline/ndjson_loader.h"

#include <arrow/api.h>
#include <arrow/io/api.h>
#include <gtest/gtest.h>
#include <parquet/arrow/reader.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "catalog/sqlite_catalog.h"
#include "common/testing_temp_dir.h"
#include "events/click_codec.h"
#include "iceberg/location.h"
#include "iceberg/testing_python.h"
#include "iceberg/testing_schemas.h"

namespace clickstream::pipeline {
namespace {

namespace fs = std::filesystem;
using iceberg::Field;
using iceberg::PartitionField;
using iceberg::PartitionSpec;
using iceberg::Schema;
using iceberg::TypeId;

using clickstream::testing::TempDir;

using iceberg::testing::ClicksSchema;
PartitionSpec ByPage() { return PartitionSpec{0, {PartitionField{2, 1000, "page", "identity"}}}; }

// (user_id, page, micros) of every row of the files.
std::multiset<std::tuple<std::string, std::string, int64_t>> ReadAll(
    const std::vector<iceberg::DataFile>& files) {
  std::multiset<std::tuple<std::string, std::string, int64_t>> rows;
  for (const auto& f : files) {
    auto source =
        arrow::io::ReadableFile::Open(iceberg::LocalPath(f.file_path)->string()).ValueOrDie();
    auto reader = parquet::arrow::OpenFile(source, arrow::system_memory_pool()).ValueOrDie();
    auto table = reader->ReadTable().ValueOrDie()->CombineChunks().ValueOrDie();
    auto users = std::static_pointer_cast<arrow::StringArray>(table->column(0)->chunk(0));
    auto pages = std::static_pointer_cast<arrow::StringArray>(table->column(1)->chunk(0));
    auto ts = std::static_pointer_cast<arrow::TimestampArray>(table->column(2)->chunk(0));
    for (int64_t i = 0; i < table->num_rows(); ++i) {
      rows.emplace(std::string(users->GetView(i)), std::string(pages->GetView(i)), ts->Value(i));
    }
  }
  return rows;
}

TEST(NdjsonLoaderTest, WritesGoodLinesAndReportsBadOnesWithLineNumbers) {
  TempDir dir;
  const fs::path input = dir.path() / "events.ndjson";
  {
    std::ofstream out(input);
    out << R"({"user_id": "user_1", "page": "/cart", "event_ts": "2026-11-23T22:55:00.123456Z"})"
        << "\n";  // 1
    out << R"({"user_id": "user_2", "page": "/products/12", "event_ts": "2026-11-23 23:55:00+01:00"})"
        << "\n";          // 2
    out << "not json\n";  // 3
    out << R"({"user_id": "user_3", "event_ts": "2026-11-23T22:55:00Z"})"
        << "\n";  // 4
    out << "\n";  // 5
    out << R"({"user_id": "user_4", "page": "/cart", "event_ts": "yesterday"})"
        << "\n";  // 6
    out << R"({"user_id": "user_5", "page": "/cart", "event_ts": "2026-11-23T22:55:01Z", "x": 1})";
    // 7, no final newline
  }
  Result<NdjsonBatch> batch =
      WriteNdjsonDataFiles(input, ClicksSchema(), ByPage(), (dir.path() / "table").string());
  ASSERT_TRUE(batch.has_value()) << batch.error().message;
  EXPECT_EQ(batch->lines, 7);
  EXPECT_EQ(batch->rows, 3);
  EXPECT_EQ(batch->bad_count, 4);
  ASSERT_EQ(batch->bad_lines.size(), 4u);
  EXPECT_EQ(batch->bad_lines[0].line_number, 3);
  EXPECT_NE(batch->bad_lines[0].reason.find("invalid JSON"), std::string::npos)
      << batch->bad_lines[0].reason;
  EXPECT_EQ(batch->bad_lines[1].line_number, 4);
  EXPECT_EQ(batch->bad_lines[1].reason, "missing field page");
  EXPECT_EQ(batch->bad_lines[2].line_number, 5);
  EXPECT_EQ(batch->bad_lines[3].line_number, 6);
  EXPECT_NE(batch->bad_lines[3].reason.find("event_ts"), std::string::npos);

  ASSERT_EQ(batch->files.size(), 2u);  // /cart and /products/12
  std::map<std::string, int64_t> per_page;
  for (const auto& f : batch->files)
    per_page[std::get<std::string>(f.partition[0])] = f.record_count;
  EXPECT_EQ(per_page, (std::map<std::string, int64_t>{{"/cart", 2}, {"/products/12", 1}}));

  const int64_t t1 = events::ParseTimestampMicros("2026-11-23T22:55:00.123456Z").value();
  const int64_t t2 = events::ParseTimestampMicros("2026-11-23T22:55:00Z").value();
  const int64_t t5 = events::ParseTimestampMicros("2026-11-23T22:55:01Z").value();
  std::multiset<std::tuple<std::string, std::string, int64_t>> expected{
      {"user_1", "/cart", t1}, {"user_2", "/products/12", t2}, {"user_5", "/cart", t5}};
  EXPECT_EQ(ReadAll(batch->files), expected);
}

TEST(NdjsonLoaderTest, CapsReportedBadLinesButCountsAll) {
  TempDir dir;
  const fs::path input = dir.path() / "bad.ndjson";
  {
    std::ofstream out(input);
    for (int i = 0; i < 20; ++i) out << "{}\n";
  }
  NdjsonOptions options;
  options.max_reported_bad_lines = 5;
  auto batch = WriteNdjsonDataFiles(input, ClicksSchema(), ByPage(), dir.path().string(), options);
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ(batch->bad_count, 20);
  EXPECT_EQ(batch->bad_lines.size(), 5u);
  EXPECT_EQ(batch->rows, 0);
  EXPECT_TRUE(batch->files.empty());
}

TEST(NdjsonLoaderTest, FailsForMissingFileAndForeignSchema) {
  TempDir dir;
  auto missing = WriteNdjsonDataFiles(dir.path() / "nope.ndjson", ClicksSchema(), ByPage(),
                                      dir.path().string());
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kIoError);

  const fs::path input = dir.path() / "one.ndjson";
  std::ofstream(input) << "{}\n";
  Schema other{0, {Field{1, "name", TypeId::kString, false, ""}}};
  auto foreign = WriteNdjsonDataFiles(input, other, PartitionSpec{}, dir.path().string());
  ASSERT_FALSE(foreign.has_value());
  EXPECT_EQ(foreign.error().code, ErrorCode::kInvalidArgument);
}

// Reads the table with pyiceberg (SqlCatalog on the same SQLite file): row counts, partition
// pruning, and the metrics of every manifest entry against those pyiceberg itself derives from
// the Parquet footer.
constexpr const char* kPyicebergCheck = R"PY(
import json, os, sys
import pyarrow.parquet as pq
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.io.pyarrow import (compute_statistics_plan, data_file_statistics_from_parquet_metadata,
                                  parquet_path_to_id_mapping)
d = sys.argv[1]
cat = SqlCatalog("catalog", uri=f"sqlite:///{d}/catalog.db", warehouse=f"file://{d}/warehouse")
t = cat.load_table("website.clicks")
out = {"rows": t.scan().to_arrow().num_rows,
       "cart_rows": t.scan(row_filter="page == '/cart'").to_arrow().num_rows,
       "snapshots": len(t.snapshots())}
cart = [task.file.file_path for task in t.scan(row_filter="page == '/cart'").plan_files()]
out["cart_files"] = len(cart)
out["cart_files_elsewhere"] = [p for p in cart if "/data/page=%2Fcart/" not in p]
plan = compute_statistics_plan(t.schema(), t.properties)
mapping = parquet_path_to_id_mapping(t.schema())
mismatches = []
files = 0
for task in t.scan().plan_files():
    f = task.file
    files += 1
    stats = data_file_statistics_from_parquet_metadata(pq.read_metadata(f.file_path), plan, mapping)
    for key, theirs in stats.to_serialized_dict().items():
        if key == "nan_value_counts":
            continue
        mine = getattr(f, key)
        if mine != theirs:
            mismatches.append([f.file_path, key, repr(mine), repr(theirs)])
    if f.file_size_in_bytes != os.path.getsize(f.file_path):
        mismatches.append([f.file_path, "file_size_in_bytes"])
out["files"] = files
out["mismatches"] = mismatches
print(json.dumps(out))
)PY";

class LoadNdjsonTest : public iceberg::testing::TempDirTest {};

TEST_F(LoadNdjsonTest, AppendsOneSnapshotPerFileThatPyicebergReadsPrunesAndAgreesWith) {
  auto catalog = catalog::OpenSqliteCatalog((dir_ / "catalog.db").string()).value();
  auto table = iceberg::Table::Create(*catalog, (dir_ / "warehouse").string(),
                                      {"website", "clicks"}, ClicksSchema(), ByPage());
  ASSERT_TRUE(table.has_value()) << table.error().message;

  const std::vector<std::string> pages{"/home",     "/cart", "/products/12",
                                       "/checkout", "/a b",  "/produits/été"};
  int64_t cart_rows = 0;
  for (int load = 0; load < 2; ++load) {
    const fs::path input = dir_ / ("load" + std::to_string(load) + ".ndjson");
    std::ofstream out(input);
    for (int i = 0; i < 1500; ++i) {
      events::ClickEvent e;
      e.user_id =
          (i % 7 == 0 ? "user_with_a_rather_long_identifier_" : "user_") + std::to_string(i % 113);
      e.page = pages[(i * 5 + load) % pages.size()];
      e.event_ts_us = 1'795'474'500'000'000 + i * 1000 + load;
      cart_rows += e.page == "/cart";
      out << events::EncodeClickEvent(e) << "\n";
      if (i % 500 == 0) out << "{\"user_id\": 1}\n";
    }
    out.close();
    auto report = LoadNdjson(*table, input);
    ASSERT_TRUE(report.has_value()) << report.error().message;
    EXPECT_EQ(report->batch.rows, 1500);
    EXPECT_EQ(report->batch.bad_count, 3);
    EXPECT_EQ(report->batch.bad_lines.at(0).line_number, 2);
    ASSERT_TRUE(report->snapshot_id.has_value());
    EXPECT_EQ(table->metadata().CurrentSnapshot()->snapshot_id, *report->snapshot_id);
    EXPECT_EQ(table->metadata().CurrentSnapshot()->summary.at("clickstream.bad-lines"), "3");
  }

  auto result = nlohmann::json::parse(iceberg::testing::RunPython(kPyicebergCheck, dir_));
  EXPECT_EQ(result["rows"], 3000) << result.dump();
  EXPECT_EQ(result["snapshots"], 2);
  EXPECT_EQ(result["cart_rows"], cart_rows);
  EXPECT_EQ(result["cart_files"], 2);  // one per load: pruning kept only page=/cart
  EXPECT_TRUE(result["cart_files_elsewhere"].empty()) << result.dump();
  EXPECT_EQ(result["files"], 2 * pages.size());
  EXPECT_TRUE(result["mismatches"].empty()) << result["mismatches"].dump(1);
}

TEST_F(LoadNdjsonTest, AllBadLinesCommitNothing) {
  auto catalog = catalog::OpenSqliteCatalog((dir_ / "catalog.db").string()).value();
  auto table = iceberg::Table::Create(*catalog, (dir_ / "warehouse").string(),
                                      {"website", "clicks"}, ClicksSchema(), ByPage())
                   .value();
  const fs::path input = dir_ / "bad.ndjson";
  std::ofstream(input) << "nope\n[]\n";
  auto report = LoadNdjson(table, input);
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->batch.bad_count, 2);
  EXPECT_FALSE(report->snapshot_id.has_value());
  EXPECT_EQ(table.metadata().CurrentSnapshot(), nullptr);
}

}  // namespace
}  // namespace clickstream::pipeline
