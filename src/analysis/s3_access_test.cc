#include "analysis/s3_access.h"

#include <gtest/gtest.h>

#include <map>

#include "io/testing_variables.h"

namespace clickstream::analysis {
namespace {

using io::testing::Variables;

TEST(S3Access, LocalHttpEndpointMeansPathStyleWithoutTls) {
  auto access = S3AccessFromVariables(Variables({{"AWS_ENDPOINT_URL", "http://127.0.0.1:9000/"},
                                                 {"AWS_ACCESS_KEY_ID", "id"},
                                                 {"AWS_SECRET_ACCESS_KEY", "secret"},
                                                 {"AWS_REGION", "eu-west-1"}}));
  ASSERT_TRUE(access.has_value()) << access.error().message;
  EXPECT_EQ(access->endpoint, "127.0.0.1:9000");
  EXPECT_FALSE(access->use_ssl);
  EXPECT_TRUE(access->path_style);
  EXPECT_EQ(access->region, "eu-west-1");
  EXPECT_EQ(S3SecretSql(*access),
            "CREATE OR REPLACE SECRET clickstream_s3 (TYPE s3, PROVIDER config, KEY_ID 'id', "
            "SECRET 'secret', REGION 'eu-west-1', ENDPOINT '127.0.0.1:9000', URL_STYLE 'path', "
            "USE_SSL false)");
}

TEST(S3Access, NoEndpointIsAwsWithVirtualHostsAndTls) {
  auto access = S3AccessFromVariables(Variables({{"AWS_DEFAULT_REGION", "us-west-2"},
                                                 {"AWS_ACCESS_KEY_ID", "id"},
                                                 {"AWS_SECRET_ACCESS_KEY", "secret"},
                                                 {"AWS_SESSION_TOKEN", "token"}}));
  ASSERT_TRUE(access.has_value()) << access.error().message;
  EXPECT_EQ(access->endpoint, "");
  EXPECT_TRUE(access->use_ssl);
  EXPECT_FALSE(access->path_style);
  EXPECT_EQ(access->region, "us-west-2");  // AWS_DEFAULT_REGION when AWS_REGION is unset
  EXPECT_EQ(S3SecretSql(*access),
            "CREATE OR REPLACE SECRET clickstream_s3 (TYPE s3, PROVIDER config, KEY_ID 'id', "
            "SECRET 'secret', SESSION_TOKEN 'token', REGION 'us-west-2', USE_SSL true)");
}

TEST(S3Access, SecretValuesAreQuoted) {
  S3Access access;
  access.key_id = "id";
  access.secret = "it's'); DROP TABLE x; --";
  EXPECT_NE(S3SecretSql(access).find("SECRET 'it''s''); DROP TABLE x; --'"), std::string::npos);
}

TEST(S3Access, ForbiddenNamesTheCredentialVariables) {
  S3Access access;
  access.key_id = "id";
  Error error{ErrorCode::kIoError,
              "HTTP GET error reading 'http://127.0.0.1:9000/b/t.json' in region 'us-east-1' "
              "(HTTP 403 Forbidden)"};
  EXPECT_EQ(ExplainS3Error(error, access).message,
            "S3 refused to read http://127.0.0.1:9000/b/t.json (HTTP 403 Forbidden): check "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary "
            "credentials)");
  access.key_id.clear();
  EXPECT_NE(ExplainS3Error(error, access).message.find("no credentials are set"),
            std::string::npos);
}

TEST(S3Access, UnreachableServerNamesTheEndpoint) {
  S3Access access;
  access.endpoint = "127.0.0.1:9";
  access.use_ssl = false;
  Error error{ErrorCode::kIoError,
              "Could not connect to server error for HTTP HEAD to 'http://127.0.0.1:9/b/t.json'"};
  EXPECT_EQ(ExplainS3Error(error, access).message,
            "cannot reach S3 at http://127.0.0.1:9 to read http://127.0.0.1:9/b/t.json: check "
            "AWS_ENDPOINT_URL and that the S3 server is running");
}

TEST(S3Access, OtherErrorsAreUnchanged) {
  Error error{ErrorCode::kInvalidArgument, "Table with name x does not exist!"};
  EXPECT_EQ(ExplainS3Error(error, S3Access{}).message, error.message);
}

}  // namespace
}  // namespace clickstream::analysis
