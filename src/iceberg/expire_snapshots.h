#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "iceberg/table.h"
#include "iceberg/table_metadata.h"
#include "iceberg/table_operation.h"

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
  int64_t bytes = 0;   // the size of what was deleted
};

// Deletes the files; files already gone count as deleted, failures are counted, not fatal.
DeletedFiles DeleteExpiredFiles(const ExpiredFiles& files);

// The expiry as one commit (Table::Commit): re-plans on the table as re-read for every attempt
// and commits a remove-snapshots update (no new snapshot). When nothing is left to expire on a
// re-read table, Apply fails with kConflict and nothing_to_expire() is true.
class ExpireSnapshotsOperation final : public TableOperation {
 public:
  ExpireSnapshotsOperation(ExpireSnapshotsOptions options, int64_t now_ms)
      : options_(options), now_ms_(now_ms) {}
  std::string_view name() const override { return "expire-snapshots"; }
  Result<TableChange> Apply(const TableMetadata& base, std::string_view base_location,
                            CommitAttempt& attempt) override;
  // After an unknown commit outcome: every snapshot the last attempt removed is gone.
  bool Landed(const TableMetadata& current) const override;

  // The plan and the metadata it was made on, of the last Apply.
  const ExpiryPlan& plan() const { return plan_; }
  const TableMetadata& base() const { return base_; }
  bool nothing_to_expire() const { return plan_.expired.empty(); }

 private:
  ExpireSnapshotsOptions options_;
  int64_t now_ms_;
  ExpiryPlan plan_;
  TableMetadata base_;
};

struct ExpireSnapshotsResult {
  ExpiryPlan plan;
  DeletedFiles deleted;
  // Why files were not deleted after a successful commit (they stay as orphans), if so.
  std::optional<std::string> cleanup_error;
};

// `tables expire-snapshots`: commits the expiry (see PlanExpiry), then deletes the data files,
// manifests, manifest lists and statistics files only the expired snapshots reached. Old
// metadata files go as write.metadata.delete-after-commit.enabled says (Table::Commit).
Result<ExpireSnapshotsResult> ExpireSnapshots(Table& table, const ExpireSnapshotsOptions& options,
                                              int64_t now_ms);

}  // namespace clickstream::iceberg
