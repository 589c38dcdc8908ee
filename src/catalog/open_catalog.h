#pragma once

#include <memory>
#include <string>

#include "catalog/catalog.h"
#include "catalog/rest_catalog.h"
#include "catalog/sqlite_catalog.h"

namespace clickstream::catalog {

struct CatalogOptions {
  SqliteCatalogOptions sqlite;
  RestCatalogOptions rest;
};

// Options with the REST credentials of the environment: CLICKSTREAM_CATALOG_CREDENTIAL
// ("client_id:client_secret", OAuth2 client credentials) and CLICKSTREAM_CATALOG_TOKEN (a bearer
// token).
CatalogOptions CatalogOptionsFromEnvironment();

// True when `uri` names a REST catalog (http:// or https://) rather than a SQLite file.
bool IsRestCatalogUri(std::string_view uri);

// The catalog `uri` names: an Iceberg REST catalog for http(s)://..., else a SQLite file path.
Result<std::unique_ptr<Catalog>> OpenCatalog(
    const std::string& uri, const CatalogOptions& options = CatalogOptionsFromEnvironment());

}  // namespace clickstream::catalog
