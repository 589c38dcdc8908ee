#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/duckdb_session.h"
#include "catalog/catalog.h"
#include "common/result.h"

namespace clickstream::analysis {

// Which version of the tables a query sees. Default: each table's current snapshot.
struct TimeTravel {
  // The table that has this snapshot is read as of it; the other tables stay current.
  std::optional<int64_t> snapshot_id;
  // Every table is read as it was at this instant (its newest snapshot at or before it; a table
  // with none then reads as empty). Any timestamp DuckDB can cast to TIMESTAMPTZ; no offset = UTC.
  std::optional<std::string> as_of;
};

// One catalog table as DuckDB sees it.
struct ExposedTable {
  catalog::TableIdentifier id;
  std::string metadata_location;       // the catalog's current metadata file
  std::optional<int64_t> snapshot_id;  // pinned snapshot, when time travel chose one
};

// The name of the DuckDB database that holds the views, as Spark's and Flink's sessions name the
// project's catalog (DESIGN.md "Analysis").
inline constexpr std::string_view kCatalogName = "catalog";

// Creates, in `session`, a database `catalog` made the current one, and in it one schema per
// catalog namespace and one view per table, named as in the catalog, so that both website.clicks
// and catalog.website.clicks name a table; each view reads the table's current metadata file with
// DuckDB's iceberg_scan as `travel` asks. The catalog is read once, now; views bind lazily, so
// tables a query does not mention cost nothing. When a table's metadata is on S3 (a REST catalog
// over object storage), httpfs is loaded with the S3 settings of the AWS variables
// (S3AccessFromEnvironment). kNotFound when no table has
// `travel.snapshot_id` (it may have expired), kInvalidArgument when `travel.as_of` is not a
// timestamp.
Result<std::vector<ExposedTable>> ExposeCatalogTables(catalog::Catalog& catalog,
                                                      DuckDbSession& session,
                                                      const TimeTravel& travel = {});

// The SQL text DuckDB reads one table with (iceberg_scan of its metadata file, with the snapshot
// or timestamp options of the table's time travel).
std::string IcebergScanSql(const ExposedTable& table, const std::optional<int64_t>& as_of_ms);

}  // namespace clickstream::analysis
