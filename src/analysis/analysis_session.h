#pragma once

#include <string>
#include <vector>

#include "analysis/duckdb_session.h"
#include "analysis/lakehouse_views.h"
#include "common/result.h"

namespace clickstream::analysis {

// DuckDB with every table of the project's SQLite catalog exposed under its catalog name.
struct AnalysisSession {
  DuckDbSession duckdb;
  std::vector<ExposedTable> tables;

  // "website.clicks, website.clicks_enriched, ..." (or "none") for messages.
  std::string TableNames() const;
};

// Opens the catalog at `catalog_path` read-only in spirit (it is never created here: kNotFound
// when the file is missing), starts DuckDB and exposes the tables as `travel` asks.
Result<AnalysisSession> OpenAnalysisSession(const std::string& catalog_path,
                                            const TimeTravel& travel = {},
                                            const DuckDbOptions& options = DefaultDuckDbOptions());

}  // namespace clickstream::analysis
