#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "common/result.h"

// The Iceberg REST catalog protocol as pure functions: request paths and bodies, response parsing,
// error mapping (spec: open-api/rest-catalog-open-api.yaml). No I/O here; rest_catalog.cc sends.
namespace clickstream::catalog::rest {

// What GET /v1/config says, merged as the spec says: server defaults, then the client's
// properties, then server overrides.
struct ServerConfig {
  std::map<std::string, std::string> properties;
  std::string base_uri;  // "http://host:port" without a trailing '/', possibly overridden ("uri")
  std::string prefix;    // "" or a path segment such as "warehouse1" ("prefix")
  // Joins namespace levels in URL paths; the spec's default is the unit separator 0x1F.
  std::string namespace_separator = "%1F";
};

// Parses a ConfigResponse; `client` holds the client's own properties (e.g. "warehouse").
Result<ServerConfig> ParseConfigResponse(const nlohmann::json& body, std::string_view base_uri,
                                         const std::map<std::string, std::string>& client);

// "a.b" -> ["a", "b"]; each level validated as a namespace name.
Result<std::vector<std::string>> NamespaceLevels(std::string_view ns);

// The percent-encoded path segment of a namespace: levels joined by the separator.
std::string EncodeNamespace(const std::vector<std::string>& levels, std::string_view separator);

// Percent-encodes everything but RFC 3986's unreserved characters.
std::string PercentEncode(std::string_view text);

// {base}/v1/{prefix}/... with the prefix segment left out when empty.
std::string ResourceUrl(const ServerConfig& config, std::string_view path);
// .../namespaces/{ns}/tables/{table}
Result<std::string> TableUrl(const ServerConfig& config, const TableIdentifier& id);
// .../namespaces/{ns}
Result<std::string> NamespaceUrl(const ServerConfig& config, std::string_view ns);

// ListNamespacesResponse -> "a", "a.b" (levels joined by '.'), and the next page's token.
struct NamespacePage {
  std::vector<std::string> namespaces;
  std::optional<std::string> next_page_token;
};
Result<NamespacePage> ParseListNamespacesResponse(const nlohmann::json& body);

// ListTablesResponse -> identifiers (namespace levels joined by '.'), and the next page's token.
struct TablePage {
  std::vector<TableIdentifier> tables;
  std::optional<std::string> next_page_token;
};
Result<TablePage> ParseListTablesResponse(const nlohmann::json& body);

// LoadTableResult / CommitTableResponse -> entry with metadata-location and metadata.
Result<TableEntry> ParseLoadTableResponse(const nlohmann::json& body, const TableIdentifier& id);

// CreateTableRequest from the table's first metadata (Iceberg metadata JSON): name, location,
// current schema, default partition spec and sort order, properties (with format-version).
Result<nlohmann::json> CreateTableRequest(const TableIdentifier& id,
                                          const nlohmann::json& metadata);

// CommitTableRequest: {"identifier": {...}, "requirements": [...], "updates": [...]}.
nlohmann::json CommitTableRequest(const TableCommit& commit);

// OAuth2 token response (RFC 6749 section 5.1) -> access_token.
Result<std::string> ParseTokenResponse(const nlohmann::json& body);

// The form body of a client-credentials token request.
std::string TokenRequestBody(std::string_view client_id, std::string_view client_secret,
                             std::string_view scope);

// What a request is, for mapping its HTTP status to an error.
enum class RequestKind { kRead, kCreate, kCommit, kDrop };

// The error for a non-2xx answer: 404 kNotFound, 409 kAlreadyExists (create) or kConflict
// (commit), 5xx kCommitStateUnknown for a commit (it may have landed) and kUnavailable otherwise,
// 401/403 and other 4xx kIoError. The message is one sentence naming `doing` and the server's
// ErrorModel message when the body has one.
Error HttpError(long status, std::string_view body, RequestKind kind, std::string_view doing);

}  // namespace clickstream::catalog::rest
