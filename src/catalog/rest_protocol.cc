#include "catalog/rest_protocol.h"

#include <cstdio>

namespace clickstream::catalog::rest {
namespace {

using json = nlohmann::json;

std::map<std::string, std::string> StringMap(const json& object) {
  std::map<std::string, std::string> out;
  if (!object.is_object()) return out;
  for (const auto& [key, value] : object.items()) {
    out[key] = value.is_string() ? value.get<std::string>() : value.dump();
  }
  return out;
}

std::string TrimSlashes(std::string text) {
  while (!text.empty() && text.back() == '/') text.pop_back();
  return text;
}

std::string JoinLevels(const json& levels) {
  std::string out;
  for (const auto& level : levels) {
    if (!out.empty()) out += '.';
    out += level.get<std::string>();
  }
  return out;
}

std::optional<std::string> PageToken(const json& body) {
  auto it = body.find("next-page-token");
  if (it == body.end() || !it->is_string() || it->get<std::string>().empty()) return std::nullopt;
  return it->get<std::string>();
}

// The element of `list` (an array of objects) whose `key` equals `id`.
const json* FindById(const json& list, std::string_view key, const json& id) {
  if (!list.is_array()) return nullptr;
  for (const auto& item : list) {
    if (item.contains(key) && item[std::string(key)] == id) return &item;
  }
  return nullptr;
}

// The server's sentence from an ErrorModel body ({"error": {"message", "type", "code"}}).
std::string ServerMessage(std::string_view body) {
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_object()) {
    const json& error = parsed["error"];
    std::string message = error.value("message", "");
    std::string type = error.value("type", "");
    if (!type.empty() && !message.empty()) return type + ": " + message;
    if (!message.empty()) return message;
  }
  std::string text(body.substr(0, 200));
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

}  // namespace

Result<ServerConfig> ParseConfigResponse(const nlohmann::json& body, std::string_view base_uri,
                                         const std::map<std::string, std::string>& client) {
  if (!body.is_object()) return Corrupt("the REST catalog's /v1/config answer is not an object");
  ServerConfig config;
  config.properties = StringMap(body.value("defaults", json::object()));
  for (const auto& [key, value] : client) config.properties[key] = value;
  for (const auto& [key, value] : StringMap(body.value("overrides", json::object()))) {
    config.properties[key] = value;
  }
  const auto& props = config.properties;
  auto uri = props.find("uri");
  config.base_uri = TrimSlashes(uri != props.end() ? uri->second : std::string(base_uri));
  if (auto prefix = props.find("prefix"); prefix != props.end()) {
    config.prefix = prefix->second;
    while (!config.prefix.empty() && config.prefix.front() == '/') config.prefix.erase(0, 1);
    config.prefix = TrimSlashes(config.prefix);
  }
  if (auto sep = props.find("namespace-separator"); sep != props.end() && !sep->second.empty()) {
    config.namespace_separator = sep->second;
  }
  return config;
}

Result<std::vector<std::string>> NamespaceLevels(std::string_view ns) {
  std::vector<std::string> levels;
  size_t start = 0;
  while (true) {
    size_t dot = ns.find('.', start);
    std::string_view level =
        ns.substr(start, dot == std::string_view::npos ? ns.npos : dot - start);
    CS_RETURN_IF_ERROR(ValidateName(level, "namespace"));
    levels.emplace_back(level);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return levels;
}

std::string PercentEncode(std::string_view text) {
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    bool unreserved = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
                      c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved) {
      out += c;
    } else {
      char escaped[4];
      std::snprintf(escaped, sizeof(escaped), "%%%02X", u);
      out += escaped;
    }
  }
  return out;
}

std::string EncodeNamespace(const std::vector<std::string>& levels, std::string_view separator) {
  std::string out;
  for (const auto& level : levels) {
    if (!out.empty()) out += separator;
    out += PercentEncode(level);
  }
  return out;
}

std::string ResourceUrl(const ServerConfig& config, std::string_view path) {
  std::string url = config.base_uri + "/v1/";
  if (!config.prefix.empty()) url += config.prefix + "/";
  url += path;
  return url;
}

Result<std::string> NamespaceUrl(const ServerConfig& config, std::string_view ns) {
  CS_ASSIGN_OR_RETURN(auto levels, NamespaceLevels(ns));
  return ResourceUrl(config, "namespaces/" + EncodeNamespace(levels, config.namespace_separator));
}

Result<std::string> TableUrl(const ServerConfig& config, const TableIdentifier& id) {
  CS_RETURN_IF_ERROR(ValidateName(id.name, "table"));
  CS_ASSIGN_OR_RETURN(std::string ns_url, NamespaceUrl(config, id.ns));
  return ns_url + "/tables/" + PercentEncode(id.name);
}

Result<NamespacePage> ParseListNamespacesResponse(const nlohmann::json& body) {
  if (!body.is_object() || !body.contains("namespaces") || !body["namespaces"].is_array()) {
    return Corrupt("the REST catalog's namespace list has no \"namespaces\" array");
  }
  NamespacePage page;
  try {
    for (const auto& levels : body["namespaces"]) page.namespaces.push_back(JoinLevels(levels));
  } catch (const json::exception& e) {
    return Corrupt(std::string("the REST catalog's namespace list is malformed: ") + e.what());
  }
  page.next_page_token = PageToken(body);
  return page;
}

Result<TablePage> ParseListTablesResponse(const nlohmann::json& body) {
  if (!body.is_object() || !body.contains("identifiers") || !body["identifiers"].is_array()) {
    return Corrupt("the REST catalog's table list has no \"identifiers\" array");
  }
  TablePage page;
  try {
    for (const auto& id : body["identifiers"]) {
      page.tables.push_back({JoinLevels(id.at("namespace")), id.at("name").get<std::string>()});
    }
  } catch (const json::exception& e) {
    return Corrupt(std::string("the REST catalog's table list is malformed: ") + e.what());
  }
  page.next_page_token = PageToken(body);
  return page;
}

Result<TableEntry> ParseLoadTableResponse(const nlohmann::json& body, const TableIdentifier& id) {
  if (!body.is_object() || !body.contains("metadata") || !body["metadata"].is_object()) {
    return Corrupt("the REST catalog's answer for " + id.ToString() + " has no table metadata");
  }
  TableEntry entry;
  entry.id = id;
  auto location = body.find("metadata-location");
  if (location != body.end() && location->is_string()) entry.metadata_location = *location;
  entry.metadata = body["metadata"];
  return entry;
}

Result<nlohmann::json> CreateTableRequest(const TableIdentifier& id,
                                          const nlohmann::json& metadata) {
  std::string what = "the new metadata of " + id.ToString();
  if (!metadata.is_object()) return InvalidArgument(what + " is not a JSON object");
  // Copies: FindById returns a pointer into its argument.
  const json schemas = metadata.value("schemas", json::array());
  const json specs = metadata.value("partition-specs", json::array());
  const json orders = metadata.value("sort-orders", json::array());
  const json* schema = FindById(schemas, "schema-id", metadata.value("current-schema-id", json(0)));
  if (schema == nullptr) return InvalidArgument(what + " has no current schema");
  json request = {{"name", id.name}, {"schema", *schema}, {"stage-create", false}};
  if (const json* spec = FindById(specs, "spec-id", metadata.value("default-spec-id", json(0)))) {
    request["partition-spec"] = *spec;
  }
  if (const json* order =
          FindById(orders, "order-id", metadata.value("default-sort-order-id", json(0)))) {
    request["write-order"] = *order;
  }
  if (std::string location = metadata.value("location", ""); !location.empty()) {
    request["location"] = location;
  }
  json properties = metadata.value("properties", json::object());
  properties["format-version"] = std::to_string(metadata.value("format-version", 2));
  request["properties"] = properties;
  return request;
}

nlohmann::json CommitTableRequest(const TableCommit& commit) {
  json levels = json::array();
  auto split = NamespaceLevels(commit.id.ns);
  if (split) {
    for (const auto& level : *split) levels.push_back(level);
  } else {
    levels.push_back(commit.id.ns);
  }
  return {{"identifier", {{"namespace", levels}, {"name", commit.id.name}}},
          {"requirements", commit.requirements},
          {"updates", commit.updates}};
}

Result<std::string> ParseTokenResponse(const nlohmann::json& body) {
  if (!body.is_object() || !body.contains("access_token") || !body["access_token"].is_string()) {
    return Corrupt("the OAuth2 token answer has no access_token");
  }
  return body["access_token"].get<std::string>();
}

std::string TokenRequestBody(std::string_view client_id, std::string_view client_secret,
                             std::string_view scope) {
  return "grant_type=client_credentials&client_id=" + PercentEncode(client_id) +
         "&client_secret=" + PercentEncode(client_secret) + "&scope=" + PercentEncode(scope);
}

Error HttpError(long status, std::string_view body, RequestKind kind, std::string_view doing) {
  std::string message = "the REST catalog answered HTTP " + std::to_string(status) + " to " +
                        std::string(doing) + ": " + ServerMessage(body);
  ErrorCode code = ErrorCode::kIoError;
  if (status == 404) {
    code = ErrorCode::kNotFound;
  } else if (status == 409) {
    code = kind == RequestKind::kCommit ? ErrorCode::kConflict : ErrorCode::kAlreadyExists;
  } else if (status >= 500) {
    code = kind == RequestKind::kCommit ? ErrorCode::kCommitStateUnknown : ErrorCode::kUnavailable;
  } else if (status == 401 || status == 403) {
    message += " (check CLICKSTREAM_CATALOG_CREDENTIAL or CLICKSTREAM_CATALOG_TOKEN)";
  }
  return Error{code, std::move(message)};
}

}  // namespace clickstream::catalog::rest
