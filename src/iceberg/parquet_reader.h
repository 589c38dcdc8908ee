#pragma once

#include <arrow/type_fwd.h>

#include <functional>
#include <memory>
#include <string_view>

#include "common/result.h"
#include "iceberg/schema.h"

namespace clickstream::iceberg {

// Reads a whole Parquet data file (written by this project, Spark, Flink or pyiceberg) as an Arrow
// table of ToArrowSchema(schema): columns are matched by Iceberg field id (spec, "Column
// Projection"), not by name, cast to the project's Arrow type where the file's differs, and
// schema columns the file lacks are all null. kCorrupt when a column cannot be cast, or a required
// column is missing.
Result<std::shared_ptr<arrow::Table>> ReadDataFile(const Schema& schema, std::string_view location);

// The same rows as ReadDataFile, handed to `consume` one row group at a time, so that memory holds
// one row group of the file, not all of it (a compaction merging a partition's big file). Stops at
// the first error, of the file or of `consume`.
Status ForEachRowGroup(const Schema& schema, std::string_view location,
                       const std::function<Status(std::shared_ptr<arrow::Table>)>& consume);

}  // namespace clickstream::iceberg
