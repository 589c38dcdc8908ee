#pragma once

#include <arrow/type_fwd.h>

#include <memory>
#include <string_view>

#include "common/result.h"
#include "iceberg/schema.h"

namespace clickstream::iceberg {

// Arrow field metadata key that parquet::arrow turns into the Parquet schema's field_id.
inline constexpr std::string_view kParquetFieldIdKey = "PARQUET:field_id";

// The Arrow type an Iceberg primitive is written as: timestamptz -> timestamp[us, tz=UTC] (Parquet
// INT64 TIMESTAMP(MICROS, isAdjustedToUTC=true)), timestamp -> timestamp[us], date -> date32,
// string -> utf8, binary -> binary, and the numeric types to their same-width Arrow types.
std::shared_ptr<arrow::DataType> ToArrowType(TypeId type);

// The Arrow schema of an Iceberg schema: same column order and names, nullable unless required,
// every field carrying its Iceberg id as PARQUET:field_id metadata.
std::shared_ptr<arrow::Schema> ToArrowSchema(const Schema& schema);

// Checks that `actual` can be written as `schema`: same names, types, nullability and field ids.
Status CheckArrowSchema(const Schema& schema, const arrow::Schema& actual);

}  // namespace clickstream::iceberg
