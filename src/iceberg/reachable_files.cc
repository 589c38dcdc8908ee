#include "iceberg/reachable_files.h"

#include <vector>

#include "iceberg/location.h"

namespace clickstream::iceberg {

namespace {

std::vector<int64_t> AllSnapshotIds(const TableMetadata& metadata) {
  std::vector<int64_t> ids;
  for (const auto& s : metadata.snapshots) ids.push_back(s.snapshot_id);
  return ids;
}

bool Selected(std::optional<std::span<const int64_t>> ids, int64_t id) {
  if (!ids) return true;
  for (int64_t selected : *ids) {
    if (selected == id) return true;
  }
  return false;
}

}  // namespace

std::string NormalizedPath(std::string_view location) {
  auto path = LocalPath(location);
  if (!path.has_value()) return std::string(location);
  return path->lexically_normal().string();
}

Result<std::map<std::string, ManifestFile>> ListManifests(const TableMetadata& metadata,
                                                          std::span<const int64_t> snapshot_ids) {
  std::map<std::string, ManifestFile> manifests;
  for (int64_t id : snapshot_ids) {
    const Snapshot* snapshot = metadata.FindSnapshot(id);
    if (snapshot == nullptr) continue;
    auto listed = ReadManifestList(snapshot->manifest_list);
    if (!listed.has_value()) {
      return std::unexpected(listed.error().WithContext("reading the manifest list of snapshot " +
                                                        std::to_string(id)));
    }
    for (auto& m : *listed) {
      std::string path = NormalizedPath(m.manifest_path);
      manifests.try_emplace(std::move(path), std::move(m));
    }
  }
  return manifests;
}

Status CollectContentFiles(const ManifestFile& manifest, std::set<std::string>* live,
                           std::set<std::string>* all) {
  auto entries = ReadManifest(manifest.manifest_path, &manifest);
  if (!entries.has_value()) {
    return std::unexpected(
        entries.error().WithContext("reading manifest " + manifest.manifest_path));
  }
  for (const auto& e : *entries) {
    std::string path = NormalizedPath(e.data_file.file_path);
    if (live != nullptr && e.status != EntryStatus::kDeleted) live->insert(path);
    if (all != nullptr) all->insert(std::move(path));
  }
  return Ok();
}

Result<ReachableFiles> FindReachableFiles(const TableMetadata& metadata,
                                          std::optional<std::span<const int64_t>> snapshot_ids) {
  std::vector<int64_t> ids;
  for (int64_t id : AllSnapshotIds(metadata)) {
    if (Selected(snapshot_ids, id)) ids.push_back(id);
  }
  ReachableFiles files;
  for (int64_t id : ids) {
    files.manifest_lists.insert(NormalizedPath(metadata.FindSnapshot(id)->manifest_list));
  }
  CS_ASSIGN_OR_RETURN(auto manifests, ListManifests(metadata, ids));
  for (const auto& [path, manifest] : manifests) {
    files.manifests.insert(path);
    CS_RETURN_IF_ERROR(
        CollectContentFiles(manifest, &files.live_content_files, &files.all_content_files));
  }
  return files;
}

std::set<std::string> StatisticsFiles(const TableMetadata& metadata,
                                      std::optional<std::span<const int64_t>> snapshot_ids) {
  std::set<std::string> files;
  for (const char* key : {"statistics", "partition-statistics"}) {
    auto it = metadata.extra.find(key);
    if (it == metadata.extra.end() || !it->is_array()) continue;
    for (const auto& entry : *it) {
      if (!entry.is_object() || !entry.contains("statistics-path")) continue;
      const auto& id = entry.value("snapshot-id", nlohmann::json());
      if (snapshot_ids && (!id.is_number_integer() || !Selected(snapshot_ids, id.get<int64_t>()))) {
        continue;
      }
      if (entry["statistics-path"].is_string()) {
        files.insert(NormalizedPath(entry["statistics-path"].get<std::string>()));
      }
    }
  }
  return files;
}

std::set<std::string> MetadataFiles(const TableMetadata& metadata,
                                    std::string_view metadata_location) {
  std::set<std::string> files{NormalizedPath(metadata_location)};
  for (const auto& e : metadata.metadata_log) files.insert(NormalizedPath(e.metadata_file));
  return files;
}

}  // namespace clickstream::iceberg
