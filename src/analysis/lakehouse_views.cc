#include "analysis/lakehouse_views.h"

#include <cstdlib>

namespace clickstream::analysis {

std::string IcebergScanSql(const ExposedTable& table, const std::optional<int64_t>& as_of_ms) {
  std::string sql = "iceberg_scan(" + QuoteSqlString(table.metadata_location);
  if (table.snapshot_id) {
    sql += ", snapshot_from_id = " + std::to_string(*table.snapshot_id);
  } else if (as_of_ms) {
    sql += ", snapshot_from_timestamp = epoch_ms(" + std::to_string(*as_of_ms) + ")";
  }
  return sql + ")";
}

namespace {

// The instant of `text` in milliseconds since the epoch, parsed by DuckDB (session time zone UTC).
Result<int64_t> ParseInstantMillis(DuckDbSession& session, const std::string& text) {
  auto parsed = session.Query("SELECT epoch_ms(CAST($1 AS TIMESTAMPTZ))", {text});
  if (!parsed || parsed->rows.size() != 1 || !parsed->rows[0][0]) {
    return Usage("--as-of " + QuoteSqlString(text) +
                 " is not a timestamp (e.g. 2026-11-23T22:55:00Z)");
  }
  return static_cast<int64_t>(std::strtoll(parsed->rows[0][0]->c_str(), nullptr, 10));
}

Result<bool> HasSnapshot(DuckDbSession& session, const std::string& metadata_location,
                         int64_t snapshot_id) {
  CS_ASSIGN_OR_RETURN(
      auto found, session.Query("SELECT count(*) FROM iceberg_snapshots(" +
                                    QuoteSqlString(metadata_location) + ") WHERE snapshot_id = $1",
                                {snapshot_id}));
  return !found.rows.empty() && found.rows[0][0] && *found.rows[0][0] != "0";
}

// Loads httpfs with the AWS variables' S3 settings when a table lives on S3; local-only sessions
// skip it (and its load time) entirely.
Status EnableS3IfNeeded(DuckDbSession& session, const std::vector<ExposedTable>& tables) {
  for (const ExposedTable& table : tables) {
    if (IsS3Location(table.metadata_location)) {
      Result<S3Access> access = S3AccessFromEnvironment();
      if (!access) {
        // A run-time state of the environment, not of the command line: exit 1, never 2 (the
        // query commands turn kInvalidArgument into a usage error).
        return MakeError(ErrorCode::kUnavailable, access.error().message);
      }
      return session.EnableS3(*access);
    }
  }
  return Ok();
}

}  // namespace

Result<std::vector<ExposedTable>> ExposeCatalogTables(catalog::Catalog& catalog,
                                                      DuckDbSession& session,
                                                      const TimeTravel& travel) {
  std::optional<int64_t> as_of_ms;
  if (travel.as_of) {
    CS_ASSIGN_OR_RETURN(as_of_ms, ParseInstantMillis(session, *travel.as_of));
  }
  std::vector<ExposedTable> tables;
  CS_ASSIGN_OR_RETURN(auto namespaces, catalog.ListNamespaces());
  for (const std::string& ns : namespaces) {
    CS_ASSIGN_OR_RETURN(auto ids, catalog.ListTables(ns));
    for (const catalog::TableIdentifier& id : ids) {
      CS_ASSIGN_OR_RETURN(auto entry, catalog.LoadTable(id));
      tables.push_back(ExposedTable{id, entry.metadata_location, std::nullopt});
    }
  }
  CS_RETURN_IF_ERROR(EnableS3IfNeeded(session, tables));
  if (travel.snapshot_id) {
    bool found = false;
    for (ExposedTable& table : tables) {
      CS_ASSIGN_OR_RETURN(bool has,
                          HasSnapshot(session, table.metadata_location, *travel.snapshot_id));
      if (has) {
        table.snapshot_id = travel.snapshot_id;
        found = true;
        break;  // snapshot ids are random 63-bit numbers: one table owns each
      }
    }
    if (!found) {
      // Not a usage error: the id may have been valid until an expiry removed the snapshot.
      return NotFound("no table in the catalog has snapshot " +
                      std::to_string(*travel.snapshot_id) +
                      ": it never existed or has expired (see `clickstream tables snapshots "
                      "TABLE`)");
    }
  }
  // The views live in a database named as Spark's and Flink's catalog, and it is the current one:
  // website.clicks and catalog.website.clicks both name a table.
  CS_RETURN_IF_ERROR(session.Execute("ATTACH IF NOT EXISTS ':memory:' AS " +
                                     QuoteSqlIdentifier(kCatalogName) + "; USE " +
                                     QuoteSqlIdentifier(kCatalogName)));
  for (const std::string& ns : namespaces) {
    CS_RETURN_IF_ERROR(session.Execute("CREATE SCHEMA IF NOT EXISTS " + QuoteSqlIdentifier(ns)));
  }
  for (const ExposedTable& table : tables) {
    CS_RETURN_IF_ERROR(
        session.Execute("CREATE OR REPLACE VIEW " + QuoteSqlIdentifier(table.id.ns) + "." +
                        QuoteSqlIdentifier(table.id.name) + " AS SELECT * FROM " +
                        IcebergScanSql(table, table.snapshot_id ? std::nullopt : as_of_ms)));
  }
  return tables;
}

}  // namespace clickstream::analysis
