#include "catalog/rest_protocol.h"

#include <gtest/gtest.h>

namespace clickstream::catalog::rest {
namespace {

using json = nlohmann::json;

TEST(RestProtocolTest, ConfigMergesDefaultsClientAndOverridesInThatOrder) {
  json body = {{"defaults", {{"a", "server-default"}, {"b", "server-default"}}},
               {"overrides", {{"b", "server-override"}, {"prefix", "/wh1/"}}}};
  auto config = ParseConfigResponse(body, "http://h:1/", {{"a", "client"}, {"b", "client"}});
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->properties.at("a"), "client");
  EXPECT_EQ(config->properties.at("b"), "server-override");
  EXPECT_EQ(config->prefix, "wh1");
  EXPECT_EQ(config->base_uri, "http://h:1");
  EXPECT_EQ(config->namespace_separator, "%1F");
  EXPECT_EQ(ResourceUrl(*config, "namespaces"), "http://h:1/v1/wh1/namespaces");
}

TEST(RestProtocolTest, ConfigTakesTheServersUriAndNamespaceSeparator) {
  json body = {{"defaults", json::object()},
               {"overrides", {{"uri", "http://other:2/api/"}, {"namespace-separator", "%2E"}}}};
  auto config = ParseConfigResponse(body, "http://h:1", {});
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(config->base_uri, "http://other:2/api");
  auto url = TableUrl(*config, {"a.b", "t"});
  ASSERT_TRUE(url.has_value());
  EXPECT_EQ(*url, "http://other:2/api/v1/namespaces/a%2Eb/tables/t");
}

TEST(RestProtocolTest, NestedNamespaceUsesTheUnitSeparatorByDefault) {
  ServerConfig config;
  config.base_uri = "http://h";
  auto url = NamespaceUrl(config, "outer.inner");
  ASSERT_TRUE(url.has_value());
  EXPECT_EQ(*url, "http://h/v1/namespaces/outer%1Finner");
}

TEST(RestProtocolTest, NamesThatCouldEscapeAPathAreRejected) {
  ServerConfig config;
  config.base_uri = "http://h";
  EXPECT_FALSE(NamespaceUrl(config, "a/../b").has_value());
  EXPECT_FALSE(NamespaceUrl(config, "a..b").has_value());
  EXPECT_FALSE(TableUrl(config, {"website", "x/y"}).has_value());
  EXPECT_EQ(PercentEncode("a b/ü"), "a%20b%2F%C3%BC");
}

TEST(RestProtocolTest, ListsJoinNamespaceLevelsWithDots) {
  auto namespaces = ParseListNamespacesResponse(
      {{"namespaces", {{"website"}, {"outer", "inner"}}}, {"next-page-token", "p2"}});
  ASSERT_TRUE(namespaces.has_value());
  EXPECT_EQ(namespaces->namespaces, (std::vector<std::string>{"website", "outer.inner"}));
  EXPECT_EQ(namespaces->next_page_token, "p2");

  auto tables = ParseListTablesResponse(
      {{"identifiers", {{{"namespace", {"outer", "inner"}}, {"name", "t"}}}},
       {"next-page-token", nullptr}});
  ASSERT_TRUE(tables.has_value());
  ASSERT_EQ(tables->tables.size(), 1u);
  EXPECT_EQ(tables->tables[0].ToString(), "outer.inner.t");
  EXPECT_FALSE(tables->next_page_token.has_value());

  EXPECT_EQ(ParseListTablesResponse({{"identifiers", {{{"name", "t"}}}}}).error().code,
            ErrorCode::kCorrupt);
}

TEST(RestProtocolTest, LoadTableResultCarriesLocationAndMetadata) {
  json body = {{"metadata-location", "file:/w/t/metadata/00001-x.metadata.json"},
               {"metadata", {{"format-version", 2}, {"table-uuid", "u"}}},
               {"config", json::object()}};
  auto entry = ParseLoadTableResponse(body, {"website", "t"});
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->metadata_location, "file:/w/t/metadata/00001-x.metadata.json");
  ASSERT_TRUE(entry->metadata.has_value());
  EXPECT_EQ((*entry->metadata)["table-uuid"], "u");
  EXPECT_EQ(ParseLoadTableResponse({{"metadata-location", "x"}}, {"w", "t"}).error().code,
            ErrorCode::kCorrupt);
}

TEST(RestProtocolTest, CreateTableRequestTakesTheCurrentSchemaSpecAndOrder) {
  json metadata = {
      {"format-version", 2},
      {"location", "/w/website/clicks"},
      {"current-schema-id", 1},
      {"schemas",
       {{{"schema-id", 0}, {"type", "struct"}, {"fields", json::array()}},
        {{"schema-id", 1},
         {"type", "struct"},
         {"fields",
          json::array({{{"id", 1}, {"name", "page"}, {"required", false}, {"type", "string"}}})}}}},
      {"default-spec-id", 0},
      {"partition-specs", json::array({{{"spec-id", 0},
                                        {"fields", json::array({{{"source-id", 1},
                                                                 {"field-id", 1000},
                                                                 {"name", "page"},
                                                                 {"transform", "identity"}}})}}})},
      {"default-sort-order-id", 0},
      {"sort-orders", json::array({{{"order-id", 0}, {"fields", json::array()}}})},
      {"properties", {{"write.parquet.compression-codec", "zstd"}}}};
  auto request = CreateTableRequest({"website", "clicks"}, metadata);
  ASSERT_TRUE(request.has_value()) << request.error().message;
  EXPECT_EQ((*request)["name"], "clicks");
  EXPECT_EQ((*request)["location"], "/w/website/clicks");
  EXPECT_EQ((*request)["schema"]["schema-id"], 1);
  EXPECT_EQ((*request)["partition-spec"]["fields"][0]["transform"], "identity");
  EXPECT_EQ((*request)["write-order"]["order-id"], 0);
  EXPECT_EQ((*request)["properties"]["format-version"], "2");
  EXPECT_EQ((*request)["properties"]["write.parquet.compression-codec"], "zstd");
  EXPECT_EQ((*request)["stage-create"], false);

  metadata["current-schema-id"] = 7;
  EXPECT_EQ(CreateTableRequest({"website", "clicks"}, metadata).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(CreateTableRequest({"website", "clicks"}, json(3)).error().code,
            ErrorCode::kInvalidArgument);
}

TEST(RestProtocolTest, CommitRequestNamesTheTableByLevels) {
  TableCommit commit;
  commit.id = {"outer.inner", "t"};
  commit.requirements = json::array({{{"type", "assert-table-uuid"}, {"uuid", "u"}}});
  commit.updates = json::array({{{"action", "set-properties"}, {"updates", {{"k", "v"}}}}});
  json request = CommitTableRequest(commit);
  EXPECT_EQ(request["identifier"]["namespace"], json({"outer", "inner"}));
  EXPECT_EQ(request["identifier"]["name"], "t");
  EXPECT_EQ(request["requirements"][0]["type"], "assert-table-uuid");
  EXPECT_EQ(request["updates"][0]["action"], "set-properties");
}

TEST(RestProtocolTest, TokenRequestAndResponse) {
  EXPECT_EQ(TokenRequestBody("id 1", "s&cret", "catalog"),
            "grant_type=client_credentials&client_id=id%201&client_secret=s%26cret&scope=catalog");
  EXPECT_EQ(ParseTokenResponse({{"access_token", "tok"}, {"token_type", "bearer"}}).value(), "tok");
  EXPECT_EQ(ParseTokenResponse({{"token_type", "bearer"}}).error().code, ErrorCode::kCorrupt);
}

TEST(RestProtocolTest, HttpStatusesMapToWhatTheCommitPathBranchesOn) {
  std::string body = R"({"error": {"message": "Requirement failed: branch main has changed",
                         "type": "CommitFailedException", "code": 409}})";
  Error conflict = HttpError(409, body, RequestKind::kCommit, "committing to website.clicks");
  EXPECT_EQ(conflict.code, ErrorCode::kConflict);
  EXPECT_EQ(conflict.message,
            "the REST catalog answered HTTP 409 to committing to website.clicks: "
            "CommitFailedException: Requirement failed: branch main has changed");
  EXPECT_EQ(HttpError(409, body, RequestKind::kCreate, "x").code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(HttpError(500, "", RequestKind::kCommit, "x").code, ErrorCode::kCommitStateUnknown);
  EXPECT_EQ(HttpError(504, "", RequestKind::kCommit, "x").code, ErrorCode::kCommitStateUnknown);
  EXPECT_EQ(HttpError(503, "", RequestKind::kRead, "x").code, ErrorCode::kUnavailable);
  EXPECT_EQ(HttpError(404, "", RequestKind::kCommit, "x").code, ErrorCode::kNotFound);
  Error denied = HttpError(401, "not json\nat all", RequestKind::kRead, "x");
  EXPECT_EQ(denied.code, ErrorCode::kIoError);
  EXPECT_EQ(denied.message.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace clickstream::catalog::rest
