#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/result.h"
#include "iceberg/table_metadata.h"

namespace clickstream::maintenance {

// Table properties that decide when a table is maintained (DESIGN.md "Table maintenance"). The
// Iceberg ones keep their meaning; the clickstream.maintenance.* ones are the project's own.
inline constexpr std::string_view kMaintenanceEnabled = "clickstream.maintenance.enabled";
// Rewrite data files once this many data files were appended since the last rewrite.
inline constexpr std::string_view kRewriteMinNewFiles =
    "clickstream.maintenance.rewrite-min-new-files";
// The size ratio of those rewrites (CompactionPlanOptions::size_ratio): a partition's file is
// merged with its smaller files once they add up to 1/ratio of its size; 0 rewrites every small
// file of a partition at once (Spark's bin-pack).
inline constexpr std::string_view kRewriteSizeRatio = "clickstream.maintenance.rewrite-size-ratio";
// Files below this size are merged whatever the ratio (CompactionPlanOptions::floor_bytes).
inline constexpr std::string_view kRewriteFloorBytes =
    "clickstream.maintenance.rewrite-floor-bytes";
// Rewrite manifests once the current snapshot lists more manifests than this.
inline constexpr std::string_view kMaxManifests = "clickstream.maintenance.max-manifests";
// Expire snapshots at most this often (when any snapshot is due).
inline constexpr std::string_view kExpireIntervalMs = "clickstream.maintenance.expire-interval-ms";
// Look for orphan files at most this often.
inline constexpr std::string_view kOrphanIntervalMs = "clickstream.maintenance.orphan-interval-ms";

// The thresholds of one table, from its properties.
struct MaintenancePolicy {
  bool enabled = true;
  int64_t rewrite_min_new_files = 50;
  int64_t rewrite_size_ratio = 4;
  int64_t rewrite_floor_bytes = 0;
  int64_t max_manifests = 20;
  std::chrono::milliseconds expire_interval{10'000};
  std::chrono::milliseconds orphan_interval{std::chrono::hours(1)};
};

MaintenancePolicy PolicyFromProperties(const iceberg::TableMetadata& metadata);

// A duration such as "500ms", "90s", "10m", "1h" or "5d" (a bare number is seconds);
// kInvalidArgument otherwise.
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);

// Properties the project gives the tables it creates: a stream commits every second or two, so
// snapshots are kept for minutes and old metadata files in the tens, deleted after each commit
// (values chosen by bench/soak_bench.py, see bench/RESULTS.md). Iceberg's defaults (5 days,
// metadata kept forever) suit hourly batch jobs.
std::map<std::string, std::string> StreamingTableProperties();

}  // namespace clickstream::maintenance
