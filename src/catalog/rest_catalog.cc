#include "catalog/rest_catalog.h"

#include <algorithm>

#include "catalog/http_client.h"
#include "catalog/rest_protocol.h"

namespace clickstream::catalog {
namespace {

using json = nlohmann::json;
using rest::RequestKind;

class RestCatalog final : public Catalog {
 public:
  RestCatalog(std::string uri, RestCatalogOptions options, HttpClient http)
      : uri_(std::move(uri)), options_(std::move(options)), http_(std::move(http)) {
    token_ = options_.token;
  }

  // Authenticates when asked to, then reads the server's configuration.
  Status Connect() {
    if (token_.empty() && !options_.credential.empty()) CS_RETURN_IF_ERROR(FetchToken());
    std::string url = uri_ + "/v1/config";
    std::map<std::string, std::string> client;
    if (!options_.warehouse.empty()) {
      url += "?warehouse=" + rest::PercentEncode(options_.warehouse);
      client["warehouse"] = options_.warehouse;
    }
    CS_ASSIGN_OR_RETURN(json body, Call("GET", url, "", RequestKind::kRead, "GET /v1/config"));
    CS_ASSIGN_OR_RETURN(config_, rest::ParseConfigResponse(body, uri_, client));
    return Ok();
  }

  const std::string& name() const override { return options_.catalog_name; }
  bool ClientWritesMetadata() const override { return false; }

  Status CreateNamespace(std::string_view ns,
                         const std::map<std::string, std::string>& properties) override {
    CS_ASSIGN_OR_RETURN(auto levels, rest::NamespaceLevels(ns));
    json request = {{"namespace", levels}, {"properties", json(properties)}};
    if (properties.empty()) request["properties"] = json::object();
    auto created = Call("POST", rest::ResourceUrl(config_, "namespaces"), request.dump(),
                        RequestKind::kCreate, "creating namespace " + std::string(ns));
    if (!created) return std::unexpected(created.error());
    return Ok();
  }

  Result<bool> NamespaceExists(std::string_view ns) override {
    CS_ASSIGN_OR_RETURN(std::string url, rest::NamespaceUrl(config_, ns));
    auto found = Call("HEAD", url, "", RequestKind::kRead, "checking namespace " + std::string(ns));
    if (found) return true;
    if (found.error().code == ErrorCode::kNotFound) return false;
    return std::unexpected(found.error());
  }

  Result<std::vector<std::string>> ListNamespaces() override {
    std::vector<std::string> all;
    CS_RETURN_IF_ERROR(ListNamespacesUnder("", all));
    std::sort(all.begin(), all.end());
    return all;
  }

  Status CreateTable(const TableIdentifier& id, std::string_view metadata_location) override {
    (void)metadata_location;
    return InvalidArgument("the REST catalog writes metadata itself; cannot register " +
                           id.ToString() + " from a metadata file");
  }

  Result<std::vector<TableIdentifier>> ListTables(std::string_view ns) override {
    CS_ASSIGN_OR_RETURN(std::string url, rest::NamespaceUrl(config_, ns));
    std::vector<TableIdentifier> tables;
    std::optional<std::string> token;
    do {
      std::string page_url = url + "/tables";
      if (token) page_url += "?pageToken=" + rest::PercentEncode(*token);
      CS_ASSIGN_OR_RETURN(json body, Call("GET", page_url, "", RequestKind::kRead,
                                          "listing the tables of " + std::string(ns)));
      CS_ASSIGN_OR_RETURN(auto page, rest::ParseListTablesResponse(body));
      tables.insert(tables.end(), page.tables.begin(), page.tables.end());
      token = page.next_page_token;
    } while (token);
    std::sort(tables.begin(), tables.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    return tables;
  }

  Result<TableEntry> LoadTable(const TableIdentifier& id) override {
    CS_ASSIGN_OR_RETURN(std::string url, rest::TableUrl(config_, id));
    CS_ASSIGN_OR_RETURN(json body,
                        Call("GET", url, "", RequestKind::kRead, "loading " + id.ToString()));
    return rest::ParseLoadTableResponse(body, id);
  }

  Status DropTable(const TableIdentifier& id) override {
    CS_ASSIGN_OR_RETURN(std::string url, rest::TableUrl(config_, id));
    auto dropped = Call("DELETE", url, "", RequestKind::kDrop, "dropping " + id.ToString());
    if (!dropped) return std::unexpected(dropped.error());
    return Ok();
  }

  Result<TableEntry> CommitTable(const TableCommit& commit) override {
    CS_ASSIGN_OR_RETURN(std::string url, rest::TableUrl(config_, commit.id));
    CS_ASSIGN_OR_RETURN(
        json body, Call("POST", url, rest::CommitTableRequest(commit).dump(), RequestKind::kCommit,
                        "committing to " + commit.id.ToString()));
    return rest::ParseLoadTableResponse(body, commit.id);
  }

  Result<TableEntry> CreateTableFromMetadata(const TableIdentifier& id,
                                             const nlohmann::json& metadata) override {
    CS_ASSIGN_OR_RETURN(json request, rest::CreateTableRequest(id, metadata));
    CS_ASSIGN_OR_RETURN(std::string ns_url, rest::NamespaceUrl(config_, id.ns));
    CS_ASSIGN_OR_RETURN(json body, Call("POST", ns_url + "/tables", request.dump(),
                                        RequestKind::kCreate, "creating " + id.ToString()));
    return rest::ParseLoadTableResponse(body, id);
  }

 private:
  Status ListNamespacesUnder(const std::string& parent, std::vector<std::string>& out) {
    std::string base = rest::ResourceUrl(config_, "namespaces");
    std::string parent_query;
    if (!parent.empty()) {
      CS_ASSIGN_OR_RETURN(auto levels, rest::NamespaceLevels(parent));
      parent_query = "parent=" + rest::EncodeNamespace(levels, config_.namespace_separator);
    }
    std::optional<std::string> token;
    std::vector<std::string> children;
    do {
      std::string url = base;
      std::string query = parent_query;
      if (token) query += (query.empty() ? "" : "&") + ("pageToken=" + rest::PercentEncode(*token));
      if (!query.empty()) url += "?" + query;
      CS_ASSIGN_OR_RETURN(json body,
                          Call("GET", url, "", RequestKind::kRead, "listing namespaces"));
      CS_ASSIGN_OR_RETURN(auto page, rest::ParseListNamespacesResponse(body));
      children.insert(children.end(), page.namespaces.begin(), page.namespaces.end());
      token = page.next_page_token;
    } while (token);
    for (const auto& child : children) {
      // Servers answer with full names; skip one that does not sit under `parent` (no loops).
      if (!parent.empty() && !child.starts_with(parent + ".")) continue;
      if (!rest::NamespaceLevels(child)) continue;  // a level this project cannot name
      out.push_back(child);
      CS_RETURN_IF_ERROR(ListNamespacesUnder(child, out));
    }
    return Ok();
  }

  Status FetchToken() {
    auto colon = options_.credential.find(':');
    std::string id = colon == std::string::npos ? "" : options_.credential.substr(0, colon);
    std::string secret =
        colon == std::string::npos ? options_.credential : options_.credential.substr(colon + 1);
    std::string url =
        options_.oauth2_server_uri.empty() ? uri_ + "/v1/oauth/tokens" : options_.oauth2_server_uri;
    auto sent = http_.Send("POST", url, {"Content-Type: application/x-www-form-urlencoded"},
                           rest::TokenRequestBody(id, secret, options_.scope));
    if (!sent)
      return Unavailable("the OAuth2 server " + url + " did not answer: " + sent.error().message);
    if (sent->status / 100 != 2) {
      return std::unexpected(
          rest::HttpError(sent->status, sent->body, RequestKind::kRead, "an OAuth2 token request"));
    }
    json body = json::parse(sent->body, nullptr, false);
    CS_ASSIGN_OR_RETURN(token_, rest::ParseTokenResponse(body));
    return Ok();
  }

  // Sends one request; a 2xx answer's JSON body (null when empty), else the mapped error. A 401
  // with client credentials fetches a new token and tries once more.
  Result<json> Call(std::string_view method, const std::string& url, const std::string& body,
                    RequestKind kind, const std::string& doing) {
    for (int attempt = 0;; ++attempt) {
      std::vector<std::string> headers = {"Accept: application/json",
                                          "Content-Type: application/json"};
      if (!token_.empty()) headers.push_back("Authorization: Bearer " + token_);
      auto sent = http_.Send(method, url, headers, body, kind != RequestKind::kCommit);
      if (!sent) return TransportError(sent.error(), kind, doing);
      if (sent->status == 401 && attempt == 0 && !options_.credential.empty()) {
        CS_RETURN_IF_ERROR(FetchToken());
        continue;
      }
      if (sent->status / 100 != 2) {
        return std::unexpected(rest::HttpError(sent->status, sent->body, kind, doing));
      }
      if (sent->body.empty()) return json();
      json parsed = json::parse(sent->body, nullptr, /*allow_exceptions=*/false);
      if (parsed.is_discarded()) {
        return Corrupt("the REST catalog's answer to " + doing + " is not JSON");
      }
      return parsed;
    }
  }

  std::unexpected<Error> TransportError(const HttpTransportError& error, RequestKind kind,
                                        const std::string& doing) {
    std::string message =
        "the REST catalog at " + uri_ + " did not answer " + doing + ": " + error.message;
    if (kind == RequestKind::kCommit && error.failure == TransportFailure::kNoAnswer) {
      return MakeError(ErrorCode::kCommitStateUnknown, message + " (the commit may have landed)");
    }
    return Unavailable(message);
  }

  std::string uri_;
  RestCatalogOptions options_;
  HttpClient http_;
  std::string token_;
  rest::ServerConfig config_;
};

}  // namespace

Result<std::unique_ptr<Catalog>> OpenRestCatalog(const std::string& uri,
                                                 const RestCatalogOptions& options) {
  if (!uri.starts_with("http://") && !uri.starts_with("https://")) {
    return InvalidArgument("a REST catalog URI starts with http:// or https://, not '" + uri + "'");
  }
  std::string base = uri;
  while (base.ends_with('/')) base.pop_back();
  HttpClient::Options http_options{options.connect_timeout, options.request_timeout};
  CS_ASSIGN_OR_RETURN(HttpClient http, HttpClient::Open(http_options));
  auto catalog = std::make_unique<RestCatalog>(base, options, std::move(http));
  CS_RETURN_IF_ERROR(catalog->Connect());
  return std::unique_ptr<Catalog>(std::move(catalog));
}

}  // namespace clickstream::catalog
