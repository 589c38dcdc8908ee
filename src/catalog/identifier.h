#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace clickstream::catalog {

// Longest namespace or table name accepted; the JdbcCatalog columns are VARCHAR(255).
inline constexpr std::size_t kMaxNameLength = 128;
// Longest name another engine may have stored (the JdbcCatalog columns are VARCHAR(255)).
inline constexpr std::size_t kMaxStoredNameLength = 255;

// A table named by its namespace and a table name ("website.clicks"). A nested namespace, as
// pyiceberg and Spark make them, keeps its levels joined by '.' ("analytics.daily"), the way
// JdbcCatalog and pyiceberg's SqlCatalog store it.
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

// OK when every '.'-separated level of `ns` passes ValidateName ("website", "analytics.daily").
Status ValidateNamespace(std::string_view ns);

// OK for any name another engine may have stored in a catalog: 1..255 bytes (the JdbcCatalog
// column size) without control characters. Looking a table up by such a name is safe, since
// reading follows the metadata location; only creating derives paths from names (ValidateName).
Status ValidateStoredName(std::string_view name, std::string_view what);

// Parses "namespace.table" or "level1.level2.table": the last dot separates the table name, and
// every part is validated as ValidateNamespace and ValidateName say.
Result<TableIdentifier> ParseTableIdentifier(std::string_view text);

}  // namespace clickstream::catalog
