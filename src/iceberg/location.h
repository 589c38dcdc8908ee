#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/result.h"

namespace clickstream::iceberg {

// The local filesystem path of a table or file location as Iceberg metadata records it: a plain
// absolute path ("/w/t/data/x.parquet") or a file URI ("file:/w/...", "file:///w/..."). Other
// schemes (s3://, hdfs://) and relative paths are InvalidArgument.
Result<std::filesystem::path> LocalPath(std::string_view location);

// `location` joined with a relative `suffix` by exactly one '/'.
std::string JoinLocation(std::string_view location, std::string_view suffix);

}  // namespace clickstream::iceberg
