#pragma once

#include <arrow/io/type_fwd.h>
#include <arrow/type_fwd.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "common/result.h"
#include "iceberg/data_file.h"
#include "iceberg/schema.h"

namespace parquet::arrow {
class FileWriter;
}

namespace clickstream::iceberg {

// How data files are laid out. Defaults follow Iceberg's table properties
// (write.parquet.compression-codec=zstd, write.parquet.dict-size-bytes=2 MiB,
// write.parquet.page-size-bytes=1 MiB).
struct ParquetWriteOptions {
  int compression_level = 3;                     // zstd level
  int64_t page_size_bytes = 1 << 20;             // data page target
  int64_t dictionary_page_size_bytes = 2 << 20;  // dictionary falls back to plain past this
  int64_t max_row_group_rows = 1 << 20;          // a Write of more rows is split in row groups
};

// Writes one Parquet data file of an Iceberg schema: Iceberg field ids in the Parquet schema,
// zstd, dictionary encoding (except for timestamp and floating point columns, whose values are
// nearly all distinct), statistics, timestamptz as INT64 TIMESTAMP(MICROS, UTC). Each Write
// becomes its own row group(s) at once, so nothing is buffered between calls. Close returns the
// DataFile with exact metrics taken from the file's own footer (spec, "Manifests" data_file):
// record count, size, column sizes, value/null/NaN counts, truncate(16) bounds, split offsets.
class ParquetDataFileWriter {
 public:
  // Creates the file at `location` (a local path or file: URI; parent directories are made).
  // The location is what DataFile::file_path will say.
  static Result<std::unique_ptr<ParquetDataFileWriter>> Open(
      const Schema& schema, std::string location, const ParquetWriteOptions& options = {});

  ~ParquetDataFileWriter();
  ParquetDataFileWriter(const ParquetDataFileWriter&) = delete;
  ParquetDataFileWriter& operator=(const ParquetDataFileWriter&) = delete;

  // Writes the batch as one row group (more past max_row_group_rows). Its schema must be
  // ToArrowSchema(schema) (same names, types, nullability, field ids); empty batches are skipped.
  Status Write(const arrow::RecordBatch& batch);

  int64_t num_rows() const { return num_rows_; }
  // Bytes in the file so far (all row groups written; the footer comes at Close).
  int64_t bytes_written() const;
  const std::string& location() const { return location_; }

  // Writes the footer, closes the file and returns its metrics. partition and spec_id are left for
  // the caller. The writer cannot be used afterwards. kIoError when any write failed (disk full).
  Result<DataFile> Close();

  // Closes the file without a footer or metrics and deletes it: for a file that will never be
  // committed, also after a failed Write or Close. The writer cannot be used afterwards.
  void Abandon();

 private:
  ParquetDataFileWriter() = default;

  Schema schema_;
  std::string location_;
  std::shared_ptr<arrow::io::OutputStream> sink_;
  std::unique_ptr<parquet::arrow::FileWriter> writer_;
  int64_t max_row_group_rows_ = 0;
  int64_t num_rows_ = 0;
  std::map<int, int64_t> nan_counts_;  // field id -> NaNs seen, float and double columns only
  bool closed_ = false;
};

}  // namespace clickstream::iceberg
