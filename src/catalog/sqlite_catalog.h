#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "catalog/catalog.h"

namespace clickstream::catalog {

struct SqliteCatalogOptions {
  std::string catalog_name = std::string(kDefaultCatalogName);
  // How long a writer waits for another process's lock before failing with kUnavailable.
  std::chrono::milliseconds busy_timeout{60000};
  // False for commands that only read: a missing file is kNotFound (nothing is created) and a
  // file without the catalog tables is kInvalidArgument.
  bool create_if_missing = true;
};

// Opens (creating the file, its parent directory and the tables on first use) a SQLite catalog
// whose tables `iceberg_tables` and `iceberg_namespace_properties` are those of Java's
// JdbcCatalog (schema V1, with `iceberg_type`) and pyiceberg's SqlCatalog, so all three can share
// the file. A file created by JdbcCatalog V0 (no `iceberg_type`) is used as it is.
Result<std::unique_ptr<Catalog>> OpenSqliteCatalog(const std::string& path,
                                                   const SqliteCatalogOptions& options = {});

}  // namespace clickstream::catalog
