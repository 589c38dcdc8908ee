#include "iceberg/table.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <thread>

#include "iceberg/location.h"

namespace clickstream::iceberg {

namespace {

// Keys the table writes itself; callers may not set them.
constexpr std::string_view kStandardSummaryKeys[] = {
    "operation",
    "added-data-files",
    "added-records",
    "added-files-size",
    "changed-partition-count",
    "total-data-files",
    "total-records",
    "total-files-size",
    "total-delete-files",
    "total-position-deletes",
    "total-equality-deletes",
};

// Java's write.metadata.previous-versions-max default.
constexpr std::size_t kMaxMetadataLogEntries = 100;

int64_t SummaryLong(const std::map<std::string, std::string>& summary, const std::string& key,
                    int64_t fallback) {
  auto it = summary.find(key);
  if (it == summary.end()) return fallback;
  try {
    return std::stoll(it->second);
  } catch (const std::exception&) {
    return fallback;
  }
}

void RemoveQuietly(std::string_view location) {
  if (auto path = LocalPath(location); path.has_value()) {
    std::error_code ec;
    std::filesystem::remove(*path, ec);
  }
}

// Merges the small data manifests of `spec` into one manifest of EXISTING entries written at
// `location` for the new snapshot, when there are enough of them; otherwise returns them as is.
Result<std::vector<ManifestFile>> MergeSmallManifests(std::vector<ManifestFile> manifests,
                                                      const ManifestContext& context,
                                                      int64_t snapshot_id, int64_t sequence_number,
                                                      const AppendOptions& options,
                                                      const std::string& location, bool& wrote) {
  wrote = false;
  std::vector<ManifestFile> small;
  std::vector<ManifestFile> kept;
  for (auto& m : manifests) {
    bool mergeable = m.content == 0 && m.partition_spec_id == context.spec.spec_id &&
                     m.manifest_length < options.manifest_merge_max_bytes;
    (mergeable ? small : kept).push_back(std::move(m));
  }
  if (options.manifest_merge_min_count <= 0 ||
      static_cast<int>(small.size()) + 1 < options.manifest_merge_min_count) {
    small.insert(small.end(), std::make_move_iterator(kept.begin()),
                 std::make_move_iterator(kept.end()));
    return small;
  }
  std::vector<ManifestEntry> existing;
  for (const auto& m : small) {
    CS_ASSIGN_OR_RETURN(auto entries, ReadManifest(m.manifest_path, &m));
    for (auto& e : entries) {
      if (e.status == EntryStatus::kDeleted) continue;
      e.status = EntryStatus::kExisting;
      e.data_file.spec_id = context.spec.spec_id;
      existing.push_back(std::move(e));
    }
  }
  CS_ASSIGN_OR_RETURN(
      auto merged, WriteManifestEntries(location, context, snapshot_id, sequence_number, existing));
  wrote = true;
  kept.insert(kept.begin(), std::move(merged));
  return kept;
}

std::chrono::milliseconds Backoff(const AppendOptions& options, int attempt) {
  thread_local std::mt19937_64 engine{std::random_device{}() ^ static_cast<uint64_t>(getpid())
                                                                   << 32};
  int64_t cap = options.initial_backoff.count() << std::min(attempt, 20);
  cap = std::min<int64_t>(cap, options.max_backoff.count());
  std::uniform_int_distribution<int64_t> jitter(0, std::max<int64_t>(cap, 1));
  return std::chrono::milliseconds(jitter(engine));
}

// The standard summary of an append (spec, "Snapshot Summary"), from the parent's totals.
Result<std::map<std::string, std::string>> AppendSummary(
    const TableMetadata& base, std::span<const DataFile> files,
    std::span<const ManifestFile> previous_manifests, const SummaryProperties& extra) {
  int64_t added_records = 0;
  int64_t added_size = 0;
  std::vector<std::vector<Literal>> partitions;
  for (const auto& f : files) {
    added_records += f.record_count;
    added_size += f.file_size_in_bytes;
    partitions.push_back(f.partition);
  }
  std::sort(partitions.begin(), partitions.end());
  auto changed = std::unique(partitions.begin(), partitions.end()) - partitions.begin();

  std::map<std::string, std::string> parent;
  if (const Snapshot* s = base.CurrentSnapshot()) parent = s->summary;
  // Parents written without totals: count live data files and rows from the manifest list.
  int64_t listed_files = 0;
  int64_t listed_rows = 0;
  for (const auto& m : previous_manifests) {
    if (m.content != 0) continue;
    listed_files += m.added_files_count + m.existing_files_count;
    listed_rows += m.added_rows_count + m.existing_rows_count;
  }
  int64_t total_files = SummaryLong(parent, "total-data-files", listed_files);
  int64_t total_records = SummaryLong(parent, "total-records", listed_rows);
  int64_t total_size = SummaryLong(parent, "total-files-size", 0);

  std::map<std::string, std::string> summary = {
      {"operation", "append"},
      {"added-data-files", std::to_string(files.size())},
      {"added-records", std::to_string(added_records)},
      {"added-files-size", std::to_string(added_size)},
      {"changed-partition-count", std::to_string(changed)},
      {"total-data-files", std::to_string(total_files + static_cast<int64_t>(files.size()))},
      {"total-records", std::to_string(total_records + added_records)},
      {"total-files-size", std::to_string(total_size + added_size)},
      {"total-delete-files", std::to_string(SummaryLong(parent, "total-delete-files", 0))},
      {"total-position-deletes", std::to_string(SummaryLong(parent, "total-position-deletes", 0))},
      {"total-equality-deletes", std::to_string(SummaryLong(parent, "total-equality-deletes", 0))},
  };
  for (const auto& [key, value] : extra) {
    for (auto standard : kStandardSummaryKeys) {
      if (key == standard) {
        return InvalidArgument("snapshot summary key '" + key + "' is written by the table itself");
      }
    }
    summary[key] = value;
  }
  return summary;
}

}  // namespace

Result<std::string> TableLocation(const std::string& warehouse,
                                  const catalog::TableIdentifier& id) {
  CS_RETURN_IF_ERROR(catalog::ValidateName(id.ns, "namespace"));
  CS_RETURN_IF_ERROR(catalog::ValidateName(id.name, "table"));
  if (warehouse.empty()) return InvalidArgument("the warehouse directory is empty");
  std::error_code ec;
  std::filesystem::path root = std::filesystem::absolute(warehouse, ec).lexically_normal();
  if (ec) return IoError("cannot resolve the warehouse " + warehouse + ": " + ec.message());
  std::string text = root.string();
  while (text.size() > 1 && text.ends_with('/')) text.pop_back();
  return JoinLocation(JoinLocation(text, id.ns), id.name);
}

Result<Table> Table::Create(catalog::Catalog& catalog, const std::string& warehouse,
                            const catalog::TableIdentifier& id, const Schema& schema,
                            const PartitionSpec& spec,
                            std::map<std::string, std::string> properties) {
  CS_ASSIGN_OR_RETURN(std::string location, TableLocation(warehouse, id));
  for (const auto& field : spec.fields) {
    bool found = std::any_of(schema.fields.begin(), schema.fields.end(),
                             [&](const Field& f) { return f.id == field.source_id; });
    if (!found) {
      return InvalidArgument("partition field " + field.name + " has no source column " +
                             std::to_string(field.source_id));
    }
  }
  CS_ASSIGN_OR_RETURN(bool ns_exists, catalog.NamespaceExists(id.ns));
  if (!ns_exists) {
    auto created = catalog.CreateNamespace(id.ns);
    // Another process may have created it meanwhile; that is fine.
    if (!created.has_value() && created.error().code != ErrorCode::kAlreadyExists) {
      return std::unexpected(created.error());
    }
  }
  if (auto existing = catalog.LoadTable(id); existing.has_value()) {
    return AlreadyExists("table " + id.ToString() + " already exists");
  }
  TableMetadata metadata = NewTableMetadata(schema, spec, location, std::move(properties));
  std::string metadata_location = NextMetadataFileLocation(location, "");
  CS_RETURN_IF_ERROR(WriteNewFile(metadata_location, SerializeTableMetadata(metadata)));
  auto registered = catalog.CreateTable(id, metadata_location);
  if (!registered.has_value()) {
    RemoveQuietly(metadata_location);
    return std::unexpected(registered.error());
  }
  return Table(catalog, id, std::move(metadata_location), std::move(metadata));
}

Result<Table> Table::Load(catalog::Catalog& catalog, const catalog::TableIdentifier& id) {
  CS_ASSIGN_OR_RETURN(auto entry, catalog.LoadTable(id));
  CS_ASSIGN_OR_RETURN(auto metadata, ReadTableMetadata(entry.metadata_location));
  return Table(catalog, id, std::move(entry.metadata_location), std::move(metadata));
}

std::string Table::DataLocation() const { return JoinLocation(metadata_.location, "data"); }

Status Table::Refresh() {
  CS_ASSIGN_OR_RETURN(auto entry, catalog_->LoadTable(id_));
  if (entry.metadata_location == metadata_location_) return Ok();
  CS_ASSIGN_OR_RETURN(auto metadata, ReadTableMetadata(entry.metadata_location));
  metadata_location_ = std::move(entry.metadata_location);
  metadata_ = std::move(metadata);
  return Ok();
}

Result<Snapshot> Table::Append(std::span<const DataFile> files, const AppendOptions& options) {
  if (files.empty()) return InvalidArgument("an append needs at least one data file");
  CS_RETURN_IF_ERROR(Refresh());
  CS_ASSIGN_OR_RETURN(auto schema_json, metadata_.CurrentSchemaJson());
  CS_ASSIGN_OR_RETURN(auto spec, metadata_.DefaultSpec());
  if (options.condition) CS_RETURN_IF_ERROR(options.condition(metadata_));

  // The manifest does not depend on the parent (sequence numbers are inherited), so it is
  // written once and reused by every attempt, as Java's fast append does.
  int64_t snapshot_id = RandomSnapshotId();
  std::string commit_uuid = RandomUuid();
  std::string manifest_location =
      JoinLocation(metadata_.location, "metadata/" + commit_uuid + "-m0.avro");
  CS_ASSIGN_OR_RETURN(
      ManifestFile manifest,
      WriteManifest(manifest_location, ManifestContext{schema_json, spec}, snapshot_id, 0, files));

  Error last_error;
  for (int attempt = 0; attempt < std::max(options.max_attempts, 1); ++attempt) {
    if (attempt > 0) {
      std::this_thread::sleep_for(Backoff(options, attempt));
      auto refreshed = Refresh();
      if (!refreshed.has_value()) {
        RemoveQuietly(manifest_location);
        return std::unexpected(refreshed.error());
      }
      if (options.condition) {
        if (auto ok = options.condition(metadata_); !ok.has_value()) {
          RemoveQuietly(manifest_location);
          return std::unexpected(ok.error());
        }
      }
      auto current_spec = metadata_.DefaultSpec();
      if (!current_spec.has_value() || current_spec->spec_id != spec.spec_id) {
        RemoveQuietly(manifest_location);
        return Conflict("table " + id_.ToString() +
                        " changed its partition spec during the append; rewrite the files");
      }
    }
    if (metadata_.FindSnapshot(snapshot_id) != nullptr) {
      RemoveQuietly(manifest_location);
      return Internal("snapshot id collision; retry the append");
    }

    const Snapshot* parent = metadata_.CurrentSnapshot();
    std::vector<ManifestFile> manifests;
    if (parent != nullptr) {
      auto previous = ReadManifestList(parent->manifest_list);
      if (!previous.has_value()) {
        RemoveQuietly(manifest_location);
        return std::unexpected(previous.error());
      }
      manifests = std::move(*previous);
    }
    auto summary = AppendSummary(metadata_, files, manifests, options.summary);
    if (!summary.has_value()) {
      RemoveQuietly(manifest_location);
      return std::unexpected(summary.error());
    }

    int64_t sequence_number = metadata_.last_sequence_number + 1;
    std::string merged_location = JoinLocation(
        metadata_.location, "metadata/" + commit_uuid + "-m1-" + std::to_string(attempt) + ".avro");
    bool merged = false;
    auto merged_manifests =
        MergeSmallManifests(std::move(manifests), ManifestContext{schema_json, spec}, snapshot_id,
                            sequence_number, options, merged_location, merged);
    if (!merged_manifests.has_value()) {
      RemoveQuietly(manifest_location);
      return std::unexpected(merged_manifests.error());
    }
    manifests = std::move(*merged_manifests);
    auto remove_attempt_files = [&] {
      if (merged) RemoveQuietly(merged_location);
    };
    manifest.sequence_number = sequence_number;
    manifest.min_sequence_number = sequence_number;
    manifests.insert(manifests.begin(), manifest);
    std::string list_location =
        JoinLocation(metadata_.location, "metadata/snap-" + std::to_string(snapshot_id) + "-" +
                                             std::to_string(attempt) + "-" + commit_uuid + ".avro");
    std::optional<int64_t> parent_id;
    if (parent != nullptr) parent_id = parent->snapshot_id;
    if (auto written =
            WriteManifestList(list_location, snapshot_id, parent_id, sequence_number, manifests);
        !written.has_value()) {
      remove_attempt_files();
      RemoveQuietly(manifest_location);
      return std::unexpected(written.error());
    }

    Snapshot snapshot;
    snapshot.snapshot_id = snapshot_id;
    snapshot.parent_snapshot_id = parent_id;
    snapshot.sequence_number = sequence_number;
    snapshot.timestamp_ms = std::max(NowMillis(), metadata_.last_updated_ms);
    snapshot.manifest_list = list_location;
    snapshot.summary = std::move(*summary);
    snapshot.schema_id = metadata_.current_schema_id;

    TableMetadata next = metadata_;
    next.metadata_log.push_back({metadata_.last_updated_ms, metadata_location_});
    if (next.metadata_log.size() > kMaxMetadataLogEntries) {
      next.metadata_log.erase(next.metadata_log.begin(),
                              next.metadata_log.end() - kMaxMetadataLogEntries);
    }
    next.last_updated_ms = snapshot.timestamp_ms;
    next.last_sequence_number = sequence_number;
    next.snapshots.push_back(snapshot);
    next.current_snapshot_id = snapshot_id;
    next.snapshot_log.push_back({snapshot.timestamp_ms, snapshot_id});
    next.refs["main"] = {{"snapshot-id", snapshot_id}, {"type", "branch"}};

    std::string next_location = NextMetadataFileLocation(metadata_.location, metadata_location_);
    if (auto written = WriteNewFile(next_location, SerializeTableMetadata(next));
        !written.has_value()) {
      remove_attempt_files();
      RemoveQuietly(list_location);
      RemoveQuietly(manifest_location);
      return std::unexpected(written.error());
    }
    auto committed = catalog_->CommitTable(id_, metadata_location_, next_location);
    if (committed.has_value()) {
      metadata_location_ = std::move(next_location);
      metadata_ = std::move(next);
      return snapshot;
    }
    RemoveQuietly(next_location);
    RemoveQuietly(list_location);
    remove_attempt_files();
    if (committed.error().code != ErrorCode::kConflict) {
      RemoveQuietly(manifest_location);
      return std::unexpected(committed.error().WithContext("committing " + id_.ToString()));
    }
    last_error = committed.error();
  }
  RemoveQuietly(manifest_location);
  return Conflict("gave up appending to " + id_.ToString() + " after " +
                  std::to_string(options.max_attempts) +
                  " attempts lost to concurrent commits: " + last_error.message);
}

Result<std::vector<ManifestEntry>> Table::CurrentFiles() const {
  std::vector<ManifestEntry> live;
  const Snapshot* current = metadata_.CurrentSnapshot();
  if (current == nullptr) return live;
  CS_ASSIGN_OR_RETURN(auto manifests, ReadManifestList(current->manifest_list));
  for (const auto& m : manifests) {
    if (m.content != 0) continue;
    CS_ASSIGN_OR_RETURN(auto entries, ReadManifest(m.manifest_path, &m));
    for (auto& e : entries) {
      if (e.status != EntryStatus::kDeleted && e.content == 0) live.push_back(std::move(e));
    }
  }
  return live;
}

}  // namespace clickstream::iceberg
