#include "maintenance/orphan_files.h"

#include <algorithm>
#include <optional>
#include <set>

#include "iceberg/location.h"
#include "iceberg/reachable_files.h"
#include "io/file_io.h"

namespace clickstream::maintenance {

namespace {

// Every file the table's current metadata references, as normalized paths.
Result<std::set<std::string>> ReferencedFiles(const iceberg::Table& table) {
  const iceberg::TableMetadata& metadata = table.metadata();
  CS_ASSIGN_OR_RETURN(auto reachable, iceberg::FindReachableFiles(metadata));
  std::set<std::string> referenced = iceberg::MetadataFiles(metadata, table.metadata_location());
  referenced.merge(reachable.manifest_lists);
  referenced.merge(reachable.manifests);
  referenced.merge(reachable.all_content_files);
  referenced.merge(iceberg::StatisticsFiles(metadata));
  referenced.insert(iceberg::NormalizedPath(
      iceberg::JoinLocation(metadata.location, "metadata/version-hint.text")));
  return referenced;
}

// "<dir>/metadata/<name>.metadata.json" -> "<dir>": a directory holding table metadata.
std::optional<std::string_view> TableDirOf(std::string_view location) {
  constexpr std::string_view kMetadataDir = "/metadata/";
  if (!location.ends_with(".metadata.json")) return std::nullopt;
  auto at = location.rfind(kMetadataDir);
  if (at == std::string_view::npos) return std::nullopt;
  if (location.find('/', at + kMetadataDir.size()) != std::string_view::npos) return std::nullopt;
  return location.substr(0, at);
}

// Hadoop's local file system (Spark, Flink) writes ".<name>.crc" beside each file it writes; the
// checksum lives as long as its file.
std::string ChecksumOwner(std::string_view location) {
  auto slash = location.rfind('/');
  std::string_view name = location.substr(slash == std::string_view::npos ? 0 : slash + 1);
  if (name.size() <= 5 || !name.starts_with('.') || !name.ends_with(".crc")) return {};
  std::string owner(location.substr(0, location.size() - name.size()));
  return owner.append(name.substr(1, name.size() - 5));
}

// Unreferenced files under the table location (local or on S3) older than `cutoff_ms`; counts
// every file scanned. Directories below the root that hold table metadata of their own belong to
// another table and are skipped.
Result<std::vector<OrphanFile>> FindUnreferenced(const std::string& root,
                                                 const std::set<std::string>& referenced,
                                                 int64_t cutoff_ms, int64_t& scanned) {
  CS_ASSIGN_OR_RETURN(std::vector<io::FileInfo> files, io::ListFiles(root));
  for (io::FileInfo& f : files) f.location = iceberg::NormalizedPath(f.location);
  const std::string own = iceberg::NormalizedPath(root);
  std::set<std::string> other_tables;
  for (const io::FileInfo& f : files) {
    std::optional<std::string_view> dir = TableDirOf(f.location);
    if (dir && *dir != own && dir->starts_with(own)) other_tables.insert(std::string(*dir) + "/");
  }
  std::vector<OrphanFile> orphans;
  for (io::FileInfo& f : files) {
    bool other = std::any_of(other_tables.begin(), other_tables.end(),
                             [&](const std::string& dir) { return f.location.starts_with(dir); });
    if (other) continue;
    ++scanned;
    if (referenced.contains(f.location) || referenced.contains(ChecksumOwner(f.location))) continue;
    if (f.modified_ms >= cutoff_ms) continue;
    orphans.push_back({std::move(f.location), f.size, f.modified_ms});
  }
  std::sort(orphans.begin(), orphans.end(),
            [](const OrphanFile& a, const OrphanFile& b) { return a.path < b.path; });
  return orphans;
}

}  // namespace

Result<OrphanScanResult> RemoveOrphanFiles(iceberg::Table& table, const OrphanScanOptions& options,
                                           int64_t now_ms) {
  if (options.older_than.count() < 0) return InvalidArgument("--older-than must not be negative");
  CS_RETURN_IF_ERROR(table.Refresh());
  CS_RETURN_IF_ERROR(io::StorageOf(table.metadata().location));
  CS_ASSIGN_OR_RETURN(auto referenced, ReferencedFiles(table));
  OrphanScanResult result;
  CS_ASSIGN_OR_RETURN(result.orphans,
                      FindUnreferenced(table.metadata().location, referenced,
                                       now_ms - options.older_than.count(), result.scanned_files));
  // A commit that landed during the scan may reference files the first view did not.
  const std::string scanned_location = table.metadata_location();
  CS_RETURN_IF_ERROR(table.Refresh());
  if (table.metadata_location() != scanned_location) {
    CS_ASSIGN_OR_RETURN(auto now_referenced, ReferencedFiles(table));
    std::erase_if(result.orphans,
                  [&](const OrphanFile& f) { return now_referenced.contains(f.path); });
    referenced.merge(now_referenced);
  }
  result.referenced_files = static_cast<int64_t>(referenced.size());
  if (options.dry_run) return result;
  for (const auto& orphan : result.orphans) {
    Status deleted = io::DeleteFile(orphan.path);
    if (deleted) {
      ++result.deleted_files;
      result.deleted_bytes += orphan.bytes;
    } else if (deleted.error().code != ErrorCode::kNotFound) {
      return std::unexpected(deleted.error().WithContext("deleting orphan " + orphan.path));
    }
  }
  return result;
}

}  // namespace clickstream::maintenance
