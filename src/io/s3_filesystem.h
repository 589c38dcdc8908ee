#pragma once

#include <memory>

#include "common/result.h"

namespace arrow::fs {
class FileSystem;
}  // namespace arrow::fs

namespace clickstream::io {

// Arrow's S3 filesystem for this process, configured from the AWS variables (see io/file_io.h) at
// its first use and shared after: the environment does not change while a process runs, and one
// client keeps its connections warm. kInvalidArgument when the variables cannot be used.
Result<std::shared_ptr<arrow::fs::FileSystem>> S3FileSystem();

// Shuts Arrow's S3 client down if it runs (Arrow requires it before exit); S3FileSystem() registers
// it with atexit when it starts the client.
void ShutDownS3();

}  // namespace clickstream::io
