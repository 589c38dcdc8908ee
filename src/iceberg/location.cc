#include "iceberg/location.h"

namespace clickstream::iceberg {

Result<std::filesystem::path> LocalPath(std::string_view location) {
  std::string_view path = location;
  if (path.starts_with("file://")) {
    path.remove_prefix(7);  // file:///abs -> /abs (an empty authority)
  } else if (path.starts_with("file:")) {
    path.remove_prefix(5);  // file:/abs -> /abs
  }
  if (!path.starts_with('/')) {
    return InvalidArgument("location '" + std::string(location) +
                           "' is not a local absolute path or file: URI");
  }
  return std::filesystem::path(path);
}

std::string JoinLocation(std::string_view location, std::string_view suffix) {
  while (location.ends_with('/')) location.remove_suffix(1);
  while (suffix.starts_with('/')) suffix.remove_prefix(1);
  std::string out(location);
  out += '/';
  out += suffix;
  return out;
}

}  // namespace clickstream::iceberg
