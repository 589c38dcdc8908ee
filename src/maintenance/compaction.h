#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "iceberg/table.h"
#include "maintenance/compaction_plan.h"

namespace clickstream::maintenance {

// `tables rewrite-data-files` (DESIGN.md "Table maintenance"; Spark's rewrite_data_files).
struct RewriteDataFilesOptions {
  // Unset: the table's write.target-file-size-bytes, else 128 MiB.
  std::optional<int64_t> target_file_size_bytes;
  int min_input_files = 5;
  int64_t max_group_bytes = 1LL << 30;
  bool rewrite_all = false;
  std::string where;                 // PartitionFilter text; empty selects every partition
  std::vector<std::string> sort_by;  // column names
  int64_t row_group_rows = 1 << 20;
  int threads = 2;  // file groups rewritten at once
  // Size-ratio merging and a bound on the input bytes (CompactionPlanOptions; 0: off, as in
  // Spark).
  int size_ratio = 0;
  int64_t floor_bytes = 0;
  int64_t max_input_bytes = 0;
  iceberg::CommitOptions commit;
};

struct RewriteDataFilesResult {
  int64_t groups_planned = 0;
  int64_t groups_committed = 0;
  int64_t groups_dropped = 0;  // inputs changed concurrently; their new files were deleted
  int64_t files_rewritten = 0;
  int64_t files_written = 0;
  int64_t bytes_rewritten = 0;
  int64_t bytes_written = 0;
  int64_t records = 0;
  std::optional<int64_t> snapshot_id;  // none when nothing needed rewriting
};

// kInvalidArgument when `options.where` or `options.sort_by` does not fit the table (the checks
// RewriteDataFiles makes first), so that a command can call them usage errors up front.
Status ValidateRewriteOptions(const iceberg::TableMetadata& metadata,
                              const RewriteDataFilesOptions& options);

// Plans file groups on the current snapshot, rewrites them (new files are orphans until the
// commit), and commits one `replace` snapshot through iceberg::RewriteFiles, which re-validates
// the inputs on every attempt. kInvalidArgument for a bad --where or --sort-by.
Result<RewriteDataFilesResult> RewriteDataFiles(iceberg::Table& table,
                                                const RewriteDataFilesOptions& options);

struct RewriteManifestsResult {
  int64_t manifests_replaced = 0;
  int64_t manifests_created = 0;
  int64_t entries = 0;
  std::optional<int64_t> snapshot_id;  // none when there was nothing to rewrite
};

// `tables rewrite-manifests`: data manifests clustered by partition at the table's
// commit.manifest.target-size-bytes (default 8 MiB). Nothing is committed when the current
// snapshot has at most one data manifest.
Result<RewriteManifestsResult> RewriteTableManifests(iceberg::Table& table,
                                                     const iceberg::CommitOptions& commit = {});

}  // namespace clickstream::maintenance
