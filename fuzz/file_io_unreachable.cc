// The fuzz targets parse bytes in memory (table metadata JSON, manifests, Avro); the sources they
// compile also hold the functions that read and write those files by location (io/file_io.h),
// which need Arrow's filesystems, not built with clang here. They are never called by a fuzz
// target; if one ever is, it fails loudly instead of touching the disk or S3.
#include <cstdlib>
#include <cstdio>

#include "io/file_io.h"

namespace clickstream::io {

namespace {
[[noreturn]] void Unreachable(const char* what) {
  std::fprintf(stderr, "fuzz target called io::%s, which the fuzz build does not provide\n", what);
  std::abort();
}
}  // namespace

Result<std::string> ReadFile(std::string_view) { Unreachable("ReadFile"); }
Status WriteNewFile(std::string_view, std::string_view) { Unreachable("WriteNewFile"); }

}  // namespace clickstream::io
