#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "iceberg/data_file.h"
#include "iceberg/parquet_writer.h"
#include "iceberg/schema.h"
#include "maintenance/compaction_plan.h"

namespace clickstream::maintenance {

// How one file group is rewritten.
struct GroupRewriteOptions {
  iceberg::Schema schema;       // the table's current schema; files are read by field id
  iceberg::PartitionSpec spec;  // the group's spec
  std::string table_location;   // new files go under <location>/data/<partition path>/
  int64_t target_file_size_bytes = kDefaultTargetFileSizeBytes;
  // Column names; rows are ordered by them ascending, nulls first (Iceberg's default null order).
  // Empty: rows keep their input order and are streamed, one row group in memory at a time.
  std::vector<std::string> sort_by;
  // Rows per row group of the new files; smaller groups let readers prune more with sorted data.
  int64_t row_group_rows = 1 << 20;
  iceberg::ParquetWriteOptions parquet;
  // Names new files "<task_id>-0-<write_id>-<n>.parquet", as Java names data files.
  std::string write_id;
  int task_id = 0;
};

// Checks that every sort column exists in the schema; kInvalidArgument otherwise.
Status ValidateSortColumns(const iceberg::Schema& schema, const std::vector<std::string>& sort_by);

// Reads every input file of `group` (Arrow), optionally sorts the rows, and writes them with the
// project's Parquet writer into new files of about the target size, each with the group's
// partition tuple, spec id and exact metrics. Returns the new files, which no snapshot references
// yet; on error every file it wrote is deleted.
Result<std::vector<iceberg::DataFile>> RewriteFileGroup(const FileGroup& group,
                                                        const GroupRewriteOptions& options);

// Deletes data files that will never be committed (local warehouse); errors are ignored.
void DeleteUncommittedFiles(const std::vector<iceberg::DataFile>& files);

}  // namespace clickstream::maintenance
