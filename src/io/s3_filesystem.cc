#include "io/s3_filesystem.h"

#include <arrow/filesystem/s3fs.h>

#include <cstdlib>
#include <string>
#include <string_view>

#include "io/arrow_error.h"

namespace clickstream::io {

namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::string(value) : std::string();
}

std::string FirstSet(const char* first, const char* second) {
  std::string value = Env(first);
  return value.empty() ? Env(second) : value;
}

// AWS_ENDPOINT_URL[_S3] ("http://127.0.0.1:9000") as Arrow's scheme and endpoint override.
Status ApplyEndpoint(const std::string& url, arrow::fs::S3Options& options) {
  std::string_view rest = url;
  if (rest.starts_with("http://")) {
    options.scheme = "http";
    rest.remove_prefix(7);
  } else if (rest.starts_with("https://")) {
    options.scheme = "https";
    rest.remove_prefix(8);
  } else {
    return InvalidArgument("AWS_ENDPOINT_URL '" + url +
                           "' must start with http:// or https:// (e.g. http://127.0.0.1:9000)");
  }
  while (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.empty() || rest.find('/') != std::string_view::npos) {
    return InvalidArgument("AWS_ENDPOINT_URL '" + url + "' must be a scheme, host and port only");
  }
  // An endpoint override makes Arrow address buckets path-style (http://host:port/bucket/key), as
  // local S3-compatible servers expect.
  options.endpoint_override = std::string(rest);
  return Ok();
}

Result<std::shared_ptr<arrow::fs::FileSystem>> MakeS3FileSystem() {
  if (!arrow::fs::IsS3Initialized()) {
    arrow::Status initialised = arrow::fs::InitializeS3(arrow::fs::S3GlobalOptions::Defaults());
    if (!initialised.ok()) return std::unexpected(FromArrow(initialised, "starting the S3 client"));
  }
  arrow::fs::S3Options options = arrow::fs::S3Options::Defaults();
  std::string key = Env("AWS_ACCESS_KEY_ID");
  std::string secret = Env("AWS_SECRET_ACCESS_KEY");
  if (!key.empty() || !secret.empty()) {
    if (key.empty() || secret.empty()) {
      return InvalidArgument(
          "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together (or neither, for the "
          "AWS SDK's default credentials: profile or instance role)");
    }
    options.ConfigureAccessKey(key, secret, Env("AWS_SESSION_TOKEN"));
  }
  // Without a region the SDK asks the EC2 metadata service, which hangs off EC2.
  options.region = FirstSet("AWS_REGION", "AWS_DEFAULT_REGION");
  if (options.region.empty()) options.region = "us-east-1";
  std::string endpoint = FirstSet("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL");
  if (!endpoint.empty()) CS_RETURN_IF_ERROR(ApplyEndpoint(endpoint, options));
  options.connect_timeout = 5;
  options.allow_bucket_creation = false;
  // A file smaller than a part (most data files of a commit, every manifest) goes up in one PUT
  // at close instead of a multipart upload's three requests (bench/RESULTS.md, "lakehouse").
  options.allow_delayed_open = true;
  auto fs = arrow::fs::S3FileSystem::Make(options);
  // Arrow requires FinalizeS3 before exit. Registered after Make (whose own statics must outlive
  // it) and before S3FileSystem()'s static is complete (which must be destroyed first): exit
  // handlers run in reverse order of registration.
  std::atexit(ShutDownS3);
  if (!fs.ok()) return std::unexpected(FromArrow(fs.status(), "configuring the S3 client"));
  return std::shared_ptr<arrow::fs::FileSystem>(*fs);
}

}  // namespace

Result<std::shared_ptr<arrow::fs::FileSystem>> S3FileSystem() {
  // Built once, on first use: thread-safe static initialisation, read-only after.
  static const Result<std::shared_ptr<arrow::fs::FileSystem>> filesystem = MakeS3FileSystem();
  return filesystem;
}

void ShutDownS3() {
  if (arrow::fs::IsS3Initialized() && !arrow::fs::IsS3Finalized()) {
    (void)arrow::fs::FinalizeS3();
  }
}

}  // namespace clickstream::io
