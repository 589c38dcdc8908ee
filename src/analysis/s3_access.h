#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace clickstream::analysis {

// How DuckDB's httpfs extension reaches S3, taken from the standard AWS variables (DESIGN.md,
// "Command-line contract"), as pyiceberg, Arrow and the AWS SDKs read them.
struct S3Access {
  std::string endpoint;       // host[:port] of AWS_ENDPOINT_URL; empty: AWS itself
  bool use_ssl = true;        // false for an http:// endpoint (local S3 servers)
  bool path_style = false;    // true with AWS_ENDPOINT_URL: local servers have no virtual hosts
  std::string region;         // AWS_REGION, else AWS_DEFAULT_REGION; empty: DuckDB's us-east-1
  std::string key_id;         // AWS_ACCESS_KEY_ID; empty: unsigned (anonymous) requests
  std::string secret;         // AWS_SECRET_ACCESS_KEY
  std::string session_token;  // AWS_SESSION_TOKEN (temporary credentials)
};

// Returns a variable's value, or an empty string when it is unset.
using VariableLookup = std::function<std::string(const char* name)>;

// The S3 settings the variables describe. kUnavailable (S3 cannot be used as configured: a
// run-time failure, not a usage error) when AWS_ENDPOINT_URL is not an http(s):// URL or only one
// of AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY is set.
Result<S3Access> S3AccessFromVariables(const VariableLookup& lookup);
// S3AccessFromVariables on the process environment.
Result<S3Access> S3AccessFromEnvironment();

// True for the object-store URIs httpfs reads (s3://, s3a://, s3n://).
bool IsS3Location(std::string_view location);

// The DuckDB statement that makes `access` the session's S3 secret (every value quoted).
std::string S3SecretSql(const S3Access& access);

// `error` (DuckDB's one-line explanation of a failed S3 read) rewritten as one sentence that says
// what to check: the credential variables for HTTP 403, AWS_ENDPOINT_URL for a server that did not
// answer. Other errors are returned unchanged.
Error ExplainS3Error(Error error, const S3Access& access);

}  // namespace clickstream::analysis
