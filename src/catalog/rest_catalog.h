#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "catalog/catalog.h"

namespace clickstream::catalog {

struct RestCatalogOptions {
  std::string catalog_name = std::string(kDefaultCatalogName);
  // Sent to GET /v1/config as ?warehouse= when set (servers serving several warehouses need it).
  std::string warehouse;
  // OAuth2 client credentials "client_id:client_secret" (a bare secret: empty id), exchanged at
  // `oauth2_server_uri` (default {uri}/v1/oauth/tokens) for a bearer token.
  std::string credential;
  std::string oauth2_server_uri;
  std::string scope = "catalog";  // the scope Java's RESTCatalog asks for by default
  // A static bearer token; used as it is when set.
  std::string token;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{60000};
};

// Connects to an Iceberg REST catalog at `uri` ("http(s)://host:port[/path]"): fetches a token when
// credentials are given, then GET /v1/config (prefix, namespace separator, overrides). The catalog
// writes metadata itself (ClientWritesMetadata() is false): commits send requirements and updates.
// A commit answered 409 is kConflict; 5xx or no answer is kCommitStateUnknown.
Result<std::unique_ptr<Catalog>> OpenRestCatalog(const std::string& uri,
                                                 const RestCatalogOptions& options = {});

}  // namespace clickstream::catalog
