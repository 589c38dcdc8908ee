#include "io/s3_settings.h"

#include <gtest/gtest.h>

#include <map>

#include "io/testing_variables.h"

namespace clickstream::io {
namespace {

using testing::Variables;

TEST(S3Settings, TheS3SpecificEndpointWins) {
  auto access = S3AccessFromVariables(Variables(
      {{"AWS_ENDPOINT_URL", "http://other:1"}, {"AWS_ENDPOINT_URL_S3", "https://s3.local:9000"}}));
  ASSERT_TRUE(access.has_value()) << access.error().message;
  EXPECT_EQ(access->endpoint, "s3.local:9000");
  EXPECT_TRUE(access->use_ssl);
  EXPECT_TRUE(access->path_style);
}

TEST(S3Settings, HalfOfTheCredentialsIsAnError) {
  auto access = S3AccessFromVariables(Variables({{"AWS_ACCESS_KEY_ID", "id"}}));
  ASSERT_FALSE(access.has_value());
  EXPECT_EQ(access.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(access.error().message,
            "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: S3 needs both (or "
            "neither, for public buckets)");
}

TEST(S3Settings, EndpointMustBeAnHttpUrl) {
  auto access = S3AccessFromVariables(Variables({{"AWS_ENDPOINT_URL", "127.0.0.1:9000"}}));
  ASSERT_FALSE(access.has_value());
  EXPECT_NE(access.error().message.find("AWS_ENDPOINT_URL must be an http:// or https:// URL"),
            std::string::npos);
}

TEST(S3Settings, RecognisesObjectStoreLocations) {
  EXPECT_TRUE(IsS3Location("s3://bucket/warehouse/t/metadata/v1.metadata.json"));
  EXPECT_TRUE(IsS3Location("s3a://bucket/x"));
  EXPECT_FALSE(IsS3Location("/lakehouse/warehouse/t/metadata/v1.metadata.json"));
  EXPECT_FALSE(IsS3Location("file:///tmp/x"));
}

}  // namespace
}  // namespace clickstream::io
