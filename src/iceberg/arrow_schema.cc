#include "iceberg/arrow_schema.h"

#include <arrow/type.h>
#include <arrow/util/key_value_metadata.h>

#include <string>

namespace clickstream::iceberg {

std::shared_ptr<arrow::DataType> ToArrowType(TypeId type) {
  switch (type) {
    case TypeId::kBoolean:
      return arrow::boolean();
    case TypeId::kInt:
      return arrow::int32();
    case TypeId::kLong:
      return arrow::int64();
    case TypeId::kFloat:
      return arrow::float32();
    case TypeId::kDouble:
      return arrow::float64();
    case TypeId::kDate:
      return arrow::date32();
    case TypeId::kTimestamp:
      return arrow::timestamp(arrow::TimeUnit::MICRO);
    case TypeId::kTimestamptz:
      return arrow::timestamp(arrow::TimeUnit::MICRO, "UTC");
    case TypeId::kString:
      return arrow::utf8();
    case TypeId::kBinary:
      return arrow::binary();
  }
  return arrow::null();
}

std::shared_ptr<arrow::Schema> ToArrowSchema(const Schema& schema) {
  arrow::FieldVector fields;
  fields.reserve(schema.fields.size());
  for (const Field& f : schema.fields) {
    auto metadata =
        arrow::key_value_metadata({std::string(kParquetFieldIdKey)}, {std::to_string(f.id)});
    fields.push_back(arrow::field(f.name, ToArrowType(f.type), !f.required, std::move(metadata)));
  }
  return arrow::schema(std::move(fields));
}

Status CheckArrowSchema(const Schema& schema, const arrow::Schema& actual) {
  std::shared_ptr<arrow::Schema> expected = ToArrowSchema(schema);
  if (expected->num_fields() != actual.num_fields()) {
    return InvalidArgument("the batch has " + std::to_string(actual.num_fields()) +
                           " columns, the table schema " + std::to_string(expected->num_fields()));
  }
  for (int i = 0; i < expected->num_fields(); ++i) {
    const arrow::Field& e = *expected->field(i);
    const arrow::Field& a = *actual.field(i);
    if (!e.Equals(a, /*check_metadata=*/true)) {
      return InvalidArgument("column " + std::to_string(i) + " is " + a.ToString(true) +
                             ", the table schema wants " + e.ToString(true));
    }
  }
  return Ok();
}

}  // namespace clickstream::iceberg
