#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace clickstream::io {

// How to reach S3, from the standard AWS variables (DESIGN.md, "Command-line contract"), as
// pyiceberg and the AWS SDKs read them: one reading for Arrow's S3 client (io/s3_filesystem.cc) and
// DuckDB's httpfs (analysis/s3_access.h).
struct S3Access {
  std::string endpoint;       // host[:port] of AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL; empty: AWS
  bool use_ssl = true;        // false for an http:// endpoint (local S3 servers)
  bool path_style = false;    // true with AWS_ENDPOINT_URL: local servers have no virtual hosts
  std::string region;         // AWS_REGION, else AWS_DEFAULT_REGION; empty: DuckDB's us-east-1
  std::string key_id;         // AWS_ACCESS_KEY_ID; empty: unsigned (anonymous) requests
  std::string secret;         // AWS_SECRET_ACCESS_KEY
  std::string session_token;  // AWS_SESSION_TOKEN (temporary credentials)
};

// Returns a variable's value, or an empty string when it is unset.
using VariableLookup = std::function<std::string(const char* name)>;

// The S3 settings the variables describe. kInvalidArgument (S3 cannot be used as configured: a
// run-time failure that no retry fixes, exit 1) when AWS_ENDPOINT_URL is not an http(s):// URL or
// only one of AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY is set.
Result<S3Access> S3AccessFromVariables(const VariableLookup& lookup);
// S3AccessFromVariables on the process environment.
Result<S3Access> S3AccessFromEnvironment();

// True for the object-store URIs httpfs reads (s3://, s3a://, s3n://).
bool IsS3Location(std::string_view location);

}  // namespace clickstream::io
