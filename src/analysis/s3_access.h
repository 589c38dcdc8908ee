#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "io/s3_settings.h"

namespace clickstream::analysis {

using io::IsS3Location;
using io::S3Access;
using io::S3AccessFromEnvironment;
using io::S3AccessFromVariables;
using io::VariableLookup;

// The DuckDB statement that makes `access` the session's S3 secret (every value quoted).
std::string S3SecretSql(const S3Access& access);

// `error` (DuckDB's one-line explanation of a failed S3 read) rewritten as one sentence that says
// what to check: the credential variables for HTTP 403, AWS_ENDPOINT_URL for a server that did not
// answer. Other errors are returned unchanged.
Error ExplainS3Error(Error error, const S3Access& access);

}  // namespace clickstream::analysis
