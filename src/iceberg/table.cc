#include "iceberg/table.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <thread>

#include "iceberg/location.h"
#include "io/file_io.h"

namespace clickstream::iceberg {

namespace {

std::chrono::milliseconds Backoff(const CommitOptions& options, int attempt) {
  thread_local std::mt19937_64 engine{std::random_device{}() ^ static_cast<uint64_t>(getpid())
                                                                   << 32};
  int64_t cap = options.initial_backoff.count() << std::min(attempt, 20);
  cap = std::min<int64_t>(cap, options.max_backoff.count());
  std::uniform_int_distribution<int64_t> jitter(0, std::max<int64_t>(cap, 1));
  return std::chrono::milliseconds(jitter(engine));
}

void RemoveAll(std::span<const std::string> locations) {
  for (const auto& location : locations) io::DeleteQuietly(location);
}

// The metadata of a catalog entry: sent along (REST) or read from its location.
Result<TableMetadata> MetadataOf(const catalog::TableEntry& entry) {
  if (entry.metadata) return ParseTableMetadata(entry.metadata->dump());
  return ReadTableMetadata(entry.metadata_location);
}

}  // namespace

Result<std::string> TableLocation(const std::string& warehouse,
                                  const catalog::TableIdentifier& id) {
  CS_RETURN_IF_ERROR(catalog::ValidateNamespace(id.ns));
  CS_RETURN_IF_ERROR(catalog::ValidateName(id.name, "table"));
  if (warehouse.empty()) return InvalidArgument("the warehouse directory is empty");
  // A nested namespace is a directory per level ("analytics.daily" -> analytics/daily), as Java's
  // catalogs lay it out; validated levels hold no '/' and no '.'.
  std::string ns_path = id.ns;
  std::replace(ns_path.begin(), ns_path.end(), '.', '/');
  if (io::StorageOf(warehouse) == io::Storage::kS3) {
    CS_RETURN_IF_ERROR(io::S3Path(warehouse));  // names a bucket
    return JoinLocation(JoinLocation(warehouse, ns_path), id.name);
  }
  std::error_code ec;
  std::filesystem::path root = std::filesystem::absolute(warehouse, ec).lexically_normal();
  if (ec) return IoError("cannot resolve the warehouse " + warehouse + ": " + ec.message());
  std::string text = root.string();
  while (text.size() > 1 && text.ends_with('/')) text.pop_back();
  return JoinLocation(JoinLocation(text, ns_path), id.name);
}

Result<Table> Table::Create(catalog::Catalog& catalog, const std::string& warehouse,
                            const catalog::TableIdentifier& id, const Schema& schema,
                            const PartitionSpec& spec,
                            std::map<std::string, std::string> properties) {
  // No warehouse with a catalog that writes the metadata itself (REST): the server picks the
  // location under its own warehouse.
  std::string location;
  if (!warehouse.empty() || catalog.ClientWritesMetadata()) {
    CS_ASSIGN_OR_RETURN(location, TableLocation(warehouse, id));
  }
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
    // Another process may have created it meanwhile; that is fine. Iceberg's REST reference
    // server reports that lost race as HTTP 500 (its JDBC insert fails), not 409: look again.
    if (!created.has_value() && created.error().code != ErrorCode::kAlreadyExists) {
      Result<bool> now = catalog.NamespaceExists(id.ns);
      if (!now.has_value() || !*now) return std::unexpected(created.error());
    }
  }
  if (auto existing = catalog.LoadTable(id); existing.has_value()) {
    return AlreadyExists("table " + id.ToString() + " already exists");
  }
  TableMetadata metadata = NewTableMetadata(schema, spec, location, std::move(properties));
  if (!catalog.ClientWritesMetadata()) {
    CS_ASSIGN_OR_RETURN(auto entry,
                        catalog.CreateTableFromMetadata(
                            id, nlohmann::json::parse(SerializeTableMetadata(metadata))));
    CS_ASSIGN_OR_RETURN(auto created, MetadataOf(entry));
    return Table(catalog, id, std::move(entry.metadata_location), std::move(created));
  }
  std::string metadata_location = NextMetadataFileLocation(location, "");
  CS_RETURN_IF_ERROR(io::WriteNewFile(metadata_location, SerializeTableMetadata(metadata)));
  auto registered = catalog.CreateTable(id, metadata_location);
  if (!registered.has_value()) {
    io::DeleteQuietly(metadata_location);
    return std::unexpected(registered.error());
  }
  return Table(catalog, id, std::move(metadata_location), std::move(metadata));
}

Result<Table> Table::Load(catalog::Catalog& catalog, const catalog::TableIdentifier& id) {
  CS_ASSIGN_OR_RETURN(auto entry, catalog.LoadTable(id));
  CS_ASSIGN_OR_RETURN(auto metadata, MetadataOf(entry));
  return Table(catalog, id, std::move(entry.metadata_location), std::move(metadata));
}

std::string Table::DataLocation() const { return JoinLocation(metadata_.location, "data"); }

Status Table::Refresh() {
  CS_ASSIGN_OR_RETURN(auto entry, catalog_->LoadTable(id_));
  if (entry.metadata_location == metadata_location_) return Ok();
  CS_ASSIGN_OR_RETURN(auto metadata, MetadataOf(entry));
  metadata_location_ = std::move(entry.metadata_location);
  metadata_ = std::move(metadata);
  return Ok();
}

Result<TableMetadata> Table::Commit(TableOperation& operation, const CommitOptions& options) {
  auto fail = [&](Error error) -> Result<TableMetadata> {
    operation.Abort();
    return std::unexpected(std::move(error));
  };
  auto landed = [&]() -> Result<TableMetadata> {
    operation.OnCommitted(metadata_);
    return metadata_;
  };
  Error last_error;
  const int attempts = std::max(options.max_attempts, 1);
  for (int number = 0; number < attempts; ++number) {
    if (number > 0) std::this_thread::sleep_for(Backoff(options, number));
    if (Status refreshed = Refresh(); !refreshed) return fail(refreshed.error());
    // After an unanswered commit, our change may be in the table already: never apply it twice.
    if (number > 0 && operation.Landed(metadata_)) return landed();
    CommitAttempt attempt{number, {}};
    Result<TableChange> change = operation.Apply(metadata_, metadata_location_, attempt);
    if (!change) {
      RemoveAll(attempt.files);
      return fail(change.error());
    }
    Status published = Publish(*change);
    if (published) return landed();
    Error error = published.error();
    // A REST catalog's 409 may answer a request a proxy or client re-sent after the first one
    // landed: like an unanswered commit, look before deleting files that may be referenced.
    const bool ambiguous =
        error.code == ErrorCode::kCommitStateUnknown ||
        (error.code == ErrorCode::kConflict && !catalog_->ClientWritesMetadata());
    if (ambiguous) {
      // Its files may be referenced by now: keep them unless the table says otherwise.
      if (Status refreshed = Refresh(); !refreshed) {
        return std::unexpected(error.WithContext("committing " + id_.ToString()));
      }
      if (operation.Landed(metadata_)) return landed();
    } else if (error.code != ErrorCode::kConflict) {
      RemoveAll(attempt.files);
      return fail(error.WithContext("committing " + id_.ToString()));
    }
    RemoveAll(attempt.files);
    last_error = error;
  }
  return fail(Error{ErrorCode::kConflict,
                    "gave up the " + std::string(operation.name()) + " on " + id_.ToString() +
                        " after " + std::to_string(attempts) +
                        " attempts lost to concurrent commits: " + last_error.message});
}

Status Table::Publish(const TableChange& change) {
  catalog::TableCommit commit;
  commit.id = id_;
  commit.requirements = RequirementsToJson(change.requirements);
  commit.updates = UpdatesToJson(change.updates);
  commit.base_location = metadata_location_;
  if (!catalog_->ClientWritesMetadata()) {
    CS_ASSIGN_OR_RETURN(catalog::TableEntry entry, catalog_->CommitTable(commit));
    CS_ASSIGN_OR_RETURN(TableMetadata committed, MetadataOf(entry));
    metadata_location_ = std::move(entry.metadata_location);
    metadata_ = std::move(committed);
    return Ok();
  }
  CS_ASSIGN_OR_RETURN(TableMetadata next, ApplyTableChange(metadata_, metadata_location_, change));
  commit.written_location = NextMetadataFileLocation(metadata_.location, metadata_location_);
  CS_RETURN_IF_ERROR(io::WriteNewFile(commit.written_location, SerializeTableMetadata(next)));
  Result<catalog::TableEntry> committed = catalog_->CommitTable(commit);
  if (!committed) {
    if (committed.error().code != ErrorCode::kCommitStateUnknown) {
      io::DeleteQuietly(commit.written_location);
    }
    return std::unexpected(committed.error());
  }
  if (PropertyAsBool(next, kMetadataDeleteAfterCommit, false)) {
    RemoveAll(DroppedMetadataFiles(metadata_, metadata_location_, next));
  }
  metadata_location_ = std::move(commit.written_location);
  metadata_ = std::move(next);
  return Ok();
}

Result<Snapshot> Table::Append(std::span<const DataFile> files, const AppendOptions& options) {
  if (files.empty()) return InvalidArgument("an append needs at least one data file");
  FastAppend append(files, options);
  CS_RETURN_IF_ERROR(Commit(append, options.commit));
  return append.snapshot();
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
