#include "catalog/open_catalog.h"

#include <cstdlib>

namespace clickstream::catalog {

CatalogOptions CatalogOptionsFromEnvironment() {
  CatalogOptions options;
  if (const char* credential = std::getenv("CLICKSTREAM_CATALOG_CREDENTIAL")) {
    options.rest.credential = credential;
  }
  if (const char* token = std::getenv("CLICKSTREAM_CATALOG_TOKEN")) options.rest.token = token;
  return options;
}

bool IsRestCatalogUri(std::string_view uri) {
  return uri.starts_with("http://") || uri.starts_with("https://");
}

Result<std::unique_ptr<Catalog>> OpenCatalog(const std::string& uri,
                                             const CatalogOptions& options) {
  if (IsRestCatalogUri(uri)) return OpenRestCatalog(uri, options.rest);
  return OpenSqliteCatalog(uri, options.sqlite);
}

}  // namespace clickstream::catalog
