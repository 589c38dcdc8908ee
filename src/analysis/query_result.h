#pragma once

#include <optional>
#include <string>
#include <vector>

namespace clickstream::analysis {

// How a column's values are written in JSON: numbers and booleans unquoted, everything else as
// strings (timestamps, text, blobs, nested values in DuckDB's text form).
enum class ValueKind { kNumber, kBoolean, kText };

struct Column {
  std::string name;
  std::string type;  // DuckDB's name of the type ("BIGINT", "TIMESTAMP WITH TIME ZONE", ...)
  ValueKind kind = ValueKind::kText;
};

// A fully materialized query result; each value is DuckDB's text form, std::nullopt for NULL.
struct QueryResult {
  std::vector<Column> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;

  // Index of the column named `name`, or std::nullopt.
  std::optional<std::size_t> ColumnIndex(std::string_view name) const;
};

// Output formats of `clickstream sql` (DESIGN.md).
enum class OutputFormat { kTable, kCsv, kJson };

// An aligned text table with a header, numbers right-aligned, NULL shown as "NULL", and a
// "(N rows)" footer.
std::string FormatTable(const QueryResult& result);
// RFC 4180 CSV with a header line; NULL is an empty field, fields are quoted when needed.
std::string FormatCsv(const QueryResult& result);
// A JSON array with one object per row, keys in column order; NULL is null, numbers and booleans
// are unquoted (non-finite floats become strings).
std::string FormatJson(const QueryResult& result);
std::string Format(const QueryResult& result, OutputFormat format);

}  // namespace clickstream::analysis
