#include "io/location.h"

#include <array>
#include <optional>

namespace clickstream::io {

namespace {

constexpr std::array<std::string_view, 3> kS3Schemes = {"s3://", "s3a://", "s3n://"};

// The location without its S3 scheme, or nothing when it has none.
std::optional<std::string_view> StripS3Scheme(std::string_view location) {
  for (std::string_view scheme : kS3Schemes) {
    if (location.starts_with(scheme)) return location.substr(scheme.size());
  }
  return std::nullopt;
}

}  // namespace

Result<Storage> StorageOf(std::string_view location) {
  if (StripS3Scheme(location)) return Storage::kS3;
  CS_RETURN_IF_ERROR(LocalPath(location));
  return Storage::kLocal;
}

Result<std::filesystem::path> LocalPath(std::string_view location) {
  std::string_view path = location;
  if (path.starts_with("file://")) {
    path.remove_prefix(7);  // file:///abs -> /abs (an empty authority)
  } else if (path.starts_with("file:")) {
    path.remove_prefix(5);  // file:/abs -> /abs
  }
  if (!path.starts_with('/')) {
    return InvalidArgument("location '" + std::string(location) +
                           "' is not a local absolute path, a file: URI or an s3:// URI");
  }
  return std::filesystem::path(path);
}

Result<std::string> S3Path(std::string_view location) {
  std::optional<std::string_view> path = StripS3Scheme(location);
  if (!path) return InvalidArgument("location '" + std::string(location) + "' is not on S3");
  while (path->ends_with('/')) path->remove_suffix(1);
  if (path->empty() || path->starts_with('/')) {
    return InvalidArgument("S3 location '" + std::string(location) + "' names no bucket");
  }
  return std::string(*path);
}

std::string JoinLocation(std::string_view location, std::string_view suffix) {
  while (location.ends_with('/')) location.remove_suffix(1);
  while (suffix.starts_with('/')) suffix.remove_prefix(1);
  std::string out(location);
  out += '/';
  out += suffix;
  return out;
}

}  // namespace clickstream::io
