#include "analysis/s3_access.h"

#include <cstdlib>

#include "analysis/duckdb_session.h"

namespace clickstream::analysis {

namespace {

// The first '...'-quoted part of a DuckDB message (the URL of an HTTP error), or "".
std::string_view QuotedPart(std::string_view message) {
  const std::size_t open = message.find('\'');
  if (open == std::string_view::npos) return {};
  const std::size_t close = message.find('\'', open + 1);
  if (close == std::string_view::npos) return {};
  return message.substr(open + 1, close - open - 1);
}

// "(HTTP 403 Forbidden)" of a DuckDB HTTP error, or "".
std::string_view HttpStatusPart(std::string_view message) {
  const std::size_t open = message.rfind("(HTTP ");
  if (open == std::string_view::npos) return {};
  const std::size_t close = message.find(')', open);
  if (close == std::string_view::npos) return {};
  return message.substr(open, close - open + 1);
}

std::string EndpointName(const S3Access& access) {
  if (access.endpoint.empty()) return "AWS";
  return (access.use_ssl ? "https://" : "http://") + access.endpoint;
}

bool IsConnectionFailure(std::string_view message) {
  for (std::string_view sign : {"Could not connect", "Could not establish connection",
                                "Could not resolve", "Connection refused", "timed out"}) {
    if (message.contains(sign)) return true;
  }
  return false;
}

}  // namespace

std::string S3SecretSql(const S3Access& access) {
  std::string sql = "CREATE OR REPLACE SECRET clickstream_s3 (TYPE s3, PROVIDER config";
  auto add = [&sql](std::string_view key, const std::string& value) {
    if (!value.empty()) sql += ", " + std::string(key) + " " + QuoteSqlString(value);
  };
  add("KEY_ID", access.key_id);
  add("SECRET", access.secret);
  add("SESSION_TOKEN", access.session_token);
  add("REGION", access.region);
  add("ENDPOINT", access.endpoint);
  if (access.path_style) sql += ", URL_STYLE 'path'";
  sql += access.use_ssl ? ", USE_SSL true)" : ", USE_SSL false)";
  return sql;
}

Error ExplainS3Error(Error error, const S3Access& access) {
  if (error.code != ErrorCode::kIoError) return error;
  const std::string_view message = error.message;
  const std::string url(QuotedPart(message));
  const std::string status(HttpStatusPart(message));
  if (status.starts_with("(HTTP 403")) {
    error.message =
        "S3 refused to read " + url + " " + status + ": " +
        (access.key_id.empty() ? "no credentials are set; set AWS_ACCESS_KEY_ID and "
                                 "AWS_SECRET_ACCESS_KEY"
                               : "check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and "
                                 "AWS_SESSION_TOKEN for temporary credentials)");
  } else if (status.starts_with("(HTTP 404")) {
    error.message =
        "S3 has no object " + url + " " + status + ": the bucket or the table's files are missing";
  } else if (IsConnectionFailure(message)) {
    error.message = "cannot reach S3 at " + EndpointName(access) + " to read " + url +
                    ": check AWS_ENDPOINT_URL and that the S3 server is running";
  }
  return error;
}

}  // namespace clickstream::analysis
