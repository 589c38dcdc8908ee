#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/identifier.h"
#include "common/result.h"

namespace clickstream::catalog {

// Where a table's current metadata lives, as recorded in the catalog.
struct TableEntry {
  TableIdentifier id;
  std::string metadata_location;
  std::string previous_metadata_location;  // empty for a table never committed since creation
};

// An Iceberg catalog: maps table identifiers to the location of their current metadata file.
// All methods validate names; every change is atomic. Implementations are safe to use from many
// processes at once; one object is not shared between threads.
class Catalog {
 public:
  virtual ~Catalog() = default;

  // The catalog name stored in every row (the project uses "catalog").
  virtual const std::string& name() const = 0;

  // Creates a namespace; kAlreadyExists if it exists.
  virtual Status CreateNamespace(std::string_view ns,
                                 const std::map<std::string, std::string>& properties = {}) = 0;
  // True when the namespace has properties or tables.
  virtual Result<bool> NamespaceExists(std::string_view ns) = 0;
  // Every namespace, sorted.
  virtual Result<std::vector<std::string>> ListNamespaces() = 0;

  // Registers a new table whose first metadata file is already written; kAlreadyExists if the
  // name is taken, kNotFound if the namespace does not exist.
  virtual Status CreateTable(const TableIdentifier& id, std::string_view metadata_location) = 0;
  // Tables of one namespace, sorted by name.
  virtual Result<std::vector<TableIdentifier>> ListTables(std::string_view ns) = 0;
  // The current metadata location; kNotFound if the table does not exist.
  virtual Result<TableEntry> LoadTable(const TableIdentifier& id) = 0;
  // Removes the table from the catalog (files are left in place); kNotFound if absent.
  virtual Status DropTable(const TableIdentifier& id) = 0;

  // Compare-and-swap: points the table at `new_location` only if its current location is still
  // `expected_location`; kConflict if another writer committed first, kNotFound if dropped.
  virtual Status CommitTable(const TableIdentifier& id, std::string_view expected_location,
                             std::string_view new_location) = 0;
};

// The catalog name the project uses (DESIGN.md).
inline constexpr std::string_view kDefaultCatalogName = "catalog";

}  // namespace clickstream::catalog
