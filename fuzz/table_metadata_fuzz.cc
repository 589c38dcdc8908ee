// libFuzzer target: any bytes given to the table metadata reader (metadata files are JSON anyone
// with write access to the warehouse, or a REST catalog, hands us) return a value or an error,
// never a crash or a hang; what parses serializes and parses again to the same metadata.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "iceberg/table_metadata.h"

namespace {

using clickstream::iceberg::ParseTableMetadata;
using clickstream::iceberg::SerializeTableMetadata;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto metadata = ParseTableMetadata(text);
  if (!metadata.has_value()) return 0;
  (void)metadata->CurrentSchema();
  (void)metadata->DefaultSpec();
  (void)metadata->CurrentSnapshot();
  std::string written = SerializeTableMetadata(*metadata);
  auto again = ParseTableMetadata(written);
  // What this project writes, it must read back unchanged.
  if (!again.has_value() || SerializeTableMetadata(*again) != written) std::abort();
  return 0;
}
