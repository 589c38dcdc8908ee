#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
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
  // The metadata itself, when the catalog sent it along (REST); otherwise read the location.
  std::optional<nlohmann::json> metadata;
};

// One commit in Iceberg's REST model (REST spec, "CommitTableRequest"): requirements on the table
// as it is and updates to it, as their JSON objects ({"type": "assert-ref-snapshot-id", ...},
// {"action": "add-snapshot", ...}). A catalog whose clients write the metadata files
// (ClientWritesMetadata) swaps `base_location` for `written_location` instead of applying them.
struct TableCommit {
  TableIdentifier id;
  nlohmann::json requirements = nlohmann::json::array();
  nlohmann::json updates = nlohmann::json::array();
  std::string base_location;     // the metadata file the change was built on
  std::string written_location;  // the new metadata file, written by the client
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

  // True when clients write every new metadata file and the catalog swaps locations (SQLite, as
  // Java's JdbcCatalog); false when the catalog writes metadata from the updates (REST).
  virtual bool ClientWritesMetadata() const { return true; }

  // Commits atomically; returns the table's new entry. kConflict when another writer committed
  // first or a requirement failed (re-read and retry), kNotFound if the table was dropped,
  // kCommitStateUnknown when the catalog did not answer (re-read to learn whether it landed).
  virtual Result<TableEntry> CommitTable(const TableCommit& commit) = 0;

  // Creates a table from its first metadata (for catalogs that write metadata themselves: the
  // schema, partition spec, properties and location are sent; REST "CreateTableRequest").
  virtual Result<TableEntry> CreateTableFromMetadata(const TableIdentifier& id,
                                                     const nlohmann::json& metadata) {
    (void)metadata;
    return InvalidArgument("catalog " + name() + " registers metadata files; cannot create " +
                           id.ToString() + " from metadata");
  }
};

// The catalog name the project uses (DESIGN.md).
inline constexpr std::string_view kDefaultCatalogName = "catalog";

}  // namespace clickstream::catalog
