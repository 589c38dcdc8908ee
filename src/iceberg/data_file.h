#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "iceberg/schema.h"

namespace clickstream::iceberg {

// A data file as recorded in a manifest entry (Iceberg spec, "Manifests": data_file struct).
// Produced by the Parquet writer, consumed by the manifest writer. Maps are keyed by field id.
struct DataFile {
  std::string file_path;  // absolute location, as readers will open it
  std::string file_format = "PARQUET";
  int spec_id = 0;
  std::vector<Literal> partition;  // one value per partition field of spec_id, in order
  int64_t record_count = 0;
  int64_t file_size_in_bytes = 0;
  std::map<int, int64_t> column_sizes;
  std::map<int, int64_t> value_counts;
  std::map<int, int64_t> null_value_counts;
  std::map<int, int64_t> nan_value_counts;
  // Single-value binary serialization (spec appendix D); strings truncated to 16 characters.
  std::map<int, std::string> lower_bounds;
  std::map<int, std::string> upper_bounds;
  std::vector<int64_t> split_offsets;  // row group start offsets, ascending
  std::vector<int> equality_ids;       // equality delete files: the field ids rows are matched on
  std::optional<int> sort_order_id;
};

}  // namespace clickstream::iceberg
