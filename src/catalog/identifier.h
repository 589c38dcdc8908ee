#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace clickstream::catalog {

// Longest namespace or table name accepted; the JdbcCatalog columns are VARCHAR(255).
inline constexpr std::size_t kMaxNameLength = 128;

// A table named by one namespace level and a table name ("website.clicks").
struct TableIdentifier {
  std::string ns;
  std::string name;

  // "namespace.table".
  std::string ToString() const;
  bool operator==(const TableIdentifier&) const = default;
};

// OK when `name` is usable as a namespace or table name and as one directory level under the
// warehouse: 1..kMaxNameLength characters of [A-Za-z0-9_-], not starting with '-'. This rules out
// "..", "/", "\\", ".", control characters and empty names, so no name can escape the warehouse.
Status ValidateName(std::string_view name, std::string_view what);

// Parses "namespace.table" (exactly one dot) and validates both parts.
Result<TableIdentifier> ParseTableIdentifier(std::string_view text);

}  // namespace clickstream::catalog
