#include "pipeline/profile_directory.h"

#include <arrow/api.h>
#include <arrow/io/api.h>
#include <parquet/arrow/reader.h>

#include <vector>

#include "iceberg/location.h"
#include "iceberg/manifest.h"
#include "iceberg/table_metadata.h"

namespace clickstream::pipeline {

namespace {

// Calls visit(row, value-or-nullopt) for every row of a string column (utf8 or large_utf8).
template <typename Visit>
Status ForEachString(const arrow::ChunkedArray& column, std::string_view what, Visit visit) {
  int64_t row = 0;
  for (const auto& chunk : column.chunks()) {
    auto each = [&](const auto& strings) {
      for (int64_t i = 0; i < strings.length(); ++i, ++row) {
        visit(row, strings.IsNull(i) ? std::nullopt
                                     : std::optional<std::string_view>(strings.GetView(i)));
      }
    };
    if (chunk->type_id() == arrow::Type::STRING) {
      each(static_cast<const arrow::StringArray&>(*chunk));
    } else if (chunk->type_id() == arrow::Type::LARGE_STRING) {
      each(static_cast<const arrow::LargeStringArray&>(*chunk));
    } else {
      return Corrupt("column " + std::string(what) + " of the profiles is " +
                     chunk->type()->ToString() + ", not a string");
    }
  }
  return Ok();
}

// Adds the rows of one Parquet data file of the profiles table to `profiles`.
Status ReadProfilesFile(const std::string& location, ProfileMap& profiles) {
  CS_ASSIGN_OR_RETURN(std::filesystem::path path, iceberg::LocalPath(location));
  auto fail = [&](const arrow::Status& status) {
    return IoError("reading profiles file " + path.string() + ": " + status.ToString());
  };
  auto source = arrow::io::ReadableFile::Open(path.string());
  if (!source.ok()) return fail(source.status());
  auto reader = parquet::arrow::OpenFile(*source, arrow::default_memory_pool());
  if (!reader.ok()) return fail(reader.status());
  auto read = (*reader)->ReadTable();
  if (!read.ok()) return fail(read.status());
  std::shared_ptr<arrow::Table> table = *read;

  std::shared_ptr<arrow::ChunkedArray> columns[3];
  const char* names[3] = {"user_id", "name", "location"};
  for (int i = 0; i < 3; ++i) {
    columns[i] = table->GetColumnByName(names[i]);
    if (columns[i] == nullptr) {
      return Corrupt("profiles file " + path.string() + " has no column " + names[i]);
    }
  }
  std::vector<UserProfile> rows(static_cast<size_t>(table->num_rows()));
  std::vector<std::optional<std::string>> ids(rows.size());
  CS_RETURN_IF_ERROR(ForEachString(*columns[0], "user_id", [&](int64_t row, auto value) {
    if (value) ids[row] = std::string(*value);
  }));
  CS_RETURN_IF_ERROR(ForEachString(*columns[1], "name", [&](int64_t row, auto value) {
    if (value) rows[row].name = std::string(*value);
  }));
  CS_RETURN_IF_ERROR(ForEachString(*columns[2], "location", [&](int64_t row, auto value) {
    if (value) rows[row].location = std::string(*value);
  }));
  for (size_t i = 0; i < rows.size(); ++i) {
    if (ids[i]) profiles.insert_or_assign(std::move(*ids[i]), std::move(rows[i]));
  }
  return Ok();
}

}  // namespace

Result<std::unique_ptr<ProfileDirectory>> ProfileDirectory::Open(catalog::Catalog& catalog,
                                                                 catalog::TableIdentifier id) {
  std::unique_ptr<ProfileDirectory> directory(new ProfileDirectory(catalog, std::move(id)));
  CS_RETURN_IF_ERROR(directory->Refresh());
  return directory;
}

Status ProfileDirectory::Refresh() {
  Result<catalog::TableEntry> entry = catalog_.LoadTable(id_);
  if (!entry) {
    if (entry.error().code == ErrorCode::kNotFound) return Ok();  // not generated yet
    return std::unexpected(entry.error());
  }
  if (entry->metadata_location == metadata_location_) return Ok();
  CS_ASSIGN_OR_RETURN(iceberg::TableMetadata metadata,
                      iceberg::ReadTableMetadata(entry->metadata_location));
  const iceberg::Snapshot* snapshot = metadata.CurrentSnapshot();
  std::optional<int64_t> snapshot_id;
  if (snapshot != nullptr) snapshot_id = snapshot->snapshot_id;
  if (snapshot_id == snapshot_id_ && !metadata_location_.empty()) {
    metadata_location_ = entry->metadata_location;  // a metadata-only change
    return Ok();
  }

  ProfileMap profiles;
  if (snapshot != nullptr) {
    CS_ASSIGN_OR_RETURN(std::vector<iceberg::ManifestFile> manifests,
                        iceberg::ReadManifestList(snapshot->manifest_list));
    for (const iceberg::ManifestFile& manifest : manifests) {
      if (manifest.content != 0) {
        return InvalidArgument("table " + id_.ToString() +
                               " has delete files, which the enrichment join does not read");
      }
      CS_ASSIGN_OR_RETURN(std::vector<iceberg::ManifestEntry> entries,
                          iceberg::ReadManifest(manifest.manifest_path, &manifest));
      for (const iceberg::ManifestEntry& manifest_entry : entries) {
        if (manifest_entry.status == iceberg::EntryStatus::kDeleted) continue;
        CS_RETURN_IF_ERROR(ReadProfilesFile(manifest_entry.data_file.file_path, profiles));
      }
    }
  }
  profiles_ = std::move(profiles);
  snapshot_id_ = snapshot_id;
  metadata_location_ = entry->metadata_location;
  return Ok();
}

const UserProfile* ProfileDirectory::Find(std::string_view user_id) const {
  auto it = profiles_.find(user_id);
  return it == profiles_.end() ? nullptr : &it->second;
}

}  // namespace clickstream::pipeline
