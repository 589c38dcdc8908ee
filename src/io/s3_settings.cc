#include "io/s3_settings.h"

#include <cstdlib>

#include "io/location.h"

namespace clickstream::io {

Result<S3Access> S3AccessFromVariables(const VariableLookup& lookup) {
  S3Access access;
  std::string endpoint = lookup("AWS_ENDPOINT_URL_S3");
  if (endpoint.empty()) endpoint = lookup("AWS_ENDPOINT_URL");
  if (!endpoint.empty()) {
    std::string_view rest = endpoint;
    if (rest.starts_with("http://")) {
      access.use_ssl = false;
      rest.remove_prefix(7);
    } else if (rest.starts_with("https://")) {
      rest.remove_prefix(8);
    } else {
      return InvalidArgument("AWS_ENDPOINT_URL must be an http:// or https:// URL, not '" +
                             endpoint + "'");
    }
    while (rest.ends_with('/')) rest.remove_suffix(1);
    if (rest.empty()) return InvalidArgument("AWS_ENDPOINT_URL names no host: '" + endpoint + "'");
    access.endpoint = std::string(rest);
    access.path_style = true;
  }
  access.region = lookup("AWS_REGION");
  if (access.region.empty()) access.region = lookup("AWS_DEFAULT_REGION");
  access.key_id = lookup("AWS_ACCESS_KEY_ID");
  access.secret = lookup("AWS_SECRET_ACCESS_KEY");
  access.session_token = lookup("AWS_SESSION_TOKEN");
  if (access.key_id.empty() != access.secret.empty()) {
    return InvalidArgument(
        std::string(access.key_id.empty() ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID") +
        " is set but " + (access.key_id.empty() ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY") +
        " is not: S3 needs both (or neither, for public buckets)");
  }
  return access;
}

Result<S3Access> S3AccessFromEnvironment() {
  return S3AccessFromVariables([](const char* name) {
    const char* value = std::getenv(name);
    return std::string(value != nullptr ? value : "");
  });
}

bool IsS3Location(std::string_view location) {
  Result<Storage> storage = StorageOf(location);
  return storage.has_value() && *storage == Storage::kS3;
}

}  // namespace clickstream::io
