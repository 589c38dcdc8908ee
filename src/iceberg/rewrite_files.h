#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/result.h"
#include "iceberg/data_file.h"
#include "iceberg/manifest.h"
#include "iceberg/snapshot_producer.h"

namespace clickstream::iceberg {

// Data files replaced by new files holding the same rows: one unit of a rewrite that commits or
// is dropped as a whole.
struct RewriteGroup {
  std::vector<std::string> inputs;  // paths of live data files to remove
  std::vector<DataFile> outputs;    // new files (not yet in any snapshot) to add
};

// Java's RewriteFiles for data files only: one `replace` snapshot in which every input is a
// DELETED entry (its data and file sequence numbers kept, the new snapshot's id) and every output
// an ADDED entry inheriting the new snapshot's sequence number (no delete file can apply to them,
// see below). Each attempt re-validates against the table as re-read: a group whose inputs are
// no longer all live (a concurrent rewrite or delete), or whose partition gained delete files, is
// dropped, and its outputs are deleted once the commit ends; if every group is dropped the
// operation fails with kConflict. Concurrent appends are kept. Abort deletes every output.
class RewriteFiles final : public SnapshotProducer {
 public:
  explicit RewriteFiles(std::vector<RewriteGroup> groups);
  std::string_view name() const override { return "rewrite-data-files"; }
  void OnCommitted(const TableMetadata& committed) override;
  void Abort() override;

  // After the commit: groups committed / dropped by validation (indices into the constructor's).
  const std::vector<std::size_t>& committed_groups() const { return committed_; }
  const std::set<std::size_t>& dropped_groups() const { return dropped_; }

 protected:
  Result<SnapshotPlan> Plan(const TableMetadata& base, const SnapshotContext& context,
                            CommitAttempt& attempt) override;

 private:
  struct LiveFile;
  Result<const std::vector<ManifestEntry>*> Entries(const ManifestFile& manifest);
  Result<std::vector<ManifestFile>> WriteAdded(const TableMetadata& base,
                                               const SnapshotContext& context,
                                               CommitAttempt& attempt);
  // Keeps the groups whose inputs are all live in `manifests` (and whose partitions have no
  // delete files) in committed_, drops the others for good; where each live input sits.
  Result<std::unordered_map<std::string, LiveFile>> KeepValidGroups(
      const std::vector<ManifestFile>& manifests);
  // `manifests` with the `removing` files DELETED: the unaffected manifests as they are, the
  // affected ones rewritten per spec into one manifest of DELETED and one of EXISTING entries.
  Result<std::vector<ManifestFile>> WriteFiltered(
      const TableMetadata& base, const SnapshotContext& context, CommitAttempt& attempt,
      const std::vector<ManifestFile>& manifests, const std::unordered_set<std::string>& removing,
      const std::unordered_map<std::string, LiveFile>& live);

  std::vector<RewriteGroup> groups_;
  std::set<std::size_t> dropped_;
  std::vector<std::size_t> committed_;
  // Manifests are immutable: entries read once serve every attempt.
  std::map<std::string, std::vector<ManifestEntry>> manifest_cache_;
};

}  // namespace clickstream::iceberg
