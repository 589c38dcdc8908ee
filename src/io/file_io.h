#pragma once

// Files by location, wherever the table lives: a local directory or an S3 bucket (see
// io/location.h). Every reader and writer of table files (metadata, manifest lists, manifests,
// Parquet data files) goes through these functions, so a table on S3 works like a local one.
//
// S3 is reached through Arrow's S3 filesystem (libarrow_s3 from the pyarrow wheel) configured once
// per process from the standard AWS variables: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN (or the SDK's default chain: profile, instance role), AWS_REGION or
// AWS_DEFAULT_REGION, and AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL for an S3-compatible server
// (addressed path-style, http or https as the URL says).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "io/file_calls.h"
#include "io/location.h"

namespace arrow::io {
class OutputStream;
class RandomAccessFile;
}  // namespace arrow::io

namespace clickstream::io {

// Reads a whole file.
Result<std::string> ReadFile(std::string_view location);

// Writes `bytes` to a new file, never leaving a partial one for readers: locally through a private
// temporary file linked into place (kAlreadyExists if the name is taken), on S3 by a single PUT.
Status WriteNewFile(std::string_view location, std::string_view bytes);
// The local write through `calls` (tests inject faults); the descriptor is closed on every path and
// an error names the call that failed first with its errno.
Status WriteNewLocalFile(const std::filesystem::path& path, std::string_view bytes,
                         const FileCalls& calls);

// A file to read at random offsets (Parquet footers, then column chunks).
Result<std::shared_ptr<arrow::io::RandomAccessFile>> OpenInputFile(std::string_view location);

// A stream writing a new file (Parquet data files); local parent directories are created. On S3 the
// object appears only when the stream is closed.
Result<std::shared_ptr<arrow::io::OutputStream>> OpenOutputFile(std::string_view location);

// Deletes a file; kNotFound when there is none.
Status DeleteFile(std::string_view location);
// Deletes a file if it can, ignoring every error (cleanup of files nothing references).
void DeleteQuietly(std::string_view location);

// The size of a file in bytes.
Result<int64_t> FileSize(std::string_view location);

struct FileInfo {
  std::string location;  // in the same form as the listed directory's location
  int64_t size = 0;
  int64_t modified_ms = 0;  // milliseconds since the epoch
};

// Every file under `directory`, recursively (on S3: every object under the prefix "directory/").
// Empty when the directory does not exist.
Result<std::vector<FileInfo>> ListFiles(std::string_view directory);

}  // namespace clickstream::io
