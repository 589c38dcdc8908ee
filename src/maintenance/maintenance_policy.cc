#include "maintenance/maintenance_policy.h"

#include <charconv>
#include <cstdint>

#include "iceberg/table_update.h"

namespace clickstream::maintenance {

using iceberg::PropertyAsBool;
using iceberg::PropertyAsLong;

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  static constexpr std::pair<std::string_view, int64_t> kUnits[] = {
      {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}, {"", 1000}};
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  std::string_view unit(end, text.data() + text.size() - end);
  if (ec == std::errc() && end != text.data() && value >= 0) {
    for (const auto& [name, millis] : kUnits) {
      if (unit == name && value <= INT64_MAX / millis) {
        return std::chrono::milliseconds(value * millis);
      }
    }
  }
  return InvalidArgument("'" + std::string(text) +
                         "' is not a duration (use e.g. 500ms, 90s, 10m, 1h or 5d)");
}

MaintenancePolicy PolicyFromProperties(const iceberg::TableMetadata& metadata) {
  MaintenancePolicy policy;
  policy.enabled = PropertyAsBool(metadata, kMaintenanceEnabled, policy.enabled);
  policy.rewrite_min_new_files =
      PropertyAsLong(metadata, kRewriteMinNewFiles, policy.rewrite_min_new_files);
  policy.rewrite_size_ratio =
      PropertyAsLong(metadata, kRewriteSizeRatio, policy.rewrite_size_ratio);
  policy.rewrite_floor_bytes =
      PropertyAsLong(metadata, kRewriteFloorBytes, policy.rewrite_floor_bytes);
  policy.max_manifests = PropertyAsLong(metadata, kMaxManifests, policy.max_manifests);
  policy.expire_interval = std::chrono::milliseconds(
      PropertyAsLong(metadata, kExpireIntervalMs, policy.expire_interval.count()));
  policy.orphan_interval = std::chrono::milliseconds(
      PropertyAsLong(metadata, kOrphanIntervalMs, policy.orphan_interval.count()));
  return policy;
}

std::map<std::string, std::string> StreamingTableProperties() {
  return {
      {"history.expire.max-snapshot-age-ms", "60000"},
      {"history.expire.min-snapshots-to-keep", "10"},
      {"write.metadata.delete-after-commit.enabled", "true"},
      {"write.metadata.previous-versions-max", "20"},
  };
}

}  // namespace clickstream::maintenance
