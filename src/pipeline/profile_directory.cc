#include "pipeline/profile_directory.h"

#include <arrow/api.h>
#include <arrow/io/api.h>
#include <parquet/arrow/reader.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <numeric>
#include <span>
#include <unordered_set>
#include <utility>
#include <vector>

#include "iceberg/location.h"
#include "iceberg/manifest.h"
#include "iceberg/table_metadata.h"
#include "io/arrow_error.h"
#include "io/file_io.h"

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
  auto fail = [&](const arrow::Status& status) {
    return std::unexpected(io::FromArrow(status, "reading " + std::string(what) + " " + location));
  };
  CS_ASSIGN_OR_RETURN(std::shared_ptr<arrow::io::RandomAccessFile> source,
                      io::OpenInputFile(location));
  auto reader = parquet::arrow::OpenFile(source, arrow::default_memory_pool());
  if (!reader.ok()) return fail(reader.status());
  auto read = (*reader)->ReadTable();
  if (!read.ok()) return fail(read.status());
  return *read;
}

// The profiles table's columns, in the order rows are read.
constexpr std::array<std::string_view, 3> kProfileColumns{"user_id", "name", "location"};

using StringColumn = std::vector<std::optional<std::string>>;

// The string columns `names` of `table`, whole.
Result<std::vector<StringColumn>> ReadStringColumns(const arrow::Table& table,
                                                    std::span<const std::string_view> names,
                                                    const std::string& file) {
  std::vector<StringColumn> columns;
  for (std::string_view name : names) {
    std::shared_ptr<arrow::ChunkedArray> column = table.GetColumnByName(std::string(name));
    if (column == nullptr) return Corrupt(file + " has no column " + std::string(name));
    StringColumn& values = columns.emplace_back(static_cast<size_t>(table.num_rows()));
    CS_RETURN_IF_ERROR(ForEachString(*column, name, [&](int64_t row, auto value) {
      if (value) values[row] = std::string(*value);
    }));
  }
  return columns;
}

// A key of equality-delete values: each value length-prefixed, null distinct from "".
std::string EqualityKey(const std::vector<StringColumn>& columns, std::span<const size_t> which,
                        size_t row) {
  std::string key;
  for (size_t column : which) {
    const std::optional<std::string>& value = columns[column][row];
    key += value ? "S" + std::to_string(value->size()) + ":" + *value : std::string("N");
  }
  return key;
}

// Equality deletes on one set of profile columns (Iceberg spec "Equality Delete Files"): per key,
// the largest sequence number of a delete file holding it; it deletes rows of smaller ones.
struct EqualityDeletes {
  std::vector<size_t> columns;  // indexes into kProfileColumns
  std::unordered_map<std::string, int64_t> keys;
};

bool DeletedByEquality(const std::vector<EqualityDeletes>& deletes,
                       const std::vector<StringColumn>& columns, size_t row, int64_t sequence) {
  for (const EqualityDeletes& set : deletes) {
    auto it = set.keys.find(EqualityKey(columns, set.columns, row));
    if (it != set.keys.end() && it->second > sequence) return true;
  }
  return false;
}

// A live file of a snapshot and its data sequence number (Iceberg spec "Sequence Numbers").
struct LiveFile {
  std::string location;
  int64_t sequence_number = 0;
  std::vector<int> equality_ids;  // equality delete files only
};

// Adds the rows of one Parquet data file of the profiles table to `profiles`, but for the row
// positions in `deleted` and the rows equality deletes remove.
Status ReadProfilesFile(const LiveFile& file, const std::unordered_set<int64_t>& deleted,
                        const std::vector<EqualityDeletes>& equality, ProfileMap& profiles) {
  CS_ASSIGN_OR_RETURN(std::shared_ptr<arrow::Table> table,
                      ReadParquet(file.location, "profiles file"));
  CS_ASSIGN_OR_RETURN(std::vector<StringColumn> columns,
                      ReadStringColumns(*table, kProfileColumns, "profiles file " + file.location));
  for (size_t row = 0; row < columns[0].size(); ++row) {
    if (!columns[0][row] || deleted.contains(static_cast<int64_t>(row))) continue;
    if (DeletedByEquality(equality, columns, row, file.sequence_number)) continue;
    profiles.insert_or_assign(
        std::move(*columns[0][row]),
        UserProfile{columns[1][row].value_or(""), columns[2][row].value_or("")});
  }
  return Ok();
}

// The live files of a snapshot: data files, position and equality delete files.
struct LiveFiles {
  std::vector<LiveFile> data;
  std::vector<LiveFile> position_deletes;
  std::vector<LiveFile> equality_deletes;
};

Result<LiveFiles> ListLiveFiles(const iceberg::Snapshot& snapshot) {
  CS_ASSIGN_OR_RETURN(std::vector<iceberg::ManifestFile> manifests,
                      iceberg::ReadManifestList(snapshot.manifest_list));
  LiveFiles files;
  for (const iceberg::ManifestFile& manifest : manifests) {
    CS_ASSIGN_OR_RETURN(std::vector<iceberg::ManifestEntry> entries,
                        iceberg::ReadManifest(manifest.manifest_path, &manifest));
    for (const iceberg::ManifestEntry& entry : entries) {
      if (entry.status == iceberg::EntryStatus::kDeleted) continue;
      LiveFile file{entry.data_file.file_path, entry.sequence_number.value_or(0),
                    entry.data_file.equality_ids};
      if (entry.content == 0) files.data.push_back(std::move(file));
      if (entry.content == 1) files.position_deletes.push_back(std::move(file));
      if (entry.content == 2) files.equality_deletes.push_back(std::move(file));
    }
  }
  return files;
}

// Adds the keys of one equality delete file to the set of its columns in `deletes`.
Status ReadEqualityDeletes(const LiveFile& file, const iceberg::Schema& schema,
                           std::vector<EqualityDeletes>& deletes) {
  std::vector<size_t> columns;
  std::vector<std::string_view> names;
  for (int id : file.equality_ids) {
    auto field = std::find_if(schema.fields.begin(), schema.fields.end(),
                              [&](const iceberg::Field& f) { return f.id == id; });
    auto column = field == schema.fields.end()
                      ? kProfileColumns.end()
                      : std::find(kProfileColumns.begin(), kProfileColumns.end(), field->name);
    if (column == kProfileColumns.end()) {
      return InvalidArgument("equality delete file " + file.location + " matches on field id " +
                             std::to_string(id) + ", not a profile column");
    }
    columns.push_back(static_cast<size_t>(column - kProfileColumns.begin()));
    names.push_back(*column);
  }
  if (columns.empty()) return Corrupt("equality delete file " + file.location + " has no ids");
  CS_ASSIGN_OR_RETURN(std::shared_ptr<arrow::Table> table,
                      ReadParquet(file.location, "equality delete file"));
  CS_ASSIGN_OR_RETURN(std::vector<StringColumn> values,
                      ReadStringColumns(*table, names, "equality delete file " + file.location));
  auto set = std::find_if(deletes.begin(), deletes.end(),
                          [&](const EqualityDeletes& d) { return d.columns == columns; });
  if (set == deletes.end()) set = deletes.insert(deletes.end(), EqualityDeletes{columns, {}});
  std::vector<size_t> own(columns.size());
  std::iota(own.begin(), own.end(), size_t{0});
  for (size_t row = 0; row < values[0].size(); ++row) {
    int64_t& sequence = set->keys[EqualityKey(values, own, row)];
    sequence = std::max(sequence, file.sequence_number);
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

// The profiles of a snapshot, with its deletes applied (Iceberg spec "Row-level Deletes").
Result<ProfileMap> ReadProfiles(const iceberg::Snapshot& snapshot, const iceberg::Schema& schema) {
  CS_ASSIGN_OR_RETURN(LiveFiles files, ListLiveFiles(snapshot));
  PositionDeletes positions;
  for (const LiveFile& file : files.position_deletes) {
    CS_RETURN_IF_ERROR(ReadPositionDeletes(file, positions));
  }
  std::vector<EqualityDeletes> equality;
  for (const LiveFile& file : files.equality_deletes) {
    CS_RETURN_IF_ERROR(ReadEqualityDeletes(file, schema, equality));
  }
  // Older files first, so a newer row of a user (an update rewritten as delete + insert) wins.
  std::stable_sort(files.data.begin(), files.data.end(), [](const LiveFile& a, const LiveFile& b) {
    return a.sequence_number < b.sequence_number;
  });
  ProfileMap profiles;
  for (const LiveFile& file : files.data) {
    std::unordered_set<int64_t> deleted;
    if (auto it = positions.find(FileKey(file.location)); it != positions.end()) {
      for (const auto& [position, sequence_number] : it->second) {
        if (sequence_number >= file.sequence_number) deleted.insert(position);
      }
    }
    CS_RETURN_IF_ERROR(ReadProfilesFile(file, deleted, equality, profiles));
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
    CS_ASSIGN_OR_RETURN(iceberg::Schema schema, metadata.CurrentSchema());
    CS_ASSIGN_OR_RETURN(profiles, ReadProfiles(*snapshot, schema));
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
