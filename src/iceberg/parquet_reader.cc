#include "iceberg/parquet_reader.h"

#include <arrow/array.h>
#include <arrow/array/builder_binary.h>
#include <arrow/chunked_array.h>
#include <arrow/io/file.h>
#include <arrow/memory_pool.h>
#include <arrow/table.h>
#include <arrow/type.h>
#include <arrow/util/key_value_metadata.h>
#include <parquet/arrow/reader.h>
#include <parquet/properties.h>

#include <charconv>
#include <optional>
#include <string>

#include "iceberg/arrow_schema.h"
#include "iceberg/location.h"
#include "io/arrow_error.h"
#include "io/file_io.h"

namespace clickstream::iceberg {
namespace {

using io::FromArrow;

// The Iceberg field id parquet::arrow put in an Arrow field's metadata, or -1.
int FieldIdOf(const arrow::Field& field) {
  const auto& metadata = field.metadata();
  if (metadata == nullptr) return -1;
  int index = metadata->FindKey(std::string(kParquetFieldIdKey));
  if (index < 0) return -1;
  const std::string& text = metadata->value(index);
  int id = -1;
  auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), id);
  return err == std::errc() && end == text.data() + text.size() ? id : -1;
}

// Same physical layout, so a zero-copy view is exact: equal types, or timestamps of one unit that
// differ only in their zone annotation (a UTC instant either way for timestamptz).
bool ViewCompatible(const arrow::DataType& from, const arrow::DataType& to) {
  if (from.Equals(to)) return true;
  if (from.id() == arrow::Type::TIMESTAMP && to.id() == arrow::Type::TIMESTAMP) {
    return static_cast<const arrow::TimestampType&>(from).unit() ==
           static_cast<const arrow::TimestampType&>(to).unit();
  }
  return false;
}

bool IsLargeOf(const arrow::DataType& from, const arrow::DataType& to) {
  return (from.id() == arrow::Type::LARGE_STRING && to.id() == arrow::Type::STRING) ||
         (from.id() == arrow::Type::LARGE_BINARY && to.id() == arrow::Type::BINARY);
}

// The values of a large_string / large_binary column (64-bit offsets, as pyiceberg writes strings)
// copied into string / binary (32-bit offsets); kCorrupt if one chunk holds 2 GiB or more.
template <typename Builder>
Result<std::shared_ptr<arrow::ChunkedArray>> NarrowLarge(
    const arrow::ChunkedArray& column, const std::shared_ptr<arrow::DataType>& type,
    const std::string& what) {
  arrow::ArrayVector chunks;
  for (const auto& chunk : column.chunks()) {
    const auto& large = static_cast<const arrow::LargeBinaryArray&>(*chunk);
    Builder builder;
    arrow::Status st = builder.Reserve(large.length());
    if (st.ok()) st = builder.ReserveData(large.total_values_length());
    for (int64_t i = 0; st.ok() && i < large.length(); ++i) {
      st = large.IsNull(i) ? builder.AppendNull() : builder.Append(large.GetView(i));
    }
    std::shared_ptr<arrow::Array> narrow;
    if (st.ok()) st = builder.Finish(&narrow);
    if (!st.ok()) return Corrupt(what + " does not fit " + type->ToString() + ": " + st.ToString());
    chunks.push_back(std::move(narrow));
  }
  return std::make_shared<arrow::ChunkedArray>(std::move(chunks), type);
}

// Column `index` of the whole file, or of one row group when `row_group` is set, as `type`.
Result<std::shared_ptr<arrow::ChunkedArray>> ReadColumnAs(
    parquet::arrow::FileReader& reader, std::optional<int> row_group, int index, const Field& field,
    const std::shared_ptr<arrow::DataType>& type, std::string_view location) {
  std::shared_ptr<arrow::ChunkedArray> column;
  arrow::Status st = row_group.has_value()
                         ? reader.RowGroup(*row_group)->Column(index)->Read(&column)
                         : reader.ReadColumn(index, &column);
  if (!st.ok()) {
    return std::unexpected(
        FromArrow(st, "reading column " + field.name + " of " + std::string(location)));
  }
  if (column->type()->Equals(*type)) return column;
  if (IsLargeOf(*column->type(), *type)) {
    std::string what = "column " + field.name + " of " + std::string(location);
    if (type->id() == arrow::Type::STRING) {
      return NarrowLarge<arrow::StringBuilder>(*column, type, what);
    }
    return NarrowLarge<arrow::BinaryBuilder>(*column, type, what);
  }
  if (!ViewCompatible(*column->type(), *type)) {
    return Corrupt("column " + field.name + " of " + std::string(location) + " is " +
                   column->type()->ToString() + ", expected " + type->ToString());
  }
  auto view = column->View(type);
  if (!view.ok()) return std::unexpected(FromArrow(view.status(), "viewing " + field.name));
  return *view;
}

// The file's footer, for ReadRows.
Result<std::unique_ptr<parquet::arrow::FileReader>> OpenReader(std::string_view location) {
  CS_ASSIGN_OR_RETURN(std::shared_ptr<arrow::io::RandomAccessFile> input,
                      io::OpenInputFile(location));
  auto reader = parquet::arrow::OpenFile(input, arrow::default_memory_pool());
  if (!reader.ok()) {
    return std::unexpected(
        FromArrow(reader.status(), "reading the footer of " + std::string(location)));
  }
  return std::move(*reader);
}

// The rows of the whole file, or of one row group, as a table of ToArrowSchema(schema).
Result<std::shared_ptr<arrow::Table>> ReadRows(parquet::arrow::FileReader& reader,
                                               std::optional<int> row_group, const Schema& schema,
                                               std::string_view location) {
  std::shared_ptr<arrow::Schema> file_schema;
  arrow::Status st = reader.GetSchema(&file_schema);
  if (!st.ok()) {
    return std::unexpected(FromArrow(st, "reading the schema of " + std::string(location)));
  }
  const auto& metadata = *reader.parquet_reader()->metadata();
  const int64_t rows =
      row_group.has_value() ? metadata.RowGroup(*row_group)->num_rows() : metadata.num_rows();

  std::shared_ptr<arrow::Schema> target = ToArrowSchema(schema);
  std::vector<std::shared_ptr<arrow::ChunkedArray>> columns;
  for (std::size_t i = 0; i < schema.fields.size(); ++i) {
    const Field& field = schema.fields[i];
    const auto& type = target->field(static_cast<int>(i))->type();
    int index = -1;
    for (int c = 0; c < file_schema->num_fields(); ++c) {
      if (FieldIdOf(*file_schema->field(c)) == field.id) index = c;
    }
    if (index < 0) {
      if (field.required) {
        return Corrupt("data file " + std::string(location) + " lacks required column " +
                       field.name);
      }
      auto nulls = arrow::MakeArrayOfNull(type, rows);
      if (!nulls.ok()) return std::unexpected(FromArrow(nulls.status(), "filling " + field.name));
      columns.push_back(std::make_shared<arrow::ChunkedArray>(*nulls));
      continue;
    }
    CS_ASSIGN_OR_RETURN(auto column, ReadColumnAs(reader, row_group, index, field, type, location));
    columns.push_back(std::move(column));
  }
  return arrow::Table::Make(target, std::move(columns), rows);
}

}  // namespace

Result<std::shared_ptr<arrow::Table>> ReadDataFile(const Schema& schema,
                                                   std::string_view location) {
  CS_ASSIGN_OR_RETURN(auto reader, OpenReader(location));
  return ReadRows(*reader, std::nullopt, schema, location);
}

Status ForEachRowGroup(const Schema& schema, std::string_view location,
                       const std::function<Status(std::shared_ptr<arrow::Table>)>& consume) {
  CS_ASSIGN_OR_RETURN(auto reader, OpenReader(location));
  for (int g = 0; g < reader->num_row_groups(); ++g) {
    CS_ASSIGN_OR_RETURN(auto rows, ReadRows(*reader, g, schema, location));
    CS_RETURN_IF_ERROR(consume(std::move(rows)));
  }
  return Ok();
}

}  // namespace clickstream::iceberg
