#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "iceberg/data_file.h"
#include "iceberg/partitioned_writer.h"
#include "iceberg/schema.h"
#include "iceberg/table.h"

namespace clickstream::pipeline {

// A line of an NDJSON file that is not an event of the contract (DESIGN.md "Event contract").
struct BadLine {
  int64_t line_number = 0;  // 1-based
  std::string reason;       // the parser's one-line reason, e.g. "missing field page"
};

// What reading one NDJSON file produced.
struct NdjsonBatch {
  int64_t lines = 0;      // lines read (a final line without newline counts; a final "\n" ends one)
  int64_t rows = 0;       // events written to the data files
  int64_t bad_count = 0;  // lines rejected; bad_lines holds the first max_reported_bad_lines
  std::vector<BadLine> bad_lines;
  std::vector<iceberg::DataFile> files;
};

struct NdjsonOptions {
  iceberg::PartitionedWriterOptions writer;
  size_t max_reported_bad_lines = 1000;
};

// Reads the click events of an NDJSON file (one JSON object per line, as `produce --stdout`
// writes) with the strict event parser, and writes the good ones as Parquet data files of a table
// with `schema` and `spec` located at `table_location`. Events fill the columns user_id, page and
// click_timestamp by name (other columns null). Bad lines are counted and reported with their line
// numbers, never written. Fails (deleting what it wrote) if the file cannot be read or the schema
// lacks those columns; the files returned are not yet part of any table.
Result<NdjsonBatch> WriteNdjsonDataFiles(const std::filesystem::path& ndjson,
                                         const iceberg::Schema& schema,
                                         const iceberg::PartitionSpec& spec,
                                         const std::string& table_location,
                                         const NdjsonOptions& options = {});

// What `tables load` did: the file's lines, the rows appended and the bad lines skipped.
struct LoadReport {
  NdjsonBatch batch;
  std::optional<int64_t> snapshot_id;  // the snapshot committed; none when no line was good
};

// Appends the good events of an NDJSON file to `table` as one snapshot (fast append, retried on
// catalog conflicts). The snapshot summary carries the standard totals plus
// "clickstream.source" = "ndjson" and "clickstream.bad-lines" = <count>. When no line is good
// nothing is committed. On error nothing becomes visible and the data files written are deleted.
Result<LoadReport> LoadNdjson(iceberg::Table& table, const std::filesystem::path& ndjson,
                              const NdjsonOptions& options = {});

}  // namespace clickstream::pipeline
