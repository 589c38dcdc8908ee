#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "iceberg/manifest.h"
#include "iceberg/snapshot_producer.h"

namespace clickstream::iceberg {

// Java's commit.manifest.target-size-bytes default.
inline constexpr int64_t kDefaultManifestTargetSizeBytes = 8LL << 20;

// Java's RewriteManifests as Spark's rewrite_manifests runs it: every data manifest of the current
// snapshot is replaced by manifests clustered by partition (entries sorted by spec, partition and
// path, cut at about `target_manifest_bytes`), each live entry kept as EXISTING with its snapshot
// id and sequence numbers; DELETED entries are dropped and delete manifests kept as they are. One
// `replace` snapshot with the data unchanged; its summary counts manifests-created, -kept,
// -replaced and entries-processed as Java writes them.
class RewriteManifests final : public SnapshotProducer {
 public:
  explicit RewriteManifests(int64_t target_manifest_bytes = kDefaultManifestTargetSizeBytes)
      : target_manifest_bytes_(target_manifest_bytes) {}
  std::string_view name() const override { return "rewrite-manifests"; }

  // Of the last planned attempt (the committed one once Commit returned).
  int64_t manifests_created() const { return created_; }
  int64_t manifests_replaced() const { return replaced_; }
  int64_t entries_processed() const { return entries_; }

 protected:
  Result<SnapshotPlan> Plan(const TableMetadata& base, const SnapshotContext& context,
                            CommitAttempt& attempt) override;

 private:
  int64_t target_manifest_bytes_;
  int64_t created_ = 0;
  int64_t replaced_ = 0;
  int64_t entries_ = 0;
  std::map<std::string, std::vector<ManifestEntry>> manifest_cache_;
};

// Live entries of data manifests cut into runs for clustered manifests: sorted by spec id,
// partition and path, each run of one spec and at most `entries_per_manifest` entries. Exposed
// for tests.
std::vector<std::vector<ManifestEntry>> ClusterEntries(std::vector<ManifestEntry> entries,
                                                       int64_t entries_per_manifest);

}  // namespace clickstream::iceberg
