// Write benchmark, C++ side: appends the clicks in an Arrow IPC file to a fresh website.clicks
// table (SQLite catalog, identity(page)) through the processor's path: row-at-a-time
// PartitionedWriter appends, Parquet data files with metrics, one Iceberg fast-append commit.
// Driven by bench/iceberg_write_bench.py, which runs pyiceberg's append on the same Arrow data.
//
//   bench_iceberg_write INPUT.arrow WORK_DIR
// prints one JSON line: {"rows": N, "files": F, "seconds": S} where S covers the appends, the
// data files and the commit (not reading the input, which is loaded into memory first).

#include <arrow/array.h>
#include <arrow/io/file.h>
#include <arrow/ipc/reader.h>
#include <arrow/memory_pool.h>
#include <arrow/record_batch.h>
#include <arrow/table.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "catalog/sqlite_catalog.h"
#include "iceberg/partitioned_writer.h"
#include "iceberg/table.h"

namespace {

using namespace clickstream;

Result<std::vector<std::shared_ptr<arrow::RecordBatch>>> ReadIpc(const std::string& path) {
  auto file = arrow::io::ReadableFile::Open(path, arrow::system_memory_pool());
  if (!file.ok()) return IoError(file.status().ToString());
  auto reader = arrow::ipc::RecordBatchFileReader::Open(*file);
  if (!reader.ok()) return IoError(reader.status().ToString());
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches;
  for (int i = 0; i < (*reader)->num_record_batches(); ++i) {
    auto batch = (*reader)->ReadRecordBatch(i);
    if (!batch.ok()) return IoError(batch.status().ToString());
    batches.push_back(*batch);
  }
  return batches;
}

Status Run(const std::string& input, const std::string& work) {
  CS_ASSIGN_OR_RETURN(auto batches, ReadIpc(input));
  CS_ASSIGN_OR_RETURN(auto catalog, catalog::OpenSqliteCatalog(work + "/catalog.db"));
  const iceberg::Schema schema{
      0,
      {iceberg::Field{1, "user_id", iceberg::TypeId::kString, false, ""},
       iceberg::Field{2, "page", iceberg::TypeId::kString, false, ""},
       iceberg::Field{3, "click_timestamp", iceberg::TypeId::kTimestamptz, false, ""}}};
  const iceberg::PartitionSpec spec{0, {iceberg::PartitionField{2, 1000, "page", "identity"}}};
  CS_ASSIGN_OR_RETURN(
      iceberg::Table table,
      iceberg::Table::Create(*catalog, work + "/warehouse", {"website", "clicks"}, schema, spec));

  const auto start = std::chrono::steady_clock::now();
  CS_ASSIGN_OR_RETURN(auto writer,
                      iceberg::PartitionedWriter::Make(schema, spec, table.metadata().location));
  int64_t rows = 0;
  std::array<iceberg::Value, 3> row;
  for (const auto& batch : batches) {
    const auto& users = static_cast<const arrow::StringArray&>(*batch->column(0));
    const auto& pages = static_cast<const arrow::StringArray&>(*batch->column(1));
    const auto& ts = static_cast<const arrow::TimestampArray&>(*batch->column(2));
    for (int64_t i = 0; i < batch->num_rows(); ++i) {
      row[0] = users.GetView(i);
      row[1] = pages.GetView(i);
      row[2] = ts.Value(i);
      CS_RETURN_IF_ERROR(writer->Append(row));
    }
    rows += batch->num_rows();
  }
  CS_ASSIGN_OR_RETURN(std::vector<iceberg::DataFile> files, writer->Close());
  CS_RETURN_IF_ERROR(table.Append(files));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("{\"rows\": %lld, \"files\": %zu, \"seconds\": %.6f}\n", static_cast<long long>(rows),
              files.size(), seconds);
  return Ok();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s INPUT.arrow WORK_DIR\n", argv[0]);
    return 2;
  }
  Status st = Run(argv[1], argv[2]);
  if (!st.has_value()) {
    std::fprintf(stderr, "error: %s\n", st.error().message.c_str());
    return 1;
  }
  return 0;
}
