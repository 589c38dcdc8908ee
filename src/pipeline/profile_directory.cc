#include "pipeline/profile_directory.h"

#include <arrow/api.h>
#include <arrow/io/api.h>
#include <parquet/arrow/reader.h>

#include <algorithm>
#include <filesystem>
#include <unordered_set>
#include <utility>
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

// How a data file's path is compared with the file_path column of position deletes: writers
// spell one local file as "/x", "file:/x" or "file:///x".
std::string FileKey(std::string_view location) {
  Result<std::filesystem::path> path = iceberg::LocalPath(location);
  return path ? path->lexically_normal().string() : std::string(location);
}

Result<std::shared_ptr<arrow::Table>> ReadParquet(const std::string& location,
                                                  std::string_view what) {
  CS_ASSIGN_OR_RETURN(std::filesystem::path path, iceberg::LocalPath(location));
  auto fail = [&](const arrow::Status& status) {
    return IoError("reading " + std::string(what) + " " + path.string() + ": " + status.ToString());
  };
  auto source = arrow::io::ReadableFile::Open(path.string());
  if (!source.ok()) return fail(source.status());
  auto reader = parquet::arrow::OpenFile(*source, arrow::default_memory_pool());
  if (!reader.ok()) return fail(reader.status());
  auto read = (*reader)->ReadTable();
  if (!read.ok()) return fail(read.status());
  return *read;
}

// Adds the rows of one Parquet data file of the profiles table to `profiles`, but for the row
// positions in `deleted`.
Status ReadProfilesFile(const std::string& location, const std::unordered_set<int64_t>& deleted,
                        ProfileMap& profiles) {
  CS_ASSIGN_OR_RETURN(std::shared_ptr<arrow::Table> table, ReadParquet(location, "profiles file"));
  std::shared_ptr<arrow::ChunkedArray> columns[3];
  const char* names[3] = {"user_id", "name", "location"};
  for (int i = 0; i < 3; ++i) {
    columns[i] = table->GetColumnByName(names[i]);
    if (columns[i] == nullptr) {
      return Corrupt("profiles file " + location + " has no column " + names[i]);
    }
  }
  std::vector<UserProfile> rows(static_cast<size_t>(table->num_rows()));
  std::vector<std::optional<std::string>> ids(rows.size());
  CS_RETURN_IF_ERROR(ForEachString(*columns[0], "user_id", [&](int64_t row, auto value) {
    if (value && !deleted.contains(row)) ids[row] = std::string(*value);
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

// A live file of a snapshot and its data sequence number (Iceberg spec "Sequence Numbers").
struct LiveFile {
  std::string location;
  int64_t sequence_number = 0;
};

// The live files of a snapshot: data files and position delete files. Equality deletes are refused
// (the caller keeps its last good profiles).
Status ListLiveFiles(const iceberg::Snapshot& snapshot, const std::string& table,
                     std::vector<LiveFile>& data, std::vector<LiveFile>& position_deletes) {
  CS_ASSIGN_OR_RETURN(std::vector<iceberg::ManifestFile> manifests,
                      iceberg::ReadManifestList(snapshot.manifest_list));
  for (const iceberg::ManifestFile& manifest : manifests) {
    CS_ASSIGN_OR_RETURN(std::vector<iceberg::ManifestEntry> entries,
                        iceberg::ReadManifest(manifest.manifest_path, &manifest));
    for (const iceberg::ManifestEntry& entry : entries) {
      if (entry.status == iceberg::EntryStatus::kDeleted) continue;
      LiveFile file{entry.data_file.file_path, entry.sequence_number.value_or(0)};
      if (entry.content == 0) {
        data.push_back(std::move(file));
      } else if (entry.content == 1) {
        position_deletes.push_back(std::move(file));
      } else {
        return InvalidArgument("table " + table + " has equality delete files (" +
                               entry.data_file.file_path +
                               "), which the enrichment join does not read");
      }
    }
  }
  return Ok();
}

// Row positions deleted per data file (by FileKey), each with the sequence number of its delete
// file: a position delete applies to data files of a sequence number at most its own.
using PositionDeletes = std::unordered_map<std::string, std::vector<std::pair<int64_t, int64_t>>>;

Status ReadPositionDeletes(const LiveFile& file, PositionDeletes& deletes) {
  CS_ASSIGN_OR_RETURN(std::shared_ptr<arrow::Table> table,
                      ReadParquet(file.location, "position delete file"));
  std::shared_ptr<arrow::ChunkedArray> paths = table->GetColumnByName("file_path");
  std::shared_ptr<arrow::ChunkedArray> positions = table->GetColumnByName("pos");
  if (paths == nullptr || positions == nullptr) {
    return Corrupt("position delete file " + file.location + " lacks file_path or pos");
  }
  std::vector<std::string> keys(static_cast<size_t>(table->num_rows()));
  CS_RETURN_IF_ERROR(ForEachString(*paths, "file_path", [&](int64_t row, auto value) {
    if (value) keys[row] = FileKey(*value);
  }));
  int64_t row = 0;
  for (const auto& chunk : positions->chunks()) {
    if (chunk->type_id() != arrow::Type::INT64) {
      return Corrupt("column pos of " + file.location + " is " + chunk->type()->ToString());
    }
    const auto& values = static_cast<const arrow::Int64Array&>(*chunk);
    for (int64_t i = 0; i < values.length(); ++i, ++row) {
      if (values.IsNull(i) || keys[row].empty()) continue;
      deletes[keys[row]].emplace_back(values.Value(i), file.sequence_number);
    }
  }
  return Ok();
}

// The profiles of a snapshot, with its position deletes applied (Iceberg spec "Row-level Deletes").
Result<ProfileMap> ReadProfiles(const iceberg::Snapshot& snapshot, const std::string& table) {
  std::vector<LiveFile> data;
  std::vector<LiveFile> delete_files;
  CS_RETURN_IF_ERROR(ListLiveFiles(snapshot, table, data, delete_files));
  PositionDeletes deletes;
  for (const LiveFile& file : delete_files) CS_RETURN_IF_ERROR(ReadPositionDeletes(file, deletes));
  // Older files first, so a newer row of a user (an update rewritten as delete + insert) wins.
  std::stable_sort(data.begin(), data.end(), [](const LiveFile& a, const LiveFile& b) {
    return a.sequence_number < b.sequence_number;
  });
  ProfileMap profiles;
  for (const LiveFile& file : data) {
    std::unordered_set<int64_t> deleted;
    if (auto it = deletes.find(FileKey(file.location)); it != deletes.end()) {
      for (const auto& [position, sequence_number] : it->second) {
        if (sequence_number >= file.sequence_number) deleted.insert(position);
      }
    }
    CS_RETURN_IF_ERROR(ReadProfilesFile(file.location, deleted, profiles));
  }
  return profiles;
}

}  // namespace

Result<std::unique_ptr<ProfileDirectory>> ProfileDirectory::Open(catalog::Catalog& catalog,
                                                                 catalog::TableIdentifier id) {
  std::unique_ptr<ProfileDirectory> directory = Unread(catalog, std::move(id));
  CS_RETURN_IF_ERROR(directory->Refresh());
  return directory;
}

std::unique_ptr<ProfileDirectory> ProfileDirectory::Unread(catalog::Catalog& catalog,
                                                           catalog::TableIdentifier id) {
  return std::unique_ptr<ProfileDirectory>(new ProfileDirectory(catalog, std::move(id)));
}

Status ProfileDirectory::Refresh() {
  Result<catalog::TableEntry> entry = catalog_.LoadTable(id_);
  if (!entry) {
    if (entry.error().code == ErrorCode::kNotFound) return Ok();  // not generated yet
    return std::unexpected(entry.error());
  }
  if (entry->metadata_location == metadata_location_) return Ok();
  // A snapshot that could not be read is not read again until the table changes.
  if (failed_ && entry->metadata_location == failed_location_) return std::unexpected(*failed_);
  Status read = Read(entry->metadata_location);
  if (!read) {
    failed_ = read.error().WithContext("reading the profiles of " + id_.ToString());
    failed_location_ = entry->metadata_location;
    return std::unexpected(*failed_);
  }
  failed_.reset();
  return Ok();
}

Status ProfileDirectory::Read(const std::string& metadata_location) {
  CS_ASSIGN_OR_RETURN(iceberg::TableMetadata metadata,
                      iceberg::ReadTableMetadata(metadata_location));
  const iceberg::Snapshot* snapshot = metadata.CurrentSnapshot();
  std::optional<int64_t> snapshot_id;
  if (snapshot != nullptr) snapshot_id = snapshot->snapshot_id;
  if (snapshot_id == snapshot_id_ && loaded_) {
    metadata_location_ = metadata_location;  // a metadata-only change
    return Ok();
  }
  ProfileMap profiles;
  if (snapshot != nullptr) {
    CS_ASSIGN_OR_RETURN(profiles, ReadProfiles(*snapshot, id_.ToString()));
  }
  profiles_ = std::move(profiles);
  snapshot_id_ = snapshot_id;
  metadata_location_ = metadata_location;
  loaded_ = true;
  return Ok();
}

const UserProfile* ProfileDirectory::Find(std::string_view user_id) const {
  auto it = profiles_.find(user_id);
  return it == profiles_.end() ? nullptr : &it->second;
}

}  // namespace clickstream::pipeline
