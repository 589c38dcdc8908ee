#include "analysis/analysis_session.h"

#include "catalog/open_catalog.h"

namespace clickstream::analysis {

std::string AnalysisSession::TableNames() const {
  std::string names;
  for (const ExposedTable& table : tables) {
    if (!names.empty()) names += ", ";
    names += table.id.ToString();
  }
  return names.empty() ? "none" : names;
}

Result<AnalysisSession> OpenAnalysisSession(const std::string& catalog_path,
                                            const TimeTravel& travel,
                                            const DuckDbOptions& options) {
  catalog::CatalogOptions catalog_options = catalog::CatalogOptionsFromEnvironment();
  catalog_options.sqlite.create_if_missing = false;  // reading creates nothing
  CS_ASSIGN_OR_RETURN(auto catalog, catalog::OpenCatalog(catalog_path, catalog_options));
  CS_ASSIGN_OR_RETURN(auto duckdb, DuckDbSession::Open(options));
  CS_ASSIGN_OR_RETURN(auto tables, ExposeCatalogTables(*catalog, duckdb, travel));
  return AnalysisSession{std::move(duckdb), std::move(tables)};
}

}  // namespace clickstream::analysis
