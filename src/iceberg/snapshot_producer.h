#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "iceberg/data_file.h"
#include "iceberg/manifest.h"
#include "iceberg/table_metadata.h"
#include "iceberg/table_operation.h"

namespace clickstream::iceberg {

// Identity of the snapshot an attempt builds.
struct SnapshotContext {
  int64_t snapshot_id = 0;
  int64_t sequence_number = 0;  // base.last_sequence_number + 1
  std::string commit_uuid;      // the same for every attempt of one operation
  int attempt = 0;
};

// What a new snapshot is made of, as one SnapshotProducer attempt plans it.
struct SnapshotPlan {
  std::string operation;                // "append", "replace", "overwrite", "delete"
  std::vector<ManifestFile> manifests;  // the new snapshot's complete manifest list
  int64_t added_files = 0;              // data files added / deleted, their rows and bytes:
  int64_t added_records = 0;            // the summary's added-*, deleted-* and, from the
  int64_t added_size = 0;               // parent's totals, total-* (spec, "Snapshot Summary")
  int64_t deleted_files = 0;
  int64_t deleted_records = 0;
  int64_t deleted_size = 0;
  int64_t changed_partitions = 0;
  std::map<std::string, std::string> summary;         // further summary keys of the operation
  std::map<std::string, std::string> set_properties;  // committed in the same metadata update
};

// Checks, against the table as freshly re-read before each attempt, that an operation may still
// commit; an error aborts it and is returned as is (DESIGN.md "Delivery guarantee").
using CommitCondition = std::function<Status(const TableMetadata& current)>;

// A TableOperation that commits one new snapshot on the main branch: subclasses plan its
// manifests, this class writes the manifest list, the summary with correct totals, and the
// requirements (table uuid, main at the parent) and updates (add-snapshot, set-snapshot-ref,
// set-properties) that make it one atomic commit.
class SnapshotProducer : public TableOperation {
 public:
  SnapshotProducer();
  Result<TableChange> Apply(const TableMetadata& base, std::string_view base_location,
                            CommitAttempt& attempt) final;
  bool Landed(const TableMetadata& current) const override {
    return current.FindSnapshot(snapshot_id_) != nullptr;
  }
  // The snapshot the last successful Apply built.
  const Snapshot& snapshot() const { return snapshot_; }

 protected:
  // The new snapshot's manifests on `base`. Files written for this attempt only go into
  // `attempt.files`; files written once for all attempts are the subclass's to delete in Abort.
  virtual Result<SnapshotPlan> Plan(const TableMetadata& base, const SnapshotContext& context,
                                    CommitAttempt& attempt) = 0;
  // "<table>/metadata/<commit uuid>-<suffix>.avro": a new manifest of this operation.
  std::string ManifestLocation(const TableMetadata& base, std::string_view suffix) const;
  const std::string& commit_uuid() const { return commit_uuid_; }

 private:
  int64_t snapshot_id_;
  std::string commit_uuid_;
  Snapshot snapshot_;
};

// Options of FastAppend (Table::Append passes them through).
struct AppendOptions {
  // Summary keys of the caller (may not be standard keys the table writes itself).
  std::map<std::string, std::string> summary;
  // Table properties committed in the same metadata update (the Kafka offsets, DESIGN.md).
  std::map<std::string, std::string> set_properties;
  CommitCondition condition;  // optional
  CommitOptions commit;
  // When the current snapshot lists this many data manifests smaller than
  // manifest_merge_max_bytes, they are merged into one (entries kept as EXISTING), so readers
  // open few manifests however many appends came before (Java's commit.manifest.min-count-to-merge
  // and commit.manifest.target-size-bytes). Unset: the table's commit.manifest.min-count-to-merge
  // (default 100), no merging when its commit.manifest-merge.enabled is false.
  std::optional<int> manifest_merge_min_count;
  int64_t manifest_merge_max_bytes = 8 << 20;
};

// Java's fast append: one new manifest for `files` (written once, reused by every attempt; its
// entries inherit the snapshot's sequence number) plus the parent's manifests, small ones merged.
class FastAppend final : public SnapshotProducer {
 public:
  FastAppend(std::span<const DataFile> files, AppendOptions options);
  std::string_view name() const override { return "append"; }
  void Abort() override;

 protected:
  Result<SnapshotPlan> Plan(const TableMetadata& base, const SnapshotContext& context,
                            CommitAttempt& attempt) override;

 private:
  std::vector<DataFile> files_;
  AppendOptions options_;
  std::optional<ManifestFile> manifest_;  // written on the first attempt
  int spec_id_ = -1;
};

// The standard summary keys (spec, "Snapshot Summary") a caller may not set.
bool IsStandardSummaryKey(std::string_view key);

// The timestamp-ms of a snapshot committed on `base` when this writer's clock reads `now_ms`:
// its own clock, unless a snapshot of the table is as new or newer (another writer's clock runs
// ahead), then 1 ms after the newest. Timestamps so strictly increase in commit order: time travel
// (--as-of) stays unambiguous, a far-ahead clock does not freeze later snapshots at its time, and
// the snapshot log never goes back, which Java, iceberg-rust and iceberg-go reject beyond a minute
// ("Expected sorted snapshot log entries"); Java itself takes its clock and fails there.
int64_t NextSnapshotTimestamp(const TableMetadata& base, int64_t now_ms);

}  // namespace clickstream::iceberg
