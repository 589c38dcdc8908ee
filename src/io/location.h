#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/result.h"

namespace clickstream::io {

// Where a table or file location lives, by its scheme as Iceberg metadata records it.
enum class Storage {
  kLocal,  // a plain absolute path ("/w/t/data/x.parquet") or a file URI ("file:/w/...")
  kS3,     // s3://bucket/key (also s3a:// and s3n://, as Hadoop-based engines write them)
};

// The storage of `location`; InvalidArgument for other schemes (hdfs://, gs://) and relative paths.
Result<Storage> StorageOf(std::string_view location);

// The local filesystem path of a local location; InvalidArgument for any other.
Result<std::filesystem::path> LocalPath(std::string_view location);

// "bucket/key" of an S3 location (the path Arrow's S3 filesystem takes); InvalidArgument for any
// other location or one without a bucket.
Result<std::string> S3Path(std::string_view location);

// `location` joined with a relative `suffix` by exactly one '/'.
std::string JoinLocation(std::string_view location, std::string_view suffix);

}  // namespace clickstream::io
