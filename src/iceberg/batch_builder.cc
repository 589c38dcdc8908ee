#include "iceberg/batch_builder.h"

#include <arrow/builder.h>
#include <arrow/memory_pool.h>
#include <arrow/record_batch.h>

#include <string>

#include "iceberg/arrow_schema.h"

namespace clickstream::iceberg {
namespace {

// Whether `value` holds the C++ type that represents Iceberg `type` in a Value.
bool Holds(TypeId type, const Value& value) {
  switch (type) {
    case TypeId::kBoolean:
      return std::holds_alternative<bool>(value);
    case TypeId::kInt:
    case TypeId::kDate:
      return std::holds_alternative<int32_t>(value);
    case TypeId::kLong:
    case TypeId::kTimestamp:
    case TypeId::kTimestamptz:
      return std::holds_alternative<int64_t>(value);
    case TypeId::kFloat:
      return std::holds_alternative<float>(value);
    case TypeId::kDouble:
      return std::holds_alternative<double>(value);
    case TypeId::kString:
    case TypeId::kBinary:
      return std::holds_alternative<std::string_view>(value);
  }
  return false;
}

int64_t FixedWidth(TypeId type) {
  switch (type) {
    case TypeId::kBoolean:
      return 1;
    case TypeId::kInt:
    case TypeId::kDate:
    case TypeId::kFloat:
      return 4;
    case TypeId::kString:
    case TypeId::kBinary:
      return 4;  // the offset
    default:
      return 8;
  }
}

template <typename BuilderT, typename T>
arrow::Status AppendAs(arrow::ArrayBuilder* builder, const Value& value) {
  return static_cast<BuilderT*>(builder)->Append(std::get<T>(value));
}

arrow::Status AppendValue(TypeId type, arrow::ArrayBuilder* builder, const Value& value) {
  if (std::holds_alternative<std::monostate>(value)) return builder->AppendNull();
  switch (type) {
    case TypeId::kBoolean:
      return AppendAs<arrow::BooleanBuilder, bool>(builder, value);
    case TypeId::kInt:
      return AppendAs<arrow::Int32Builder, int32_t>(builder, value);
    case TypeId::kDate:
      return AppendAs<arrow::Date32Builder, int32_t>(builder, value);
    case TypeId::kLong:
      return AppendAs<arrow::Int64Builder, int64_t>(builder, value);
    case TypeId::kTimestamp:
    case TypeId::kTimestamptz:
      return AppendAs<arrow::TimestampBuilder, int64_t>(builder, value);
    case TypeId::kFloat:
      return AppendAs<arrow::FloatBuilder, float>(builder, value);
    case TypeId::kDouble:
      return AppendAs<arrow::DoubleBuilder, double>(builder, value);
    case TypeId::kString:
      return AppendAs<arrow::StringBuilder, std::string_view>(builder, value);
    case TypeId::kBinary:
      return AppendAs<arrow::BinaryBuilder, std::string_view>(builder, value);
  }
  return arrow::Status::Invalid("unknown type");
}

}  // namespace

BatchBuilder::BatchBuilder(const Schema& schema) : arrow_schema_(ToArrowSchema(schema)) {
  arrow::MemoryPool* pool = arrow::system_memory_pool();
  for (int i = 0; i < arrow_schema_->num_fields(); ++i) {
    types_.push_back(schema.fields[i].type);
    required_.push_back(schema.fields[i].required);
    std::unique_ptr<arrow::ArrayBuilder> builder;
    // MakeBuilder only fails for types we never produce (ToArrowType covers every TypeId).
    auto made = arrow::MakeBuilder(arrow_schema_->field(i)->type(), pool);
    builders_.push_back(made.ok() ? std::move(*made) : nullptr);
  }
}

BatchBuilder::BatchBuilder(BatchBuilder&&) noexcept = default;
BatchBuilder& BatchBuilder::operator=(BatchBuilder&&) noexcept = default;
BatchBuilder::~BatchBuilder() = default;

Status BatchBuilder::CheckRow(std::span<const Value> row) const {
  if (row.size() != types_.size()) {
    return InvalidArgument("a row has " + std::to_string(row.size()) + " values, the schema " +
                           std::to_string(types_.size()) + " fields");
  }
  for (size_t i = 0; i < row.size(); ++i) {
    if (std::holds_alternative<std::monostate>(row[i])) {
      if (required_[i]) {
        return InvalidArgument("null in required field " + arrow_schema_->field(i)->name());
      }
    } else if (!Holds(types_[i], row[i])) {
      return InvalidArgument("wrong value type for field " + arrow_schema_->field(i)->name());
    }
  }
  return Ok();
}

Status BatchBuilder::Append(std::span<const Value> row) {
  if (!broken_.empty()) return IoError(broken_);
  CS_RETURN_IF_ERROR(CheckRow(row));
  for (size_t i = 0; i < row.size(); ++i) {
    if (builders_[i] == nullptr) return Internal("no Arrow builder for a column");
    arrow::Status st = AppendValue(types_[i], builders_[i].get(), row[i]);
    if (!st.ok()) {
      // Columns may now differ in length (out of memory, or a column over 2 GiB): unusable.
      broken_ = "appending to an Arrow builder failed: " + st.ToString();
      return IoError(broken_);
    }
    buffered_bytes_ += FixedWidth(types_[i]);
    if (const auto* s = std::get_if<std::string_view>(&row[i])) {
      buffered_bytes_ += static_cast<int64_t>(s->size());
    }
  }
  ++num_rows_;
  return Ok();
}

Result<std::shared_ptr<arrow::RecordBatch>> BatchBuilder::Finish() {
  if (!broken_.empty()) return IoError(broken_);
  std::vector<std::shared_ptr<arrow::Array>> columns;
  columns.reserve(builders_.size());
  for (auto& builder : builders_) {
    std::shared_ptr<arrow::Array> column;
    arrow::Status st = builder->Finish(&column);
    if (!st.ok()) return IoError("finishing an Arrow column: " + st.ToString());
    columns.push_back(std::move(column));
  }
  auto batch = arrow::RecordBatch::Make(arrow_schema_, num_rows_, std::move(columns));
  num_rows_ = 0;
  buffered_bytes_ = 0;
  return batch;
}

}  // namespace clickstream::iceberg
