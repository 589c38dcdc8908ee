#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "iceberg/table_metadata.h"

namespace clickstream::iceberg {

// Iceberg's table properties for snapshot expiry ("Table Properties") and their defaults.
inline constexpr std::string_view kMaxSnapshotAgeMs = "history.expire.max-snapshot-age-ms";
inline constexpr int64_t kDefaultMaxSnapshotAgeMs = 5LL * 24 * 60 * 60 * 1000;
inline constexpr std::string_view kMinSnapshotsToKeep = "history.expire.min-snapshots-to-keep";
inline constexpr int64_t kDefaultMinSnapshotsToKeep = 1;

struct ExpireSnapshotsOptions {
  // Snapshots committed before this instant may expire; default: now minus the table's
  // history.expire.max-snapshot-age-ms.
  std::optional<int64_t> older_than_ms;
  // Ancestors of each branch head kept whatever their age; default: the table's
  // history.expire.min-snapshots-to-keep.
  std::optional<int64_t> retain_last;
};

// Which snapshots an expiry removes, decided on one version of the metadata.
struct ExpiryPlan {
  std::vector<int64_t> expired;  // oldest first
  // Old enough to expire, but the newest snapshot carrying another engine's streaming progress
  // (Flink's flink.max-committed-checkpoint-id per flink.job-id/flink.operator-id, Spark
  // Structured Streaming's spark.sql.streaming.queryId/epochId per query): those engines read it
  // on restart to skip what they already committed, so it is kept.
  std::vector<int64_t> kept_for_engines;
};

// Iceberg's expiry rules (Java's RemoveSnapshots): a snapshot stays when a ref (branch or tag)
// points at it, when it is among the newest `retain_last` ancestors of a branch head (or the
// branch's own min-snapshots-to-keep), when it is an ancestor of a branch head committed at or
// after the cutoff (the branch's own max-snapshot-age-ms overrides the default), when it belongs
// to no branch and was committed at or after the cutoff, or when it carries another engine's
// latest progress (see ExpiryPlan). Every other snapshot expires. The current snapshot never does.
ExpiryPlan PlanExpiry(const TableMetadata& metadata, const ExpireSnapshotsOptions& options,
                      int64_t now_ms);

// Files only the expired snapshots reached, as normalized local paths: what an expiry deletes
// once its commit succeeded.
struct ExpiredFiles {
  std::set<std::string> manifest_lists;
  std::set<std::string> manifests;
  std::set<std::string> content_files;  // data and delete files
  std::set<std::string> statistics_files;
};

// The files the snapshots `expired` of `before` reach and no other snapshot of `before` reaches
// (live entries of the retained snapshots' manifests keep a content file). Any unreadable manifest
// list or manifest is an error: nothing must be deleted on a partial view.
Result<ExpiredFiles> FilesOnlyReachedBy(const TableMetadata& before,
                                        std::span<const int64_t> expired);

struct DeletedFiles {
  int64_t manifest_lists = 0;
  int64_t manifests = 0;
  int64_t content_files = 0;
  int64_t statistics_files = 0;
  int64_t failed = 0;  // could not be deleted (remove-orphan-files picks them up later)
};

// Deletes the files; files already gone count as deleted, failures are counted, not fatal.
DeletedFiles DeleteExpiredFiles(const ExpiredFiles& files);

}  // namespace clickstream::iceberg
