#include "analysis/query_result.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

namespace clickstream::analysis {

std::optional<std::size_t> QueryResult::ColumnIndex(std::string_view name) const {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == name) return i;
  }
  return std::nullopt;
}

namespace {

constexpr std::string_view kNullText = "NULL";

// Display width in terminal columns: counts UTF-8 code points, not bytes.
std::size_t DisplayWidth(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

void Pad(std::ostringstream& out, std::size_t n) { out << std::string(n, ' '); }

std::string CsvField(std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

bool IsFiniteNumberText(std::string_view text) {
  if (text.empty()) return false;
  const char c = text.back();
  return c >= '0' && c <= '9';  // DuckDB prints inf, -inf and nan as words
}

}  // namespace

std::string FormatTable(const QueryResult& result) {
  const std::size_t n = result.columns.size();
  std::vector<std::size_t> widths(n);
  for (std::size_t c = 0; c < n; ++c) widths[c] = DisplayWidth(result.columns[c].name);
  for (const auto& row : result.rows) {
    for (std::size_t c = 0; c < n; ++c) {
      widths[c] = std::max(widths[c], DisplayWidth(row[c] ? *row[c] : kNullText));
    }
  }
  std::ostringstream out;
  auto cell = [&](std::size_t c, std::string_view text) {
    const std::size_t pad = widths[c] - DisplayWidth(text);
    const bool right = result.columns[c].kind == ValueKind::kNumber;
    if (c > 0) out << " | ";
    if (right) Pad(out, pad);
    out << text;
    if (!right && c + 1 < n) Pad(out, pad);
  };
  for (std::size_t c = 0; c < n; ++c) cell(c, result.columns[c].name);
  out << "\n";
  for (std::size_t c = 0; c < n; ++c) {
    if (c > 0) out << "-+-";
    out << std::string(widths[c], '-');
  }
  out << "\n";
  for (const auto& row : result.rows) {
    for (std::size_t c = 0; c < n; ++c) cell(c, row[c] ? *row[c] : kNullText);
    out << "\n";
  }
  out << "(" << result.rows.size() << (result.rows.size() == 1 ? " row)\n" : " rows)\n");
  return out.str();
}

std::string FormatCsv(const QueryResult& result) {
  std::ostringstream out;
  for (std::size_t c = 0; c < result.columns.size(); ++c) {
    if (c > 0) out << ',';
    out << CsvField(result.columns[c].name);
  }
  out << "\r\n";
  for (const auto& row : result.rows) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c > 0) out << ',';
      if (row[c]) out << CsvField(*row[c]);
    }
    out << "\r\n";
  }
  return out.str();
}

std::string FormatJson(const QueryResult& result) {
  std::ostringstream out;
  out << "[";
  for (std::size_t r = 0; r < result.rows.size(); ++r) {
    out << (r == 0 ? "\n  {" : ",\n  {");
    const auto& row = result.rows[r];
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c > 0) out << ", ";
      out << nlohmann::json(result.columns[c].name).dump() << ": ";
      const auto& value = row[c];
      if (!value) {
        out << "null";
      } else if (result.columns[c].kind == ValueKind::kNumber && IsFiniteNumberText(*value)) {
        out << *value;  // DuckDB's text of a number is a valid JSON number, exact for HUGEINT
      } else if (result.columns[c].kind == ValueKind::kBoolean) {
        out << (*value == "true" ? "true" : "false");
      } else {
        out << nlohmann::json(*value).dump(-1, ' ', false,
                                           nlohmann::json::error_handler_t::replace);
      }
    }
    out << "}";
  }
  out << (result.rows.empty() ? "]\n" : "\n]\n");
  return out.str();
}

std::string Format(const QueryResult& result, OutputFormat format) {
  switch (format) {
    case OutputFormat::kTable:
      return FormatTable(result);
    case OutputFormat::kCsv:
      return FormatCsv(result);
    case OutputFormat::kJson:
      return FormatJson(result);
  }
  return FormatTable(result);
}

}  // namespace clickstream::analysis
