#include "io/s3_filesystem.h"

#include <arrow/filesystem/s3fs.h>

#include <cstdlib>

#include "io/arrow_error.h"
#include "io/s3_settings.h"

namespace clickstream::io {

namespace {

Result<std::shared_ptr<arrow::fs::FileSystem>> MakeS3FileSystem() {
  CS_ASSIGN_OR_RETURN(S3Access access, S3AccessFromEnvironment());
  if (!arrow::fs::IsS3Initialized()) {
    arrow::Status initialised = arrow::fs::InitializeS3(arrow::fs::S3GlobalOptions::Defaults());
    if (!initialised.ok()) return std::unexpected(FromArrow(initialised, "starting the S3 client"));
  }
  arrow::fs::S3Options options = arrow::fs::S3Options::Defaults();  // the SDK's default chain
  if (!access.key_id.empty()) {
    options.ConfigureAccessKey(access.key_id, access.secret, access.session_token);
  }
  // Without a region the SDK asks the EC2 metadata service, which hangs off EC2.
  options.region = access.region.empty() ? "us-east-1" : access.region;
  // An endpoint override makes Arrow address buckets path-style (http://host:port/bucket/key), as
  // local S3-compatible servers expect.
  options.endpoint_override = access.endpoint;
  options.scheme = access.use_ssl ? "https" : "http";
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
