#include "iceberg/rewrite_manifests.h"

#include <algorithm>

namespace clickstream::iceberg {

std::vector<std::vector<ManifestEntry>> ClusterEntries(std::vector<ManifestEntry> entries,
                                                       int64_t entries_per_manifest) {
  std::sort(entries.begin(), entries.end(), [](const ManifestEntry& a, const ManifestEntry& b) {
    const DataFile& x = a.data_file;
    const DataFile& y = b.data_file;
    if (x.spec_id != y.spec_id) return x.spec_id < y.spec_id;
    if (x.partition != y.partition) return x.partition < y.partition;
    return x.file_path < y.file_path;
  });
  const auto per_manifest = static_cast<std::size_t>(std::max<int64_t>(entries_per_manifest, 1));
  std::vector<std::vector<ManifestEntry>> runs;
  for (auto& e : entries) {
    if (runs.empty() || runs.back().size() >= per_manifest ||
        runs.back().front().data_file.spec_id != e.data_file.spec_id) {
      runs.emplace_back();
    }
    runs.back().push_back(std::move(e));
  }
  return runs;
}

Result<SnapshotPlan> RewriteManifests::Plan(const TableMetadata& base,
                                            const SnapshotContext& context,
                                            CommitAttempt& attempt) {
  const Snapshot* current = base.CurrentSnapshot();
  if (current == nullptr) return InvalidArgument("the table has no snapshot, so no manifests");
  CS_ASSIGN_OR_RETURN(auto manifests, ReadManifestList(current->manifest_list));
  CS_ASSIGN_OR_RETURN(auto schema, base.CurrentSchemaJson());

  SnapshotPlan plan;
  plan.operation = "replace";
  std::vector<ManifestEntry> live;
  int64_t replaced_bytes = 0;
  int64_t replaced_entries = 0;
  replaced_ = 0;
  for (const auto& m : manifests) {
    if (m.content != 0) {
      plan.manifests.push_back(m);
      continue;
    }
    auto it = manifest_cache_.find(m.manifest_path);
    if (it == manifest_cache_.end()) {
      CS_ASSIGN_OR_RETURN(auto entries, ReadManifest(m.manifest_path, &m));
      it = manifest_cache_.emplace(m.manifest_path, std::move(entries)).first;
    }
    ++replaced_;
    replaced_bytes += m.manifest_length;
    replaced_entries += static_cast<int64_t>(it->second.size());
    for (ManifestEntry e : it->second) {
      if (e.status == EntryStatus::kDeleted) continue;
      e.status = EntryStatus::kExisting;
      live.push_back(std::move(e));
    }
  }
  const int64_t kept = static_cast<int64_t>(plan.manifests.size());
  entries_ = static_cast<int64_t>(live.size());
  // Bytes an entry takes in the manifests being replaced (Avro, compressed) sizes the new ones.
  int64_t per_entry =
      replaced_entries > 0 ? std::max<int64_t>(replaced_bytes / replaced_entries, 1) : 1;
  auto runs =
      ClusterEntries(std::move(live), std::max<int64_t>(target_manifest_bytes_ / per_entry, 1));
  created_ = 0;
  for (const auto& run : runs) {
    int spec_id = run.front().data_file.spec_id;
    auto spec = std::find_if(base.partition_specs.begin(), base.partition_specs.end(),
                             [&](const PartitionSpec& s) { return s.spec_id == spec_id; });
    if (spec == base.partition_specs.end()) {
      return Corrupt("table metadata has no partition spec " + std::to_string(spec_id));
    }
    std::string location = ManifestLocation(
        base, "m" + std::to_string(context.attempt) + "-" + std::to_string(created_));
    attempt.files.push_back(location);
    CS_ASSIGN_OR_RETURN(
        auto written,
        WriteManifestEntries(location, ManifestContext{schema, *spec, base.format_version},
                             context.snapshot_id, context.sequence_number, run));
    plan.manifests.push_back(std::move(written));
    ++created_;
  }
  plan.summary = {{"manifests-created", std::to_string(created_)},
                  {"manifests-kept", std::to_string(kept)},
                  {"manifests-replaced", std::to_string(replaced_)},
                  {"entries-processed", std::to_string(entries_)}};
  return plan;
}

}  // namespace clickstream::iceberg
