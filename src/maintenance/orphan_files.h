#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "iceberg/table.h"

namespace clickstream::maintenance {

// Java's and Spark's default minimum age: a writer's files become referenced within minutes.
inline constexpr std::chrono::milliseconds kDefaultOrphanMinAge = std::chrono::hours(1);

struct OrphanScanOptions {
  // Only files last modified longer ago than this are orphans, so in-flight writes are safe.
  std::chrono::milliseconds older_than = kDefaultOrphanMinAge;
  // List the orphans without deleting them.
  bool dry_run = false;
};

struct OrphanFile {
  std::string path;
  int64_t bytes = 0;
  int64_t modified_ms = 0;
};

struct OrphanScanResult {
  std::vector<OrphanFile> orphans;  // sorted by path
  int64_t scanned_files = 0;
  int64_t referenced_files = 0;  // distinct files the metadata references
  int64_t deleted_files = 0;
  int64_t deleted_bytes = 0;
};

// Files under the table location that no metadata references and older than
// `options.older_than` (DESIGN.md "Table maintenance"), deleted unless `options.dry_run`.
// Referenced: the current metadata file and its metadata log, every snapshot's manifest list,
// manifests, data and delete files (DELETED entries included) and statistics files, and
// version-hint.text. Directories holding another table's metadata are skipped. The table is
// re-read before deleting; a file a concurrent commit references is kept. If any manifest cannot
// be read nothing is deleted.
Result<OrphanScanResult> RemoveOrphanFiles(iceberg::Table& table, const OrphanScanOptions& options,
                                           int64_t now_ms);

}  // namespace clickstream::maintenance
