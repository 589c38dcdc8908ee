// libFuzzer target: any bytes given to the manifest and manifest list readers (Avro files anyone
// with write access to the warehouse can change) return entries or an error, never a crash, a
// hang or unbounded memory; entries read with inheritance keep the manifest's values.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "iceberg/manifest.h"

namespace {

using clickstream::iceberg::EntryStatus;
using clickstream::iceberg::ManifestFile;
using clickstream::iceberg::ParseManifest;
using clickstream::iceberg::ParseManifestList;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)ParseManifestList(bytes);
  ManifestFile manifest;
  manifest.added_snapshot_id = 7;
  manifest.sequence_number = 3;
  auto entries = ParseManifest(bytes, &manifest);
  if (!entries.has_value()) return 0;
  for (const auto& e : *entries) {
    if (e.status != EntryStatus::kExisting && e.status != EntryStatus::kAdded &&
        e.status != EntryStatus::kDeleted) {
      std::abort();  // the reader range-checks the status
    }
    if (!e.snapshot_id) std::abort();  // inherited from the manifest when absent
  }
  return 0;
}
