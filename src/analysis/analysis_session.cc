#include "analysis/analysis_session.h"

#include <filesystem>

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
  std::error_code ec;
  if (!catalog::IsRestCatalogUri(catalog_path) &&
      !std::filesystem::is_regular_file(catalog_path, ec)) {
    return NotFound("no catalog at " + catalog_path +
                    ": create the tables first (clickstream tables create), or pass --catalog");
  }
  CS_ASSIGN_OR_RETURN(auto catalog, catalog::OpenCatalog(catalog_path));
  CS_ASSIGN_OR_RETURN(auto duckdb, DuckDbSession::Open(options));
  CS_ASSIGN_OR_RETURN(auto tables, ExposeCatalogTables(*catalog, duckdb, travel));
  return AnalysisSession{std::move(duckdb), std::move(tables)};
}

}  // namespace clickstream::analysis
