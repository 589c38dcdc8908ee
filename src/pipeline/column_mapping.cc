#include "pipeline/column_mapping.h"

#include <string>

#include "iceberg/table_metadata.h"

namespace clickstream::pipeline {
namespace {

// A value of type `from` can be stored in a column of type `to` unchanged.
bool Compatible(iceberg::TypeId from, iceberg::TypeId to) {
  return from == to || (from == iceberg::TypeId::kTimestamptz && to == iceberg::TypeId::kTimestamp);
}

std::string Columns(const iceberg::Schema& schema) {
  std::string text;
  for (const iceberg::Field& field : schema.fields) {
    text +=
        (text.empty() ? "" : ", ") + field.name + " " + std::string(iceberg::TypeName(field.type));
  }
  return text;
}

}  // namespace

Result<ColumnMapping> ColumnMapping::Make(const catalog::TableIdentifier& id,
                                          const iceberg::Schema& table,
                                          const iceberg::Schema& rows) {
  auto mismatch = [&](const std::string& what) {
    return InvalidArgument("table " + id.ToString() + " cannot take the processor's rows (" +
                           Columns(rows) + "): " + what);
  };
  ColumnMapping mapping;
  std::vector<bool> used(rows.fields.size(), false);
  for (size_t t = 0; t < table.fields.size(); ++t) {
    const iceberg::Field& column = table.fields[t];
    int source = -1;
    for (size_t r = 0; r < rows.fields.size(); ++r) {
      if (rows.fields[r].name == column.name) source = static_cast<int>(r);
    }
    if (source < 0 && column.required) {
      return mismatch("its required column " + column.name + " is not one the processor writes");
    }
    if (source >= 0 && !Compatible(rows.fields[source].type, column.type)) {
      return mismatch("its column " + column.name + " is " +
                      std::string(iceberg::TypeName(column.type)) + ", not " +
                      std::string(iceberg::TypeName(rows.fields[source].type)));
    }
    if (source >= 0) used[source] = true;
    mapping.identity_ = mapping.identity_ && source == static_cast<int>(t);
    mapping.source_.push_back(source);
  }
  for (size_t r = 0; r < rows.fields.size(); ++r) {
    if (!used[r]) return mismatch("it has no column " + rows.fields[r].name);
  }
  mapping.identity_ = mapping.identity_ && table.fields.size() == rows.fields.size();
  mapping.scratch_.resize(table.fields.size());
  return mapping;
}

std::span<const iceberg::Value> ColumnMapping::Apply(std::span<const iceberg::Value> row) {
  if (identity_) return row;
  for (size_t t = 0; t < source_.size(); ++t) {
    scratch_[t] = source_[t] < 0 ? iceberg::Value{} : row[static_cast<size_t>(source_[t])];
  }
  return scratch_;
}

}  // namespace clickstream::pipeline
