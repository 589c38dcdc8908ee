#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/result.h"
#include "iceberg/table.h"

namespace clickstream::maintenance {

// Iceberg's write.target-file-size-bytes and its default (512 MiB in Java; DESIGN.md fixes
// 128 MiB for the project's tables, as Spark's rewrite_data_files defaults to).
inline constexpr std::string_view kTargetFileSizeProperty = "write.target-file-size-bytes";
inline constexpr int64_t kDefaultTargetFileSize = 128LL << 20;
// A data file smaller than target / kSmallFileDivisor counts as small: reading four such files
// instead of one target-sized file already costs more in opens and footers than in bytes.
inline constexpr int64_t kSmallFileDivisor = 4;

// What `tables health` reports: the current snapshot's data files, the history and the metadata
// directory (DESIGN.md "Table maintenance").
struct TableHealth {
  std::string table;
  std::string location;
  int64_t data_files = 0;
  int64_t data_bytes = 0;
  int64_t records = 0;
  int64_t partitions = 0;
  int64_t target_file_bytes = kDefaultTargetFileSize;
  int64_t small_file_threshold_bytes = kDefaultTargetFileSize / kSmallFileDivisor;
  int64_t small_files = 0;
  // Small files in partitions holding at least two of them: what bin-packing can merge.
  int64_t mergeable_small_files = 0;
  int64_t delete_files = 0;
  int64_t snapshots = 0;
  int64_t manifests = 0;  // in the current snapshot's manifest list
  int64_t current_metadata_bytes = 0;
  int64_t metadata_files = 0;  // every file under <location>/metadata
  int64_t metadata_dir_bytes = 0;
  std::optional<int64_t> last_commit_ms;  // last-updated-ms of the current metadata

  double average_file_bytes() const {
    return data_files == 0 ? 0.0 : static_cast<double>(data_bytes) / data_files;
  }
  double small_file_share() const {
    return data_files == 0 ? 0.0 : static_cast<double>(small_files) / data_files;
  }
};

// Measures a table; reads the current snapshot's manifests and lists the metadata directory.
Result<TableHealth> MeasureHealth(const iceberg::Table& table);

nlohmann::json HealthToJson(const TableHealth& health, int64_t now_ms);
// Human-readable lines, one fact per line.
std::string HealthToText(const TableHealth& health, int64_t now_ms);

}  // namespace clickstream::maintenance
